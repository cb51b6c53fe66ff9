"""The rules of SLAs: windows, and how a value is judged, on their edges."""

from datetime import date
from decimal import Decimal as D

import pytest

from sla import rules
from sla.choices import Comparator, EvaluationStatus, Unit, Window

MET, AT_RISK, BREACHED, NO_DATA = (EvaluationStatus.MET, EvaluationStatus.AT_RISK,
                                   EvaluationStatus.BREACHED, EvaluationStatus.NO_DATA)
HIGHER = rules.Terms(Comparator.GTE, D("99.5"), D("99"), Unit.PERCENT)
LOWER = rules.Terms(Comparator.LTE, D("4"), D("6"), Unit.HOURS)


@pytest.mark.parametrize(("value", "status"), [
    ("100", MET), ("99.5", MET),  # the target itself is met
    ("99.4999", AT_RISK), ("99", AT_RISK),  # the breach threshold itself is still at risk
    ("98.9999", BREACHED), ("0", BREACHED), (None, NO_DATA),
])
def test_higher_is_better_boundaries(value, status):
    assert rules.classify(None if value is None else D(value), HIGHER) == status


@pytest.mark.parametrize(("value", "status"), [
    ("0", MET), ("4", MET), ("4.0001", AT_RISK), ("6", AT_RISK), ("6.0001", BREACHED),
    (None, NO_DATA),
])
def test_lower_is_better_boundaries(value, status):
    assert rules.classify(None if value is None else D(value), LOWER) == status


def test_without_an_at_risk_band_anything_short_of_the_target_is_a_breach():
    terms = rules.Terms(Comparator.GTE, D("95"), D("95"), Unit.PERCENT)
    assert rules.classify(D("95"), terms) == MET
    assert rules.classify(D("94.99"), terms) == BREACHED
    assert "no at-risk band" in rules.rule_text(terms)


def test_only_strictly_better_than_target_beats_it():
    assert rules.beats_target(D("99.6"), HIGHER) and not rules.beats_target(D("99.5"), HIGHER)
    assert rules.beats_target(D("3.9"), LOWER) and not rules.beats_target(D("4"), LOWER)
    assert not rules.beats_target(None, LOWER)


def test_thresholds_must_sit_on_the_worse_side_of_the_target():
    assert rules.thresholds_problem(rules.Terms(Comparator.GTE, D("99"), D("99.5")))
    assert rules.thresholds_problem(rules.Terms(Comparator.LTE, D("4"), D("3")))
    assert not rules.thresholds_problem(HIGHER) and not rules.thresholds_problem(LOWER)


def test_the_rule_and_the_verdict_read_as_sentences():
    assert rules.rule_text(HIGHER) == ("Met at ≥ 99.5%; at risk from 99% up to below 99.5%; "
                                       "breached below 99%.")
    assert rules.rule_text(LOWER) == ("Met at ≤ 4 h; at risk above 4 h up to 6 h; "
                                      "breached above 6 h.")
    assert rules.explain(D("6.5"), LOWER) == "6.5 h is above the 6 h breach threshold: breached."
    assert rules.explain(D("4"), LOWER) == "4 h meets the 4 h target: met."
    assert "at risk" in rules.explain(D("99.2"), HIGHER)
    assert rules.explain(None, HIGHER).startswith("No measurement")


@pytest.mark.parametrize(("kind", "day", "start", "end"), [
    (Window.WEEKLY, date(2026, 3, 4), date(2026, 3, 2), date(2026, 3, 8)),  # Wed in Mon–Sun
    (Window.WEEKLY, date(2026, 1, 1), date(2025, 12, 29), date(2026, 1, 4)),  # across years
    (Window.MONTHLY, date(2024, 2, 29), date(2024, 2, 1), date(2024, 2, 29)),  # leap year
    (Window.MONTHLY, date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
    (Window.QUARTERLY, date(2026, 5, 15), date(2026, 4, 1), date(2026, 6, 30)),
    (Window.QUARTERLY, date(2026, 12, 1), date(2026, 10, 1), date(2026, 12, 31)),
])
def test_windows_are_calendar_aligned(kind, day, start, end):
    assert rules.window_start(kind, day) == start
    assert rules.window_end(kind, start) == end
    assert rules.is_window_start(kind, start) and not rules.is_window_start(kind, end)


def test_windows_ending_between_counts_a_window_by_its_last_day():
    starts = rules.windows_ending_between(Window.MONTHLY, date(2026, 1, 15), date(2026, 4, 30))
    assert starts == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]
    assert rules.windows_ending_between(Window.MONTHLY, date(2026, 1, 1),
                                        date(2026, 1, 30)) == []


def test_last_windows_are_the_closed_ones_oldest_first():
    assert rules.last_windows(Window.QUARTERLY, date(2026, 6, 29), 2) == [date(2025, 10, 1),
                                                                         date(2026, 1, 1)]
    assert rules.last_windows(Window.WEEKLY, date(2026, 3, 8), 1) == [date(2026, 3, 2)]


def test_labels_and_numbers():
    assert rules.window_label(Window.WEEKLY, date(2026, 3, 2)) == "w/c 2 Mar 2026"
    assert rules.window_label(Window.QUARTERLY, date(2026, 4, 1)) == "Q2 2026"
    assert rules.with_unit(D("99.5000"), Unit.PERCENT) == "99.5%"
    assert rules.with_unit(D("4.0000"), Unit.HOURS) == "4 h"
    assert rules.with_unit(D("12"), Unit.COUNT) == "12"
    assert rules.number(D("1E+2")) == "100"
    assert rules.axis_labels(Window.MONTHLY, [date(2025, 11, 1), date(2025, 12, 1),
                                              date(2026, 1, 1)]) == ["Nov 25", "Dec", "Jan 26"]
    assert rules.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
