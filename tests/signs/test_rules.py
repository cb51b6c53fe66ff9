"""The warning-sign rules (signs.rules), pure: facts in, findings out. Each rule with data
that raises it and data that does not, at the boundaries of its thresholds."""

from datetime import date, timedelta

from signs import rules
from signs.choices import Rule, Severity
from signs.rules import Dated, DisputeFact, Facts, Gap, Impediment, Limits, Window

TODAY = date(2026, 12, 6)
L = rules.DEFAULTS


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def windows(pattern: str, series: str = "P1 resolution") -> list[Window]:
    """Newest first: 'BBMB' = breached, breached, met, breached."""
    return [Window(series, f"w{i}", c == "B", f"/e/{i}") for i, c in enumerate(pattern)]


# -- keeps missing the point --------------------------------------------------------------------

def test_a_service_level_breached_in_3_of_its_last_4_windows_keeps_missing_the_point():
    found = rules.missing_the_point(Facts(1, windows=windows("BMBB")))
    assert found.rule == Rule.MISSING_THE_POINT and found.severity == Severity.MEDIUM
    assert "breached in 3 of its last 4 windows" in found.evidence[0].text
    assert found.evidence[0].url == "/e/0"


def test_2_breaches_in_4_windows_or_3_breaches_spread_over_5_do_not():
    assert rules.missing_the_point(Facts(1, windows=windows("BMBM"))) is None
    # the 5th window is beyond "the last 4"
    assert rules.missing_the_point(Facts(1, windows=windows("BMMBB"))) is None


def test_every_one_of_the_last_windows_breached_is_the_worst_case():
    assert rules.missing_the_point(Facts(1, windows=windows("BBBB"))).severity == Severity.HIGH


def test_the_breach_thresholds_are_tunable():
    tight = Limits(breached_windows=2, of_last_windows=3)
    assert rules.missing_the_point(Facts(1, windows=windows("BMB")), tight)
    assert rules.missing_the_point(Facts(1, windows=windows("BMMB")), tight) is None


def test_series_are_judged_apart():
    facts = Facts(1, windows=windows("BBMM", "A") + windows("MMBB", "B"))
    assert rules.missing_the_point(facts) is None


def imp(kind, title, raised, resolved=None):
    return Impediment(kind, kind.title(), title, ago(raised), resolved and ago(resolved),
                      f"/i/{title}")


def test_an_impediment_of_a_kind_raised_again_after_one_was_resolved_recurs():
    facts = Facts(1, impediments=[imp("staffing", "old", 100, 60), imp("staffing", "new", 20)])
    found = rules.missing_the_point(facts)
    assert found and "“new” raised" in found.evidence[0].text and found.evidence[0].url == "/i/new"


def test_impediments_of_another_kind_or_raised_before_the_resolution_do_not_recur():
    other_kind = [imp("staffing", "old", 100, 60), imp("technical", "new", 20)]
    while_open = [imp("staffing", "old", 100, 10), imp("staffing", "new", 20)]
    same_day = [imp("staffing", "old", 100, 20), imp("staffing", "new", 20)]
    for case in (other_kind, while_open, same_day):
        assert rules.missing_the_point(Facts(1, impediments=case)) is None


def test_corrective_actions_rejected_at_verification_at_the_threshold():
    rejected = [Dated(ago(5), "Fix the backups", "/ca/1")]
    assert rules.missing_the_point(Facts(1, rejected_actions=rejected)).strength == 1
    assert rules.missing_the_point(Facts(1, rejected_actions=rejected),
                                   Limits(rejected_actions=2)) is None


def test_two_parts_at_once_are_high():
    facts = Facts(1, windows=windows("BBMB"), rejected_actions=[Dated(ago(5), "x", "/ca")])
    found = rules.missing_the_point(facts)
    assert found.severity == Severity.HIGH and found.strength == 2
    assert "; " in found.title


# -- interest dropped ---------------------------------------------------------------------------

def test_attendance_falling_by_the_drop_percent_against_their_own_baseline():
    # 90 % before, 54 % now: a 40 % fall, exactly the threshold
    facts = Facts(1, attendance={"recent": (27, 50), "baseline": (9, 10)})
    found = rules.interest_dropped(facts)
    assert found and "attendance at reviews down" in found.title
    assert "(27 of 50), against 90% before (9 of 10): down 40 %" in found.evidence[0].text


def test_attendance_falling_just_less_than_the_drop_percent_is_not_a_sign():
    facts = Facts(1, attendance={"recent": (28, 50), "baseline": (9, 10)})  # 37.8 %
    assert rules.interest_dropped(facts) is None


def test_a_low_but_steady_attendance_is_not_a_drop():
    facts = Facts(1, attendance={"recent": (3, 10), "baseline": (9, 30)})
    assert rules.interest_dropped(facts) is None


def test_one_person_fading_away_is_enough():
    facts = Facts(1, attendance={"recent": (8, 10), "baseline": (10, 10)},
                  attendance_by_person={
                      "Priya (Account executive)": {"recent": (1, 5), "baseline": (5, 5)},
                      "Tom (Outsourced lead)": {"recent": (5, 5), "baseline": (5, 5)}})
    found = rules.interest_dropped(facts)
    assert found and "(1 person)" in found.title
    assert [e.text.split(" was")[0] for e in found.evidence] == ["Priya (Account executive)"]


def test_no_judgement_without_a_baseline_of_min_baseline_observations():
    facts = Facts(1, attendance={"recent": (0, 4), "baseline": (2, 2)})
    assert rules.interest_dropped(facts) is None
    assert rules.interest_dropped(facts, Limits(min_baseline=2)).severity == Severity.HIGH


