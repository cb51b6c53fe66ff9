"""Reads about SLAs for pages, the API and (later) reminders; always scoped by `access`."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber, TruncMonth
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from sla import incentives, rules
from sla.choices import (
    CORRECTIVE_ACTION_OPEN,
    CorrectiveActionStatus,
    DisputeStatus,
    EvaluationStatus,
    VersionStatus,
)
from sla.models import (
    SLA,
    BusinessCalendar,
    CorrectiveAction,
    Dispute,
    Evaluation,
    Measurement,
    MonthlyCompliance,
    ServiceLevel,
    SLAVersion,
)
from vendors import access
from vendors.models import Vendor
from vendors.selectors import record_history

TREND_WINDOWS = 12
REVIEW_HORIZON = timedelta(days=30)
OK_STATUSES = (EvaluationStatus.MET, EvaluationStatus.AT_RISK)


# -- the reminder seam ---------------------------------------------------------------------


def windows_missing_data(user=None, *, vendor: Vendor | None = None,
                         closed_since: date | None = None) -> QuerySet[Evaluation]:
    """Closed windows evaluated as "no data": what a reminder asks the vendor to send.
    Scoped to `user` when given (a reminder job passes none and sees every vendor)."""
    queryset = Evaluation.objects.filter(status=EvaluationStatus.NO_DATA, excused=False,
                                         sla__archived_at__isnull=True)
    if user is not None:
        queryset = access.restrict(queryset, user)
    if vendor is not None:
        queryset = queryset.filter(vendor=vendor)
    if closed_since is not None:
        queryset = queryset.filter(window_end__gte=closed_since)
    return queryset.select_related("service_level__version__sla", "vendor").order_by(
        "window_end", "vendor__name")


# -- single records, 404 outside the caller's scope ------------------------------------------


def sla_get(vendor: Vendor, pk: int) -> SLA:
    return get_object_or_404(SLA.objects.select_related("contract", "owner", "vendor"),
                             vendor=vendor, pk=pk)


def version_get(sla: SLA, number: int) -> SLAVersion:
    return get_object_or_404(SLAVersion, sla=sla, number=number)


def service_level_get(vendor: Vendor, pk: int) -> ServiceLevel:
    return get_object_or_404(ServiceLevel.objects.select_related("version__sla__contract",
                                                                 "calendar"),
                             version__sla__vendor=vendor, pk=pk)


def evaluation_get(vendor: Vendor, pk: int) -> Evaluation:
    return get_object_or_404(
        Evaluation.objects.select_related("service_level__version__sla__vendor",
                                          "service_level__calendar",
                                          "measurement__submitted_by",
                                          "corrective_action__vendor", "vendor"),
        vendor=vendor, pk=pk)


def corrective_action_get(vendor: Vendor, pk: int) -> CorrectiveAction:
    return get_object_or_404(
        CorrectiveAction.objects.select_related("owner", "sla__vendor", "vendor"),
        vendor=vendor, pk=pk)


def calendar_get(vendor: Vendor, pk: int) -> BusinessCalendar:
    return get_object_or_404(BusinessCalendar.objects.select_related("contract"),
                             vendor=vendor, pk=pk)


# -- outcomes and money ----------------------------------------------------------------------


def outcome_of(e: Evaluation) -> incentives.Outcome:
    sl = e.service_level
    return incentives.Outcome(
        sla_id=e.sla_id, key=sl.key, name=sl.name, start=e.window_start, end=e.window_end,
        status=e.status, credit_percent=sl.credit_percent, bonus_points=sl.bonus_points,
        earn_back_windows=sl.version.earn_back_windows,
        beats_target=rules.beats_target(e.value, sl.terms), excused=e.excused,
        label=rules.window_label(sl.window, e.window_start), evaluation_id=e.pk)


def terms_finder(slas: list[SLA]):
    """terms(sla id, month) for `slas` (their versions and contracts prefetched)."""
    by_sla = {sla.pk: sla for sla in slas}

    def terms(sla_id: int, month: date) -> incentives.MonthTerms | None:
        sla = by_sla.get(sla_id)
        end = rules.month_end(month)
        version = next((v for v in sla.versions.all() if v.governs(end)), None) if sla else None
        if version is None:
            return None
        return incentives.MonthTerms(version.monthly_charge, version.credit_cap_percent,
                                     sla.contract.currency)

    return terms


# -- the vendor's SLA tab --------------------------------------------------------------------


@dataclass
class LevelRow:
    """A service level in effect, with its last windows."""

    service_level: ServiceLevel
    evaluations: list  # last TREND_WINDOWS windows, oldest first (None where not evaluated)
    starts: list[date]

    @property
    def latest(self):
        return next((e for e in reversed(self.evaluations) if e is not None), None)

    @property
    def values(self) -> list[float | None]:
        return [float(e.value) if e is not None and e.value is not None else None
                for e in self.evaluations]

    @property
    def windows(self) -> list[tuple[str, object]]:
        return [(rules.window_label(self.service_level.window, s), e)
                for s, e in zip(self.starts, self.evaluations, strict=True)]


@dataclass
class SlaBlock:
    sla: SLA
    version: SLAVersion | None  # in effect today
    draft: SLAVersion | None
    levels: list[LevelRow]


@dataclass
class VendorSlas:
    vendor: Vendor
    blocks: list[SlaBlock]
    breaches_last_month: list[Evaluation]
    open_actions: list[CorrectiveAction]
    open_disputes: list[Dispute]
    reviews_due: list[SLA]
    missing_data: list[Evaluation]
    calendars: list[BusinessCalendar]
    today: date

    @property
    def overdue_actions(self):
        return [a for a in self.open_actions if a.overdue_days(self.today)]


def _slas(queryset, *, vendor: Vendor | None = None) -> list[SLA]:
    """SLAs with their versions and service levels; `vendor`: theirs, read already (the
    monthly report's), so neither it nor the owners (which a report does not show) are
    joined."""
    related = ("contract",) if vendor is not None else ("contract", "owner", "vendor")
    slas = list(queryset.select_related(*related).prefetch_related(
        Prefetch("versions", queryset=SLAVersion.objects.order_by("-number")
                 .prefetch_related(Prefetch("service_levels",
                                            queryset=ServiceLevel.objects.select_related(
                                                "calendar"))))))
    if vendor is not None:
        for sla in slas:
            sla.vendor = vendor
    return slas


def _trends(vendor_ids, blocks_levels: list[tuple[int, ServiceLevel]], before: date,
            count: int = TREND_WINDOWS) -> dict:
    """{(sla id, key): {window start: evaluation}} over the last `count` windows of each
    service level, in one query."""
    if not blocks_levels:
        return {}
    horizon = min(rules.last_windows(sl.window, before, count)[0] for _, sl in blocks_levels)
    found = defaultdict(dict)
    for e in (Evaluation.objects.filter(vendor_id__in=vendor_ids, window_end__gte=horizon,
                                        window_end__lte=before)
              .select_related("service_level__version", "corrective_action__vendor", "vendor")
              .prefetch_related("dispute")):
        found[(e.sla_id, e.service_level.key)][e.window_start] = e
    return found


def _level_rows(levels: list[tuple[int, ServiceLevel]], trends: dict, before: date,
                count: int = TREND_WINDOWS, since: dict | None = None) -> dict:
    """One LevelRow per service level: its last `count` windows up to `before`, leaving out
    windows that ended before its SLA first took effect (`since`: sla id -> that day)."""
    rows = {}
    for sla_id, sl in levels:
        starts = rules.last_windows(sl.window, before, count)
        first = (since or {}).get(sla_id)
        if first is not None:
            kept = [s for s in starts if rules.window_end(sl.window, s) >= first]
            starts = kept or starts[-1:]
        by_start = trends.get((sla_id, sl.key), {})
        rows[(sla_id, sl.pk)] = LevelRow(sl, [by_start.get(s) for s in starts], starts)
    return rows


def _first_effective(slas) -> dict:
    """sla id -> the day its first version took effect."""
    return {sla.pk: min((v.effective_from for v in sla.versions.all() if v.in_force),
                        default=None) for sla in slas}


def vendor_slas(vendor: Vendor, *, include_archived: bool = False,
                today: date | None = None) -> VendorSlas:
    """Everything the vendor's SLA tab shows, in a fixed number of queries."""
    today = today or timezone.localdate()
    queryset = SLA.objects.filter(vendor=vendor)
    if not include_archived:
        queryset = queryset.filter(archived_at__isnull=True)
    slas = _slas(queryset)
    blocks, levels = [], []
    for sla in slas:
        versions = list(sla.versions.all())
        version = next((v for v in versions if v.governs(today)), None)
        if version is None:  # retired or not yet in effect: show its latest version in force
            version = next((v for v in versions if v.in_force), None)
        draft = next((v for v in versions if v.is_editable), None)
        blocks.append(SlaBlock(sla, version, draft, []))
        if version is not None:
            levels += [(sla.pk, sl) for sl in version.service_levels.all()]
    yesterday = today - timedelta(days=1)
    rows = _level_rows(levels, _trends([vendor.pk], levels, yesterday), yesterday,
                       since=_first_effective(slas))
    for block in blocks:
        if block.version is not None:
            block.levels = [rows[(block.sla.pk, sl.pk)]
                            for sl in block.version.service_levels.all()]
    last_month = rules.month_start(today) - timedelta(days=1)
    return VendorSlas(
        vendor=vendor, blocks=blocks,
        breaches_last_month=list(Evaluation.objects.filter(
            vendor=vendor, status=EvaluationStatus.BREACHED,
            window_end__range=(rules.month_start(last_month), today)).select_related(
            "service_level", "vendor").order_by("-window_end")),
        open_actions=list(CorrectiveAction.objects.filter(
            vendor=vendor, status__in=CORRECTIVE_ACTION_OPEN).select_related("owner", "sla",
                                                                             "vendor")
            .annotate(breaches=Count("evaluations")).order_by("due_on")),
        open_disputes=list(Dispute.objects.filter(vendor=vendor, status=DisputeStatus.OPEN)
                           .select_related("evaluation__service_level", "evaluation__vendor",
                                           "raised_by")),
        reviews_due=[s for s in slas if not s.is_retired and not s.is_archived
                     and s.review_due_on <= today + REVIEW_HORIZON],
        missing_data=list(windows_missing_data(vendor=vendor,
                                               closed_since=today - timedelta(days=95))),
        calendars=list(BusinessCalendar.objects.filter(vendor=vendor, archived_at__isnull=True)
                       .select_related("contract")),
        today=today,
    )


def service_level_history(sl: ServiceLevel, *, today: date | None = None,
                          count: int = 24) -> tuple[LevelRow, list[Measurement]]:
    """A service level's last `count` windows (across the SLA's versions, by key) and the
    measurements received for them."""
    today = today or timezone.localdate()
    yesterday = today - timedelta(days=1)
    levels = [(sl.version.sla_id, sl)]
    since = _first_effective(_slas(SLA.objects.filter(pk=sl.version.sla_id)))
    row = _level_rows(levels, _trends([sl.version.sla.vendor_id], levels, yesterday, count),
                      yesterday, count, since=since)[(sl.version.sla_id, sl.pk)]
    measurements = list(Measurement.objects.filter(
        service_level__version__sla_id=sl.version.sla_id, service_level__key=sl.key,
        window_start__gte=row.starts[0]).select_related("submitted_by", "service_level__version")
        .order_by("-window_start", "-id"))
    return row, measurements


# -- the monthly report ----------------------------------------------------------------------


@dataclass
class ReportLevel:
    sla: SLA
    row: LevelRow  # the last 12 windows up to the month's end
    this_month: list[Evaluation]  # windows that closed in the month

    @property
    def worst(self) -> str:
        order = [EvaluationStatus.BREACHED, EvaluationStatus.NO_DATA, EvaluationStatus.AT_RISK,
                 EvaluationStatus.MET]
        statuses = {EvaluationStatus.MET if e.excused else e.status for e in self.this_month}
        return next((s for s in order if s in statuses), "")


@dataclass
class MonthlyReport:
    vendor: Vendor
    month: date
    month_end: date
    today: date
    levels: list[ReportLevel]
    money: dict  # sla id -> incentives.SlaMonth
    slas: list[SLA]
    open_actions: list[CorrectiveAction]  # open at `as_of`
    required: list[CorrectiveAction]  # for the breaches of windows closed in the month
    taken: list[tuple[CorrectiveAction, object]]  # worked on in the month: (action, change)
    disputes: list[Dispute]
    is_complete: bool  # the month has ended

    @property
    def as_of(self) -> date:
        """The month is reviewed during the next one: actions open then are what counts."""
        return min(rules.month_end(self.month_end + timedelta(days=1)), self.today)

    @property
    def counts(self) -> dict[str, int]:
        counts = defaultdict(int)
        for level in self.levels:
            for e in level.this_month:
                counts[EvaluationStatus.MET if e.excused else e.status] += 1
        return counts

    @property
    def money_rows(self):
        return [(sla, self.money[sla.pk]) for sla in self.slas if sla.pk in self.money]

    @property
    def bonus_points(self) -> int:
        return sum(m.bonus_points for m in self.money.values())

    @property
    def earned_back_count(self) -> int:
        return sum(len(m.earned_back) for m in self.money.values())

    def totals(self) -> dict[str, dict[str, Decimal]]:
        """Per currency: credits, earned back, net."""
        out = defaultdict(lambda: {"credits": Decimal(0), "earned_back": Decimal(0),
                                   "net": Decimal(0)})
        for m in self.money.values():
            currency = m.terms.currency if m.terms else ""
            out[currency]["credits"] += m.credit_amount
            out[currency]["earned_back"] += m.earned_back_amount
            out[currency]["net"] += m.net_amount
        return dict(out)


def default_report_month(today: date) -> date:
    """The last complete month: the one the monthly review looks at."""
    return rules.month_start(rules.month_start(today) - timedelta(days=1))


def monthly_report(vendor: Vendor, month: date, *, today: date | None = None) -> MonthlyReport:
    return monthly_reports(vendor, [month], today=today)[0]


def _local_day(moment) -> date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def monthly_reports(vendor: Vendor, months, *, today: date | None = None
                    ) -> list[MonthlyReport]:
    """The monthly report of `vendor` for each of `months`, in seven queries however many
    months (the quarterly pack shows three): each table is read once over the span of all
    the months and split per month here, so no row is read twice.

    Earn-back looks back up to two years, so the evaluations of those two years are read as
    plain rows (no model instance, their service level taken from the SLAs already read);
    only the windows the report shows become Evaluation instances."""
    today = today or timezone.localdate()
    spans = [(rules.month_start(m), rules.month_end(rules.month_start(m))) for m in months]
    if not spans:
        return []
    first, last = min(m for m, _ in spans), max(e for _, e in spans)
    # The vendor is the page's: its SLAs, actions and disputes are not joined to it again.
    all_slas = _slas(SLA.objects.filter(vendor=vendor), vendor=vendor)
    levels_by_id = {sl.pk: sl for sla in all_slas for v in sla.versions.all()
                    for sl in v.service_levels.all()}
    # Credits earned back in a month may come from breaches up to two years back.
    closed_by = {m: min(e, today - timedelta(days=1)) for m, e in spans}
    rows = [_EvaluationRow(*row) for row in Evaluation.objects.filter(
        vendor=vendor, window_end__gte=rules.add_months(first, -24),
        window_end__lte=max(closed_by.values())).order_by().values_list(*_EVALUATION_FIELDS)]
    actions = list(CorrectiveAction.objects.filter(vendor=vendor)
                   .select_related("owner", "sla")
                   .annotate(breaches=Count("evaluations")).order_by("opened_on", "id"))
    for a in actions:
        a.vendor = vendor
    action_by_id = {a.pk: a for a in actions}
    # Required: what each month's breaches called for (opened when their windows closed),
    # from the rows read above (an action is its breaches' vendor's; a window is evaluated
    # once it has closed, so none of the months' ends after yesterday).
    called_for = [(r.corrective_action_id, r.window_end) for r in rows
                  if r.corrective_action_id is not None and first <= r.window_end <= last]
    changes = list(CorrectiveAction.history.filter(vendor_id=vendor.pk, history_type="~",
                                                   history_date__date__range=(first, last))
                   .select_related("history_user").order_by("id", "-history_date"))
    disputes = list(Dispute.objects.filter(vendor=vendor).filter(
        Q(raised_at__date__range=(first, last)) | Q(decided_at__date__range=(first, last)))
        .select_related("evaluation__service_level", "raised_by", "decided_by"))
    for d in disputes:
        d.vendor = d.evaluation.vendor = vendor
    instances = _Instances(vendor, levels_by_id, action_by_id)
    return [_monthly_report(vendor, month, end, today, all_slas, rows, levels_by_id, instances,
                            actions, action_by_id, called_for, changes, disputes,
                            last_closed=closed_by[month])
            for month, end in spans]


#: The evaluation columns a report reads, in this order (`_EvaluationRow`): what its ledger
#: and its window tables use. Not the evaluation and measurement times, which no report
#: shows: reading those two timestamps of two years of windows (about 440 rows a vendor)
#: took two thirds of the query's time (4.0 -> 1.3 ms), in converting them.
_EVALUATION_FIELDS = ("id", "sla_id", "service_level_id", "window_start", "window_end",
                      "status", "value", "excused", "corrective_action_id")


@dataclass(frozen=True, slots=True)
class _EvaluationRow:
    id: int
    sla_id: int
    service_level_id: int
    window_start: date
    window_end: date
    status: str
    value: Decimal | None
    excused: bool
    corrective_action_id: int | None


#: The fields an instance made from a row holds, in the model's order (`Model.from_db`);
#: the others are deferred: read from the database if anything asks for them.
_INSTANCE_FIELDS = [f.attname for f in Evaluation._meta.concrete_fields
                    if f.attname in _EVALUATION_FIELDS]


class _Instances:
    """Evaluation instances for the rows a report shows, made once per row, their related
    records taken from what was read already (service level, vendor, corrective action).
    No report shows an evaluation's dispute (the month's disputes are read apart)."""

    def __init__(self, vendor, levels_by_id, action_by_id):
        self.vendor, self.levels_by_id, self.action_by_id = vendor, levels_by_id, action_by_id
        self.made: dict[int, Evaluation] = {}

    def __call__(self, row: _EvaluationRow | None) -> Evaluation | None:
        if row is None:
            return None
        e = self.made.get(row.id)
        if e is None:
            e = Evaluation.from_db(Evaluation.objects.db, _INSTANCE_FIELDS,
                                   [getattr(row, name) for name in _INSTANCE_FIELDS])
            e.vendor = self.vendor
            level = self.levels_by_id.get(row.service_level_id)
            if level is not None:
                e.service_level = level
            if row.corrective_action_id is not None and \
                    row.corrective_action_id in self.action_by_id:
                e.corrective_action = self.action_by_id[row.corrective_action_id]
            self.made[row.id] = e
        return e


def _outcomes(rows: list[_EvaluationRow], levels_by_id: dict) -> list[incentives.Outcome]:
    """`outcome_of` for plain rows (their service levels given), what a row's service level
    contributes looked up once per service level (a report's ledger reads two years of
    windows: about 440 a vendor; 1.7 -> 0.95 ms)."""
    fixed, out = {}, []
    for r in rows:
        f = fixed.get(r.service_level_id)
        if f is None:
            sl = levels_by_id[r.service_level_id]
            f = fixed[r.service_level_id] = (sl.key, sl.name, sl.credit_percent,
                                             sl.bonus_points, sl.version.earn_back_windows,
                                             sl.terms, sl.window)
        key, name, credit_percent, bonus_points, earn_back_windows, terms, window = f
        out.append(incentives.Outcome(
            r.sla_id, key, name, r.window_start, r.window_end, r.status, credit_percent,
            bonus_points, earn_back_windows, rules.beats_target(r.value, terms), r.excused,
            rules.window_label(window, r.window_start), r.id))
    return out


def _monthly_report(vendor, month, end, today, all_slas, all_rows, levels_by_id, instances,
                    actions, action_by_id, called_for, all_changes, all_disputes, *,
                    last_closed) -> MonthlyReport:
    """One month's report from the rows `monthly_reports` read for all its months."""
    slas = [s for s in all_slas
            if any(v.in_force and v.effective_from <= end and
                   (v.effective_until is None or v.effective_until >= month)
                   for v in s.versions.all())]
    levels = []
    for sla in slas:
        version = next((v for v in sla.versions.all() if v.governs(end)), None) or next(
            (v for v in sla.versions.all() if v.in_force and v.effective_from <= end), None)
        if version is not None:
            levels += [(sla.pk, sl) for sl in version.service_levels.all()]
    horizon = rules.add_months(month, -24)
    rows = [r for r in all_rows if horizon <= r.window_end <= last_closed]
    trends = defaultdict(dict)
    for r in rows:
        trends[(r.sla_id, levels_by_id[r.service_level_id].key)][r.window_start] = r
    level_rows = _level_rows(levels, trends, last_closed, since=_first_effective(slas))
    for row in level_rows.values():  # only the windows shown become instances
        row.evaluations = [instances(r) for r in row.evaluations]
    sla_by_id = {s.pk: s for s in slas}
    report_levels = [ReportLevel(sla_by_id[sla_id], level_rows[(sla_id, sl.pk)],
                                 [e for e in level_rows[(sla_id, sl.pk)].evaluations
                                  if e is not None and month <= e.window_end <= end])
                     for sla_id, sl in levels]

    terms = terms_finder(slas)
    credits, bonuses = incentives.ledger(
        _outcomes([r for r in rows if r.sla_id in sla_by_id], levels_by_id), terms)
    money = incentives.month_summary(month, credits, bonuses, terms, sla_by_id)

    as_of = min(rules.month_end(end + timedelta(days=1)), today)
    open_at_end = [a for a in actions if a.opened_on <= as_of
                   and (a.closed_on is None or a.closed_on > as_of)]
    required_ids = {pk for pk, window_end in called_for if month <= window_end <= end}
    required = [a for a in actions if a.pk in required_ids]
    latest_change = {}
    for change in all_changes:
        if month <= _local_day(change.history_date) <= end:
            latest_change.setdefault(change.id, change)
    taken = [(action_by_id[pk], change) for pk, change in latest_change.items()
             if pk in action_by_id]
    taken.sort(key=lambda item: item[1].history_date)
    disputes = [d for d in all_disputes
                if month <= _local_day(d.raised_at) <= end
                or (d.decided_at is not None and month <= _local_day(d.decided_at) <= end)]
    return MonthlyReport(vendor, month, end, today, report_levels, money, slas, open_at_end,
                         required, taken, disputes, is_complete=end < today)


# -- the portfolio page ----------------------------------------------------------------------


@dataclass
class VendorCompliance:
    vendor: Vendor
    months: list[dict | None]  # per month: rate (0-100), windows, breached, no_data

    @property
    def rates(self) -> list[float | None]:
        return [m["rate"] if m else None for m in self.months]

    @property
    def latest(self):
        return next((m for m in reversed(self.months) if m and m["rate"] is not None), None)


@dataclass
class Portfolio:
    months: list[date]
    compliance: list[VendorCompliance]
    breaches_this_month: list[Evaluation]
    breaches_last_month: int
    overdue_actions: list[CorrectiveAction]
    open_disputes: list[Dispute]
    reviews_due: list[SLA]
    missing_data: list[Evaluation]
    today: date = field(default_factory=timezone.localdate)
    more: dict = field(default_factory=dict)  # list name → True when it has more than LIST_LIMIT
    count: int = 0  # vendors in the compliance table, every page together
    page: int = 1


#: Rows of each "where SLAs need you" list; past it the list says there are more. Vendors
#: per page of the compliance table. Both keep the page the same size at any portfolio.
LIST_LIMIT = 20
PORTFOLIO_PAGE = 50


def _capped(queryset, name: str, more: dict) -> list:
    """The first LIST_LIMIT rows, in one query (one row more tells whether there are more)."""
    rows = list(queryset[:LIST_LIMIT + 1])
    more[name] = len(rows) > LIST_LIMIT
    return rows[:LIST_LIMIT]


def live_compliance_by_month(vendor_ids, first: date, last: date) -> dict:
    """{(vendor id, month): {rate, windows, breached, no_data}} computed now from the
    evaluations, in one query (what `compliance_by_month` reads stored). The rate is the
    weighted share of windows with data that were not breached (an excused breach counts as
    met); windows without data are counted apart, never as compliant."""
    return {key: _figures(*sums) for key, sums in
            compliance_sums(vendor_ids, first, last).items()}


#: What `MonthlyCompliance` stores of a vendor's month, in this order (`compliance_sums`).
COMPLIANCE_FIELDS = ("weight", "ok_weight", "windows", "breached", "no_data")


def compliance_sums(vendor_ids, first: date, last: date) -> dict[tuple, tuple]:
    """{(vendor id, month): the COMPLIANCE_FIELDS} of the evaluations whose window ended
    between `first` and `last`, in one aggregate query: what `sla.compliance` stores."""
    with_data = ~Q(status=EvaluationStatus.NO_DATA)
    ok = Q(status__in=OK_STATUSES) | Q(excused=True)
    rows = (Evaluation.objects.filter(vendor_id__in=vendor_ids,
                                      window_end__range=(first, last)).order_by()
            .annotate(month=TruncMonth("window_end")).values("vendor_id", "month")
            .annotate(weight=Sum("service_level__weight", filter=with_data),
                      ok_weight=Sum("service_level__weight", filter=with_data & ok),
                      windows=Count("id"),
                      breached=Count("id", filter=Q(status=EvaluationStatus.BREACHED,
                                                    excused=False)),
                      no_data=Count("id", filter=Q(status=EvaluationStatus.NO_DATA))))
    result = {}
    for row in rows:
        month = row["month"]
        month = month.date() if hasattr(month, "date") else month
        result[(row["vendor_id"], month)] = (row["weight"] or 0, row["ok_weight"] or 0,
                                             row["windows"], row["breached"], row["no_data"])
    return result


def _figures(weight: int, ok_weight: int, windows: int, breached: int, no_data: int) -> dict:
    return {"rate": round(100 * ok_weight / weight, 1) if weight else None,
            "windows": windows, "breached": breached, "no_data": no_data}


def compliance_by_month(vendor_ids_qs, first: date, last: date) -> dict:
    """{(vendor id, month): {rate, windows, breached, no_data}} of the
    months from `first`'s to `last`'s, read from the stored monthly compliance
    (`MonthlyCompliance`, kept current by the services: see `live_compliance_by_month` for
    the rule), in one query over a row per vendor and month, not over the evaluations."""
    rows = (MonthlyCompliance.objects.filter(vendor_id__in=vendor_ids_qs,
                                             month__range=(rules.month_start(first), last),
                                             windows__gt=0).order_by()
            .values_list("vendor_id", "month", *COMPLIANCE_FIELDS))
    return {(vendor_id, month): _figures(*figures) for vendor_id, month, *figures in rows}


def stored_compliance_differing(chunk: int = 200) -> list[tuple]:
    """(vendor id, month, stored sums, live sums) wherever the stored monthly compliance is
    missing or differs from the evaluations (what `manage.py recompliance --check` and the
    tests read), a chunk of vendors at a time, over every month."""
    vendor_ids = sorted(
        set(Evaluation.objects.order_by().values_list("vendor_id", flat=True).distinct())
        | set(MonthlyCompliance.objects.order_by().values_list("vendor_id", flat=True)
              .distinct()))
    stale = []
    for i in range(0, len(vendor_ids), chunk):
        ids = vendor_ids[i:i + chunk]
        live = compliance_sums(ids, date.min, date.max)
        stored = {(vendor_id, month): tuple(sums) for vendor_id, month, *sums in
                  MonthlyCompliance.objects.filter(vendor_id__in=ids, windows__gt=0)
                  .order_by().values_list("vendor_id", "month", *COMPLIANCE_FIELDS)}
        for key in sorted(set(live) | set(stored)):
            if live.get(key) != stored.get(key):
                stale.append((*key, stored.get(key), live.get(key)))
    return stale


def portfolio(user, *, today: date | None = None, months: int = 12, page: int | str | None = 1,
              per_page: int | None = PORTFOLIO_PAGE) -> Portfolio:
    """Where SLAs need the user (each list capped at LIST_LIMIT), and one page of the
    compliance table (`per_page=None`: every vendor, for the CSV), in a fixed number of
    queries however many vendors there are."""
    today = today or timezone.localdate()
    this_month = rules.month_start(today)
    month_list = [rules.add_months(this_month, -i) for i in range(months - 1, -1, -1)]
    vendors = access.vendors(user).filter(
        Exists(SLA.objects.filter(vendor=OuterRef("pk"))), archived_at__isnull=True
    ).order_by("name")
    count, number = None, 1
    if per_page is not None:
        try:
            number = max(1, int(page or 1))
        except (TypeError, ValueError):
            number = 1
        # The page and the number of vendors in one query (a window count runs before the
        # LIMIT); only a page past the end needs the count apart, then the last page.
        vendor_list = list(vendors.annotate(total=Window(Count("pk")))[
            (number - 1) * per_page:number * per_page])
        if vendor_list:
            count = vendor_list[0].total
        else:
            count = vendors.count()
            if count and number > 1:
                number = max(1, -(-count // per_page))
                vendor_list = list(vendors[(number - 1) * per_page:number * per_page])
    else:
        vendor_list = list(vendors)
    ids = [v.pk for v in vendor_list]
    data = compliance_by_month(ids, month_list[0], today)
    compliance = [VendorCompliance(v, [data.get((v.pk, m)) for m in month_list])
                  for v in vendor_list]
    evaluations = access.restrict(Evaluation.objects.all(), user)
    breaches = (evaluations.filter(status=EvaluationStatus.BREACHED, excused=False,
                                   window_end__gte=this_month)
                .select_related("vendor", "service_level", "corrective_action")
                .order_by("-window_end", "vendor__name"))
    last_month = rules.add_months(this_month, -1)
    more: dict = {}
    return Portfolio(
        months=month_list, compliance=compliance,
        breaches_this_month=_capped(breaches, "breaches", more),
        breaches_last_month=evaluations.filter(
            status=EvaluationStatus.BREACHED, excused=False,
            window_end__range=(last_month, this_month - timedelta(days=1))).count(),
        overdue_actions=_capped(access.restrict(CorrectiveAction.objects.all(), user).filter(
            status__in=[CorrectiveActionStatus.OPEN, CorrectiveActionStatus.IN_PROGRESS],
            due_on__lt=today).select_related("vendor", "owner", "sla").order_by("due_on", "pk"),
            "overdue_actions", more),
        open_disputes=_capped(access.restrict(Dispute.objects.all(), user).filter(
            status=DisputeStatus.OPEN).select_related("vendor", "evaluation__service_level",
                                                      "evaluation__vendor",
                                                      "raised_by"), "open_disputes", more),
        reviews_due=_capped(access.restrict(SLA.objects.all(), user).filter(
            archived_at__isnull=True, retired_on__isnull=True,
            review_due_on__lte=today + REVIEW_HORIZON).select_related("vendor")
            .order_by("review_due_on", "pk"), "reviews_due", more),
        missing_data=_capped(windows_missing_data(user, closed_since=today - timedelta(days=40)),
                             "missing_data", more),
        today=today, more=more, count=len(vendor_list) if count is None else count, page=number,
    )


def corrective_actions(user, *, vendor: Vendor | None = None) -> QuerySet[CorrectiveAction]:
    queryset = access.restrict(CorrectiveAction.objects.all(), user)
    if vendor is not None:
        queryset = queryset.filter(vendor=vendor)
    return queryset.select_related("owner", "sla", "vendor").annotate(
        breaches=Count("evaluations"))


def evaluation_history(evaluation: Evaluation, dispute: Dispute | None = None):
    """The evaluation's changes and its dispute's (`dispute`, when the page has it already)."""
    entries = record_history(evaluation)
    dispute = dispute or Dispute.objects.filter(evaluation=evaluation).first()
    if dispute is not None:
        dispute.evaluation = evaluation
        entries += record_history(dispute)
        entries.sort(key=lambda e: e.when, reverse=True)
    return entries



# -- governance agendas (sla/agenda.py) ------------------------------------------------------

# Worst first: what a review should talk about before the rest.
STATUS_ORDER = {EvaluationStatus.BREACHED: 0, EvaluationStatus.NO_DATA: 1,
                EvaluationStatus.AT_RISK: 2, EvaluationStatus.MET: 3}


@dataclass
class ClosedWindow:
    """A window of a service level in force that has closed, and its verdict (None while
    it has not been evaluated yet)."""

    sla: SLA
    service_level: ServiceLevel
    start: date
    end: date
    evaluation: Evaluation | None

    @property
    def label(self) -> str:
        return rules.window_label(self.service_level.window, self.start)

    @property
    def status(self) -> str:
        """The verdict as it counts: an excused breach counts as met; '' if not evaluated."""
        e = self.evaluation
        if e is None:
            return ""
        return EvaluationStatus.MET if e.excused else e.status


def windows_closed_between(vendor: Vendor, first: date, last: date) -> list[ClosedWindow]:
    """Every window of the vendor's SLAs (archived ones left out) whose last day lies in
    [first, last], with its evaluation, worst first; four queries whatever the history.
    `last` should be before today: later windows have not closed."""
    if last < first:
        return []
    levels, expected = {}, {}
    for sla in _slas(SLA.objects.filter(vendor=vendor, archived_at__isnull=True)):
        for version in sla.versions.all():
            if not version.in_force:
                continue
            for sl in version.service_levels.all():
                levels[sl.pk] = (sla, sl)
                for start in rules.windows_ending_between(sl.window, first, last):
                    end = rules.window_end(sl.window, start)
                    if version.governs(end):
                        expected[(sl.pk, start)] = ClosedWindow(sla, sl, start, end, None)
    for e in (Evaluation.objects.filter(vendor=vendor, window_end__range=(first, last),
                                        sla__archived_at__isnull=True)
              .select_related("corrective_action")):
        if e.service_level_id not in levels:
            continue
        sla, sl = levels[e.service_level_id]
        window = expected.setdefault((sl.pk, e.window_start),
                                     ClosedWindow(sla, sl, e.window_start, e.window_end, None))
        window.evaluation = e
    return sorted(expected.values(), key=lambda w: (
        STATUS_ORDER.get(w.status, 1), w.end, w.sla.reference, w.service_level.position,
        w.service_level.pk))


@dataclass
class ActionsForReview:
    """Corrective actions as a review meeting goes through them."""

    open: list[CorrectiveAction]  # open or in progress, the earliest due first
    done: list[tuple[CorrectiveAction, date | None]]  # awaiting our verification, since when
    closed: list[CorrectiveAction]  # verified or rejected between `first` and `last`


def corrective_actions_for_review(vendor: Vendor, *, first: date,
                                  last: date) -> ActionsForReview:
    """The vendor's corrective actions still open (with the day each one still awaiting
    verification was reported done) and those closed between `first` and `last`
    (inclusive); two queries whatever the history."""
    done, closed = CorrectiveActionStatus.DONE, (CorrectiveActionStatus.VERIFIED,
                                                 CorrectiveActionStatus.REJECTED)
    rows = list(CorrectiveAction.objects.filter(vendor=vendor).filter(
        Q(status__in=CORRECTIVE_ACTION_OPEN)
        | Q(status__in=closed, closed_on__range=(first, last)))
        .select_related("owner", "sla", "vendor").annotate(breaches=Count("evaluations"))
        .order_by("due_on", "id"))
    # The day each done action last became done: the start of its final run of "done" rows.
    done_since: dict[int, date] = {}
    for pk, status, when in (CorrectiveAction.history.filter(
            vendor_id=vendor.pk,
            id__in=CorrectiveAction.objects.filter(vendor=vendor, status=done).values("pk"))
            .order_by("id", "history_date", "history_id")
            .values_list("id", "status", "history_date")):
        if status != done:
            done_since.pop(pk, None)
        elif pk not in done_since:
            done_since[pk] = timezone.localtime(when).date()
    return ActionsForReview(
        open=[a for a in rows if a.status in (CorrectiveActionStatus.OPEN,
                                              CorrectiveActionStatus.IN_PROGRESS)],
        done=[(a, done_since.get(a.pk)) for a in rows if a.status == done],
        closed=sorted((a for a in rows if a.status in closed),
                      key=lambda a: (a.closed_on, a.pk)))


# -- scorecard measures fed from a service level (scorecards/services.py) ----------------------


def service_levels_to_feed(vendor: Vendor) -> QuerySet[ServiceLevel]:
    """The service levels a scorecard measure of `vendor` may be fed from: those of the
    version in effect of each of its SLAs that are not archived, one per SLA and key (a
    measure linked to one follows its key into the versions that supersede it)."""
    return (ServiceLevel.objects.filter(version__sla__vendor=vendor,
                                        version__status=VersionStatus.EFFECTIVE,
                                        version__sla__archived_at__isnull=True)
            .select_related("version__sla").order_by("version__sla__reference", "position",
                                                      "pk"))


def service_level_feed_problem(service_level_id: int, vendor_id: int) -> str:
    """Why the service level `service_level_id` cannot feed a scorecard measure of the
    vendor `vendor_id` ('' when it can). A draft's service levels may still change or be
    removed, so only those of versions in force can."""
    sl = (ServiceLevel.objects.select_related("version__sla")
          .filter(pk=service_level_id).first())
    if sl is None or sl.version.sla.vendor_id != vendor_id:
        return "This service level belongs to another vendor's SLA."
    if not sl.version.in_force:
        return (f"Version {sl.version.number} of {sl.version.sla.reference} is still "
                f"{sl.version.get_status_display().lower()}: link a service level of the "
                f"version in effect.")
    return ""


@dataclass(frozen=True)
class FeedLabel:
    """How a scorecard measure names the service level it is fed from: as that service
    level (same SLA, same key) reads in the SLA's version in effect."""

    service_level_id: int  # in the version in effect (the linked one, if that dropped it)
    sla_reference: str
    sla_name: str
    name: str
    comparator: str
    unit: str
    window: str
    rule: str
    url: str

    def __str__(self):
        return f"{self.sla_reference} · {self.name}"


def feed_labels(ids) -> dict[int, FeedLabel]:
    """{service level id: its FeedLabel} for `ids`: each followed into the version of its
    SLA in effect, where that version still has its key. One query (none when `ids` is
    empty): the linked service levels and, through subqueries, the effective ones of their
    SLAs with their keys."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return {}
    linked_rows = ServiceLevel.objects.filter(pk__in=ids)
    rows = list(ServiceLevel.objects.filter(
        Q(pk__in=ids) | Q(version__status=VersionStatus.EFFECTIVE,
                          version__sla_id__in=linked_rows.values("version__sla_id"),
                          key__in=linked_rows.values("key")))
        .select_related("version__sla__vendor"))
    linked = [sl for sl in rows if sl.pk in ids]
    current = {(sl.version.sla_id, sl.key): sl for sl in rows
               if sl.version.status == VersionStatus.EFFECTIVE}
    labels = {}
    for sl in linked:
        shown = current.get((sl.version.sla_id, sl.key), sl)
        sla = shown.version.sla
        labels[sl.pk] = FeedLabel(
            shown.pk, sla.reference, sla.name, shown.name, shown.comparator, shown.unit,
            shown.get_window_display(), shown.rule,
            reverse("sla:service_level", args=[sla.vendor.slug, shown.pk]))
    return labels


@dataclass(frozen=True)
class FeedWindow:
    """One evaluated window, as a scorecard measure fed from its service level reads it."""

    start: date
    end: date
    label: str
    status: str
    value: Decimal | None
    excused: bool
    comparator: str
    target: Decimal
    unit: str
    version: int  # the number of the SLA version that governed the window

    @property
    def counts_as_met(self) -> bool:
        return self.status == EvaluationStatus.MET or self.excused

    @property
    def value_text(self) -> str:
        return rules.with_unit(self.value, self.unit)


def windows_evaluated_since(since) -> dict[int, set[date]]:
    """{service level id: the last days of its windows evaluated (or re-evaluated) at or
    after `since`}, for every service level sharing an SLA and key with one of them (a
    scorecard measure linked to any version's service level reads them all; see
    feed_windows). Two queries; the first served by the index on `evaluated_at`."""
    touched = defaultdict(set)
    for sla_id, key, end in (Evaluation.objects.filter(evaluated_at__gte=since)
                             .values_list("sla_id", "service_level__key", "window_end")
                             .distinct()):
        touched[(sla_id, key)].add(end)
    if not touched:
        return {}
    found: dict[int, set[date]] = {}
    for pk, sla_id, key in ServiceLevel.objects.filter(
            version__sla_id__in={s for s, _ in touched},
            key__in={k for _, k in touched}).values_list("pk", "version__sla_id", "key"):
        if (sla_id, key) in touched:
            found[pk] = touched[(sla_id, key)]
    return found


def feed_windows(ids, first: date, last: date) -> dict[int, list[FeedWindow]]:
    """{service level id: its evaluated windows whose last day lies in [first, last], oldest
    first} for the service levels `ids`. A window is found by the service level's SLA and
    key, so windows governed by earlier or later versions of the SLA are found too, each
    with the terms of its own version. Two queries whatever the history."""
    links = {pk: (sla_id, key) for pk, sla_id, key in ServiceLevel.objects.filter(
        pk__in={pk for pk in ids if pk is not None}).values_list("pk", "version__sla_id", "key")}
    found = {pk: [] for pk in links}
    if not links or last < first:
        return found
    by_key = defaultdict(list)
    for pk, link in links.items():
        by_key[link].append(pk)
    for e in (Evaluation.objects.filter(sla_id__in={s for s, _ in by_key},
                                        service_level__key__in={k for _, k in by_key},
                                        window_end__range=(first, last))
              .select_related("service_level__version").order_by("window_start", "id")):
        sl = e.service_level
        window = FeedWindow(e.window_start, e.window_end, rules.window_label(sl.window,
                                                                             e.window_start),
                            e.status, e.value, e.excused, sl.comparator, sl.target, sl.unit,
                            sl.version.number)
        for pk in by_key.get((e.sla_id, sl.key), []):
            found[pk].append(window)
    return found


# -- dashboards: set-based reads across the vendors a person sees ----------------------------
# Each is one scoped query (or two), however many vendors there are; `vendor_ids` narrows
# them to a page of vendors (the ids must already be in the person's scope).


def _scoped(queryset, user, vendor_ids=None):
    path = getattr(queryset.model, "vendor_path", "vendor")
    queryset = access.restrict(queryset, user).filter(**{f"{path}__archived_at__isnull": True})
    return queryset if vendor_ids is None else queryset.filter(**{f"{path}_id__in": vendor_ids})


def breaches_between(user, first: date, last: date, *, vendor_ids=None) -> list[Evaluation]:
    """Unexcused breaches of windows that ended between `first` and `last`, newest first."""
    return list(_scoped(Evaluation.objects.filter(status=EvaluationStatus.BREACHED,
                                                  excused=False,
                                                  window_end__range=(first, last)),
                        user, vendor_ids)
                .select_related("vendor", "service_level", "corrective_action__vendor")
                .order_by("-window_end", "vendor__name", "pk"))


def compliance_for(user, first: date, last: date, *, vendor_ids=None) -> dict:
    """`compliance_by_month` of the vendors the person sees (or of `vendor_ids` among them)."""
    ids = access.vendors(user).filter(archived_at__isnull=True)
    if vendor_ids is not None:
        ids = ids.filter(pk__in=vendor_ids)
    return compliance_by_month(ids.values("pk"), first, last)


def compliance_trend(user, first: date, last: date) -> dict[date, float | None]:
    """The whole visible portfolio's compliance per month (weighted as
    `compliance_by_month`), in one aggregate query over the stored monthly compliance (a row
    per vendor and month, not every evaluation)."""
    rows = (_scoped(MonthlyCompliance.objects.filter(
        month__range=(rules.month_start(first), last), windows__gt=0), user)
            .order_by().values("month").annotate(weight=Sum("weight"),
                                                 ok_weight=Sum("ok_weight")))
    return {row["month"]: (round(100 * (row["ok_weight"] or 0) / row["weight"], 1)
                           if row["weight"] else None) for row in rows}


def disputes_awaiting_decision(user, *, vendor_ids=None) -> list[Dispute]:
    return list(_scoped(Dispute.objects.filter(status=DisputeStatus.OPEN), user, vendor_ids)
                .select_related("vendor", "evaluation__service_level", "evaluation__vendor",
                                "raised_by").order_by("raised_at", "pk"))


def corrective_actions_open(user, *, vendor_ids=None, vendor: Vendor | None = None
                            ) -> list[CorrectiveAction]:
    """Open and in-progress corrective actions, the longest overdue first. `vendor`: one
    vendor's (a page's, read through `vendors.access` already), not joined again."""
    rows = list(_scoped(CorrectiveAction.objects.filter(
        status__in=(CorrectiveActionStatus.OPEN, CorrectiveActionStatus.IN_PROGRESS)),
                        user, [vendor.pk] if vendor else vendor_ids)
                .select_related(*(() if vendor else ("vendor",)), "owner", "sla")
                .order_by("due_on", "pk"))
    for a in rows if vendor is not None else ():
        a.vendor = a.sla.vendor = vendor
    return rows


def corrective_actions_to_verify(user, *, vendor_ids=None) -> list[CorrectiveAction]:
    """Done by their owner, waiting for our verification."""
    return list(_scoped(CorrectiveAction.objects.filter(status=CorrectiveActionStatus.DONE),
                        user, vendor_ids)
                .select_related("vendor", "owner", "sla").order_by("due_on", "pk"))


@dataclass
class ClosingWindow:
    """A window of a service level in force that closes soon. Plain values (names, ids), not
    model instances: a home reads every service level of the vendors a person looks after
    (175 for 25 vendors) to find the few windows it shows."""

    service_level_id: int
    service_level_name: str
    vendor_name: str
    vendor_slug: str
    start: date
    end: date
    measurements: int
    links: "_VendorLinks" = field(repr=False, compare=False, default=None)

    @property
    def url(self) -> str:
        """The service level's page (reversed when shown: a home shows the first ten)."""
        return self.links.service_level(self.vendor_slug, self.service_level_id)

    @property
    def measurement_url(self) -> str:
        """Where to enter a measurement for the vendor."""
        return self.links.measurement_create(self.vendor_slug)


def windows_closing(user, first: date, last: date) -> list[ClosingWindow]:
    """The windows of the service levels in force that end between `first` and `last`, with
    how many measurements they hold so far (two queries), by end, vendor and name."""
    levels = list(_scoped(ServiceLevel.objects.filter(
        version__status=VersionStatus.EFFECTIVE, version__sla__archived_at__isnull=True),
        user).values_list("pk", "name", "window", "version__sla__vendor__name",
                          "version__sla__vendor__slug"))
    windows = [(level, start) for level in levels
               for start in rules.windows_ending_between(level[2], first, last)]
    counts = {}
    if windows:
        counts = {(r["service_level_id"], r["window_start"]): r["n"] for r in (
            Measurement.objects.filter(service_level_id__in={lv[0] for lv, _ in windows},
                                       window_start__gte=min(s for _, s in windows))
            .values("service_level_id", "window_start").annotate(n=Count("id")))}
    links = _VendorLinks()
    rows = [ClosingWindow(pk, name, vendor_name, slug, start, rules.window_end(kind, start),
                          counts.get((pk, start), 0), links)
            for (pk, name, kind, vendor_name, slug), start in windows]
    return sorted(rows, key=lambda w: (w.end, w.vendor_name, w.service_level_name))


class _VendorLinks:
    """URLs of a list's rows with one reverse() per vendor, not one per row (a home lists
    a window of every service level of every vendor the person looks after)."""

    def __init__(self):
        self._found: dict = {}

    def _once(self, name: str, slug: str, *args) -> str:
        key = (name, slug, *args)
        if key not in self._found:
            self._found[key] = reverse(name, args=[slug, *args])
        return self._found[key]

    def service_level(self, slug: str, pk: int) -> str:
        base = self._once("sla:service_level", slug, 0)
        return f"{base[:-2]}{pk}/" if base.endswith("/0/") else reverse(
            "sla:service_level", args=[slug, pk])

    def measurement_create(self, slug: str) -> str:
        return self._once("sla:measurement_create", slug)


# -- across vendors, for the warning signs (`signs`): each one query, whatever the number --
# of vendors. Callers pass the vendors they judge (a list of ids or a queryset of vendors);
# these are system reads, so scoping to a person is the caller's.


def latest_windows(vendor_ids, *, count: int) -> list[Evaluation]:
    """The newest `count` evaluated windows of each service level of these vendors' active
    SLAs, followed across SLA versions by the service level's key (newest first). One query:
    the windows are numbered per service level in the database."""
    rows = (Evaluation.objects
            .filter(vendor_id__in=vendor_ids, sla__archived_at__isnull=True,
                    sla__retired_on__isnull=True)
            .annotate(recency=Window(RowNumber(),
                                     partition_by=[F("sla_id"), F("service_level__key")],
                                     order_by=[F("window_start").desc(), F("pk").desc()]))
            .filter(recency__lte=count)
            .select_related("service_level", "sla")
            .order_by("vendor_id", "sla_id", "service_level__key", "-window_start"))
    return list(rows)


def corrective_actions_rejected(vendor_ids, *, since: date) -> list[CorrectiveAction]:
    """Corrective actions we rejected at verification on or after `since`."""
    return list(CorrectiveAction.objects
                .filter(vendor_id__in=vendor_ids, status=CorrectiveActionStatus.REJECTED,
                        closed_on__gte=since)
                .order_by("vendor_id", "-closed_on", "-pk"))


def slas_review_overdue(vendor_ids, *, today: date) -> list[SLA]:
    """Active SLAs whose review-due date has passed."""
    return list(SLA.objects.filter(vendor_id__in=vendor_ids, archived_at__isnull=True,
                                   retired_on__isnull=True, review_due_on__lt=today)
                .order_by("vendor_id", "review_due_on", "pk"))


def disputes_raised(vendor_ids, *, since) -> list[Dispute]:
    """Disputes of evaluations raised on or after `since` (a datetime), with the window."""
    return list(Dispute.objects.filter(vendor_id__in=vendor_ids, raised_at__gte=since)
                .select_related("evaluation__service_level")
                .order_by("vendor_id", "-raised_at", "-pk"))
