"""The scorecards of the demo portfolio (found by `vendors.demo.Demo.load()`).

Vera keeps a default template with the five usual perspectives and applies it to the main
vendors when the programme starts. Each quarter since, the vendors report their figures
(the vendor users Alice, Charlie and Diego through their own accounts), our operations
people add what we measure ourselves, the relationship owners approve, and Vera locks the
quarter once its review is held. The latest quarter is reported but not yet reviewed.

The stories the figures tell:

* Meridian is steady and green — but for the latest quarter it reports 99.95 % service
  availability while our monitoring measured 98.9 %: self-reported green, measured red.
  Alice disputes our measurement (open); an earlier dispute about incident resolution was
  upheld and the value corrected.
* Kestrel's change failures and cost overruns were red and are recovering, but the
  relationship has turned red as the renewal nears; its latest figures await Liam's
  approval.
* Brightdesk never reported its latest savings (missing, shown as "No data"), and Lena sent
  back its staff-retention figure for evidence before approving it.
* Lumen's scorecard diverged from the template: savings re-targeted for a small vendor,
  root-cause analysis retired mid-way (its history stays), a data-load measure added.
* Sentinel is onboarding: its scorecard starts this quarter, with no data yet.
* Meridian, Kestrel and Brightdesk, which have SLAs (sla/demo.py), have one or two measures
  fed from their SLA service levels: derived from the evaluated windows each quarter, never
  entered. Meridian's P1 resolution is followed through the SLA version that tightened its
  target; Kestrel's excused month-end close breach counts as met; Brightdesk's slow weeks
  turn its answer-time measure red.

Everything goes through `scorecards.services`, by the person who did it, on the day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError

from scorecards import services
from scorecards.choices import DataSource, Direction, Frequency, PeriodType
from scorecards.models import (
    Measure,
    Period,
    Scorecard,
    ScorecardTemplate,
    TemplateMeasure,
    TemplateObjective,
    TemplatePerspective,
    period_bounds,
)
from sla import selectors as sla_selectors

HIGHER, LOWER = Direction.HIGHER, Direction.LOWER
VENDOR, INTERNAL, SLA = DataSource.VENDOR, DataSource.INTERNAL, DataSource.SLA
TEMPLATE_NAME = "Standard IT outsourcing scorecard"


@dataclass(frozen=True)
class M:
    key: str
    name: str
    definition: str
    unit: str
    direction: str
    target: str
    amber: str
    red: str
    weight: int
    owner: str
    source: str
    low: str | None = None
    high: str | None = None
    frequency: str = Frequency.QUARTERLY


# (perspective, weight, [(objective, weight, [measures])])
DEFAULT_TEMPLATE = [
    ("Financial / value", 20, [
        ("Value for money", 1, [
            M("cost", "Run cost against budget",
              "Invoiced run cost of the quarter as a share of the budgeted run cost "
              "(projects excluded).", "%", LOWER, "100", "103", "108", 60,
              "Vendor manager", INTERNAL, low="0"),
            M("savings", "Savings delivered",
              "Recurring savings the vendor delivered this quarter (annualised), as agreed "
              "in the benefits log.", "EUR k", HIGHER, "150", "100", "50", 40,
              "Vendor manager", VENDOR, low="0"),
        ]),
    ]),
    ("Customer / service quality", 30, [
        ("Reliable services", 2, [
            M("availability", "Service availability",
              "Availability of the business-critical services in business hours, planned "
              "maintenance excluded.", "%", HIGHER, "99.9", "99.5", "99", 50,
              "Operations lead", VENDOR, low="0", high="100", frequency=Frequency.MONTHLY),
            M("resolution", "Incidents resolved within target",
              "Share of P1–P3 incidents resolved within their target time, clock stopped "
              "while waiting for us.", "%", HIGHER, "95", "90", "80", 30,
              "Operations lead", INTERNAL, low="0", high="100", frequency=Frequency.MONTHLY),
        ]),
        ("Satisfied users", 1, [
            M("csat", "User satisfaction (CSAT)",
              "Average score of the post-ticket survey, 1 (poor) to 5 (excellent).", "/5",
              HIGHER, "4.3", "4", "3.6", 1, "Service owner", INTERNAL, low="1", high="5"),
        ]),
    ]),
    ("Internal process", 20, [
        ("Stable change", 1, [
            M("change_fail", "Changes causing incidents",
              "Share of implemented changes that caused an incident within 7 days.", "%",
              LOWER, "3", "5", "8", 50, "Change manager", VENDOR, low="0", high="100"),
            M("rca", "Problems closed with root cause",
              "Share of problem records closed with a verified root cause and fix.", "%",
              HIGHER, "80", "70", "50", 50, "Problem manager", VENDOR, low="0", high="100"),
        ]),
    ]),
    ("Learning, growth & innovation", 15, [
        ("Innovation and people", 1, [
            M("suggestions", "Innovation suggestions submitted",
              "Improvement or automation ideas submitted with an estimated benefit.",
              "ideas", HIGHER, "3", "2", "1", 50, "Vendor manager", VENDOR, low="0"),
            M("retention", "Key staff retained",
              "Share of the named key people still on our account at quarter end.", "%",
              HIGHER, "95", "90", "80", 50, "Line manager", VENDOR, low="0", high="100"),
        ]),
    ]),
    ("Relationship", 15, [
        ("Trust and transparency", 1, [
            M("health", "Relationship health survey",
              "Average of our stakeholders' pulse survey on trust, transparency and "
              "communication, 1 to 5.", "/5", HIGHER, "4", "3.5", "3", 60, "Line manager",
              INTERNAL, low="1", high="5"),
            M("escalations", "Escalations to vendor management",
              "Issues we had to escalate beyond the account executive.", "count", LOWER,
              "0", "1", "3", 40, "Line manager", INTERNAL, low="0"),
        ]),
    ]),
]

# Measures fed from the service levels of the SLA demo, by vendor: M.key is the service
# level's key; they go under "Reliable services", beside service availability.
SLA_FED = {
    "meridian": [
        M("p1-resolution", "P1 incident resolution (SLA)",
          "From the SLA: the slowest month of the quarter for resolving P1 incidents (95th "
          "percentile, hours).", "h", LOWER, "4", "5", "6", 20, "Operations lead", SLA,
          low="0"),
        M("dc-availability", "Data centre availability (SLA)",
          "From the SLA: the weakest month of the quarter for data centre availability.", "%",
          HIGHER, "99.95", "99.9", "99.8", 20, "Operations lead", SLA, low="0", high="100"),
    ],
    "kestrel": [
        M("p1-resolution", "P1 resolution time (SLA)",
          "From the SLA: the slowest month of the quarter for resolving P1 incidents (90th "
          "percentile, business hours).", "h", LOWER, "8", "10", "12", 20, "Operations lead",
          SLA, low="0"),
        M("month-end-close", "Month-end close defects (SLA)",
          "From the SLA: the worst month-end close of the quarter, in defects reaching "
          "production.", "defects", LOWER, "0", "0", "1", 20, "Operations lead", SLA,
          low="0"),
    ],
    "brightdesk": [
        M("answer-time", "Calls answered within 60 seconds (SLA)",
          "From the SLA: the weakest week of the quarter for calls answered within 60 "
          "seconds.", "%", HIGHER, "85", "82", "80", 20, "Service owner", SLA, low="0",
          high="100"),
    ],
}

# Figures of the last completed quarters, oldest first: a value, or (vendor reported,
# we measured), or None (not reported).
FIGURES = {
    "meridian": {
        "cost": ["101.5", "100.8", "99.6", "99.2"],
        "savings": ["120", "140", "165", "180"],
        "availability": [("99.93", None), ("99.95", "99.91"), ("99.96", "99.88"),
                         ("99.95", "98.9")],
        "resolution": ["92", "86", "93", "94"],
        "csat": ["4.1", "4.2", "4.3", "4.4"],
        "change_fail": ["4.2", "3.8", "3.1", "2.9"],
        "rca": ["72", "78", "81", "85"],
        "suggestions": ["2", "3", "1", "3"],
        "retention": ["93", "95", "96", "97"],
        "health": ["3.8", "3.9", "4.1", "4"],
        "escalations": ["1", "0", "0", "1"],
    },
    "kestrel": {
        "cost": ["104.2", "106.5", "109.1", "105"],
        "savings": ["60", "80", "95", "110"],
        "availability": ["99.7", "99.4", "99.6", "99.8"],
        "resolution": ["82", "78", "85", "88"],
        "csat": ["3.7", "3.5", "3.8", "3.9"],
        "change_fail": ["9.5", "8.2", "6", "4.5"],
        "rca": ["55", "60", "68", "74"],
        "suggestions": ["1", "0", "1", "2"],
        "retention": ["88", "84", "90", "92"],
        "health": ["3.2", "3", "3.3", "2.9"],
        "escalations": ["3", "4", "2", "3"],
    },
    "brightdesk": {
        "cost": ["98", "97.5", "99", "100.5"],
        "savings": ["30", "45", "60", None],
        "availability": ["99.95", "99.97", "99.9", "99.92"],
        "resolution": ["94", "96", "95", "97"],
        "csat": ["3.9", "4", "3.95", "4.05"],
        "change_fail": ["2", "2.5", "1.8", "2.2"],
        "rca": ["82", "85", "80", "83"],
        "suggestions": ["2", "2", "3", "1"],
        "retention": ["91", "89", "92", "94"],
        "health": ["4.2", "4.1", "4.3", "4.4"],
        "escalations": ["0", "0", "1", "0"],
    },
    "lumen": {
        "cost": ["97", "96", "98", "99"],
        "savings": ["30", "35", "45", "50"],
        "availability": ["99.9", "99.93", "99.85", "99.95"],
        "resolution": ["96", "95", "97", "98"],
        "csat": ["4.4", "4.3", "4.5", "4.4"],
        "change_fail": ["2.5", "3.5", "2", "1.5"],
        "rca": ["75", "80", None, None],
        "suggestions": ["1", "2", "1", "2"],
        "retention": ["100", "100", "95", "100"],
        "health": ["4.3", "4.4", "4.2", "4.5"],
        "escalations": ["0", "0", "0", "0"],
        "loads": [None, None, "97.5", "99.1"],
    },
}

# Why a figure was amber or red: what the reporter wrote.
COMMENTS = {
    "cost": "Over budget: unplanned capacity for the month-end peak; recovery plan agreed.",
    "savings": "Savings slipped: the automation backlog was delayed by the release freeze.",
    "availability": "Two outages of the order service; problem records opened.",
    "resolution": "Backlog after the storage incident; extra shift added.",
    "csat": "Survey comments point at slow call-backs; coaching under way.",
    "change_fail": "Failed changes in the SAP transport path; new pre-checks from next month.",
    "rca": "Several problems closed without a verified fix; reopened for review.",
    "suggestions": "Fewer ideas this quarter: the team was busy with the migration.",
    "retention": "Two key people left for another client; replacements onboarding.",
    "health": "Stakeholders mention missed commitments on the roadmap.",
    "escalations": "Escalated the repeated change failures to the delivery director.",
    "loads": "Late loads after the source system upgrade.",
}

PEOPLE = {
    # vendor key: (vendor user or None, our operations person, relationship owner)
    "meridian": ("alice", "olga", "liam"),
    "kestrel": ("charlie", "omar", "liam"),
    "brightdesk": ("diego", "olga", "lena"),
    "lumen": (None, "omar", "luca"),
}


def create_default_template(*, by=None) -> ScorecardTemplate:
    """The default template (five perspectives), through the services."""
    template = services.template_create(
        by=by, name=TEMPLATE_NAME, period_type=PeriodType.QUARTERLY,
        description="The five usual perspectives for an IT outsourcing relationship, with "
                    "measures every vendor reports each quarter. Re-target and re-weight per "
                    "vendor after applying it.")
    for p_pos, (p_name, p_weight, objectives) in enumerate(DEFAULT_TEMPLATE, start=1):
        perspective = services.part_create(TemplatePerspective, by=by, template=template,
                                           name=p_name, weight=Decimal(p_weight),
                                           position=p_pos)
        for o_pos, (o_name, o_weight, measures) in enumerate(objectives, start=1):
            objective = services.part_create(TemplateObjective, by=by, perspective=perspective,
                                             name=o_name, weight=Decimal(o_weight),
                                             position=o_pos)
            for m_pos, m in enumerate(measures, start=1):
                services.part_create(
                    TemplateMeasure, by=by, objective=objective, name=m.name,
                    definition=m.definition, unit=m.unit, direction=m.direction,
                    target=Decimal(m.target), amber_threshold=Decimal(m.amber),
                    red_threshold=Decimal(m.red), weight=Decimal(m.weight), owner=m.owner,
                    data_source=m.source, frequency=m.frequency, position=m_pos,
                    min_value=None if m.low is None else Decimal(m.low),
                    max_value=None if m.high is None else Decimal(m.high))
    return template


def _measure_keys() -> dict[str, M]:
    return {m.key: m for _, _, objectives in DEFAULT_TEMPLATE for _, _, ms in objectives
            for m in ms}


def schedule(demo) -> None:
    d = demo.dates
    applied_on = d.programme_start + timedelta(days=30)
    _, starts_on, _ = period_bounds(PeriodType.QUARTERLY, applied_on)
    quarters = _completed_quarters(starts_on, demo.today)
    refs = demo.refs

    def set_up():
        vera = demo.user("vera")
        refs["scorecard_template"] = template = create_default_template(by=vera)
        for key in FIGURES:
            services.template_apply(template, vendor=demo.vendor(key), by=vera,
                                    starts_on=starts_on)

    demo.at(applied_on, set_up)
    demo.at(max(d.days(-30), applied_on), lambda: _set_up_sentinel(demo))
    for index, (label, end) in enumerate(quarters):
        latest = index == len(quarters) - 1
        offset = len(quarters) - index  # 1 for the latest quarter
        for key in FIGURES:
            _schedule_quarter(demo, key, label, end, -offset, latest)
        if not latest:
            demo.at(_day(demo, end, 21), lambda label=label: _lock_all(demo, label))
    _schedule_lumen_divergence(demo, quarters)
    _schedule_sla_fed(demo, max(applied_on, d.days(-403)), quarters)
    demo.at(demo.today, lambda: [services.scorecard_periods_ensure(scorecard=s)
                                 for s in Scorecard.objects.all()])
    demo.at(demo.today, lambda: services.actuals_derive_from_sla())


def _set_up_sentinel(demo):
    """Onboarding: its scorecard starts with the current quarter, no figures yet."""
    services.template_apply(demo.refs["scorecard_template"], vendor=demo.vendor("sentinel"),
                            by=demo.user("vera"), starts_on=demo.today)


def _completed_quarters(starts_on: date, today: date) -> list[tuple[str, date]]:
    quarters, day = [], starts_on
    while True:
        label, _, end = period_bounds(PeriodType.QUARTERLY, day)
        if end >= today:
            return quarters[-4:]
        quarters.append((label, end))
        day = end + timedelta(days=1)


def _day(demo, end: date, days: int) -> date:
    return min(end + timedelta(days=days), demo.today)


def _period(vendor, label) -> Period:
    scorecard = Scorecard.objects.get(vendor=vendor)
    services.scorecard_periods_ensure(scorecard=scorecard)
    return scorecard.periods.get(label=label)


def _measure(vendor, name) -> Measure | None:
    return Measure.objects.filter(vendor=vendor, name=name).first()


def _schedule_quarter(demo, key: str, label: str, end: date, index: int, latest: bool):
    """Report (vendor, then us), approve: what happened to one vendor in one quarter."""
    figures = FIGURES[key]
    vendor_user, ops, owner = PEOPLE[key]
    measures = _measure_keys()
    domain = next(s.domain for s in demo.specs if s.key == key)

    def report(side):
        vendor = demo.vendor(key)
        period = _period(vendor, label)
        for mkey, values in figures.items():
            value = values[index]
            spec = measures.get(mkey)
            name = spec.name if spec else LUMEN_LOADS["name"]
            measure = _measure(vendor, name)
            if value is None or measure is None or measure.is_archived \
                    or not measure.counts_in(period):
                continue
            reported, measured = value if isinstance(value, tuple) else (
                (value, None) if measure.data_source == VENDOR else (None, value))
            if side == "vendor" and reported is not None:
                by = demo.user(vendor_user or ops)
                evidence = f"https://reports.{domain}/service-review/{label}.pdf"
                _record(measure, period, by, vendor_value=Decimal(reported),
                        evidence_url=evidence, submit=True)
            if side == "ours" and measured is not None:
                _record(measure, period, demo.user(ops), internal_value=Decimal(measured),
                        submit=True)

    demo.at(_day(demo, end, 6), lambda: report("vendor"))
    demo.at(_day(demo, end, 8), lambda: report("ours"))
    story = STORIES.get((key, index))
    if story:
        story(demo, key, label, end)
    if not (latest and key == "kestrel"):
        demo.at(_day(demo, end, 12), lambda: _approve_all(demo, key, label, owner))
    else:
        # Kestrel's latest figures: ours approved, theirs still awaiting Liam.
        demo.at(_day(demo, end, 12), lambda: _approve_all(demo, key, label, owner,
                                                          only_source=INTERNAL))


def _record(measure, period, by, **fields):
    """Report a figure; amber and red figures come with the reporter's explanation."""
    try:
        return services.actual_record(measure=measure, period=period, by=by, **fields)
    except ValidationError as error:
        if "comment" not in error.message_dict:
            raise
        key = next((k for k, m in _measure_keys().items() if m.name == measure.name), "loads")
        return services.actual_record(measure=measure, period=period, by=by,
                                      comment=COMMENTS[key], **fields)


