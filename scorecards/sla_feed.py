"""How the actual of a measure fed from an SLA is derived from its service level's windows:
a pure function on plain values (the windows come from `sla.selectors.feed_windows`), so
every edge case is cheap to test. The same rule is written for people in
`templates/scorecards/_how_computed.html`; change both together.

Which windows
    The service level's evaluated windows whose last day lies in the period. A window that
    spans two periods (a week across a quarter's end, a quarterly window in a monthly
    scorecard) counts in the period it ends in, as an SLA window belongs to the version in
    effect on its last day. Windows are found by the service level's SLA and key, so each
    is read with the terms of the version that governed it. Only closed windows are
    evaluated, so a period in progress has a provisional actual that grows window by window.

The value
    The worst of those windows' measured values by the SLA's own rule — the lowest where
    higher is better, the highest where lower is better: a period is as good as its worst
    window, so one breached month shows in the quarter. A window excused after an accepted
    dispute counts as met: its value counts at the target when it is worse (or missing).
    Other windows without data are left out of the value and named in the comment; when no
    window has data there is no value ("No data", never zero). Windows measured under a
    version with another unit or direction cannot be compared: left out, and named.

Locked periods
    This rule derives; it does not decide when a derived value may change. A period locked
    by its review keeps the figure it was reviewed with: when its windows change later (a
    correction, an accepted dispute), the newly derived figure is recorded beside it as
    "restated after lock" for the next review (`scorecards.services.actuals_derive_from_sla`).
"""

from dataclasses import dataclass
from decimal import Decimal

GTE = "gte"  # the SLA's comparators (sla.choices.Comparator)
STATUS_WORDS = {"met": "met", "at_risk": "at risk", "breached": "breached",
                "no_data": "no data"}


@dataclass(frozen=True)
class Derived:
    value: Decimal | None
    comment: str
    windows: int  # closed windows found in the period, with data or not

    @property
    def has_windows(self) -> bool:
        return self.windows > 0


def _worse(a: Decimal, b: Decimal, comparator: str) -> Decimal:
    return min(a, b) if comparator == GTE else max(a, b)


def _better(a: Decimal, b: Decimal, comparator: str) -> Decimal:
    return max(a, b) if comparator == GTE else min(a, b)


def derive(windows, *, comparator: str, unit: str, source: str) -> Derived:
    """The period's value from its `windows` (`sla.selectors.FeedWindow`, any order) for a
    measure linked to a service level judged by `comparator` in `unit`; `source` names
    that service level in the comment."""
    windows = sorted(windows, key=lambda w: w.start)
    value, parts, missing, excused, other_terms = None, [], [], [], []
    for w in windows:
        if w.comparator != comparator or w.unit != unit:
            other_terms.append(f"{w.label} (version {w.version})")
            continue
        if w.value is None and not w.excused:
            missing.append(w.label)
            continue
        counted = w.value
        if w.excused:  # counts as met: at the target when worse (or without data)
            counted = w.target if w.value is None else _better(w.value, w.target, comparator)
            excused.append(w.label)
        value = counted if value is None else _worse(value, counted, comparator)
        status = STATUS_WORDS.get(w.status, w.status) + (", excused" if w.excused else "")
        parts.append(f"{w.label} {w.value_text} {status}")
    if not windows:
        return Derived(None, f"No window of {source} has closed in this period yet.", 0)
    counted_windows = len(windows) - len(missing) - len(other_terms)
    if value is None:
        lead = f"No data from {source} for this period"
        parts = []
    elif counted_windows == 1:
        lead = f"From the one window of {source} with data"
    else:
        lead = f"Worst of {counted_windows} windows of {source}"
    sentences = [f"{lead}: {'; '.join(parts)}." if parts else f"{lead}."]
    if missing:
        sentences.append(f"No data for {', '.join(missing)}: not counted.")
    if excused:
        sentences.append(f"Excused after an accepted dispute, so counted as met (at the "
                         f"target when worse): {', '.join(excused)}.")
    if other_terms:
        sentences.append(f"Measured under other terms, so left out: {', '.join(other_terms)}.")
    return Derived(value, " ".join(sentences), len(windows))
