"""A year of SLA history for the demo portfolio (found by `vendors.demo.Demo.load()`).

Three vendors have an SLA on their main contract: Meridian (infrastructure; data from its
API, one review that amended the SLA into a second version), Kestrel (applications; a
dispute accepted, a breach our own side caused) and Brightdesk (service desk; weekly and
monthly service levels, data imported by operations from CSV, a review due soon). Every
record is written through `sla.services` by the person who would have, on the day it would
have happened; values are fixed per window, so two loads give the same history.

Windows are counted back from the last closed one (offset 1 = last month, or last week for
weekly service levels), so the story always ends today.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sla import rules, services
from sla.choices import (
    Comparator,
    CorrectiveActionStatus,
    DisputeStatus,
    MeasurementSource,
    ResponsibleSide,
    ReviewOutcome,
    Unit,
    Window,
)
from sla.models import SLA, CorrectiveAction, Evaluation, ServiceLevel
from vendors.choices import Criticality

D = Decimal
UK_HOLIDAYS = "\n".join(f"{y}-{md} {name}" for y in (2025, 2026, 2027) for md, name in (
    ("01-01", "New Year's Day"), ("12-25", "Christmas Day"), ("12-26", "Boxing Day")))
IE_HOLIDAYS = UK_HOLIDAYS + "\n" + "\n".join(f"{y}-03-17 St Patrick's Day"
                                             for y in (2025, 2026, 2027))


@dataclass(frozen=True)
class LevelSpec:
    key: str
    name: str
    measured: str
    unit: str
    comparator: str
    target: str
    breach: str
    normal: tuple[str, ...]  # values cycled through, window by window
    window: str = Window.MONTHLY
    calendar: bool = False
    weight: int = 20
    criticality: str = Criticality.MEDIUM
    bonus: int = 0
    credit: str = "0"
    special: dict = field(default_factory=dict)  # window offset -> value (None: not sent)

    def value(self, offset: int) -> Decimal | None:
        if offset in self.special:
            return None if self.special[offset] is None else D(self.special[offset])
        return D(self.normal[offset % len(self.normal)])


@dataclass(frozen=True)
class SlaSpec:
    vendor: str
    reference: str
    name: str
    description: str
    owner: str  # our operations person
    submitter: str  # the vendor user whose system sends the data through the API
    source: str  # api, or csv: monthly figures come in operations' CSV import
    calendar: tuple[str, str, str]  # name, time zone, holidays
    charge: str
    cap: str
    levels: tuple[LevelSpec, ...]
    review_interval: int = 6
    review_due_in_days: int | None = None


def sla_specs() -> list[SlaSpec]:
    gte, lte = Comparator.GTE, Comparator.LTE
    return [
        SlaSpec(
            "meridian", "MER-SLA-INFRA", "Infrastructure services",
            "Service levels of the data centres, network and end-user services under the "
            "master services agreement (schedule 3).", "olga", "alice", "api",
            ("Dublin business hours", "Europe/Dublin", IE_HOLIDAYS), "292000", "12",
            review_interval=12, levels=(
                LevelSpec("dc-availability", "Data centre availability",
                          "Minutes both sites' core services were up, from the shared "
                          "monitoring, divided by the minutes in the month; planned maintenance "
                          "agreed five days ahead is left out.", Unit.PERCENT, gte, "99.95",
                          "99.9", ("99.98", "99.97", "99.99", "99.96"), weight=30,
                          criticality=Criticality.CRITICAL, bonus=3, credit="5",
                          special={6: "99.93"}),
                LevelSpec("p1-resolution", "P1 incident resolution",
                          "The 95th percentile of the time from logging a priority 1 incident "
                          "to its resolution, around the clock.", Unit.HOURS, lte, "4", "6",
                          ("3.1", "2.8", "3.4", "2.6", "3.2"), weight=25,
                          criticality=Criticality.CRITICAL, bonus=2, credit="4",
                          special={9: "7.5", 8: "6.4", 3: "2.2", 2: "2.4"}),
                LevelSpec("p2-resolution", "P2 incident resolution",
                          "The 95th percentile of the time to resolve priority 2 incidents, in "
                          "Dublin business hours.", Unit.HOURS, lte, "8", "12",
                          ("6.5", "7.1", "5.9", "6.8"), calendar=True, weight=15,
                          criticality=Criticality.HIGH, bonus=1, credit="2",
                          special={4: "9.5"}),
                LevelSpec("backup-success", "Backup success rate",
                          "Successful nightly backup jobs divided by scheduled jobs, from the "
                          "backup console report.", Unit.PERCENT, gte, "99.5", "99",
                          ("99.8", "99.7", "99.9", "99.6"), weight=10, credit="2",
                          special={2: "98.4"}),
                LevelSpec("change-success", "Changes without incident",
                          "Share of changes in the quarter that caused no incident within 48 "
                          "hours.", Unit.PERCENT, gte, "98", "95", ("98.6", "99.1", "98.2"),
                          window=Window.QUARTERLY, weight=20, criticality=Criticality.HIGH,
                          bonus=5, credit="3"),
            )),
        SlaSpec(
            "kestrel", "KES-SLA-AMS", "Application management services",
            "Support and month-end close service levels for SAP S/4HANA, Salesforce and the "
            "integration platform.", "omar", "charlie", "api",
            ("UK business hours", "Europe/London", UK_HOLIDAYS), "130000", "10",
            levels=(
                LevelSpec("p1-response", "P1 response time",
                          "Median minutes from a P1 ticket to a qualified engineer working on "
                          "it, in UK business hours.", Unit.MINUTES, lte, "30", "45",
                          ("18", "22", "25", "20"), calendar=True, weight=20,
                          criticality=Criticality.HIGH, bonus=1, credit="2"),
                LevelSpec("p1-resolution", "P1 resolution time",
                          "The 90th percentile of hours to resolve P1 incidents, in UK "
                          "business hours.", Unit.HOURS, lte, "8", "12",
                          ("6.2", "5.5", "7.1", "6.8"), calendar=True, weight=30,
                          criticality=Criticality.CRITICAL, bonus=2, credit="4",
                          special={1: "13.5", 5: "8.6"}),
                LevelSpec("month-end-close", "Month-end close defects",
                          "Defects in finance month-end close jobs reaching production.",
                          Unit.COUNT, lte, "0", "2", ("0", "0", "1", "0"), weight=25,
                          criticality=Criticality.CRITICAL, credit="5",
                          special={10: "4", 5: "3"}),
                LevelSpec("enhancements-on-time", "Enhancements delivered on time",
                          "Share of enhancement requests delivered by the agreed date in the "
                          "quarter.", Unit.PERCENT, gte, "90", "80", ("92", "88", "95"),
                          window=Window.QUARTERLY, weight=25, bonus=4, credit="2"),
            )),
        SlaSpec(
            "brightdesk", "BRD-SLA-DESK", "Service desk",
            "First-line service desk service levels (schedule 2 of the services agreement).",
            "olga", "diego", "csv", ("Lisbon desk hours", "Europe/Lisbon", ""), "95000", "15",
            review_due_in_days=10, levels=(
                LevelSpec("answer-time", "Calls answered within 60 seconds",
                          "Share of calls answered by an agent within 60 seconds, from the "
                          "telephony platform.", Unit.PERCENT, gte, "85", "80",
                          ("88.2", "86.9", "89.4", "87.1", "90.3"), window=Window.WEEKLY,
                          weight=25, criticality=Criticality.HIGH, credit="1",
                          special={3: "77.4", 2: "78.9", 1: None}),
                LevelSpec("first-contact-resolution", "First-contact resolution",
                          "Tickets resolved in the first contact, divided by all tickets "
                          "opened at the desk.", Unit.PERCENT, gte, "70", "65",
                          ("72.4", "74.1", "71.0", "73.3"), weight=25, bonus=2, credit="2",
                          special={7: "68.2"}),
                LevelSpec("csat", "User satisfaction",
                          "Average score of the post-ticket survey (1 to 5).", Unit.SCORE,
                          gte, "4.2", "4", ("4.4", "4.3", "4.5", "4.3"), weight=25, bonus=3,
                          credit="1", special={3: "4.1"}),
                LevelSpec("abandon-rate", "Abandoned calls",
                          "Calls abandoned after 10 seconds in the queue, as a share of all "
                          "calls.", Unit.PERCENT, lte, "5", "8", ("3.9", "4.2", "3.5", "4.4"),
                          weight=25, credit="1"),
            )),
    ]


def _first_month_on_or_after(day: date) -> date:
    return day if day.day == 1 else rules.month_end(day) + timedelta(days=1)


def schedule(demo) -> None:
    d = demo.dates
    start = _first_month_on_or_after(d.days(-400))
    refresh_days: set[date] = set()
    for spec in sla_specs():
        _schedule_sla(demo, spec, start, refresh_days)
    # The hourly evaluation, on the days it has something to do; scheduled before the
    # stories, so on the same day the breaches exist before people act on them.
    for day in sorted(refresh_days):
        demo.at(day, lambda: services.evaluations_refresh())
    _schedule_stories(demo, start)
    demo.at(demo.today, lambda: services.evaluations_refresh())


def _schedule_sla(demo, spec: SlaSpec, start: date, refresh_days: set) -> None:
    d = demo.dates

    def set_up():
        vendor, vera = demo.vendor(spec.vendor), demo.user("vera")
        name, zone, holidays = spec.calendar
        calendar = services.calendar_create(vendor=vendor, by=vera, name=name, time_zone=zone,
                                            holidays=holidays)
        contract = vendor.contracts.order_by("start_date").first()
        sla = services.sla_create(
            vendor=vendor, by=vera, contract=contract, reference=spec.reference,
            name=spec.name, description=spec.description, owner=demo.user(spec.owner),
            review_interval_months=spec.review_interval, monthly_charge=D(spec.charge),
            credit_cap_percent=D(spec.cap), summary="As signed in the contract's schedule.")
        version = sla.versions.get()
        for position, level in enumerate(spec.levels, start=1):
            services.service_level_create(
                version, by=vera, key=level.key, name=level.name, measured=level.measured,
                unit=level.unit, comparator=level.comparator, target=D(level.target),
                breach_threshold=D(level.breach), window=level.window,
                calendar=calendar if level.calendar else None, weight=level.weight,
                criticality=level.criticality, bonus_points=level.bonus,
                credit_percent=D(level.credit), position=position)
        demo.refs[("sla", spec.reference)] = sla

    def review_and_start():
        sla = demo.refs[("sla", spec.reference)]
        version = sla.versions.get()
        services.version_mark_reviewed(version, by=demo.user("vera"))
        services.version_make_effective(version, by=demo.user("vera"), effective_from=start)
        if spec.review_due_in_days is not None:
            services.sla_update(sla, by=demo.user("vera"),
                                review_due_on=d.days(spec.review_due_in_days),
                                change_reason="Review aligned with the contract's anniversary")

    demo.at(d.days(-410), set_up)
    demo.at(d.days(-404), review_and_start)

    # What each sender sent on each day, as one batch (the way a vendor's system posts).
    yesterday = demo.today - timedelta(days=1)
    batches: dict[tuple[date, bool], list] = {}
    for level in spec.levels:
        if spec.source == "csv" and level.window == Window.MONTHLY:
            continue  # sent in the monthly CSV below
        starts = rules.windows_ending_between(level.window, start, yesterday)
        for offset, window in zip(range(len(starts), 0, -1), starts, strict=True):
            value = level.value(offset)
            if value is None:
                continue
            sent = min(rules.window_end(level.window, window) + timedelta(days=1), demo.today)
            batches.setdefault((sent, level.window == Window.QUARTERLY), []).append(
                (level, window, value))
    for (sent, by_form), rows in batches.items():
        demo.at(sent, lambda spec=spec, by_form=by_form, rows=rows:
                _submit(demo, spec, rows, by_form=by_form))
        refresh_days.add(min(sent + timedelta(days=1), demo.today))
    if spec.source == "csv":
        for window in rules.windows_ending_between(Window.MONTHLY, start, yesterday):
            end = rules.window_end(Window.MONTHLY, window)
            demo.at(min(end + timedelta(days=2), demo.today),
                    lambda spec=spec, window=window: _import_month(demo, spec, window))


def _service_level(reference: str, key: str, window: date, kind: str) -> ServiceLevel:
    end = rules.window_end(kind, window)
    levels = ServiceLevel.objects.filter(version__sla__reference=reference, key=key)
    return next(sl for sl in levels.select_related("version") if sl.version.governs(end))


def _submit(demo, spec: SlaSpec, rows: list, *, by_form: bool) -> None:
    """Monthly and weekly figures come from the vendor's API; quarterly ones are entered by
    our operations person in the form (they come from our own change records)."""
    services.measurements_submit(
        [{"service_level": _service_level(spec.reference, level.key, window, level.window).pk,
          "window_start": window.isoformat(), "value": str(value),
          "external_id": "" if by_form else f"{spec.reference}/{level.key}/{window}",
          "note": "From our change records." if by_form else ""}
         for level, window, value in rows],
        by=demo.user(spec.owner if by_form else spec.submitter),
        source=MeasurementSource.FORM if by_form else MeasurementSource.API,
        vendor_ids=None, text_values=True, evaluate=by_form)


def _import_month(demo, spec: SlaSpec, window: date) -> None:
    vendor = demo.vendor(spec.vendor)
    offset = len(rules.windows_ending_between(
        Window.MONTHLY, window, demo.today - timedelta(days=1)))
    lines = ["sla,service_level,window_start,value,unit,note,external_id"]
    for level in spec.levels:
        if level.window != Window.MONTHLY or level.value(offset) is None:
            continue
        lines.append(f"{spec.reference},{level.key},{window.isoformat()},{level.value(offset)},"
                     f"{level.unit},Monthly desk report,"
                     f"{spec.reference}/{level.key}/{window.isoformat()}")
    olga = demo.user("olga")
    csv_import = services.import_preview(vendor=vendor, by=olga,
                                         filename=f"desk-report-{window:%Y-%m}.csv",
                                         content="\n".join(lines) + "\n")
    services.import_commit(csv_import, by=olga)


def _month_window(demo, offset: int) -> date:
    """Start of the monthly window `offset` months before the last closed one."""
    return rules.last_windows(Window.MONTHLY, demo.today - timedelta(days=1), offset)[0]


def _week_window(demo, offset: int) -> date:
    return rules.last_windows(Window.WEEKLY, demo.today - timedelta(days=1), offset)[0]


def _action(reference: str, key: str, window: date) -> CorrectiveAction:
    return CorrectiveAction.objects.get(evaluations__sla__reference=reference,
                                        evaluations__service_level__key=key,
                                        evaluations__window_start=window)


def _when_there(step):
    """A step about a breach whose window closed only just before today may find nothing
    evaluated yet (the demo is loaded early in a month); then it did not happen yet."""
    def run():
        with contextlib.suppress(CorrectiveAction.DoesNotExist, Evaluation.DoesNotExist):
            step()
    return run


def _schedule_stories(demo, start: date) -> None:
    """What people did about breaches, disputes and reviews."""
    d, user = demo.dates, demo.user

    def at(day, step):
        demo.at(day, _when_there(step))

    def after(window: date, days: int, kind: str = Window.MONTHLY) -> date:
        return min(rules.window_end(kind, window) + timedelta(days=days), demo.today)

    # Meridian: two P1 breaches in a row share one action, fixed and verified.
    p1 = _month_window(demo, 9)
    at(after(p1, 4), lambda: services.corrective_action_update(
        _action("MER-SLA-INFRA", "p1-resolution", p1), by=user("olga"), owner=user("alice"),
        status=CorrectiveActionStatus.IN_PROGRESS,
        progress_note="Alice to analyse the two core-switch outages with the network team."))
    at(after(p1, 20), lambda: services.corrective_action_report_progress(
        _action("MER-SLA-INFRA", "p1-resolution", p1), by=user("alice"),
        status=CorrectiveActionStatus.IN_PROGRESS,
        root_cause="No tested runbook for a core-switch failover; the on-call engineer waited "
                   "for the network architect.",
        progress_note="Runbook drafted; failover drill planned."))
    at(after(p1, 50), lambda: services.corrective_action_report_progress(
        _action("MER-SLA-INFRA", "p1-resolution", p1), by=user("alice"),
        status=CorrectiveActionStatus.DONE, side_responsible=ResponsibleSide.VENDOR,
        progress_note="Runbook published; drill done on both sites in 38 minutes."))
    at(after(p1, 58), lambda: services.corrective_action_update(
        _action("MER-SLA-INFRA", "p1-resolution", p1), by=user("olga"),
        status=CorrectiveActionStatus.VERIFIED,
        verification_note="Checked the drill report; P1s resolved within target since."))

    # Meridian's yearly review amended the SLA: a tighter P1 target from the next month.
    review_day = d.days(-200)

    def review():
        sla = SLA.objects.get(reference="MER-SLA-INFRA")
        services.sla_review_record(
            sla, by=user("olga"), reviewed_on=review_day, outcome=ReviewOutcome.AMENDED,
            notes="Service stable after the runbook fix. Agreed with Meridian to tighten the "
                  "P1 target to 3 hours (breach above 5) from next month.")

    def amend():
        sla = SLA.objects.get(reference="MER-SLA-INFRA")
        draft = sla.versions.get(status="draft")
        services.version_update(draft, by=user("vera"),
                                summary="P1 resolution target 4 h → 3 h, breach 6 h → 5 h, "
                                        "as agreed in the review.")
        services.service_level_update(draft.service_levels.get(key="p1-resolution"),
                                      by=user("vera"), target=D("3"),
                                      breach_threshold=D("5"))
        services.version_mark_reviewed(draft, by=user("vera"))
        services.version_make_effective(
            draft, by=user("vera"), effective_from=_first_month_on_or_after(d.days(-192)))

    demo.at(review_day, review)
    demo.at(d.days(-194), amend)

    # Meridian: backup failures last month; the action is running late.
    backups = _month_window(demo, 2)
    at(after(backups, 3), lambda: services.corrective_action_update(
        _action("MER-SLA-INFRA", "backup-success", backups), by=user("olga"),
        owner=user("alice"), due_on=after(backups, 17),
        progress_note="Meridian to find why the SAN snapshot jobs fail at night."))
    at(after(backups, 9), lambda: services.corrective_action_report_progress(
        _action("MER-SLA-INFRA", "backup-success", backups), by=user("alice"),
        status=CorrectiveActionStatus.IN_PROGRESS,
        progress_note="Vendor case opened with the storage maker; waiting for a firmware fix."))

    # Kestrel: a breach caused by our own data migration, recorded as ours.
    close = _month_window(demo, 10)
    at(after(close, 6), lambda: services.corrective_action_update(
        _action("KES-SLA-AMS", "month-end-close", close), by=user("omar"),
        side_responsible=ResponsibleSide.OURS, status=CorrectiveActionStatus.IN_PROGRESS,
        root_cause="Our data migration loaded duplicate vendor master records; the close jobs "
                   "failed on them.",
        progress_note="Our data team cleans the vendor master; Kestrel adds a pre-close check."))
    at(after(close, 30), lambda: services.corrective_action_update(
        _action("KES-SLA-AMS", "month-end-close", close), by=user("omar"),
        status=CorrectiveActionStatus.VERIFIED,
        verification_note="Two closes since without defects; the pre-check caught 3 bad "
                          "records."))

    # Kestrel disputes a later close breach; accepted (a bank file format change announced
    # late by us), so the window is excused and the action it opened withdrawn.
    disputed = _month_window(demo, 5)
    at(after(disputed, 5), lambda: services.dispute_raise(
        Evaluation.objects.get(sla__reference="KES-SLA-AMS",
                               service_level__key="month-end-close", window_start=disputed),
        by=user("charlie"),
        reason="All three defects came from the bank's new statement format, which your "
               "treasury team announced two days before the close. See ticket CHG-2231."))
    at(after(disputed, 8), lambda: services.dispute_decide(
        Evaluation.objects.get(sla__reference="KES-SLA-AMS",
                               service_level__key="month-end-close",
                               window_start=disputed).dispute,
        by=user("omar"), decision=DisputeStatus.ACCEPTED,
        note="Confirmed with treasury: the format change reached Kestrel too late. Excused."))

    # Kestrel: last month's P1 breach is being worked on by Kestrel.
    p1_kes = _month_window(demo, 1)

    def kestrel_p1():
        action = _action("KES-SLA-AMS", "p1-resolution", p1_kes)
        services.corrective_action_update(action, by=user("omar"), owner=user("charlie"))
        services.corrective_action_report_progress(
            action, by=user("charlie"), status=CorrectiveActionStatus.IN_PROGRESS,
            progress_note="Root-cause analysis of the interface outage under way.")

    at(after(p1_kes, 3), kestrel_p1)

    # Kestrel's half-yearly review: unchanged.
    demo.at(d.days(-100), lambda: services.sla_review_record(
        SLA.objects.get(reference="KES-SLA-AMS"), by=user("omar"), reviewed_on=d.days(-100),
        outcome=ReviewOutcome.UNCHANGED,
        notes="Targets still right for the renewal period; month-end close stays critical."))

    # Brightdesk: two weeks of slow answers share one open action owned by the desk.
    slow = _week_window(demo, 3)
    at(after(slow, 2, Window.WEEKLY), lambda: services.corrective_action_update(
        _action("BRD-SLA-DESK", "answer-time", slow), by=user("olga"), owner=user("diego"),
        progress_note="Brightdesk to add German-speaking cover for the Munich peak."))
    # Agreed today: the German-speaking cover is in place within the week.
    demo.at(demo.today, _when_there(lambda: services.corrective_action_update(
        _action("BRD-SLA-DESK", "answer-time", slow), by=user("olga"),
        due_on=demo.today + timedelta(days=4), change_reason="Cover agreed for next week")))