def _approve_all(demo, key, label, owner, only_source=None):
    vendor = demo.vendor(key)
    period = _period(vendor, label)
    for actual in period.actuals.filter(status="submitted").select_related("measure"):
        if only_source and actual.measure.data_source != only_source:
            continue
        services.actual_approve(actual, by=demo.user(owner))


def _lock_all(demo, label):
    vera = demo.user("vera")
    for key in FIGURES:
        period = _period(demo.vendor(key), label)
        services.period_lock(period, by=vera,
                             note=f"Reviewed in the {label} quarterly review.")


# -- the stories ----------------------------------------------------------------------------


def _meridian_dispute_upheld(demo, key, label, end):
    """An earlier quarter: Alice disputes our incident-resolution figure; Liam upholds it."""

    def dispute():
        vendor = demo.vendor(key)
        actual = _period(vendor, label).actuals.get(
            measure__name="Incidents resolved within target")
        demo.refs[("dispute", key, label)] = services.dispute_raise(
            actual=actual, by=demo.user("alice"),
            reason="23 tickets were on hold waiting for your change approvals; the clock "
                   "should stop then. Our own count gives 91 %.")

    def resolve():
        services.dispute_resolve(
            demo.refs[("dispute", key, label)], by=demo.user("liam"), outcome="upheld",
            resolution="Agreed after checking the tickets: the on-hold time was ours. "
                       "Corrected to 91 %.", corrected_value=Decimal("91"))

    demo.at(_day(demo, end, 14), dispute)
    demo.at(_day(demo, end, 18), resolve)


