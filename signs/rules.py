"""The five warning signs, as pure rules: plain facts about one vendor in, findings out.

No database, no clock: `signs.selectors.facts_for` reads the facts of every vendor in a
fixed number of queries (through the feature apps' selectors), and `signs.services.
signs_refresh` stores what these rules find. Each rule joins its sub-signals; a finding
lists each piece of evidence with a link to the record behind it, and its `strength` is how
many there are (a dismissed sign comes back early when that number grows).

Severity: high when two or more of a sign's sub-signals are raised at once (or one is
raised at its worst, e.g. every one of the last windows breached), else medium.

Thresholds are `Limits` (defaults below; a vendor manager tunes them on the thresholds page,
kept in `signs.models.Thresholds`). "Beyond N" and "more than N" are strict; "at least" and
"N of the last M" are not.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from signs.choices import Rule, Severity


@dataclass(frozen=True)
class Limits:
    # keeps missing the point
    breached_windows: int = 3     # a service level breached in at least this many…
    of_last_windows: int = 4      # …of its last this many evaluated windows
    rejected_actions: int = 1     # corrective actions rejected at verification (lookback)
    # interest dropped: recent window against the vendor's own baseline before it
    recent_days: int = 90
    baseline_days: int = 270
    drop_percent: int = 40        # a fall (or, for response times, a rise) of at least this
    min_baseline: int = 3         # observations the baseline needs before it is judged
    # resources not replaced
    staffing_open_days: int = 30  # our staffing request open beyond this many days
    people_leaving: int = 2       # at least this many key people left within the lookback
    # only good news
    gap_periods: int = 3          # the reported-minus-measured gap widening over as many
    min_disputes: int = 3         # at least this many disputes, every one on a bad result
    # governance slipping
    cancelled_reviews: int = 2    # at least this many reviews cancelled in the recent window
    unheld_after_days: int = 7    # a review still not marked held this long after its day
    carried_over_times: int = 3   # an open action item carried over more than this often
    # shared
    lookback_days: int = 180      # how far back recurrences, rejections and departures count
    dismissal_days: int = 90      # a dismissal lasts this long unless the evidence grows


DEFAULTS = Limits()


# -- the facts, one vendor at a time ------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    text: str
    url: str

    def as_json(self) -> dict:
        return {"text": self.text, "url": self.url}


@dataclass(frozen=True)
class Window:
    """One evaluated window of a service level (`series` names it across SLA versions)."""
    series: str
    label: str
    breached: bool
    url: str


@dataclass(frozen=True)
class Impediment:
    kind: str
    kind_label: str
    title: str
    raised_on: date
    resolved_on: date | None
    url: str


@dataclass(frozen=True)
class Gap:
    """One period's vendor figure against our own for one measure."""
    measure: str
    period: str
    reported_better: bool  # by a status (scorecards.scoring.reported_better_than_measured)
    advantage: float  # how much better the vendor's figure reads, in the measure's unit
    text: str
    url: str


@dataclass(frozen=True)
class DisputeFact:
    on_bad_result: bool
    text: str
    url: str


@dataclass(frozen=True)
class Dated:
    """A record with the day that matters for the rule (raised, ended, due…)."""
    day: date
    text: str
    url: str
    count: int = 0  # e.g. how often an action item was carried over


@dataclass
class Facts:
    """What the rules know about one vendor. Windows: the newest `of_last_windows` of each
    service level, newest first. Attendance: (present, recorded) per window "recent" and
    "baseline", of all the vendor's people and of each by name; suggestions: counts per
    window; answer days: days the vendor took to answer our staffing requests, per window."""

    vendor_id: int
    windows: list[Window] = field(default_factory=list)
    rejected_actions: list[Dated] = field(default_factory=list)
    impediments: list[Impediment] = field(default_factory=list)
    attendance: dict[str, tuple[int, int]] = field(default_factory=dict)
    attendance_by_person: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    suggestions: dict[str, int] = field(default_factory=dict)
    answer_days: dict[str, list[int]] = field(default_factory=dict)
    staffing_waiting: list[Dated] = field(default_factory=list)
    people_left: list[Dated] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    disputes: list[DisputeFact] = field(default_factory=list)
    cancelled_reviews: list[Dated] = field(default_factory=list)
    unheld_reviews: list[Dated] = field(default_factory=list)
    health_check_due: Dated | None = None
    sla_reviews_due: list[Dated] = field(default_factory=list)
    carried_items: list[Dated] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)  # pages to point at: "reviews"…


