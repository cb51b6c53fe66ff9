"""What each home page, the vendor 360 and the quarterly review pack show, read from the
feature apps through their selectors only (never their models). Every block is a fixed
number of set-based queries, however many vendors the person sees (tests/dashboards/
test_queries.py counts them at two portfolio sizes)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import mean

from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When, Window
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from dashboards import quarters
from dashboards.models import PackJob
from governance import selectors as governance
from healthchecks import selectors as healthchecks
from scorecards import selectors as scorecards
from signs import selectors as signs
from sla import selectors as sla
from sla.rules import add_months, month_start
from vendorgov import charts
from vendors import access
from vendors import selectors as vendors

HEAT_MAP_PAGE = 10
#: Rows of each list on a home page, the most urgent first. Past it the block says how many
#: more there are and links to the page that lists them all: at 1,000 vendors a block holds
#: hundreds of rows, which nobody reads on a landing page (and which made it 136 KB).
HOME_ROWS = 10
MISSING_LOOKBACK = timedelta(days=92)
HEALTH_GREEN, HEALTH_AMBER = 4.0, 3.0  # on the surveys' 1–5 scale


# -- status of one vendor across the apps ----------------------------------------------------


@dataclass
class SlaStatus:
    """A vendor's SLA figure for the latest month that has evaluated windows."""

    month: date
    rate: float | None
    windows: int
    breached: int
    no_data: int

    @property
    def status(self) -> str:
        if self.breached:
            return "red"
        if self.rate is None:
            return "no_data"
        return "amber" if self.no_data else "green"

    @property
    def label(self) -> str:
        if self.breached:
            return f"{self.breached} breached"
        if self.rate is None:
            return "No data"
        return "Data missing" if self.no_data else "Met"


def sla_statuses(months: dict, vendor_ids, this_month: date) -> dict[int, SlaStatus]:
    """From `sla.compliance_for` over last month and this: per vendor, this month's figure if
    a window closed in it, else last month's."""
    last_month = add_months(this_month, -1)
    out = {}
    for vid in vendor_ids:
        for month in (this_month, last_month):
            row = months.get((vid, month))
            if row and row["windows"]:
                out[vid] = SlaStatus(month, row["rate"], row["windows"], row["breached"],
                                     row["no_data"])
                break
    return out


def health_status(score: float | None) -> str:
    if score is None:
        return "no_data"
    return "green" if score >= HEALTH_GREEN else "amber" if score >= HEALTH_AMBER else "red"


@dataclass
class VendorRow:
    vendor: object
    scorecard: object | None  # scorecards.PortfolioRow
    sla: SlaStatus | None
    health: object | None  # healthchecks.VendorHealth

    @property
    def overall(self):
        return self.scorecard.score.rolled if self.scorecard and self.scorecard.score else None

    @property
    def health_status(self) -> str:
        return health_status(self.health.last if self.health else None)

    @property
    def worst(self) -> int:
        """For sorting: red first, then amber, then the rest."""
        statuses = [self.overall.status if self.overall else "no_data",
                    self.sla.status if self.sla else "no_data", self.health_status]
        return min({"red": 0, "amber": 1}.get(str(s), 2) for s in statuses)

    def cell(self, name):
        return self.scorecard.cell(name) if self.scorecard else None


def vendor_rows(user, vendor_list, card_portfolio, today: date, health=None
                ) -> list[VendorRow]:
    """Scorecard, SLA and health-check status of `vendor_list` (three more queries; the
    health figures are read only if `health`, every visible vendor's, is not given)."""
    ids = [v.pk for v in vendor_list]
    this_month = month_start(today)
    months = sla.compliance_for(user, add_months(this_month, -1), today, vendor_ids=ids)
    sla_of = sla_statuses(months, ids, this_month)
    health_of = health if health is not None else healthchecks.health_by_vendor(
        user, vendors=vendor_list)
    card_of = {r.vendor.pk: r for r in card_portfolio.rows}
    return [VendorRow(v, card_of.get(v.pk), sla_of.get(v.pk), health_of.get(v.pk))
            for v in vendor_list]


