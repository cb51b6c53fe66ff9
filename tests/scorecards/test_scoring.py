"""scorecards.scoring: how a value becomes a score and a status, and how scores roll up."""

from decimal import Decimal as D

import pytest

from scorecards.scoring import (
    Item,
    Rule,
    Status,
    measure_score,
    measure_status,
    reported_better_than_measured,
    roll_up,
    status_for_score,
    threshold_errors,
)

AVAILABILITY = Rule("higher", D("99.9"), D("99.5"), D("99"))  # higher is better
RESOLUTION_HOURS = Rule("lower", D("4"), D("6"), D("8"))  # lower is better


# -- status: direction and thresholds, boundaries included ---------------------------------

@pytest.mark.parametrize(("value", "status"), [
    ("100", Status.GREEN), ("99.9", Status.GREEN), ("99.7", Status.GREEN),
    ("99.5", Status.GREEN),  # exactly on the amber threshold: the better status
    ("99.4999", Status.AMBER), ("99.2", Status.AMBER),
    ("99", Status.AMBER),  # exactly on the red threshold: the better status
    ("98.9999", Status.RED), ("50", Status.RED), ("-3", Status.RED),
])
def test_higher_is_better_status_respects_the_thresholds(value, status):
    assert measure_status(D(value), AVAILABILITY) == status


@pytest.mark.parametrize(("value", "status"), [
    ("0", Status.GREEN), ("4", Status.GREEN), ("6", Status.GREEN),
    ("6.01", Status.AMBER), ("8", Status.AMBER),
    ("8.01", Status.RED), ("40", Status.RED),
])
def test_lower_is_better_status_is_the_mirror_image(value, status):
    assert measure_status(D(value), RESOLUTION_HOURS) == status


def test_missing_value_has_no_status_and_no_score_never_zero_or_green():
    assert measure_status(None, AVAILABILITY) == Status.NO_DATA
    assert measure_score(None, AVAILABILITY) is None
    assert Status.NO_DATA.label == "No data"


def test_zero_is_a_value_not_missing_data():
    escalations = Rule("lower", D("0"), D("1"), D("3"))
    assert measure_status(D("0"), escalations) == Status.GREEN
    assert measure_score(D("0"), escalations) == D("100.0")


# -- score: 100 at target, 70 at amber, 40 at red, 0 one step beyond ------------------------

@pytest.mark.parametrize(("value", "score"), [
    ("100", "100.0"),  # beyond the target: capped, no bonus
    ("99.9", "100.0"),
    ("99.7", "85.0"),  # halfway between amber (70) and target (100)
    ("99.5", "70.0"),
    ("99.25", "55.0"),
    ("99", "40.0"),
    ("98.75", "20.0"),
    ("98.5", "0.0"),  # one amber-to-red step (0.5) beyond the red threshold
    ("10", "0.0"),  # never below zero
])
def test_higher_is_better_score_is_linear_between_anchors(value, score):
    assert measure_score(D(value), AVAILABILITY) == D(score)


@pytest.mark.parametrize(("value", "score"), [
    ("2", "100.0"), ("4", "100.0"), ("5", "85.0"), ("6", "70.0"), ("7", "55.0"),
    ("8", "40.0"), ("9", "20.0"), ("10", "0.0"), ("99", "0.0"),
])
def test_lower_is_better_score_runs_the_other_way(value, score):
    assert measure_score(D(value), RESOLUTION_HOURS) == D(score)


def test_score_and_status_agree_at_every_boundary():
    for rule in (AVAILABILITY, RESOLUTION_HOURS):
        for value in (rule.target, rule.amber, rule.red):
            assert status_for_score(measure_score(value, rule)) == measure_status(value, rule)


def test_amber_threshold_equal_to_the_target_means_green_only_on_target():
    strict = Rule("higher", D("95"), D("95"), D("90"))
    assert measure_status(D("95"), strict) == Status.GREEN
    assert measure_score(D("95"), strict) == D("100.0")
    assert measure_status(D("94.9"), strict) == Status.AMBER
    assert measure_score(D("94.9"), strict) < D("70")