@dataclass(frozen=True)
class Finding:
    vendor_id: int
    rule: Rule
    severity: Severity
    title: str
    evidence: tuple[Link, ...]

    @property
    def strength(self) -> int:
        return len(self.evidence)


@dataclass
class _Part:
    summary: str
    evidence: list[Link]
    worst: bool = False


def _finding(facts: Facts, rule: Rule, parts: list[_Part]) -> Finding | None:
    parts = [p for p in parts if p.evidence]
    if not parts:
        return None
    severity = Severity.HIGH if len(parts) >= 2 or any(p.worst for p in parts) \
        else Severity.MEDIUM
    return Finding(facts.vendor_id, rule, severity, "; ".join(p.summary for p in parts),
                   tuple(link for p in parts for link in p.evidence))


def _plural(n: int, word: str, plural: str = "") -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def day_label(d: date) -> str:
    """The day as the evidence reads it: "6 Dec 2026"."""
    return f"{d.day} {d:%b %Y}"


# -- keeps missing the point --------------------------------------------------------------------


def missing_the_point(facts: Facts, limits: Limits = DEFAULTS) -> Finding | None:
    """The same problem recurring: a service level breached in at least `breached_windows`
    of its last `of_last_windows` evaluated windows (an excused window counts as met, one
    without data as not breached); an impediment of the same kind raised again after an
    earlier one was resolved (the new one raised within the lookback); at least
    `rejected_actions` corrective actions rejected at verification within the lookback."""
    series: dict[str, list[Window]] = defaultdict(list)
    for w in facts.windows:
        series[w.series].append(w)
    breaches = []
    worst = False
    for name, windows in series.items():
        last = windows[:limits.of_last_windows]
        breached = [w for w in last if w.breached]
        if len(breached) >= limits.breached_windows:
            worst = worst or len(breached) == len(last) == limits.of_last_windows
            months = ", ".join(w.label for w in reversed(breached))
            breaches.append(Link(f"{name}: breached in {len(breached)} of its last "
                                 f"{len(last)} windows ({months})", breached[0].url))
    recurring = []
    kinds: dict[str, list[Impediment]] = defaultdict(list)
    for i in sorted(facts.impediments, key=lambda i: i.raised_on):
        earlier = [e for e in kinds[i.kind] if e.resolved_on and e.resolved_on < i.raised_on]
        if earlier:
            e = earlier[-1]
            recurring.append(Link(f"{i.kind_label} impediment “{i.title}” raised on "
                                  f"{day_label(i.raised_on)}, after “{e.title}” was resolved on "
                                  f"{day_label(e.resolved_on)}", i.url))
        kinds[i.kind].append(i)
    rejected = facts.rejected_actions if len(facts.rejected_actions) >= max(
        limits.rejected_actions, 1) else []
    return _finding(facts, Rule.MISSING_THE_POINT, [
        _Part(f"SLA breached in {limits.breached_windows} or more of the last "
              f"{limits.of_last_windows} windows ({_plural(len(breaches), 'service level')})",
              breaches, worst),
        _Part(f"{_plural(len(recurring), 'impediment')} of a kind already resolved raised "
              f"again", recurring),
        _Part(f"{_plural(len(rejected), 'corrective action')} rejected at verification",
              [Link(f"Rejected on {day_label(r.day)}: {r.text}", r.url) for r in rejected]),
    ])


# -- interest dropped ---------------------------------------------------------------------------


def _fall(recent: float, baseline: float) -> float:
    """How far `recent` fell below `baseline`, in percent of it (negative: it rose)."""
    return round((baseline - recent) * 100 / baseline, 6)  # 40 % is 40, not 39.999…


def _attendance_fall(who: str, counts: dict, limits: Limits, url: str
                     ) -> tuple[Link, bool] | None:
    """Presence at held reviews fallen by `drop_percent` against the baseline, judged with
    `min_baseline` recorded attendances before and one in the recent window."""
    present, recorded = counts.get("recent", (0, 0))
    base_present, base_recorded = counts.get("baseline", (0, 0))
    if not (recorded and base_recorded >= limits.min_baseline and base_present):
        return None
    now, before = present / recorded, base_present / base_recorded
    fall = _fall(now, before)
    if fall < limits.drop_percent:
        return None
    return Link(f"{who} present at {now:.0%} of the reviews they were invited to in the "
                f"last {limits.recent_days} days ({present} of {recorded}), against "
                f"{before:.0%} before ({base_present} of {base_recorded}): down "
                f"{fall:.0f} %", url), now == 0