# -- shared blocks ---------------------------------------------------------------------------


@dataclass
class Shown:
    """The first rows of a home page's block (iterating it gives them) and how many there are
    in all; `more` is the rest, for the block's link to the page that lists them."""

    rows: list
    total: int

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def shown(rows, limit: int = HOME_ROWS) -> Shown:
    """The first `limit` of rows already read (a person's own list, or one the block needs
    whole for its counts)."""
    rows = list(rows)
    return Shown(rows[:limit], len(rows))


def shown_of(queryset, limit: int = HOME_ROWS) -> Shown:
    """The first `limit` rows of a query and how many it has in all, in one query: the count
    is a window over the rows (COUNT(*) OVER ()), computed before the LIMIT. Not for a
    DISTINCT query (the window would count the rows before DISTINCT)."""
    rows = list(queryset.annotate(home_total=Window(Count("pk")))[:limit])
    return Shown(rows, rows[0].home_total if rows else 0)


def week_bounds(today: date):
    """Monday 00:00 to next Monday 00:00 of this week, in the site's time zone."""
    monday = today - timedelta(days=today.weekday())
    start = timezone.make_aware(datetime.combine(monday, time.min))
    return start, start + timedelta(days=7)


@dataclass
class FoundationBlocks:
    renewals: Shown
    stale_requests: Shown
    horizon_days: int = vendors.RENEWAL_HORIZON.days
    stale_days: int = vendors.STAFFING_REQUEST_STALE_AFTER.days


def foundation_blocks(user) -> FoundationBlocks:
    return FoundationBlocks(shown(vendors.renewals_due(user)),
                            shown_of(vendors.stale_staffing_requests(user)))


#: Warning signs on a home page: the worst ones, then a link to all of them.
SIGNS_SHOWN = 10


def signs_for(user, *, vendor=None):
    """The open warning signs the block shows, worst first (one query): a vendor's, or the
    worst `SIGNS_SHOWN` of everything the person sees. None for vendor users, who never see
    warning signs (signs/selectors.py says why), so the block is left out."""
    if getattr(user, "is_vendor_user", False):
        return None
    if vendor is not None:  # the vendor page's: its header has read them already
        return signs.signs_of_page_vendor(user, vendor)
    return list(signs.signs_open(user)[:SIGNS_SHOWN])


# -- the line manager's home -----------------------------------------------------------------


@dataclass
class LineHome:
    """Each list is its first `HOME_ROWS`, the most urgent first (`Shown`); the counts at the
    top are over all of them."""

    today: date
    vendors: Shown  # of VendorRow, worst first
    meetings: Shown
    action_items: Shown
    corrective_actions: Shown
    impediments: Shown
    breaches: Shown
    missing_windows: Shown
    missing_periods: Shown
    foundation: FoundationBlocks
    overdue_items: int = 0
    overdue_actions: int = 0
    signs: object = None


def line_home(user, *, today: date | None = None) -> LineHome:
    """Every list here is by day (this week, overdue on `today`), none by the hour: what the
    page shows changes with a write or with the date (dashboards/views/home.py keeps it)."""
    today = today or timezone.localdate()
    visible = list(access.vendors(user).filter(archived_at__isnull=True).order_by("name"))
    # The overall score of the last ended period only: no heat-map columns, no trend.
    _, label, _ = scorecards.portfolio_labels(user)
    card_portfolio = scorecards.portfolio_of(user, label, [v.pk for v in visible])
    rows = vendor_rows(user, visible, card_portfolio, today)
    start, end = week_bounds(today)
    impediments = governance.impediments_open(user)
    impediments.sort(key=lambda i: (-i.age_days, i.pk))
    action_items = governance.action_items_open(user, owner=user)
    corrective_actions = sla.corrective_actions_open(user)
    return LineHome(
        today=today,
        vendors=shown(sorted(rows, key=lambda r: (r.worst, r.vendor.name.lower()))),
        meetings=shown(governance.meetings_between(user, start, end, attendee=user)),
        action_items=shown(action_items),
        corrective_actions=shown(corrective_actions),
        impediments=shown(impediments),
        breaches=shown(sla.breaches_between(user, month_start(today), today)),
        missing_windows=shown_of(sla.windows_missing_data(user, closed_since=today
                                                          - MISSING_LOOKBACK)),
        missing_periods=shown(scorecards.periods_missing_actuals(
            user, ended_since=today - MISSING_LOOKBACK)),
        foundation=foundation_blocks(user),
        overdue_items=sum(1 for i in action_items if i.due_on < today),
        overdue_actions=sum(1 for a in corrective_actions if a.due_on < today),
        signs=signs_for(user),
    )


