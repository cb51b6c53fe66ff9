"""Reads about scorecards for pages, exports and the API; always scoped by `vendors.access`.

Scoring a period needs the whole structure (perspectives, objectives, measures) and the
actuals of that period. Both pages load them in a fixed number of queries — one per kind
of row, whatever the number of vendors, measures or periods — and roll everything up in
one pass in Python (`scorecards.scoring`). The portfolio pages do not score: they read the
stored period scores (`ScoredPeriod`, kept current by `services.period_scores_refresh`).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Lower
from django.shortcuts import get_object_or_404
from django.utils import timezone

from scorecards import scoring
from scorecards.choices import (
    COUNTED_STATUSES,
    ActualStatus,
    DataSource,
    Direction,
    DisputeStatus,
)
from scorecards.models import (
    Actual,
    Dispute,
    Measure,
    Objective,
    Period,
    Perspective,
    Scorecard,
    ScorecardTemplate,
    ScoredPeriod,
    TemplateMeasure,
    TemplateObjective,
    TemplatePerspective,
)
from sla import selectors as sla_selectors
from vendors import access
from vendors.access import Action
from vendors.models import Vendor

TREND_PERIODS = 8


# -- the structure of a scorecard and the score of one period ---------------------------------


def attach_feeds(measures) -> None:
    """Give each measure fed from an SLA its `feed` (the service level it comes from, an
    `sla.selectors.FeedLabel`): one query, none when no measure is fed from an SLA."""
    measures = list(measures)
    labels = sla_selectors.feed_labels({m.service_level_id for m in measures})
    for m in measures:
        m.feed = labels.get(m.service_level_id)


def sla_link_errors(measure: Measure) -> dict:
    """What is wrong with a measure's SLA link ({field: message}, empty when nothing):
    required by, and only by, measures fed from an SLA; a service level of the measure's
    own vendor, in force, judged in the measure's direction. Services and the measure form
    check it with the measure's own validation (the model reads no other app)."""
    if measure.data_source != DataSource.SLA:
        if measure.service_level_id is not None:
            return {"service_level": "Only a measure fed from an SLA links a service "
                                     "level: choose 'Fed from an SLA service level' as "
                                     "its data source, or leave the service level "
                                     "empty."}
        return {}
    if measure.service_level_id is None:
        return {"service_level": "A measure fed from an SLA needs its service level: "
                                 "pick one of this vendor's SLA service levels."}
    if not measure.vendor_id:
        return {}
    problem = sla_selectors.service_level_feed_problem(measure.service_level_id,
                                                       measure.vendor_id)
    if problem:
        return {"service_level": problem}
    feed = sla_selectors.feed_labels([measure.service_level_id])[measure.service_level_id]
    direction = Direction.LOWER if feed.comparator == "lte" else Direction.HIGHER
    if measure.direction != direction:
        return {"direction": f"{feed} is judged '{direction.label.lower()}' "
                             f"({feed.rule}): set this measure's direction to match."}
    return {}


@dataclass
class Structure:
    """Every perspective, objective and measure of one scorecard (retired ones too)."""

    scorecard: Scorecard
    perspectives: list = field(default_factory=list)
    objectives: dict = field(default_factory=lambda: defaultdict(list))  # perspective id →
    measures: dict = field(default_factory=lambda: defaultdict(list))  # objective id →

    @property
    def all_measures(self) -> list[Measure]:
        return [m for ms in self.measures.values() for m in ms]


def structures(scorecards: list[Scorecard]) -> dict[int, Structure]:
    """Structures of many scorecards in one query: the perspectives with their objectives and
    those with their measures, LEFT JOINed (a perspective without objectives or an objective
    without measures is still a row), each instance built once from its own columns."""
    by_id = {s.pk: Structure(s) for s in scorecards}
    models = [(Perspective, ""), (Objective, "objectives__"), (Measure, "objectives__measures__")]
    names = [[f.attname for f in model._meta.concrete_fields] for model, _ in models]
    rows = (Perspective.objects.filter(scorecard_id__in=list(by_id))
            .order_by("position", "id", "objectives__position", "objectives__id",
                      "objectives__measures__position", "objectives__measures__id")
            .values_list(*[prefix + name for (_, prefix), fields in zip(models, names, strict=True)
                           for name in fields]))
    perspective_of, objective_of, measure_ids = {}, {}, set()
    p_end, o_end = len(names[0]), len(names[0]) + len(names[1])
    for row in rows:
        p_values, o_values, m_values = row[:p_end], row[p_end:o_end], row[o_end:]
        p = perspective_of.get(p_values[0])
        if p is None:
            p = perspective_of[p_values[0]] = Perspective.from_db(rows.db, names[0], p_values)
            by_id[p.scorecard_id].perspectives.append(p)
        if o_values[0] is None:
            continue
        o = objective_of.get(o_values[0])
        if o is None:
            o = objective_of[o_values[0]] = Objective.from_db(rows.db, names[1], o_values)
            o.perspective = p
            by_id[p.scorecard_id].objectives[p.pk].append(o)
        if m_values[0] is None or m_values[0] in measure_ids:
            continue
        measure_ids.add(m_values[0])
        m = Measure.from_db(rows.db, names[2], m_values)
        m.objective = o
        by_id[p.scorecard_id].measures[o.pk].append(m)
    return by_id