def interest_dropped(facts: Facts, limits: Limits = DEFAULTS) -> Finding | None:
    """A sharp fall against the vendor's own past: the share of the vendor's invited people
    present at held reviews (all of them, or one person — an account executive fading away),
    the rate of innovation suggestions from their team, or the
    time they take to answer our staffing requests, over the last `recent_days` against
    the `baseline_days` before them. Each changes by at least `drop_percent` (response
    times: rise by it), and is judged only with `min_baseline` observations in the baseline
    (recorded attendances, suggestions, answered requests) and, for rates, one in the
    recent window (attendance) — so a new vendor is never "dropping".

    Response times have no other source in the product: SLA response-time service levels
    are the vendor's service to the business, judged by the SLA itself, and the time to
    answer action items or impediments is not recorded."""
    parts = []
    url = facts.links.get("reviews", "")
    attendance = _attendance_fall("The vendor's people were", facts.attendance, limits, url)
    people = [link for name, counts in sorted(facts.attendance_by_person.items())
              if (link := _attendance_fall(name + " was", counts, limits, url))]
    if attendance or people:
        links = [attendance] if attendance else []
        links += people
        parts.append(_Part(
            "attendance at reviews down" + ("" if attendance else
                                            f" ({_plural(len(people), 'person', 'people')})"),
            [link for link, _ in links], worst=any(worst for _, worst in links)))
    recent = facts.suggestions.get("recent", 0)
    base = facts.suggestions.get("baseline", 0)
    if base >= limits.min_baseline:
        now = recent / limits.recent_days * 90
        before = base / limits.baseline_days * 90
        fall = _fall(now, before)
        if fall >= limits.drop_percent:
            parts.append(_Part(
                f"innovation suggestions down {fall:.0f} %",
                [Link(f"{_plural(recent, 'suggestion')} from the vendor in the last "
                      f"{limits.recent_days} days ({now:.1f} a quarter), against "
                      f"{before:.1f} a quarter before ({base} in {limits.baseline_days} days)",
                      facts.links.get("suggestions", ""))],
                worst=recent == 0))
    recent_days = facts.answer_days.get("recent", [])
    base_days = facts.answer_days.get("baseline", [])
    if recent_days and len(base_days) >= limits.min_baseline:
        now = sum(recent_days) / len(recent_days)
        before = sum(base_days) / len(base_days)
        rise = (now - before) * 100 / before if before else (100.0 if now else 0.0)
        if rise >= limits.drop_percent:
            parts.append(_Part(
                f"answers to staffing requests {rise:.0f} % slower",
                [Link(f"The vendor took {now:.0f} days on average to answer our staffing "
                      f"requests in the last {limits.recent_days} days "
                      f"({_plural(len(recent_days), 'request')}), against {before:.0f} days "
                      f"before ({len(base_days)})", facts.links.get("people", ""))]))
    return _finding(facts, Rule.INTEREST_DROPPED, parts)


# -- resources not replaced ---------------------------------------------------------------------


def resources_not_replaced(facts: Facts, today: date,
                           limits: Limits = DEFAULTS) -> Finding | None:
    """Our staffing-change requests still open beyond `staffing_open_days` days; key people
    leaving the account repeatedly: at least `people_leaving` of the vendor's team on our
    account (their time on it ended) or of its contacts (archived) within the lookback."""
    waiting = [r for r in facts.staffing_waiting
               if (today - r.day).days > limits.staffing_open_days]
    left = facts.people_left if len(facts.people_left) >= max(limits.people_leaving, 1) else []
    return _finding(facts, Rule.RESOURCES_NOT_REPLACED, [
        _Part(f"{_plural(len(waiting), 'staffing request')} of ours open over "
              f"{limits.staffing_open_days} days",
              [Link(f"{r.text}: asked {day_label(r.day)}, open for {(today - r.day).days} days",
                    r.url) for r in waiting],
              worst=any((today - r.day).days > 3 * limits.staffing_open_days
                        for r in waiting)),
        _Part(f"{_plural(len(left), 'key person', 'key people')} left the account in "
              f"{limits.lookback_days} days",
              [Link(f"{r.text} ({day_label(r.day)})", r.url) for r in left]),
    ])


# -- only good news ----------------------------------------------------------------------------