# -- the executive's home --------------------------------------------------------------------


@dataclass
class HeatPage:
    """One page of the heat map: the rows and what the pagination needs (a Paginator's page
    holds its query, which is not kept)."""

    object_list: list
    number: int
    num_pages: int

    @property
    def paginator(self):
        return self

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number < self.num_pages

    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


@dataclass
class ExecHome:
    today: date
    page: HeatPage  # of VendorRow
    perspective_names: list[str]
    label: str | None
    query: str
    only_red: bool
    changed: Shown  # of scorecards.StatusChange, those turned red first
    changed_labels: tuple[str, str] | None
    score_chart: str
    sla_chart: str
    health_chart: str
    trend_table: list[tuple[str, str]]  # (what, text) alternatives of the charts
    pipeline: list
    reviews: Shown
    foundation: FoundationBlocks
    signs: object = None
    total: int = 0
    reviews_hold_until: datetime | None = None  # the reviews listed change then (Upcoming)


def _trend_chart(labels, values, title, unit="", low=0.0, high=100.0) -> str:
    return mark_safe(charts.line_chart(labels, [charts.Series(title, values, "blue")],  # noqa: S308 - charts.py escapes every text it draws
                                       low=low, high=high, unit=unit, title=title,
                                       width=420, height=200))


def _mean(values):
    known = [float(v) for v in values if v is not None]
    return round(mean(known), 1) if known else None


REVIEWS_AHEAD = timedelta(days=92)


@dataclass
class Upcoming:
    """The quarterly reviews starting in the next `REVIEWS_AHEAD` (the first `HOME_ROWS`),
    as read at one moment, and until when that answer holds without a write: until the
    first of them starts (it leaves the list) or the first one after the horizon comes
    within it (it joins the count)."""

    reviews: Shown
    holds_until: datetime | None


def upcoming_reviews(user, *, now: datetime | None = None) -> Upcoming:
    """The quarterly reviews still to come (two queries: the first `HOME_ROWS` with their
    count, and the first one past the horizon, for `holds_until`)."""
    now = now or timezone.now()
    end = now + REVIEWS_AHEAD
    rows, total = governance.meetings_between_counted(user, now, end, tier="quarterly",
                                                      limit=HOME_ROWS)
    after = governance.meetings_between(user, end, end + REVIEWS_AHEAD, tier="quarterly",
                                        limit=1)
    ends = [rows[0].starts_at] if rows else []
    ends += [after[0].starts_at - REVIEWS_AHEAD] if after else []
    # With nothing past the horizon either, only a write (a new meeting) can change it.
    return Upcoming(Shown(rows, total), min(ends) if ends else None)