def _meridian_dispute_open(demo, key, label, end):
    """The latest quarter: Meridian says 99.95 %, we measured 98.9 %; Alice disputes."""

    def dispute():
        vendor = demo.vendor(key)
        actual = _period(vendor, label).actuals.get(measure__name="Service availability")
        services.dispute_raise(
            actual=actual, by=demo.user("alice"),
            reason="The 9-hour outage on the order service was the storage firmware upgrade "
                   "agreed in CAB as planned maintenance; it should be excluded.")

    demo.at(_day(demo, end, 13), dispute)


def _brightdesk_sent_back(demo, key, label, end):
    """Lena sends the retention figure back for evidence; Diego adds it and resubmits."""

    def send_back():
        actual = _period(demo.vendor(key), label).actuals.get(measure__name="Key staff retained")
        services.actual_send_back(actual, by=demo.user("lena"),
                                  reason="Please attach the named key-person list at quarter "
                                         "end, as schedule 7 asks.")

    def resubmit():
        vendor = demo.vendor(key)
        measure = _measure(vendor, "Key staff retained")
        services.actual_record(
            measure=measure, period=_period(vendor, label), by=demo.user("diego"),
            comment="Key-person list attached: 16 of 17 named people still on the account.",
            evidence_url="https://portal.brightdesk.example/key-people/" + label,
            submit=True)

    demo.at(_day(demo, end, 9), send_back)
    demo.at(_day(demo, end, 10), resubmit)