def test_floats_and_strings_are_read_as_decimals():
    assert measure_score(99.7, AVAILABILITY) == D("85.0")
    assert measure_status("99.5", AVAILABILITY) == Status.GREEN


def test_an_unknown_direction_is_refused():
    with pytest.raises(ValueError):
        Rule("sideways", D(1), D(1), D(0))


# -- thresholds in the wrong order ---------------------------------------------------------

def test_thresholds_in_order_for_their_direction_pass():
    assert threshold_errors("higher", "99.9", "99.5", "99") == {}
    assert threshold_errors("lower", "4", "6", "8") == {}
    assert threshold_errors("higher", "95", "95", "90") == {}  # amber may equal the target


def test_higher_is_better_thresholds_must_fall_below_the_target():
    errors = threshold_errors("higher", "99", "99.5", "99.9")
    assert "amber_threshold" in errors and "must not be above the target" in \
        errors["amber_threshold"]
    assert "red_threshold" in errors and "below the amber threshold" in errors["red_threshold"]


def test_lower_is_better_thresholds_must_rise_above_the_target():
    errors = threshold_errors("lower", "8", "6", "4")
    assert set(errors) == {"amber_threshold", "red_threshold"}
    assert "must not be below the target" in errors["amber_threshold"]


def test_red_equal_to_amber_leaves_no_amber_band_and_is_refused():
    assert set(threshold_errors("higher", "10", "5", "5")) == {"red_threshold"}
    assert set(threshold_errors("lower", "1", "5", "5")) == {"red_threshold"}


def test_incomplete_thresholds_are_left_to_the_required_field_checks():
    assert threshold_errors("higher", None, "1", "0") == {}


# -- roll-up ---------------------------------------------------------------------------------

def group(key, weight, *children):
    return Item(key, D(weight), children=list(children))


def leaf(key, weight, score):
    return Item(key, D(weight), score=None if score is None else D(score))


def test_roll_up_is_a_weighted_average_at_every_level():
    tree = group("vendor", 1,
                 group("financial", 20, group("value", 1, leaf("cost", 60, 100),
                                                leaf("savings", 40, 50))),
                 group("customer", 80, group("service", 1, leaf("availability", 1, 40))))
    rolled = roll_up(tree)
    financial = rolled.find("financial")
    assert financial.score == D("80.0")  # 0.6 × 100 + 0.4 × 50
    assert rolled.score == D("48.0")  # 0.2 × 80 + 0.8 × 40
    assert rolled.status == Status.AMBER
    assert financial.share == D("0.2") and rolled.find("customer").share == D("0.8")
    assert rolled.coverage == 1 and rolled.is_complete


def test_weights_that_do_not_add_up_are_normalised_and_say_so():
    rolled = roll_up(group("o", 1, leaf("a", 30, 100), leaf("b", 30, 40), leaf("c", 30, 70)))
    assert rolled.weights_total == 90 and rolled.normalised
    assert [c.share for c in rolled.children] == [D(1) / 3] * 3
    assert rolled.score == D("70.0")
    assert rolled.status == Status.GREEN  # exactly 70 is green, no rounding drift


def test_uneven_weights_tilt_the_score():
    rolled = roll_up(group("o", 1, leaf("a", 3, 100), leaf("b", 1, 0)))
    assert rolled.score == D("75.0")
    assert not roll_up(group("o", 1, leaf("a", 60, 1), leaf("b", 40, 1))).normalised


def test_missing_measures_are_left_out_and_the_rest_renormalised():
    rolled = roll_up(group("o", 1, leaf("a", 50, 100), leaf("b", 25, 40), leaf("c", 25, None)))
    assert rolled.score == D("80.0")  # (50 × 100 + 25 × 40) / 75
    assert rolled.coverage == D("0.75")
    assert (rolled.measures_with_data, rolled.measures) == (2, 3)
    assert not rolled.is_complete
    assert rolled.find("c").status == Status.NO_DATA and rolled.find("c").score is None