def exec_home(user, *, query: str = "", only_red: bool = False, page: int | str = 1,
              today: date | None = None) -> ExecHome:
    """The portfolio at a glance. The heat map shows one short page of vendors, those with
    a red scorecard first (filtered by name or to those with a red cell); the trends and
    changes cover every vendor seen, each one aggregate query on the stored figures (no
    vendor is scored on view), and only the page's vendors are read row by row. What it
    shows changes with a write, the date, or, for the upcoming reviews, the hour
    (`reviews_hold_until`; dashboards/views/home.py keeps the page until then)."""
    today = today or timezone.localdate()
    _, label, labels = scorecards.portfolio_labels(user)
    # Every vendor's health figures only for the red filter; else the page's.
    health = healthchecks.health_by_vendor(user) if only_red else None
    red_first = Case(When(pk__in=scorecards.red_vendor_ids(user, label), then=Value(0)),
                     default=Value(1), output_field=IntegerField())
    vendor_qs = access.vendors(user).filter(archived_at__isnull=True).order_by(red_first,
                                                                                "name")
    if query:
        vendor_qs = vendor_qs.filter(Q(name__icontains=query) | Q(slug__icontains=query))
    if only_red:
        vendor_qs = vendor_qs.filter(pk__in=_red_vendor_ids(user, label, today, health))
    paginator = Paginator(vendor_qs, HEAT_MAP_PAGE)
    page_obj = paginator.get_page(page)
    page_vendors = list(page_obj.object_list)
    card_portfolio = scorecards.portfolio_of(user, label, [v.pk for v in page_vendors])
    heat_page = HeatPage(vendor_rows(user, page_vendors, card_portfolio, today, health),
                         page_obj.number, paginator.num_pages)
    names = []
    for row in card_portfolio.rows:
        if row.score:
            for block in row.score.perspectives:
                if block.perspective.name not in names:
                    names.append(block.perspective.name)
    # trends across the portfolio
    averages = scorecards.average_scores(user, labels)
    score_values = [round(float(averages[lab]), 1) if averages.get(lab) is not None else None
                    for lab in labels]
    this_month = month_start(today)
    months = [add_months(this_month, -i) for i in range(11, -1, -1)]
    compliance = sla.compliance_trend(user, months[0], today)
    sla_values = [compliance.get(m) for m in months]
    recent = list(reversed(quarters.recent(today, 6)))
    by_quarter: dict = {}
    for closed_on, score in healthchecks.scores_closed_since(user, recent[0].first):
        if score is not None:
            by_quarter.setdefault(quarters.of(closed_on), []).append(score)
    health_values = [_mean(by_quarter.get(q, [])) for q in recent]
    # Short labels: three charts share a row, so each is narrow.
    month_labels = [m.strftime("%b") for m in months]
    quarter_labels = [f"Q{q.number} {q.year % 100:02d}" for q in recent]
    changed, changed_labels = _changes(user, labels)
    upcoming = upcoming_reviews(user)
    return ExecHome(
        today=today, page=heat_page, perspective_names=names, label=label,
        query=query, only_red=only_red, changed=changed, changed_labels=changed_labels,
        score_chart=_trend_chart([_short(lab) for lab in labels], score_values,
                                 "Average overall score"),
        sla_chart=_trend_chart(month_labels, sla_values, "SLA compliance", unit="%"),
        health_chart=_trend_chart(quarter_labels, health_values, "Average health-check score",
                                  low=1.0, high=5.0),
        trend_table=[
            ("Average overall score", _describe(labels, score_values)),
            ("SLA compliance (%)", _describe(month_labels, sla_values)),
            ("Average health-check score (1–5), by quarter closed",
             _describe(quarter_labels, health_values)),
        ],
        pipeline=governance.innovation_pipeline(user),
        reviews=upcoming.reviews, reviews_hold_until=upcoming.holds_until,
        foundation=foundation_blocks(user),
        signs=signs_for(user),
        total=paginator.count,
    )


def _short(label: str) -> str:
    """'2026-Q3' → 'Q3 26' (a month label stays as it is): room for it on a narrow chart."""
    year, _, rest = label.partition("-")
    return f"{rest} {year[2:]}" if rest.startswith("Q") else label


def _describe(labels, values) -> str:
    pairs = zip(labels, values, strict=True)
    return ", ".join(f"{lab} {'no data' if v is None else v}" for lab, v in pairs)


def _changes(user, labels) -> tuple[Shown, tuple[str, str] | None]:
    """The first `HOME_ROWS` vendors whose overall scorecard status differs between the last
    two periods, those turned red first, and how many changed: compared in SQL on the
    stored scores (one aggregate query), never row by row here."""
    if len(labels) < 2:
        return Shown([], 0), None
    last_two = (labels[-2], labels[-1])
    return Shown(*scorecards.overall_status_changes(user, *last_two, limit=HOME_ROWS)), last_two


