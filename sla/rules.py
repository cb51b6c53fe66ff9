"""The rules of SLAs as plain functions: measurement windows, how a value is judged, and
the words that explain it. No database here, so every edge case is cheap to test.

Windows are calendar-aligned: weekly windows run Monday to Sunday, monthly ones a calendar
month, quarterly ones a calendar quarter. A window is *closed* the day after its last day.
"""

import calendar
import functools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from sla.choices import (
    COMPARATOR_SYMBOL,
    UNIT_SYMBOL,
    Comparator,
    EvaluationStatus,
    Unit,
    Window,
)
from vendorgov import formats

# -- windows ---------------------------------------------------------------------------------


def window_start(kind: str, day: date) -> date:
    """The first day of the window of `kind` that contains `day`."""
    if kind == Window.WEEKLY:
        return day - timedelta(days=day.weekday())
    if kind == Window.MONTHLY:
        return day.replace(day=1)
    if kind == Window.QUARTERLY:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(f"Unknown window {kind!r}")


def window_end(kind: str, start: date) -> date:
    """The last day of the window of `kind` that starts on `start`."""
    if kind == Window.WEEKLY:
        return start + timedelta(days=6)
    months = 1 if kind == Window.MONTHLY else 3
    year, month = divmod(start.month - 1 + months - 1, 12)
    last = date(start.year + year, month + 1, 1)
    return last.replace(day=calendar.monthrange(last.year, last.month)[1])


def is_window_start(kind: str, day: date) -> bool:
    return window_start(kind, day) == day


def next_window(kind: str, start: date) -> date:
    return window_end(kind, start) + timedelta(days=1)


def previous_window(kind: str, start: date) -> date:
    return window_start(kind, start - timedelta(days=1))


def windows_ending_between(kind: str, first: date, last: date) -> list[date]:
    """Starts of the windows whose last day lies in [first, last], in order."""
    starts = []
    start = window_start(kind, first)
    if window_end(kind, start) < first:
        start = next_window(kind, start)
    while window_end(kind, start) <= last:
        starts.append(start)
        start = next_window(kind, start)
    return starts


def last_windows(kind: str, before: date, count: int) -> list[date]:
    """Starts of the `count` windows that ended on or before `before`, oldest first."""
    start = window_start(kind, before)
    if window_end(kind, start) > before:
        start = previous_window(kind, start)
    starts = []
    for _ in range(count):
        starts.append(start)
        start = previous_window(kind, start)
    return starts[::-1]


@functools.lru_cache(maxsize=8192)
def window_label(kind: str, start: date) -> str:
    """'w/c 3 Mar 2025', 'Mar 2025', 'Q1 2025'. Cached: a monthly report labels two years
    of windows for its ledger, the same few hundred on every view."""
    if kind == Window.WEEKLY:
        return f"w/c {formats.date(start)}"
    if kind == Window.MONTHLY:
        return f"{start:%b %Y}"
    return f"Q{(start.month - 1) // 3 + 1} {start.year}"


def axis_labels(kind: str, starts: list[date]) -> list[str]:
    """Compact chart-axis labels ('Nov 25', 'Dec', 'Jan 26'; 'Q3 25', 'Q4'; 'W46' for
    weeks) so the last one fits the chart. `vendorgov.charts` shows every n // 8-th
    label, so the year is written on the first shown label and where it changes."""
    every = max(1, len(starts) // 8)
    labels, year = [], None
    for i, start in enumerate(starts):
        if kind == Window.WEEKLY:  # ISO week numbers: short enough for every label
            labels.append(f"W{start.isocalendar().week}")
            continue
        text = f"{start:%b}" if kind == Window.MONTHLY else f"Q{(start.month - 1) // 3 + 1}"
        shown = i % every == 0 or i == len(starts) - 1
        if shown and start.year != year:
            text, year = f"{text} {start:%y}", start.year
        labels.append(text)
    return labels


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day where it is shorter)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


# -- numbers --------------------------------------------------------------------------------