def test_a_group_without_data_is_no_data_not_zero_and_not_green():
    rolled = roll_up(group("vendor", 1,
                           group("p1", 1, leaf("a", 1, None), leaf("b", 1, None)),
                           group("p2", 1, leaf("c", 1, 20))))
    empty = rolled.find("p1")
    assert empty.score is None and empty.status == Status.NO_DATA and empty.coverage == 0
    assert rolled.score == D("20.0")  # p1 is left out, not averaged in as zero
    assert rolled.coverage == D("0.5")


def test_nothing_at_all_is_no_data_at_the_top():
    rolled = roll_up(group("vendor", 1, group("p", 1, leaf("a", 1, None))))
    assert rolled.score is None and rolled.status == Status.NO_DATA
    empty = roll_up(group("vendor", 1))
    assert empty.score is None and empty.status == Status.NO_DATA and empty.measures == 0


def test_all_zero_weights_count_equally():
    rolled = roll_up(group("o", 1, leaf("a", 0, 100), leaf("b", 0, 40)))
    assert rolled.equal_weights
    assert rolled.score == D("70.0")
    assert [c.share for c in rolled.children] == [D("0.5"), D("0.5")]


def test_a_zero_weight_among_weighted_measures_is_shown_but_not_counted():
    rolled = roll_up(group("o", 1, leaf("info", 0, 0), leaf("a", 1, 90)))
    assert rolled.score == D("90.0")
    assert rolled.find("info").share == 0 and rolled.find("info").status == Status.RED
    assert not rolled.equal_weights


def test_mixed_zero_and_nonzero_weights_never_show_no_data_while_data_exists():
    # Only the measures weighted 0 have data: they count equally, at every level.
    rolled = roll_up(group("o", 1, leaf("info", 0, 100), leaf("more", 0, 40),
                           leaf("a", 1, None)))
    assert rolled.score == D("70.0") and rolled.status == Status.GREEN
    vendor = roll_up(group("vendor", 1,
                           group("p1", 0, group("o1", 0, leaf("x", 0, 50)),
                                 group("o2", 3, leaf("y", 2, None))),
                           group("p2", 1, leaf("z", 1, None))))
    assert vendor.find("o1").score == D("50.0")
    assert vendor.find("p1").score == D("50.0") and vendor.score == D("50.0")
    assert vendor.status != Status.NO_DATA
    # A weighted measure with data still decides alone: the 0 weight is not counted.
    assert roll_up(group("o", 1, leaf("info", 0, 0), leaf("a", 1, 90))).score == D("90.0")
    assert rolled.coverage == 0


def test_negative_weights_are_refused():
    with pytest.raises(ValueError):
        roll_up(group("o", 1, leaf("a", -1, 50)))


@pytest.mark.parametrize(("score", "status"), [
    ("100", Status.GREEN), ("70", Status.GREEN), ("69.9", Status.AMBER), ("40", Status.AMBER),
    ("39.9", Status.RED), ("0", Status.RED), (None, Status.NO_DATA),
])
def test_roll_up_status_bands(score, status):
    assert status_for_score(None if score is None else D(score)) == status


# -- self-reported better than measured (the agenda's flag, the warning sign's rule) -------

@pytest.mark.parametrize(("rule", "reported", "measured", "better"), [
    (AVAILABILITY, "99.95", "98.9", True),    # green against red
    (AVAILABILITY, "99.5", "99.4999", True),  # green against amber, on the threshold
    (AVAILABILITY, "99.2", "98", True),       # amber against red
    (AVAILABILITY, "99.8", "99.6", False),    # better, but green both
    (AVAILABILITY, "98", "99.95", False),     # the vendor reports worse
    (AVAILABILITY, None, "98", False),        # nothing reported
    (RESOLUTION_HOURS, "3.5", "7", True),     # lower is better: green against amber
    (RESOLUTION_HOURS, "9", "3", False),
])
def test_reported_better_than_measured_means_a_better_status(rule, reported, measured,
                                                             better):
    reported = None if reported is None else D(reported)
    assert reported_better_than_measured(reported, D(measured), rule) is better