def _red_vendor_ids(user, label, today, health) -> set[int]:
    red = scorecards.vendors_with_red(user, label)
    this_month = month_start(today)
    months = sla.compliance_for(user, add_months(this_month, -1), today)
    ids = {vid for vid, _ in months}
    red |= {vid for vid, s in sla_statuses(months, ids, this_month).items() if s.breached}
    red |= {vid for vid, h in health.items() if health_status(h.last) == "red"}
    return red


# -- operations' home ------------------------------------------------------------------------


@dataclass
class OpsHome:
    """Each list is its first `HOME_ROWS`, the most urgent first (`Shown`)."""

    today: date
    closing: Shown
    missing: Shown
    sla_disputes: Shown
    scorecard_disputes: Shown
    to_verify: Shown
    foundation: FoundationBlocks
    signs: object = None


def ops_home(user, *, today: date | None = None) -> OpsHome:
    today = today or timezone.localdate()
    return OpsHome(
        today=today,
        closing=shown(sla.windows_closing(user, today, today + timedelta(days=6))),
        # The block names each window's vendor and service level only: not joined to the
        # service level's version and SLA (two joins of a large table, planned per request).
        missing=shown_of(sla.windows_missing_data(user, closed_since=today - MISSING_LOOKBACK)
                         .select_related(None).select_related("vendor", "service_level")),
        sla_disputes=shown(sla.disputes_awaiting_decision(user)),
        scorecard_disputes=shown_of(scorecards.open_disputes(user)
                                    .filter(vendor__archived_at__isnull=True)
                                    .order_by("raised_at", "pk")),
        to_verify=shown(sla.corrective_actions_to_verify(user)),
        foundation=foundation_blocks(user),
        signs=signs_for(user),
    )


# -- a vendor user's home --------------------------------------------------------------------


#: The vendor user's home lists the reviews starting in the next four weeks.
VENDOR_REVIEWS_AHEAD = timedelta(days=28)
#: ... and reads one day past them, to know when the first of those joins the list.
VENDOR_REVIEWS_PAST = timedelta(days=1)


@dataclass
class VendorUserHome:
    """A vendor user's home, as read at one moment, and until when it holds without a write
    or a new day (`holds_until`): its reviews are "the next four weeks", so the list
    changes when the first of them starts or the next one comes within the four weeks."""

    vendor: object
    action_items: list
    corrective_actions: list
    impediments: list
    missing_windows: list
    meetings: list
    holds_until: datetime
    today: date = field(default_factory=timezone.localdate)