@dataclass
class MeasureLine:
    measure: Measure
    actual: Actual | None  # this period's, whatever its status
    rolled: scoring.Rolled
    trend: list = field(default_factory=list)  # [(period, actual or None)], oldest first

    @property
    def counted(self) -> bool:
        return self.actual is not None and self.actual.counts

    @property
    def status(self) -> scoring.Status:
        return self.rolled.status

    @property
    def score(self):
        return self.rolled.score

    @property
    def trend_values(self) -> list:
        return [a.value if a is not None and a.counts else None for _, a in self.trend]

    @property
    def trend_floats(self) -> list:
        return [None if v is None else float(v) for v in self.trend_values]

    @property
    def trend_text(self) -> str:
        unit = f" {self.measure.unit}" if self.measure.unit else ""
        return ", ".join(f"{p.label} " + (f"{v.normalize():f}{unit}" if v is not None
                                          else "no data")
                         for (p, _), v in zip(self.trend, self.trend_values, strict=True))


@dataclass
class ObjectiveBlock:
    objective: Objective
    rolled: scoring.Rolled
    lines: list[MeasureLine]


@dataclass
class PerspectiveBlock:
    perspective: Perspective
    rolled: scoring.Rolled
    objectives: list[ObjectiveBlock]

    @property
    def lines(self) -> list[MeasureLine]:
        return [line for block in self.objectives for line in block.lines]


@dataclass
class PeriodScore:
    """One scorecard scored for one period."""

    structure: Structure
    period: Period | None
    rolled: scoring.Rolled
    perspectives: list[PerspectiveBlock]

    @property
    def lines(self) -> list[MeasureLine]:
        return [line for p in self.perspectives for line in p.lines]

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)

    @property
    def red(self):
        return self.count(scoring.Status.RED)

    @property
    def amber(self):
        return self.count(scoring.Status.AMBER)

    @property
    def green(self):
        return self.count(scoring.Status.GREEN)

    @property
    def missing(self):
        return self.count(scoring.Status.NO_DATA)

    @property
    def awaiting_approval(self):
        return sum(1 for line in self.lines
                   if line.actual and line.actual.status == ActualStatus.SUBMITTED)

    @property
    def drafts(self):
        return sum(1 for line in self.lines
                   if line.actual and line.actual.status == ActualStatus.DRAFT)

    @property
    def mismatches(self):
        return [line for line in self.lines
                if line.actual and line.actual.self_reported_better
                and line.actual.vendor_rag != line.actual.rag]

    def perspective(self, name: str) -> PerspectiveBlock | None:
        return next((p for p in self.perspectives if p.perspective.name == name), None)


def score_period(structure: Structure, period: Period | None,
                 actuals: dict[int, Actual]) -> PeriodScore:
    """Score one period from the structure and that period's actuals ({measure id: actual});
    no queries."""
    items, blocks = [], []
    for p in structure.perspectives:
        if period is not None and not p.counts_in(period):
            continue
        objective_items, objective_blocks = [], []
        for o in structure.objectives.get(p.pk, []):
            if period is not None and not o.counts_in(period):
                continue
            measure_items, lines = [], []
            for m in structure.measures.get(o.pk, []):
                if period is not None and not m.counts_in(period):
                    continue
                actual = actuals.get(m.pk)
                if actual is not None:
                    actual.measure = m  # loaded already: no query per row
                score = actual.score if actual is not None and actual.counts else None
                measure_items.append(scoring.Item(("m", m.pk), m.weight, score=score))
                lines.append(MeasureLine(m, actual, rolled=None))
            objective_items.append(scoring.Item(("o", o.pk), o.weight, children=measure_items))
            objective_blocks.append(ObjectiveBlock(o, None, lines))
        items.append(scoring.Item(("p", p.pk), p.weight, children=objective_items))
        blocks.append(PerspectiveBlock(p, None, objective_blocks))
    rolled = scoring.roll_up(scoring.Item(("s", structure.scorecard.pk), children=items))
    for block, p_rolled in zip(blocks, rolled.children, strict=True):
        block.rolled = p_rolled
        for o_block, o_rolled in zip(block.objectives, p_rolled.children, strict=True):
            o_block.rolled = o_rolled
            for line, m_rolled in zip(o_block.lines, o_rolled.children, strict=True):
                line.rolled = m_rolled
    return PeriodScore(structure, period, rolled, blocks)