def test_suggestions_falling_against_their_own_rate():
    # baseline 6 in 270 days = 2 a quarter; recent 1 in 90 days = 1 a quarter: 50 % fall
    assert rules.interest_dropped(Facts(1, suggestions={"recent": 1, "baseline": 6}))
    # 2 a quarter both times
    assert rules.interest_dropped(Facts(1, suggestions={"recent": 2, "baseline": 6})) is None
    # too few before to judge
    assert rules.interest_dropped(Facts(1, suggestions={"recent": 0, "baseline": 2})) is None


def test_answers_to_our_staffing_requests_getting_slower():
    base = [10, 10, 10]
    assert rules.interest_dropped(Facts(1, answer_days={"recent": [14], "baseline": base}))
    assert rules.interest_dropped(
        Facts(1, answer_days={"recent": [13], "baseline": base})) is None  # +30 %
    assert rules.interest_dropped(Facts(1, answer_days={"recent": [], "baseline": base})) is None


# -- resources not replaced ---------------------------------------------------------------------

def test_a_staffing_request_of_ours_open_beyond_n_days():
    waiting = [Dated(ago(31), "Replace a person: Arjun", "/p")]
    found = rules.resources_not_replaced(Facts(1, staffing_waiting=waiting), TODAY)
    assert found and "open for 31 days" in found.evidence[0].text


def test_a_request_open_exactly_n_days_is_not_yet_a_sign():
    waiting = [Dated(ago(30), "Replace a person: Arjun", "/p")]
    assert rules.resources_not_replaced(Facts(1, staffing_waiting=waiting), TODAY) is None


def test_key_people_leaving_repeatedly():
    one = [Dated(ago(40), "Ann left", "/p")]
    two = one + [Dated(ago(10), "Bob left", "/p")]
    assert rules.resources_not_replaced(Facts(1, people_left=one), TODAY) is None
    assert rules.resources_not_replaced(Facts(1, people_left=two), TODAY).strength == 2


# -- only good news -----------------------------------------------------------------------------

def gap(period, better, advantage, measure="Availability"):
    return Gap(measure, period, better, advantage, f"{measure} {period}", f"/m?{period}")


def test_a_figure_reported_better_than_measured_is_only_good_news():
    found = rules.only_good_news(Facts(1, gaps=[gap("Q3", True, 1.0)]))
    assert found.rule == Rule.ONLY_GOOD_NEWS and found.evidence[0].url == "/m?Q3"


def test_a_gap_that_does_not_change_the_status_is_not():
    assert rules.only_good_news(Facts(1, gaps=[gap("Q3", False, 0.2)])) is None


def test_a_gap_widening_over_the_last_periods():
    widening = [gap("Q1", False, 0.1), gap("Q2", False, 0.3), gap("Q3", False, 0.6)]
    assert "widening" in rules.only_good_news(Facts(1, gaps=widening)).title
    steady = [gap("Q1", False, 0.1), gap("Q2", False, 0.3), gap("Q3", False, 0.3)]
    assert rules.only_good_news(Facts(1, gaps=steady)) is None
    too_short = widening[1:]
    assert rules.only_good_news(Facts(1, gaps=too_short)) is None
    assert rules.only_good_news(Facts(1, gaps=too_short), Limits(gap_periods=2))


def test_disputes_raised_only_on_bad_results():
    bad = [DisputeFact(True, f"d{i}", "/d") for i in range(3)]
    assert rules.only_good_news(Facts(1, disputes=bad)).strength == 3
    assert rules.only_good_news(Facts(1, disputes=bad[:2])) is None
    mixed = bad + [DisputeFact(False, "on a good one", "/d")]
    assert rules.only_good_news(Facts(1, disputes=mixed)) is None


# -- governance slipping ------------------------------------------------------------------------

def test_reviews_cancelled_at_the_threshold():
    one = [Dated(ago(20), "Weekly review", "/m1")]
    two = one + [Dated(ago(13), "Weekly review", "/m2")]
    assert rules.governance_slipping(Facts(1, cancelled_reviews=one), TODAY) is None
    assert rules.governance_slipping(Facts(1, cancelled_reviews=two), TODAY).strength == 2


def test_a_review_not_marked_held_beyond_n_days():
    late = [Dated(ago(8), "Monthly review", "/m")]
    assert rules.governance_slipping(Facts(1, unheld_reviews=late), TODAY)
    on_time = [Dated(ago(7), "Monthly review", "/m")]
    assert rules.governance_slipping(Facts(1, unheld_reviews=on_time), TODAY) is None


def test_health_check_and_sla_review_overdue():
    facts = Facts(1, health_check_due=Dated(ago(20), "Health check", "/hc"),
                  sla_reviews_due=[Dated(ago(3), "SLA X", "/sla")])
    found = rules.governance_slipping(facts, TODAY)
    assert found.severity == Severity.HIGH
    assert [e.url for e in found.evidence] == ["/hc", "/sla"]


def test_action_items_carried_over_more_than_n_times():
    assert rules.governance_slipping(
        Facts(1, carried_items=[Dated(TODAY, "Fix it", "/a", count=4)]), TODAY)
    assert rules.governance_slipping(
        Facts(1, carried_items=[Dated(TODAY, "Fix it", "/a", count=3)]), TODAY) is None


def test_a_vendor_with_nothing_wrong_shows_no_sign():
    facts = Facts(1, windows=windows("MMMB"), attendance={"recent": (9, 10), "baseline": (9, 10)},
                  suggestions={"recent": 2, "baseline": 6})
    assert rules.evaluate(facts, TODAY) == []