STORIES = {
    ("meridian", -3): _meridian_dispute_upheld,
    ("meridian", -1): _meridian_dispute_open,
    ("brightdesk", -1): _brightdesk_sent_back,
}

LUMEN_LOADS = {"name": "Data loads on time"}


def _schedule_lumen_divergence(demo, quarters):
    """Lumen's scorecard leaves the template: re-targeted, one measure retired, one added."""
    if len(quarters) < 3:
        return
    _, second_end = quarters[-3]

    def diverge():
        vera, vendor = demo.user("vera"), demo.vendor("lumen")
        savings = _measure(vendor, "Savings delivered")
        services.part_update(savings, by=vera, target=Decimal("40"),
                             amber_threshold=Decimal("25"), red_threshold=Decimal("10"),
                             change_reason="Re-targeted for a vendor of Lumen's size.")
        services.part_retire(_measure(vendor, "Problems closed with root cause"), by=vera)
        stable_change = _measure(vendor, "Changes causing incidents").objective
        services.part_create(
            Measure, by=vera, objective=stable_change, name=LUMEN_LOADS["name"],
            definition="Share of nightly warehouse loads finished by 06:00.", unit="%",
            direction=HIGHER, target=Decimal("98"), amber_threshold=Decimal("95"),
            red_threshold=Decimal("90"), min_value=Decimal("0"), max_value=Decimal("100"),
            weight=Decimal("30"), owner="Data platform manager", data_source=VENDOR,
            position=3)

    # After the second-last reviewed quarter: that quarter and earlier keep the old rules.
    demo.at(_day(demo, second_end, 25), diverge)