def pick_period(periods: list[Period], label: str | None) -> Period | None:
    """The period named in the query string, else the latest that has ended (results are
    reported after a period ends), else the current one."""
    by_label = {p.label: p for p in periods}
    if label and label in by_label:
        return by_label[label]
    ended = [p for p in periods if p.has_ended]
    if ended:
        return ended[-1]
    started = [p for p in periods if p.has_started]
    return (started or periods or [None])[-1]


def _actuals_by_period(actuals) -> dict[int, dict[int, Actual]]:
    by_period = defaultdict(dict)
    for a in actuals:
        by_period[a.period_id][a.measure_id] = a
    return by_period


# -- a vendor's scorecard page ---------------------------------------------------------------


@dataclass
class ScorecardPage:
    scorecard: Scorecard
    periods: list[Period]
    period: Period | None
    current: PeriodScore
    trend: list[tuple[Period, PeriodScore]]  # oldest first, ending with the selected period
    disputes: list[Dispute]
    retired_measures: list[Measure]

    @property
    def previous_period(self):
        i = self.periods.index(self.period) if self.period in self.periods else -1
        return self.periods[i - 1] if i > 0 else None

    @property
    def next_period(self):
        i = self.periods.index(self.period) if self.period in self.periods else -1
        return self.periods[i + 1] if 0 <= i < len(self.periods) - 1 else None

    @property
    def open_disputes(self):
        return [d for d in self.disputes if d.is_open]

    @property
    def overall_trend_values(self):
        return [s.rolled.score for _, s in self.trend]

    @property
    def overall_trend_floats(self):
        return [None if v is None else float(v) for v in self.overall_trend_values]

    @property
    def overall_trend_text(self):
        return ", ".join(f"{p.label} " + ("no data" if s.rolled.score is None
                                          else f"{s.rolled.score}")
                         for p, s in self.trend)


def actuals_restated_after_lock(vendor: Vendor, *, since=None, until=None) -> list[Actual]:
    """The vendor's actuals of locked periods whose SLA figure changed after the lock (the
    reviewed value stands; the new one waits for the next review), restated between
    `since` and `until` when given, oldest period first; one query."""
    actuals = Actual.objects.filter(vendor=vendor, restated_after_lock_at__isnull=False)
    if since is not None:
        actuals = actuals.filter(restated_after_lock_at__gt=since)
    if until is not None:
        actuals = actuals.filter(restated_after_lock_at__lte=until)
    return list(actuals.select_related("measure", "period")
                .order_by("period__starts_on", "measure__position", "id"))


def scorecard_of(vendor: Vendor) -> Scorecard | None:
    return Scorecard.objects.filter(vendor=vendor).select_related("template").first()


def scorecard_page(scorecard: Scorecard, label: str | None,
                   trend_length: int = TREND_PERIODS) -> ScorecardPage:
    """Everything the vendor's Scorecard tab shows, in a fixed number of queries. The
    selected period is scored live (its measure lines are shown); the periods before it
    read their stored overall score (`ScoredPeriod`, kept by every service that changes an
    input) and are scored live only when it is missing."""
    periods = list(scorecard.periods.select_related("locked_by", "stored_score"))
    period = pick_period(periods, label)
    structure = structures([scorecard])[scorecard.pk]
    trend_periods = periods[:periods.index(period) + 1][-trend_length:] if period else []
    actuals = (Actual.objects.filter(period__in=trend_periods)
               .select_related("reported_by", "approved_by"))
    by_period = _actuals_by_period(actuals)

    def scored(p):
        stored = getattr(p, "stored_score", None) if p is not period else None
        return StoredScore.of(stored) if stored is not None else \
            score_period(structure, p, by_period.get(p.pk, {}))

    trend = [(p, scored(p)) for p in trend_periods]
    current = trend[-1][1] if trend else score_period(structure, None, {})
    for line in current.lines:
        line.trend = [(p, by_period.get(p.pk, {}).get(line.measure.pk)) for p in trend_periods]
    disputes = list(Dispute.objects.filter(actual__period=period)
                    .select_related("actual__measure", "raised_by", "resolved_by")) \
        if period else []
    retired = [m for m in structure.all_measures if m.is_archived]
    attach_feeds(structure.all_measures)
    return ScorecardPage(scorecard, periods, period, current, trend, disputes, retired)


@dataclass
class ScoreSummary:
    """A vendor's scorecard at a glance, read like a `ScorecardPage` (`period`,
    `current.rolled`, `trend` and its overall values) from the stored period scores
    (`ScoredPeriod`), without reading the measures or scoring anything: the vendor 360."""

    scorecard: Scorecard
    period: Period | None
    current: object  # StoredScore, or the live PeriodScore of a scorecard without periods
    trend: list  # [(Period, StoredScore)], oldest first, ending with `period`

    overall_trend_values = ScorecardPage.overall_trend_values
    overall_trend_floats = ScorecardPage.overall_trend_floats
    overall_trend_text = ScorecardPage.overall_trend_text