def number(value) -> str:
    """A decimal as people write it: 99.5, 4, 0.25 (no trailing zeros, no exponent)."""
    if value is None:
        return "—"
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text


def with_unit(value, unit: str) -> str:
    symbol = UNIT_SYMBOL.get(unit, "")
    if value is None:
        return "no data"
    if not symbol:
        return number(value)
    return f"{number(value)}{'' if symbol == '%' else ' '}{symbol}"


# -- judging a value -------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """What a service level promises: `comparator` `target`, breached past `breach`."""

    comparator: str
    target: Decimal
    breach: Decimal
    unit: str = Unit.COUNT


def classify(value: Decimal | None, terms: Terms) -> str:
    """Met when the value reaches the target (the target itself is met); breached when it is
    worse than the breach threshold (the threshold itself is still at risk); at risk in
    between; no data without a value."""
    if value is None:
        return EvaluationStatus.NO_DATA
    if terms.comparator == Comparator.GTE:
        if value >= terms.target:
            return EvaluationStatus.MET
        return EvaluationStatus.BREACHED if value < terms.breach else EvaluationStatus.AT_RISK
    if value <= terms.target:
        return EvaluationStatus.MET
    return EvaluationStatus.BREACHED if value > terms.breach else EvaluationStatus.AT_RISK


def beats_target(value: Decimal | None, terms: Terms) -> bool:
    """Strictly better than the target: what earns bonus points."""
    if value is None:
        return False
    return value > terms.target if terms.comparator == Comparator.GTE else value < terms.target


def thresholds_problem(terms: Terms) -> str:
    """Why target and breach threshold do not fit together, or ''."""
    if terms.comparator == Comparator.GTE and terms.breach > terms.target:
        return ("Higher is better here, so the breach threshold must not be above the target "
                f"({number(terms.target)}).")
    if terms.comparator == Comparator.LTE and terms.breach < terms.target:
        return ("Lower is better here, so the breach threshold must not be below the target "
                f"({number(terms.target)}).")
    return ""


def rule_text(terms: Terms) -> str:
    """The rule in words, as shown beside every status."""
    t, b, u = (with_unit(terms.target, terms.unit), with_unit(terms.breach, terms.unit),
               terms.unit)
    symbol = COMPARATOR_SYMBOL[terms.comparator]
    if terms.target == terms.breach:
        worse = "below" if terms.comparator == Comparator.GTE else "above"
        return f"Met at {symbol} {t}; breached {worse} {t} (no at-risk band)."
    if terms.comparator == Comparator.GTE:
        return (f"Met at {symbol} {t}; at risk from {with_unit(terms.breach, u)} up to "
                f"below {t}; breached below {b}.")
    return f"Met at {symbol} {t}; at risk above {t} up to {b}; breached above {b}."


def explain(value: Decimal | None, terms: Terms) -> str:
    """Why one value got its status, in a sentence."""
    return explainer(terms)(value)


def explainer(terms: Terms):
    """`explain` for one set of terms, as a function of the value: the words every value's
    sentence shares (target, threshold, direction) are worked out once, for a list that
    explains many values of a few service levels."""
    t, b = with_unit(terms.target, terms.unit), with_unit(terms.breach, terms.unit)
    better, worse = (("above", "below") if terms.comparator == Comparator.GTE
                     else ("below", "above"))

    def explain_value(value: Decimal | None) -> str:
        status = classify(value, terms)
        if status == EvaluationStatus.NO_DATA:
            return "No measurement was submitted for this window, so it cannot count as met."
        v = with_unit(value, terms.unit)
        if status == EvaluationStatus.MET:
            where = "meets" if value == terms.target else f"is {better}"
            return f"{v} {where} the {t} target: met."
        if status == EvaluationStatus.BREACHED:
            return f"{v} is {worse} the {b} breach threshold: breached."
        return (f"{v} misses the {t} target but is not {worse} the {b} breach threshold: "
                "at risk.")

    return explain_value