def _schedule_sla_fed(demo, day: date, quarters):
    """Vera feeds a few measures from the SLAs, once both exist; their actuals are derived
    each quarter after its last windows are evaluated (the hourly job, in real life)."""

    def link():
        vera = demo.user("vera")
        for key, specs in SLA_FED.items():
            vendor = demo.vendor(key)
            levels = {sl.key: sl for sl in sla_selectors.service_levels_to_feed(vendor)}
            scorecard = Scorecard.objects.get(vendor=vendor)
            objective = _measure(vendor, "Service availability").objective
            for position, m in enumerate(specs, start=3):
                if m.key not in levels:
                    continue
                services.part_create(
                    Measure, by=vera, objective=objective, name=m.name,
                    definition=m.definition, unit=m.unit, direction=m.direction,
                    target=Decimal(m.target), amber_threshold=Decimal(m.amber),
                    red_threshold=Decimal(m.red), weight=Decimal(m.weight), owner=m.owner,
                    data_source=SLA, service_level=levels[m.key], position=position,
                    min_value=None if m.low is None else Decimal(m.low),
                    max_value=None if m.high is None else Decimal(m.high),
                    active_from=scorecard.starts_on)

    def derive():
        for scorecard in Scorecard.objects.filter(vendor__in=[demo.vendor(k) for k in SLA_FED]):
            services.scorecard_periods_ensure(scorecard=scorecard)
        services.actuals_derive_from_sla()

    demo.at(day, link)
    for _, end in quarters:
        demo.at(_day(demo, end, 5), derive)