def score_summary(scorecard: Scorecard, trend_length: int = TREND_PERIODS):
    """The latest ended period of the scorecard (as `scorecard_page` picks it) with its
    stored score and those of the periods before, in one query. A period without a stored
    score (every service stores it, `rescore` backfills it) falls back to the live
    `scorecard_page`, so the summary is never wrong, only slower."""
    return _summary(scorecard, list(scorecard.periods.select_related("stored_score")),
                    trend_length)


def score_summary_of(vendor: Vendor, trend_length: int = TREND_PERIODS):
    """`score_summary` of the vendor's scorecard (`scorecard_of`'s), None without one. One
    query: the scorecard's periods read with it (the vendor page's 360 needs no more); a
    scorecard without periods is read apart."""
    first = Scorecard.objects.filter(vendor=vendor).order_by("name", "id").values("pk")[:1]
    periods = list(Period.objects.filter(scorecard_id=Subquery(first))
                   .select_related("scorecard__template", "stored_score"))
    scorecard = periods[0].scorecard if periods else scorecard_of(vendor)
    if scorecard is None:
        return None
    scorecard.vendor = vendor
    for p in periods:
        p.scorecard = scorecard
    return _summary(scorecard, periods, trend_length)


def _summary(scorecard: Scorecard, periods: list, trend_length: int):
    period = pick_period(periods, None)
    trend_periods = periods[:periods.index(period) + 1][-trend_length:] if period else []
    stored = [getattr(p, "stored_score", None) for p in trend_periods]
    if any(row is None for row in stored):
        return scorecard_page(scorecard, None, trend_length)
    trend = [(p, StoredScore.of(row)) for p, row in zip(trend_periods, stored, strict=True)]
    current = trend[-1][1] if trend else score_period(Structure(scorecard), None, {})
    return ScoreSummary(scorecard, period, current, trend)


# -- one measure's drill-down ----------------------------------------------------------------


@dataclass
class MeasureDetail:
    measure: Measure
    rows: list  # [(period, actual or None)], newest first
    disputes: dict  # actual id → [disputes]
    share_in_objective: Decimal | None


def measure_detail(measure: Measure) -> MeasureDetail:
    periods = list(Period.objects.filter(scorecard_id=measure.objective.perspective.scorecard_id))
    actuals = {a.period_id: a for a in measure.actuals.select_related(
        "reported_by", "approved_by")}
    rows = [(p, actuals.get(p.pk)) for p in reversed(periods)
            if p.has_started and (measure.counts_in(p) or p.pk in actuals)]
    disputes = defaultdict(list)
    for d in Dispute.objects.filter(actual__measure=measure).select_related("raised_by",
                                                                            "resolved_by"):
        disputes[d.actual_id].append(d)
    siblings = list(Measure.objects.filter(objective_id=measure.objective_id,
                                           archived_at__isnull=True))
    total = sum((m.weight for m in siblings), Decimal(0))
    share = None
    if not measure.is_archived:
        share = (measure.weight / total) if total else Decimal(1) / len(siblings)
    return MeasureDetail(measure, rows, dict(disputes), share)


def measure_get(vendor: Vendor, pk) -> Measure:
    measure = get_object_or_404(Measure.objects.select_related(
        "objective__perspective__scorecard"), vendor=vendor, pk=pk)
    attach_feeds([measure])
    return measure


def actual_get(vendor: Vendor, pk) -> Actual:
    return get_object_or_404(Actual.objects.select_related("measure", "period"),
                             vendor=vendor, pk=pk)


# -- stored period scores (models.ScoredPeriod) ----------------------------------------------


def stored_fields(scored: PeriodScore) -> dict:
    """What `ScoredPeriod` stores of a period's score (`services.period_scores_refresh`
    writes it; `stored_scores_differing` compares it)."""
    rolled = scored.rolled
    return {
        "score": rolled.score, "status": str(rolled.status),
        "coverage": rolled.coverage.quantize(Decimal("0.000001")),
        "measures": rolled.measures, "measures_with_data": rolled.measures_with_data,
        "red_measures": scored.red,
        "red_perspectives": sum(1 for b in scored.perspectives
                                if b.rolled.status == scoring.Status.RED),
        "perspectives": [
            {"id": b.perspective.pk, "name": b.perspective.name,
             "score": None if b.rolled.score is None else str(b.rolled.score),
             "status": str(b.rolled.status), "coverage": str(b.rolled.coverage),
             "measures": b.rolled.measures, "measures_with_data": b.rolled.measures_with_data}
            for b in scored.perspectives],
    }