def only_good_news(facts: Facts, limits: Limits = DEFAULTS) -> Finding | None:
    """The vendor's reporting shows only the good news: a figure they reported reads a
    better status than what we measured (reported green, measured amber or red — the
    quarterly agenda's flag, `scorecards.scoring.reported_better_than_measured`); the gap
    between their figure and ours widening in their favour over the last `gap_periods`
    periods of a measure; disputes (SLA windows and scorecard actuals, within the lookback)
    raised at least `min_disputes` times, every one on a bad result (a breached or at-risk
    window, an amber or red actual, or one we upheld, which was bad until corrected).

    Self-reported SLA figures have no measured counterpart in the product (an SLA window
    has one value), so the comparison is the scorecard's, where both are recorded."""
    better = [Link(g.text, g.url) for g in facts.gaps if g.reported_better]
    by_measure: dict[str, list[Gap]] = defaultdict(list)
    for g in facts.gaps:
        by_measure[g.measure].append(g)
    widening = []
    n = max(limits.gap_periods, 2)
    for measure, gaps in by_measure.items():
        last = gaps[-n:]
        if len(last) == n and last[-1].advantage > 0 and all(
                a.advantage < b.advantage for a, b in zip(last, last[1:], strict=False)):
            widening.append(Link(f"{measure}: the vendor's figure reads better than ours by "
                                 + ", then ".join(f"{g.advantage:g} ({g.period})" for g in last),
                                 last[-1].url))
    disputes = facts.disputes
    one_sided = (len(disputes) >= limits.min_disputes and disputes
                 and all(d.on_bad_result for d in disputes))
    return _finding(facts, Rule.ONLY_GOOD_NEWS, [
        _Part(f"{_plural(len(better), 'figure')} self-reported better than measured", better,
              worst=len(better) >= 3),
        _Part(f"the gap to our measurement widening on {_plural(len(widening), 'measure')}",
              widening),
        _Part(f"all {len(disputes)} disputes raised on bad results",
              [Link(d.text, d.url) for d in disputes] if one_sided else []),
    ])


# -- governance slipping ------------------------------------------------------------------------


def governance_slipping(facts: Facts, today: date, limits: Limits = DEFAULTS
                        ) -> Finding | None:
    """The cadence is not kept: at least `cancelled_reviews` reviews cancelled in the last
    `recent_days`; a review still not marked held (or cancelled) more than
    `unheld_after_days` days after its day; the health check overdue; an SLA review overdue;
    an open action item carried over more than `carried_over_times` times."""
    cancelled = facts.cancelled_reviews if len(facts.cancelled_reviews) >= max(
        limits.cancelled_reviews, 1) else []
    unheld = [r for r in facts.unheld_reviews
              if (today - r.day).days > limits.unheld_after_days]
    carried = [r for r in facts.carried_items if r.count > limits.carried_over_times]
    health = [facts.health_check_due] if facts.health_check_due else []
    return _finding(facts, Rule.GOVERNANCE_SLIPPING, [
        _Part(f"{_plural(len(cancelled), 'review')} cancelled in {limits.recent_days} days",
              [Link(f"{r.text}, {day_label(r.day)}: cancelled", r.url) for r in cancelled]),
        _Part(f"{_plural(len(unheld), 'review')} not held on cadence",
              [Link(f"{r.text}, {day_label(r.day)}: not marked held "
                    f"{(today - r.day).days} days later", r.url) for r in unheld]),
        _Part("health check overdue",
              [Link(f"Health check due {day_label(r.day)}: overdue by {(today - r.day).days} days",
                    r.url) for r in health]),
        _Part(f"{_plural(len(facts.sla_reviews_due), 'SLA review')} overdue",
              [Link(f"{r.text}: review due {day_label(r.day)}", r.url)
               for r in facts.sla_reviews_due]),
        _Part(f"{_plural(len(carried), 'action item')} carried over more than "
              f"{limits.carried_over_times} times",
              [Link(f"{r.text}: carried over {r.count} times", r.url) for r in carried]),
    ])


def evaluate(facts: Facts, today: date, limits: Limits = DEFAULTS) -> list[Finding]:
    """Every sign one vendor shows."""
    found = [missing_the_point(facts, limits), interest_dropped(facts, limits),
             resources_not_replaced(facts, today, limits), only_good_news(facts, limits),
             governance_slipping(facts, today, limits)]
    return [f for f in found if f is not None]