def vendor_user_home(user, *, today: date | None = None,
                     now: datetime | None = None) -> VendorUserHome:
    """Their own vendor's open items on their side. Scoped by `access` like every read, so
    nothing of another vendor can appear. The vendor is read here (not `user.vendor`, which
    another read may have loaded already), so a kept home knows it read the vendor's row."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    horizon = now + VENDOR_REVIEWS_AHEAD
    # One query for the reviews shown and for when the list next changes by the clock: the
    # day past the horizon is read too (a vendor has a meeting or two in it), and a review
    # beyond that day joins the list no sooner than a day from now.
    rows = governance.meetings_between(user, now, horizon + VENDOR_REVIEWS_PAST)
    meetings = [m for m in rows if m.starts_at < horizon]
    later = [m.starts_at - VENDOR_REVIEWS_AHEAD for m in rows if m.starts_at >= horizon]
    ends = [meetings[0].starts_at] if meetings else []
    ends.append(later[0] if later else now + VENDOR_REVIEWS_PAST)
    return VendorUserHome(
        vendor=access.vendors(user).filter(pk=user.vendor_id).first(),
        action_items=governance.action_items_open(user, side="vendor"),
        corrective_actions=sla.corrective_actions_open(user),
        impediments=governance.impediments_open(user),
        missing_windows=list(sla.windows_missing_data(user, closed_since=today
                                                      - MISSING_LOOKBACK)[:50]),
        meetings=meetings,
        holds_until=min(ends),
        today=today,
    )


# -- the vendor 360 --------------------------------------------------------------------------


@dataclass
class Vendor360:
    vendor: object
    internal: bool
    scorecard: object | None  # scorecards.ScoreSummary
    sla_months: list  # (month, row or None), oldest first
    sla_now: SlaStatus | None
    health: object | None
    reviews: list
    action_items: list
    corrective_actions: list
    impediments: list
    contacts: list
    assignments: list
    contracts: list
    score_chart: str = ""
    sla_chart: str = ""
    signs: object = None
    today: date = field(default_factory=timezone.localdate)

    @property
    def ours(self):
        return [i for i in self.action_items if i.side != "vendor"]

    @property
    def theirs(self):
        return [i for i in self.action_items if i.side == "vendor"]


def vendor_360(user, vendor, *, overview=None) -> Vendor360:
    """One vendor across every app; vendor users get only their side's view (the same
    scoped reads, without our internal figures such as corrective-action owners).
    `overview`: the vendor's `vendors.vendor_overview` (active records) when the page has
    read it already, so its tables are not read twice."""
    today = timezone.localdate()
    ids = [vendor.pk]
    # The stored scores (ScoredPeriod): the 360 shows the overall figures, not the measures.
    page = scorecards.score_summary_of(vendor)
    this_month = month_start(today)
    months = [add_months(this_month, -i) for i in range(5, -1, -1)]
    data = sla.compliance_for(user, months[0], today, vendor_ids=ids)
    sla_months = [(m, data.get((vendor.pk, m))) for m in months]
    overview = overview or vendors.vendor_overview(vendor)
    result = Vendor360(
        vendor=vendor, internal=not user.is_vendor_user, scorecard=page,
        sla_months=sla_months, sla_now=sla_statuses(data, ids, this_month).get(vendor.pk),
        health=healthchecks.health_by_vendor(user, vendor=vendor).get(vendor.pk),
        reviews=governance.reviews_by_tier(vendor),
        action_items=governance.action_items_open(user, vendor=vendor),
        corrective_actions=sla.corrective_actions_open(user, vendor=vendor),
        impediments=governance.impediments_open(user, vendor=vendor),
        contacts=overview.contacts, assignments=overview.assignments,
        contracts=overview.contracts, signs=signs_for(user, vendor=vendor), today=today)
    if page and len(page.trend) > 1:
        result.score_chart = _trend_chart([p.label for p, _ in page.trend],
                                          page.overall_trend_floats, "Overall score")
    rates = [row["rate"] if row else None for _, row in sla_months]
    if any(r is not None for r in rates):
        result.sla_chart = _trend_chart([m.strftime("%b %y") for m in months], rates,
                                        "SLA compliance", unit="%")
    return result


# -- the quarterly review pack ---------------------------------------------------------------


@dataclass
class Pack:
    vendor: object
    quarter: quarters.Quarter
    today: date
    scorecard: object | None  # scorecards.ScorecardPage for the quarter
    sla_months: list  # sla.MonthlyReport per month of the quarter
    corrective_actions: object  # sla.ActionsForReview
    innovations: list
    pipeline: list
    health: object | None
    decisions: list  # decisions taken in the quarter's meetings
    decisions_needed: list[dict]
    action_items: list
    score_chart: str = ""
    sla_chart: str = ""
    signs: object = None

    @property
    def money_rows(self):
        return [(report.month, sla_, money) for report in self.sla_months
                for sla_, money in report.money_rows]

    @property
    def level_rows(self):
        return [(report.month, level) for report in self.sla_months for level in report.levels]

    @property
    def value_estimated(self) -> dict:
        return _by_currency(self.innovations, "estimated_value")

    @property
    def value_realised(self) -> dict:
        return _by_currency(self.innovations, "realised_value")


def _by_currency(items, attribute) -> dict:
    totals: dict = {}
    for s in items:
        value = getattr(s, attribute)
        if value is not None:
            totals[s.currency] = totals.get(s.currency, 0) + value
    return totals


def pack_quarter(label: str | None, today: date | None = None) -> quarters.Quarter:
    today = today or timezone.localdate()
    return quarters.parse(label, default=quarters.last_complete(today))


def pack(user, vendor, quarter: quarters.Quarter) -> Pack:
    """Everything the quarterly review pack of `vendor` for `quarter` shows, in a fixed
    number of queries (the vendor's own records only)."""
    today = timezone.localdate()
    card = scorecards.scorecard_of(vendor)
    page = scorecards.scorecard_page(card, quarter.label) if card else None
    reports = sla.monthly_reports(vendor, quarter.months, today=today)
    start = timezone.make_aware(datetime.combine(quarter.first, time.min))
    end = timezone.make_aware(datetime.combine(quarter.last + timedelta(days=1), time.min))
    ids = [vendor.pk]
    impediments = governance.impediments_open(user, vendor_ids=ids)
    needed = (
        [{"what": f"SLA dispute: {d.evaluation.service_level}", "detail": d.reason[:140],
          "url": d.evaluation.get_absolute_url(), "kind": "Dispute awaiting a decision"}
         for d in sla.disputes_awaiting_decision(user, vendor_ids=ids)]
        + [{"what": f"Scorecard dispute: {d.actual.measure}", "detail": d.actual.period.label,
            "url": reverse("scorecards:measure", args=[vendor.slug, d.actual.measure_id]),
            "kind": "Dispute awaiting a decision"}
           for d in scorecards.open_disputes(user).filter(vendor=vendor)]
        + [{"what": s.title, "detail": s.get_status_display(), "url": s.get_absolute_url(),
            "kind": "Innovation to assess"}
           for s in governance.suggestions(vendor, state="open")]
        + [{"what": i.title, "detail": f"open {i.age_days} days, {i.escalation_label}",
            "url": i.get_absolute_url(), "kind": "Impediment due for escalation"}
           for i in impediments if i.flagged]
        + [{"what": f"{a.title}", "detail": f"{a.get_status_display()}",
            "url": a.get_absolute_url(), "kind": "Corrective action to verify"}
           for a in sla.corrective_actions_to_verify(user, vendor_ids=ids)]
    )
    result = Pack(
        vendor=vendor, quarter=quarter, today=today, scorecard=page, sla_months=reports,
        corrective_actions=sla.corrective_actions_for_review(vendor, first=quarter.first,
                                                             last=quarter.last),
        innovations=governance.suggestions_decided(vendor, quarter.first, quarter.last),
        pipeline=governance.innovation_pipeline(user, vendor_ids=ids),
        health=healthchecks.health_by_vendor(user, vendor_ids=ids).get(vendor.pk),
        decisions=governance.decisions_between(vendor, start, end),
        decisions_needed=needed,
        action_items=governance.action_items_open(user, vendor_ids=ids),
        signs=signs_for(user, vendor=vendor),
    )
    if page and page.trend:
        result.score_chart = _trend_chart([p.label for p, _ in page.trend],
                                          page.overall_trend_floats, "Overall score")
    months = [add_months(quarter.first, -i) for i in range(9, -3, -1)]
    data = sla.compliance_for(user, months[0], quarter.last, vendor_ids=ids)
    rates = [(data.get((vendor.pk, m)) or {}).get("rate") for m in months]
    if any(r is not None for r in rates):
        result.sla_chart = _trend_chart([m.strftime("%b") for m in months], rates,
                                        "SLA compliance", unit="%")
    return result


def pack_vendors(user):
    """The vendors a portfolio pack covers: every live vendor the person sees."""
    return list(access.vendors(user).filter(archived_at__isnull=True).order_by("name"))


def may_see_pack(user) -> bool:
    """The pack holds our internal view (corrective actions, decisions needed): our people
    only."""
    return user.is_authenticated and not user.is_vendor_user


def pack_job_get(user, pk) -> PackJob:
    """One of the person's own pack jobs (404 for anyone else's)."""
    return get_object_or_404(PackJob, pk=pk, requested_by=user)


def pack_jobs(user) -> list[PackJob]:
    return list(PackJob.objects.filter(requested_by=user)[:10])