def live_scores(periods: list[Period]) -> dict[int, PeriodScore]:
    """period id → its score computed now from the structure and actuals (no stored row):
    five queries, however many periods."""
    if not periods:
        return {}
    structure_of = structures(list(Scorecard.objects.filter(
        pk__in={p.scorecard_id for p in periods})))
    by_period = _actuals_by_period(Actual.objects.filter(period__in=periods))
    return {p.pk: score_period(structure_of[p.scorecard_id], p, by_period.get(p.pk, {}))
            for p in periods}


def stored_scores_differing(chunk: int = 200) -> list[Period]:
    """Periods whose stored score is missing or differs from the live scoring (what
    `manage.py rescore --check` and the consistency test read), scorecard by scorecard."""
    cards = list(Scorecard.objects.order_by("pk").values_list("pk", flat=True))
    stale = []
    for i in range(0, len(cards), chunk):
        periods = list(Period.objects.filter(scorecard_id__in=cards[i:i + chunk])
                       .order_by("pk"))
        stored = {r.period_id: r for r in ScoredPeriod.objects.filter(
            period_id__in=[p.pk for p in periods])}
        for p, scored in live_scores(periods).items():
            row = stored.get(p)
            expected = stored_fields(scored)
            if row is None or any(getattr(row, k) != v for k, v in expected.items()):
                stale.append(next(x for x in periods if x.pk == p))
    return stale


@dataclass
class Figure:
    """A stored score, read by the pages like the `scoring.Rolled` it was made from."""

    key: tuple
    score: Decimal | None
    status: scoring.Status
    coverage: Decimal
    measures: int
    measures_with_data: int

    @property
    def is_complete(self) -> bool:
        return self.measures_with_data == self.measures


@dataclass
class StoredPerspective:
    pk: int
    name: str

    def __str__(self):
        return self.name


@dataclass
class StoredBlock:
    perspective: StoredPerspective
    rolled: Figure


@dataclass
class StoredScore:
    """A period's stored score, read by the portfolio pages like a `PeriodScore`: overall,
    per perspective and the red measures (not the measure lines: the vendor's page scores
    its one scorecard live)."""

    label: str
    rolled: Figure
    perspectives: list[StoredBlock]
    red: int

    def perspective(self, name: str) -> StoredBlock | None:
        return next((p for p in self.perspectives if p.perspective.name == name), None)

    @classmethod
    def of(cls, row: ScoredPeriod) -> "StoredScore":
        blocks = [StoredBlock(StoredPerspective(p["id"], p["name"]),
                              Figure(("p", p["id"]), _decimal(p["score"]),
                                     scoring.Status(p["status"]), _decimal(p["coverage"]),
                                     p["measures"], p["measures_with_data"]))
                  for p in row.perspectives]
        return cls(row.label, Figure(("s", row.scorecard_id), row.score,
                                     scoring.Status(row.status), row.coverage, row.measures,
                                     row.measures_with_data), blocks, row.red_measures)


def _decimal(text) -> Decimal | None:
    return None if text is None else Decimal(text)


def _visible_cards(user) -> QuerySet[Scorecard]:
    return access.restrict(Scorecard.objects.filter(archived_at__isnull=True), user).filter(
        vendor__archived_at__isnull=True)


def portfolio_labels(user, label: str | None = None, trend_length: int = TREND_PERIODS,
                     *, scorecards=None) -> tuple[list[str], str | None, list[str]]:
    """(every period label of the visible scorecards, oldest first; the one to show —
    `label` if it exists, else the latest that has ended, else the latest; the trend's
    labels, ending with it), in one query."""
    cards = _visible_cards(user) if scorecards is None else scorecards
    today = timezone.localdate()
    seen = set(Period.objects.filter(scorecard__in=cards)
               .values_list("label", "ends_on").order_by().distinct())
    labels = sorted({lab for lab, _ in seen}, key=_label_key)
    ended = sorted({lab for lab, ends_on in seen if ends_on < today}, key=_label_key)
    if label not in labels:
        label = ended[-1] if ended else (labels[-1] if labels else None)
    trend_labels = labels[:labels.index(label) + 1][-trend_length:] if label else []
    return labels, label, trend_labels


def average_scores(user, labels: list[str]) -> dict[str, Decimal]:
    """label → the average overall score of the visible vendors' scorecards with data in
    that period (stored scores: one aggregate query, however many vendors)."""
    return dict(ScoredPeriod.objects.filter(scorecard__in=_visible_cards(user),
                                            label__in=labels, score__isnull=False)
                .values("label").annotate(avg=Avg("score")).values_list("label", "avg")
                .order_by())


def vendors_with_red(user, label: str | None) -> set[int]:
    """Visible vendors whose scorecard is red overall or in a perspective in `label`."""
    return set(red_vendor_ids(user, label))


def red_vendor_ids(user, label: str | None) -> QuerySet:
    """`vendors_with_red` as a query (the ids), for another query to order or filter by
    without reading the ids first."""
    if not label:
        return ScoredPeriod.objects.none().values_list("vendor_id", flat=True)
    return (ScoredPeriod.objects.filter(scorecard__in=_visible_cards(user), label=label)
            .filter(Q(status=scoring.Status.RED) | Q(red_perspectives__gt=0))
            .values_list("vendor_id", flat=True))


@dataclass
class StatusChange:
    name: str  # the vendor's
    slug: str
    before: str  # overall status in the earlier period ("no_data" when it has none)
    after: str


def overall_status_changes(user, before: str, after: str, *, limit: int
                           ) -> tuple[list[StatusChange], int]:
    """The visible vendors whose overall status differs between periods `before` and `after`
    (a period the scorecard lacks counts as no data): the first `limit`, those now red first,
    then amber, then the rest, by name; and how many there are in all. One aggregate query
    on the stored period scores, however many vendors changed (the count rides along as a
    window over the grouped rows, computed before the LIMIT)."""
    no_data = Value(scoring.Status.NO_DATA.value)
    rows = (ScoredPeriod.objects
            .filter(scorecard__in=_visible_cards(user), label__in=[before, after])
            .values("vendor_id", "vendor__name", "vendor__slug")
            .annotate(old=Coalesce(Max("status", filter=Q(label=before)), no_data),
                      new=Coalesce(Max("status", filter=Q(label=after)), no_data))
            .exclude(old=F("new"))
            .annotate(rank=Case(When(new=scoring.Status.RED.value, then=Value(0)),
                                When(new=scoring.Status.AMBER.value, then=Value(1)),
                                default=Value(2), output_field=IntegerField()),
                      total=Window(Count("vendor_id")))
            .order_by("rank", Lower("vendor__name"), "vendor_id"))[:limit]
    rows = list(rows)
    return ([StatusChange(r["vendor__name"], r["vendor__slug"], r["old"], r["new"])
             for r in rows], rows[0]["total"] if rows else 0)


# -- the portfolio heat map ------------------------------------------------------------------


@dataclass
class PortfolioRow:
    vendor: Vendor
    scorecard: Scorecard
    score: StoredScore | None  # the selected period's, None when the scorecard has no such
    trend: list  # overall score per trend label (None: no data)
    url: str = ""  # the vendor's scorecard page (set by the heat map's view)

    def cell(self, name: str):
        block = self.score.perspective(name) if self.score else None
        return block.rolled if block else None


@dataclass
class Portfolio:
    labels: list[str]  # every period label, oldest first
    label: str | None
    trend_labels: list[str]
    perspective_names: list[str]
    rows: list[PortfolioRow]  # the rows of the page asked for
    without_scorecard: QuerySet[Vendor]  # lazy: read when a page shows it
    count: int = 0  # rows on every page together
    page: int = 1
    pages: int = 1


#: Vendors per page of the heat map: what a screen can take in, and a page that costs the
#: same at 10 vendors as at 1,000.
PORTFOLIO_PAGE = 50


def _scores(card_ids: list[int], label: str | None) -> dict[int, StoredScore]:
    """scorecard id → its stored score in `label` (overall and per perspective), in one
    query."""
    if not card_ids or not label:
        return {}
    return {row.scorecard_id: StoredScore.of(row) for row in ScoredPeriod.objects.filter(
        scorecard_id__in=card_ids, label=label).order_by()}


def _trends(card_ids: list[int], labels: list[str]) -> dict[int, dict[str, Decimal | None]]:
    """scorecard id → {label: overall score} (the stored figure only), in one query."""
    trends: dict[int, dict[str, Decimal | None]] = defaultdict(dict)
    if card_ids and labels:
        for card_id, label, score in ScoredPeriod.objects.filter(
                scorecard_id__in=card_ids, label__in=labels).values_list(
                "scorecard_id", "label", "score").order_by():
            trends[card_id][label] = score
    return trends


def _sort_keys(card_ids: list[int], label: str, key: str) -> dict[int, Decimal | None]:
    """scorecard id → its overall score (`key` "overall") or that perspective's score in
    `label`, from the stored scores in one query: the sort scores nobody."""
    rows = ScoredPeriod.objects.filter(scorecard_id__in=card_ids, label=label).order_by()
    if key == "overall":
        return dict(rows.values_list("scorecard_id", "score"))
    out = {}
    for card_id, perspectives in rows.values_list("scorecard_id", "perspectives"):
        block = next((p for p in perspectives if p["name"] == key), None)
        out[card_id] = _decimal(block["score"]) if block else None
    return out


def portfolio_perspective_names(user) -> list[str]:
    """The perspectives of the visible scorecards, the heat map's columns, in one query."""
    return list(dict.fromkeys(
        Perspective.objects.filter(archived_at__isnull=True,
                                   scorecard__in=_visible_cards(user))
        .order_by("position", "name").values_list("name", flat=True)))


def portfolio(user, label: str | None, trend_length: int = TREND_PERIODS, *,
              sort: str = "vendor", page: int | str | None = 1,
              per_page: int | None = PORTFOLIO_PAGE, names: list[str] | None = None,
              vendor_ids=None) -> Portfolio:
    """The visible vendors' scorecards for one period, one page at a time, and the overall
    score of the page's vendors for the periods before; `per_page=None` gives every row
    (with the trend when `trend_length` > 1; the CSV asks for 1). Read from the stored
    period scores (`ScoredPeriod`): a fixed number of queries however many vendors,
    measures and periods there are, and no scoring on view; only the page's rows are
    loaded whole (the others are ordered as (id, name) pairs). `vendor_ids` narrows it to
    some vendors (a dashboard's).

    `sort` is "vendor", "overall" or a perspective's name ("-" in front: descending); rows
    without data go last."""
    cards = _visible_cards(user)
    vendors = access.vendors(user).filter(archived_at__isnull=True)
    if vendor_ids is not None:
        vendor_ids = list(vendor_ids)
        vendors = vendors.filter(pk__in=vendor_ids)
        cards = cards.filter(vendor_id__in=vendor_ids)
    # Read only where shown (the heat map's footnote; the homes never show it).
    without = vendors.exclude(pk__in=cards.values("vendor_id")).order_by("name")
    labels, label, trend_labels = portfolio_labels(user, label, trend_length, scorecards=cards)
    names = portfolio_perspective_names(user) if names is None else names

    key, descending = sort.lstrip("-"), sort.startswith("-")
    # Every row is shown (per_page=None): load them whole at once; a page: order (id, name)
    # pairs and load only the page's rows.
    whole = None if per_page is not None else {
        c.pk: c for c in cards.select_related("vendor").order_by()}
    pairs = ((pk, c.vendor.name) for pk, c in whole.items()) if whole is not None else \
        cards.values_list("pk", "vendor__name").order_by()
    order = sorted(pairs, key=lambda c: c[1].lower(), reverse=key == "vendor" and descending)
    ids = [pk for pk, _ in order]
    if key != "vendor" and label:
        by_card = _sort_keys(ids, label, key)
        known = [pk for pk in ids if by_card.get(pk) is not None]
        ids = sorted(known, key=lambda pk: by_card[pk], reverse=descending) + \
            [pk for pk in ids if by_card.get(pk) is None]
    count = len(ids)
    if per_page is None:
        shown, number, pages = ids, 1, 1
        trend_labels_shown = trend_labels if trend_length > 1 else []
    else:
        pages = max(1, -(-count // per_page))
        try:
            number = min(max(1, int(page or 1)), pages)
        except (TypeError, ValueError):
            number = 1
        shown = ids[(number - 1) * per_page:number * per_page]
        trend_labels_shown = trend_labels
    card_of = whole if whole is not None else {
        c.pk: c for c in Scorecard.objects.filter(pk__in=shown).select_related("vendor")}
    scores = _scores(shown, label)
    trends = _trends(shown, [lab for lab in trend_labels_shown if lab != label])
    rows = []
    for pk in shown:
        score = scores.get(pk)
        trend = {**trends.get(pk, {}), **({label: score.rolled.score} if score else {})}
        rows.append(PortfolioRow(card_of[pk].vendor, card_of[pk], score,
                                 [trend.get(lab) for lab in trend_labels_shown]))
    return Portfolio(labels, label, trend_labels, names, rows, without, count, number, pages)


def portfolio_of(user, label: str | None, vendor_ids) -> Portfolio:
    """The rows of these visible vendors for `label` (a period chosen across the whole
    portfolio, e.g. by `portfolio_labels`), without a trend: a dashboard's page of vendors,
    in two queries."""
    cards = list(_visible_cards(user).filter(vendor_id__in=list(vendor_ids))
                 .select_related("vendor"))
    scores = _scores([c.pk for c in cards], label)
    rows = [PortfolioRow(c.vendor, c, scores.get(c.pk), []) for c in cards]
    return Portfolio([], label, [], [], rows, [], len(rows))


def _label_key(label: str):
    year, _, rest = label.partition("-")
    # Quarters sort after the months they end with: 2026-03 < 2026-Q1 < 2026-04.
    if rest.startswith("Q"):
        return (int(year), int(rest[1:]) * 3, 1)
    return (int(year), int(rest), 0)


# -- templates -------------------------------------------------------------------------------


def template_list() -> QuerySet[ScorecardTemplate]:
    return ScorecardTemplate.objects.annotate(
        perspective_count=Count("perspectives", distinct=True,
                                filter=Q(perspectives__archived_at__isnull=True)),
        measure_count=Count("perspectives__objectives__measures", distinct=True,
                            filter=Q(perspectives__objectives__measures__archived_at__isnull=True)),
        scorecard_count=Count("scorecards", distinct=True))


@dataclass
class TemplateTree:
    template: ScorecardTemplate
    perspectives: list  # [(perspective, [(objective, [measures])])]
    scorecards: list


def template_tree(template: ScorecardTemplate, user) -> TemplateTree:
    objectives, measures = defaultdict(list), defaultdict(list)
    for m in TemplateMeasure.objects.filter(objective__perspective__template=template):
        measures[m.objective_id].append(m)
    for o in TemplateObjective.objects.filter(perspective__template=template):
        objectives[o.perspective_id].append((o, measures[o.pk]))
    perspectives = [(p, objectives[p.pk])
                    for p in TemplatePerspective.objects.filter(template=template)]
    scorecards = list(access.restrict(template.scorecards.all(), user).select_related("vendor"))
    return TemplateTree(template, perspectives, scorecards)


def open_disputes(user) -> QuerySet[Dispute]:
    return (access.restrict(Dispute.objects.filter(status=DisputeStatus.OPEN), user)
            .select_related("actual__measure", "actual__period", "vendor"))


def approvals_waiting(user) -> list[dict]:
    """Submitted actuals this user may approve, counted per vendor and period."""
    return list(access.restrict(Actual.objects.filter(status=ActualStatus.SUBMITTED), user,
                                Action.APPROVE_ACTUALS)
                .values("vendor__slug", "vendor__name", "period__label")
                .annotate(count=Count("id")).order_by("vendor__name", "period__label"))


# -- dashboards: set-based reads across the vendors a person sees ----------------------------


@dataclass
class PeriodGap:
    period: Period
    expected: int  # measures that count in the period
    reported: int  # of them with a submitted or approved actual

    @property
    def missing(self) -> int:
        return self.expected - self.reported


def periods_missing_actuals(user, *, ended_since, vendor_ids=None) -> list[PeriodGap]:
    """Periods that ended on or after `ended_since` (and before today) whose measures still
    lack a counted actual, oldest first (three queries, however many vendors)."""
    periods = (access.restrict(Period.objects.filter(ends_on__gte=ended_since,
                                                     ends_on__lt=timezone.localdate()), user)
               .filter(scorecard__archived_at__isnull=True, vendor__archived_at__isnull=True)
               .select_related("vendor", "scorecard"))
    if vendor_ids is not None:
        periods = periods.filter(vendor_id__in=vendor_ids)
    periods = list(periods.order_by("ends_on", "vendor__name"))
    if not periods:
        return []
    measures = defaultdict(list)
    for m in Measure.objects.filter(objective__perspective__scorecard__in={
            p.scorecard_id for p in periods}).annotate(
            card_id=F("objective__perspective__scorecard_id")):
        measures[m.card_id].append(m)
    reported = dict(Actual.objects.filter(period__in=periods, status__in=COUNTED_STATUSES)
                    .values("period_id").annotate(n=Count("measure_id", distinct=True))
                    .values_list("period_id", "n"))
    gaps = [PeriodGap(p, sum(1 for m in measures[p.scorecard_id] if m.counts_in(p)),
                      reported.get(p.pk, 0)) for p in periods]
    return [g for g in gaps if g.missing > 0]


def score_status(score) -> scoring.Status:
    """The red/amber/green of an overall score (`scoring.status_for_score`), for pages that
    hold a score without its period, such as a trend."""
    return scoring.status_for_score(score)


# -- across vendors, for the warning signs (`signs`): each one query, whatever the number --
# of vendors; system reads (the caller judges which vendors).


def actuals_with_both_values(vendor_ids, *, ended_since) -> list[Actual]:
    """Counted actuals (not drafts) of periods that ended on or after `ended_since` and
    before today, for which both the vendor's figure and our own measurement exist — what
    "self-reported better than measured" is judged on (`scoring.reported_better_than_measured`,
    `Actual.reported_better_than_measured`). Oldest period first."""
    return list(Actual.objects
                .filter(vendor_id__in=vendor_ids, vendor_value__isnull=False,
                        internal_value__isnull=False, period__ends_on__gte=ended_since,
                        period__ends_on__lt=timezone.localdate(),
                        measure__archived_at__isnull=True)
                .exclude(status=ActualStatus.DRAFT)
                .select_related("measure", "period")
                .order_by("vendor_id", "measure_id", "period__starts_on"))


def disputes_raised(vendor_ids, *, since) -> list[Dispute]:
    """Disputes of actuals raised on or after `since` (a datetime), with the actual."""
    return list(Dispute.objects.filter(vendor_id__in=vendor_ids, raised_at__gte=since)
                .select_related("actual__measure", "actual__period")
                .order_by("vendor_id", "-raised_at", "-pk"))
