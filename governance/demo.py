"""The governance part of the demo portfolio (see vendors/demo.py for how the replay works).

Four relationships run on a weekly, monthly and quarterly rhythm:

* Meridian (strategic infrastructure): a steady, healthy cadence; its monthly review is
  held from Kraków (Europe/Warsaw). One impediment is our own fault (change approvals stuck
  in our change board), raised by Meridian and resolved after we fixed our process.
* Kestrel (application management, renewal due): the trust issue — status reports green
  while month-end close keeps failing — climbs the ladder to the vendor's management and is
  still open; their account executive misses more reviews lately and suggestions fall short
  of the quota (the warning signs of DESIGN.md).
* Brightdesk (service desk): a staffing impediment on its first step; the latest weekly is
  over but its minutes are not written yet.
* Sentinel (onboarding, US provider): weekly reviews at 10:00 New York time, which is 15:00
  in London most of the year and 14:00 in the week the two countries change their clocks
  on different dates.

Everything is written through `governance.services` by the person who did it, on the day
it happened: meetings are planned ahead by the same horizon the periodic task extends,
held (a day later, when the minutes are written up), with attendance, decisions and action
items; most items are done by the next meeting, some are carried over a few times, a few
are open now. Innovation suggestions reach every state of their workflow.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from decimal import Decimal

from django.utils import timezone

from governance import recurrence, services
from governance.choices import (
    EscalationStep,
    ImpedimentKind,
    QuarterMonth,
    ResponsibleSide,
    Severity,
    SuggestionCategory,
    Tier,
    Weekday,
)
from governance.models import ActionItem, Cadence, Meeting
from vendors.choices import ContactRole
from vendors.models import Contact

AE, LEAD = ContactRole.ACCOUNT_EXECUTIVE, ContactRole.OUTSOURCED_LEAD
DELIVERY, SPONSOR = ContactRole.DELIVERY_MANAGER, ContactRole.EXECUTIVE_SPONSOR


@dataclass(frozen=True)
class CadenceSpec:
    vendor: str
    tier: Tier
    since: int  # days before today the cadence was agreed
    at: time
    ours: tuple[str, ...]
    theirs: tuple[ContactRole, ...]
    by: str
    weekday: int | None = None
    day_of_month: int | None = None
    time_zone: str = "Europe/London"
    duration: int = 60
    location: str = ""
    video: str = ""


@dataclass(frozen=True)
class Topic:
    """What one meeting of a series talked about, and what came out of it."""

    minutes: str
    action: str = ""
    owner: str = "ours"  # "ours" (the first of our participants) or "theirs"
    done_after: int | None = 6  # days until done; None: still open
    decision: str = ""


@dataclass(frozen=True)
class SuggestionSpec:
    vendor: str
    day: int
    by: str
    title: str
    description: str
    category: SuggestionCategory
    value: int | None = None
    effort: int | None = None
    # (day, status, by, rationale or lessons, realised value)
    steps: tuple[tuple[int, str, str, str, int | None], ...] = ()


@dataclass(frozen=True)
class ImpedimentSpec:
    vendor: str
    day: int
    by: str
    title: str
    description: str
    kind: ImpedimentKind
    severity: Severity
    responsible: ResponsibleSide
    owner: str = ""  # username, or a contact role
    updates: tuple[tuple[int, str, str], ...] = ()  # (day, by, text)
    # (day, step, by, to (username or contact role), note, (outcome day, outcome) or None)
    escalations: tuple = ()
    resolved: tuple[int, str, str] | None = None  # (day, by, resolution)


CADENCES = (
    CadenceSpec("meridian", Tier.WEEKLY, 91, time(10, 0), ("liam", "luca"), (LEAD,), "liam",
                weekday=Weekday.TUESDAY, video="https://meet.example.com/meridian-weekly"),
    CadenceSpec("meridian", Tier.MONTHLY, 220, time(15, 0), ("olga", "liam"),
                (DELIVERY, LEAD), "vera", day_of_month=10, time_zone="Europe/Warsaw",
                duration=90, location="Meridian delivery centre, Kraków",
                video="https://meet.example.com/meridian-monthly"),
    CadenceSpec("meridian", Tier.QUARTERLY, 400, time(14, 0), ("erin", "liam"),
                (AE, SPONSOR), "vera", day_of_month=20, duration=120,
                location="Head office, board room 2"),
    CadenceSpec("kestrel", Tier.WEEKLY, 91, time(9, 30), ("liam",), (LEAD, AE), "liam",
                weekday=Weekday.THURSDAY, video="https://meet.example.com/kestrel-weekly"),
    CadenceSpec("kestrel", Tier.MONTHLY, 220, time(14, 0), ("omar", "liam"), (DELIVERY, LEAD),
                "vera", day_of_month=12, duration=90,
                video="https://meet.example.com/kestrel-monthly"),
    CadenceSpec("kestrel", Tier.QUARTERLY, 400, time(14, 0), ("erin", "liam"), (AE, SPONSOR),
                "vera", day_of_month=22, duration=120, location="Kestrel, Manchester office"),
    CadenceSpec("brightdesk", Tier.WEEKLY, 91, time(11, 0), ("lena",), (LEAD,), "lena",
                weekday=Weekday.WEDNESDAY, time_zone="Europe/Lisbon",
                video="https://meet.example.com/brightdesk-weekly"),
    CadenceSpec("brightdesk", Tier.MONTHLY, 220, time(14, 0), ("olga", "lena"),
                (DELIVERY, LEAD), "vera", day_of_month=8, duration=60,
                video="https://meet.example.com/brightdesk-monthly"),
    CadenceSpec("brightdesk", Tier.QUARTERLY, 400, time(14, 0), ("lena",), (AE, SPONSOR),
                "vera", day_of_month=25, duration=90, location="Head office, room 5.01"),
    CadenceSpec("sentinel", Tier.WEEKLY, 34, time(10, 0), ("lena", "sam"), (LEAD,), "lena",
                weekday=Weekday.MONDAY, time_zone="America/New_York",
                video="https://meet.example.com/sentinel-transition"),
    CadenceSpec("sentinel", Tier.MONTHLY, 34, time(10, 0), ("olga", "lena"), (DELIVERY, LEAD),
                "lena", day_of_month=15, time_zone="America/New_York",
                video="https://meet.example.com/sentinel-monthly"),
)

TOPICS = {
    ("meridian", Tier.WEEKLY): (
        Topic("SD-WAN wave 1 sites live; two branch cut-overs moved after a carrier delay.",
              "Confirm the new carrier dates for Lyon and Porto", "theirs", 5),
        Topic("Patch compliance 96%; the VMware hosts are the laggards.",
              "Share the VMware patch plan for the next patch window", "theirs", 9,
              "Hosts that miss two cycles are patched in the next emergency window."),
        Topic("Backup re-platforming: restore tests passed except for the SAP archive.",
              "Repeat the SAP archive restore test with our DBA present", "ours", 13),
        Topic("Quiet week; change calendar for the quarter-end freeze agreed.",
              "Publish the quarter-end freeze to the business", "ours", 3),
        Topic("Laptop refresh: 400 of 1,100 done; the Munich site is behind.",
              "Send the Munich refresh schedule", "theirs", 6),
        Topic("Azure landing zone: SOW 15 draft reviewed line by line.",
              "Return our comments on the SOW 15 draft", "ours", 20),
    ),
    ("meridian", Tier.MONTHLY): (
        Topic("SLA results reviewed against the monthly report; no breach. Capacity of the "
              "Amsterdam site discussed.", "Capacity forecast for Amsterdam, 12 months ahead",
              "theirs", 12),
        Topic("Incident review of the storage controller failure; problem record opened.",
              "Root-cause report for the storage controller failure", "theirs", 14,
              "Firmware on both arrays is upgraded before the next quarter."),
        Topic("Service credits and earn-back discussed; nothing due this month.",
              "Agree the format of the monthly report's trend page", "ours", 9),
    ),
    ("meridian", Tier.QUARTERLY): (
        Topic("Balanced scorecard of the quarter walked through; strategy for the Azure move "
              "confirmed; innovations assessed.",
              "Draft the joint cloud roadmap for the steering committee", "ours", 25,
              "The Azure landing zone goes ahead under SOW 15."),
    ),
    ("kestrel", Tier.WEEKLY): (
        Topic("Month-end close: two FI defects reached production again.",
              "Root cause of the repeated FI posting defect", "theirs", 16),
        Topic("Sales Cloud backlog down to 41 stories with Lucy on board.",
              "Prioritised backlog for the next two sprints", "theirs", 5),
        Topic("Status report shows green while the close slipped a day: discussed frankly.",
              "Report close readiness from measured data, not self-assessment", "theirs", None,
              "The weekly status shows the measured close checklist, not a RAG by hand."),
        Topic("Integration platform: EDI partner onboarding on track.",
              "Confirm the EDI cut-over date with the partner", "theirs", 7),
        Topic("Knowledge base: runbooks for FI month-end still missing in our wiki.",
              "Publish the FI month-end runbooks in our wiki", "theirs", 24),
        Topic("Renewal options: what a 24-month extension would need to look like.",
              "Draft our renewal conditions", "ours", 12),
    ),
    ("kestrel", Tier.MONTHLY): (
        Topic("SLA results: the monthly report reviewed; corrective actions on the FI defects "
              "followed up.", "Update the corrective action plan for FI", "theirs", 10),
        Topic("Problem management: the repeated close issues have a named owner now.",
              "Show the problem record with the fix date at the weekly", "theirs", 12),
    ),
    ("kestrel", Tier.QUARTERLY): (
        Topic("Scorecard of the quarter; the trust issue around reporting discussed with the "
              "executive sponsors; renewal recommendation timeline agreed.",
              "Prepare the renewal recommendation for the steering committee", "ours", None,
              "The renewal recommendation waits for two clean month-end closes."),
    ),
    ("brightdesk", Tier.WEEKLY): (
        Topic("First-contact resolution up two points after the new knowledge articles.",
              "Publish the top-10 password articles in German", "theirs", 6),
        Topic("Peak planning for the SAP go-live: German calls up 30%.",
              "Rota for the go-live weeks, with German cover", "theirs", 8),
        Topic("Portal chat wait times improved; evening cover thin on Fridays.",
              "Share Friday evening staffing for the holiday season", "theirs", 5),
        Topic("Joiner and leaver requests: three late due to missing approvals on our side.",
              "Remind managers of the approval step for access requests", "ours", 4),
    ),
    ("brightdesk", Tier.MONTHLY): (
        Topic("SLA results reviewed; satisfaction survey comments discussed.",
              "Theme the survey comments for the next monthly", "theirs", 14),
    ),
    ("brightdesk", Tier.QUARTERLY): (
        Topic("Quarterly review: shift-left savings shared as the contract says; innovation "
              "suggestions assessed.", "Agree the shift-left targets for next quarter", "ours",
              21),
    ),
    ("sentinel", Tier.WEEKLY): (
        Topic("Transition plan: SOC tooling installed; log sources 60% onboarded.",
              "List the log sources still missing, with owners", "theirs", 6),
        Topic("Access reviews: shared accounts of the old provider still open.",
              "Close the old provider's shared accounts", "ours", 9),
        Topic("Runbooks for the top 20 alerts drafted.", "Review the runbooks with our "
              "security team", "ours", None),
    ),
    ("sentinel", Tier.MONTHLY): (
        Topic("First monthly review: transition milestones and the service reports it will "
              "produce.", "Agree the monthly report template", "theirs", 10),
    ),
}

SUGGESTIONS = (
    SuggestionSpec("meridian", -380, "alice", "Automate patch compliance reporting",
                   "Replace the monthly spreadsheet with a dashboard fed by the patch tool.",
                   SuggestionCategory.PROCESS, 18000, 15,
                   ((-360, "under_review", "liam", "", None),
                    (-340, "accepted", "liam", "Saves two days a month; low risk.", None),
                    (-280, "implemented", "liam", "", None),
                    (-190, "outcome_reviewed", "liam",
                     "Two days a month saved; findings now reach owners a week earlier.",
                     21000))),
    SuggestionSpec("meridian", -300, "alice", "Consolidate WAN carriers at 12 branches",
                   "One carrier instead of two where both serve the same site.",
                   SuggestionCategory.COST, 140000, 40,
                   ((-270, "accepted", "liam", "Fits the SD-WAN refresh.", None),
                    (-150, "implemented", "liam", "", None),
                    (-60, "outcome_reviewed", "erin",
                     "Savings slightly below estimate: two sites kept a backup line.",
                     118000))),
    SuggestionSpec("meridian", -210, "alice", "Self-healing scripts for disk-full alerts",
                   "Clear temp files and rotate logs automatically before paging anyone.",
                   SuggestionCategory.TECHNOLOGY, 25000, 10,
                   ((-190, "accepted", "luca", "Safe with the guard rails proposed.", None),
                    (-120, "implemented", "luca", "", None))),
    SuggestionSpec("meridian", -160, "alice", "Move archive backups to cold object storage",
                   "Archive tier for backups older than 90 days.", SuggestionCategory.COST,
                   60000, 25,
                   ((-140, "declined", "liam",
                     "Restore times would break the 24-hour recovery objective for archives "
                     "under regulatory hold.", None),)),
    SuggestionSpec("meridian", -50, "alice", "Predictive disk failure alerts",
                   "Use SMART data to replace disks before they fail.",
                   SuggestionCategory.QUALITY, 30000, 12,
                   ((-35, "under_review", "liam", "Checking the data quality first.", None),)),
    SuggestionSpec("meridian", -20, "alice", "Self-service VPN troubleshooting guide",
                   "A guided fix for the five most common VPN errors.",
                   SuggestionCategory.PROCESS, 9000, 4),
    SuggestionSpec("meridian", -6, "liam", "Joint capacity planning with the business",
                   "Quarterly demand forecast shared with Meridian.",
                   SuggestionCategory.PROCESS),
    SuggestionSpec("kestrel", -330, "charlie", "Automated regression tests for FI close",
                   "Run the close checklist scripts nightly in the test client.",
                   SuggestionCategory.QUALITY, 80000, 30,
                   ((-300, "accepted", "liam", "Would have caught three of the four defects.",
                     None),
                    (-200, "implemented", "liam", "", None),
                    (-100, "outcome_reviewed", "liam",
                     "Coverage only 40% of the close steps; the defects recurred where tests "
                     "were missing.", 22000))),
    SuggestionSpec("kestrel", -230, "charlie", "Offshore the Salesforce admin tasks",
                   "Move routine admin to the Pune team.", SuggestionCategory.COST, 35000, 8,
                   ((-200, "declined", "liam",
                     "The business wants admin changes in UK hours; the saving does not "
                     "outweigh that.", None),)),
    SuggestionSpec("kestrel", -120, "charlie", "API monitoring for the EDI gateway",
                   "Synthetic transactions every five minutes per trading partner.",
                   SuggestionCategory.TECHNOLOGY, 20000, 6,
                   ((-100, "accepted", "omar", "Cheap, and it shows failures before "
                                               "partners do.", None),)),
    SuggestionSpec("kestrel", -40, "charlie", "Upgrade to the latest S/4HANA feature pack",
                   "Needed for the new revenue recognition rules.",
                   SuggestionCategory.TECHNOLOGY, None, 60),
    SuggestionSpec("brightdesk", -350, "diego", "Password reset by SMS",
                   "Users reset their own passwords after SMS verification.",
                   SuggestionCategory.PROCESS, 45000, 12,
                   ((-330, "accepted", "lena", "Biggest call driver; shift-left as agreed.",
                     None),
                    (-260, "implemented", "lena", "", None),
                    (-170, "outcome_reviewed", "lena",
                     "Password calls down 38%; the saving is shared as the contract says.",
                     52000))),
    SuggestionSpec("brightdesk", -190, "diego", "Chatbot for order status questions",
                   "Answers 'where is my laptop' from the asset system.",
                   SuggestionCategory.TECHNOLOGY, 15000, 20,
                   ((-170, "accepted", "lena", "Worth a pilot with the Lisbon team.", None),
                    (-90, "implemented", "lena", "", None))),
    SuggestionSpec("brightdesk", -75, "diego", "Callback instead of queueing at peaks",
                   "Offer a callback when the wait passes three minutes.",
                   SuggestionCategory.QUALITY, 8000, 5,
                   ((-60, "under_review", "lena", "Checking the telephony licence.", None),)),
    SuggestionSpec("brightdesk", -15, "diego", "Knowledge article feedback button",
                   "Users rate articles; poor ones go to the knowledge manager.",
                   SuggestionCategory.QUALITY, 5000, 3),
    SuggestionSpec("sentinel", -14, "lena", "Use the landing zone policies for new "
                                            "subscriptions",
                   "Apply the baseline policies automatically to every new subscription.",
                   SuggestionCategory.TECHNOLOGY),
)

IMPEDIMENTS = (
    ImpedimentSpec(
        "kestrel", -105, "omar", "Status reports show green while month-end close fails",
        "Three closes in a row slipped, yet the weekly status was green each time. We can "
        "no longer take the self-reported status at face value.",
        ImpedimentKind.RELATIONSHIP, Severity.HIGH, ResponsibleSide.VENDOR, owner=AE,
        updates=((-98, "charlie", "We will add the close checklist to the weekly report."),
                 (-70, "liam", "The latest close slipped again; the status was amber this "
                               "time, not green: a start."),
                 (-30, "charlie", "Measured checklist now in the report; two steps still "
                                  "self-assessed.")),
        escalations=(
            (-100, EscalationStep.LINE_MANAGER, "omar", "liam",
             "Raised with the relationship's line manager: the reporting cannot be relied "
             "on.", (-99, "Liam takes it to Kestrel's account executive.")),
            (-92, EscalationStep.ACCOUNT_EXECUTIVE, "liam", AE,
             "A frank conversation: reports must show measured results, bad news included.",
             (-90, "Charlie acknowledged the gap and committed to measured reporting.")),
            (-45, EscalationStep.VENDOR_MANAGEMENT, "vera", DELIVERY,
             "No lasting change after six weeks; asked Kestrel's head of delivery for a "
             "recovery plan.", None),
        )),
    ImpedimentSpec(
        "meridian", -62, "alice", "Change approvals wait 10+ days in our change board",
        "Standard network changes wait for the fortnightly board; SD-WAN cut-overs slip as a "
        "result. The delay is on our side.",
        ImpedimentKind.PROCESS, Severity.MEDIUM, ResponsibleSide.OURS, owner="liam",
        updates=((-55, "liam", "Agreed with the change manager to pre-approve standard "
                               "changes."),
                 (-30, "alice", "Two cut-overs done within 3 days of request.")),
        escalations=((-58, EscalationStep.LINE_MANAGER, "alice", "liam",
                      "Raised with our line manager: cut-overs keep slipping on our side.",
                      (-50, "Change board meets twice a week from next month.")),),
        resolved=(-21, "liam", "The change board meets twice a week; standard changes are "
                               "pre-approved. Cut-overs now wait three days at most.")),
    ImpedimentSpec(
        "meridian", -160, "liam", "SAP archive restore test failed",
        "The quarterly restore test of the SAP archive did not complete within the window.",
        ImpedimentKind.TECHNICAL, Severity.CRITICAL, ResponsibleSide.VENDOR, owner=DELIVERY,
        resolved=(-131, "liam", "Backup job reconfigured; the repeat test restored in 6 "
                                "hours.")),
    # The same problem again, six months on: a warning sign ("keeps missing the point").
    ImpedimentSpec(
        "meridian", -9, "liam", "SAP archive restore test failed again",
        "The quarterly restore test ran out of its window once more, after the backup job was "
        "reconfigured in the spring.",
        ImpedimentKind.TECHNICAL, Severity.CRITICAL, ResponsibleSide.VENDOR, owner=DELIVERY),
    ImpedimentSpec(
        "brightdesk", -24, "olga", "German-speaking call backlog at peaks",
        "Waits above 10 minutes for German callers on Mondays since the Munich site joined.",
        ImpedimentKind.STAFFING, Severity.MEDIUM, ResponsibleSide.VENDOR, owner=LEAD,
        updates=((-17, "diego", "A German-speaking agent from the night shift moves to "
                                "Mondays."),),
        escalations=((-18, EscalationStep.LINE_MANAGER, "olga", "lena",
                      "Open for over a week with no plan; noted for the relationship.",
                      (-17, "Staffing request raised for an extra German-speaking agent.")),)),
    ImpedimentSpec(
        "sentinel", -12, "lena", "No approval path for firewall rule requests",
        "Sentinel's engineers have no agreed route to get firewall changes approved.",
        ImpedimentKind.PROCESS, Severity.HIGH, ResponsibleSide.SHARED, owner="lena"),
)

PLANS = {
    "meridian": ("Move from 'keep the lights on' to a partnership on cloud: the Azure landing "
                 "zone under SOW 15, then the first workload waves. Benchmark the price in "
                 "year four as the contract allows.", 14),
    "kestrel": ("Decide the renewal: extend 24 months only with measured reporting and two "
                "clean month-end closes; otherwise prepare a re-tender.", 10),
    "brightdesk": ("Shift left: every quarter, one more top call driver handled by "
                   "self-service, savings shared.", 14),
}


# -- helpers used while replaying ---------------------------------------------------------------

def _contact(demo, key: str, role) -> Contact:
    return Contact.objects.filter(vendor=demo.vendor(key), role=role).order_by("pk").first()


def _person(demo, key: str, who):
    """A username is one of our people (or a vendor user); a contact role is the vendor's."""
    if isinstance(who, ContactRole):
        return None, _contact(demo, key, who)
    return demo.user(who), None


def _slots(spec: CadenceSpec, today: date) -> list[recurrence.Slot]:
    first = today - timedelta(days=spec.since)
    return recurrence.slots(spec.tier, weekday=spec.weekday, day_of_month=spec.day_of_month,
                            quarter_month=QuarterMonth.FIRST, first=first,
                            last=today + timedelta(weeks=30))


# -- what is scheduled -----------------------------------------------------------------------------

def schedule(demo) -> None:
    today = demo.today
    for key, (notes, days) in PLANS.items():
        demo.at(demo.dates.days(-400), lambda key=key, notes=notes, days=days:
                services.plan_update(vendor=demo.vendor(key), by=demo.user("vera"),
                                     strategy_notes=notes, escalate_after_days=days))
    for spec in CADENCES:
        _schedule_cadence(demo, spec)
    # The periodic task keeps planning meetings ahead as the weeks go by (it runs every few
    # hours; every four weeks is enough here with an eight-week horizon).
    day = today - timedelta(days=max(s.since for s in CADENCES))
    while day <= today:
        demo.at(day, services.meetings_extend_horizon)
        day += timedelta(days=28)
    demo.at(today, services.meetings_extend_horizon)
    for spec in SUGGESTIONS:
        _schedule_suggestion(demo, spec)
    for spec in IMPEDIMENTS:
        _schedule_impediment(demo, spec)
    _schedule_this_week(demo)


def _schedule_cadence(demo, spec: CadenceSpec) -> None:
    today = demo.today
    start = today - timedelta(days=spec.since)

    def agree():
        theirs = [c for c in (_contact(demo, spec.vendor, role) for role in spec.theirs) if c]
        demo.refs[("cadence", spec.vendor, spec.tier)] = services.cadence_create(
            vendor=demo.vendor(spec.vendor), by=demo.user(spec.by), tier=spec.tier,
            weekday=spec.weekday, day_of_month=spec.day_of_month,
            quarter_month=QuarterMonth.FIRST if spec.tier == Tier.QUARTERLY else None,
            start_time=spec.at, time_zone=spec.time_zone, duration_minutes=spec.duration,
            location=spec.location, video_link=spec.video, starts_on=start,
            our_participants=[demo.user(u) for u in spec.ours], vendor_participants=theirs)

    demo.at(start, agree)
    topics = TOPICS[(spec.vendor, spec.tier)]
    past = [slot for slot in _slots(spec, today) if slot.day < today]
    for index, slot in enumerate(past):
        write_up = slot.day + timedelta(days=1)
        if write_up > today:
            continue
        if spec.vendor == "brightdesk" and spec.tier == Tier.WEEKLY and index == len(past) - 1:
            continue  # over, but nobody has written the minutes yet
        if spec.tier == Tier.WEEKLY and index == len(past) - 9:
            demo.at(slot.day - timedelta(days=6), lambda spec=spec, slot=slot: services
                    .meeting_cancel(_meeting(demo, spec, slot), by=demo.user(spec.by),
                                    reason="Both leads on the quarterly planning off-site."))
            continue
        topic = topics[index % len(topics)]
        if topic.done_after is None and index + len(topics) < len(past):
            # Only the latest time a topic came up leaves its item open; earlier ones were
            # settled in the end, after being carried over for a while.
            topic = replace(topic, done_after=20)
        demo.at(write_up, lambda spec=spec, slot=slot, topic=topic, index=index:
                _hold(demo, spec, slot, topic, index))
        if topic.action:
            _schedule_progress(demo, spec, slot, topic, raised=write_up)


def _meeting(demo, spec: CadenceSpec, slot) -> Meeting:
    cadence: Cadence = demo.refs[("cadence", spec.vendor, spec.tier)]
    return Meeting.objects.get(cadence=cadence, period=slot.period, archived_at__isnull=True)


def _hold(demo, spec: CadenceSpec, slot, topic: Topic, index: int) -> None:
    """The day after the meeting: attendance, minutes, decision and action item, held."""
    meeting = _meeting(demo, spec, slot)
    chair = demo.user(spec.ours[0])
    for position, row in enumerate(meeting.attendances.select_related("contact")
                                   .order_by("pk")):
        absent = index % 4 == 3 and position == index % 3  # now and then someone is away
        if row.contact_id and row.contact.role == AE and spec.vendor == "kestrel":
            # Kestrel's account executive fades after they lost the analytics bid: a
            # warning sign ("interest dropped") against their own record before.
            absent = index >= 5 and index % 4 != 0
        services.attendance_record(row, by=chair, present=not absent)
    services.meeting_write_minutes(meeting, by=chair, minutes=topic.minutes)
    if topic.decision:
        services.decision_record(meeting=meeting, by=chair, text=topic.decision)
    if topic.action:
        owner_user, owner_contact = ((chair, None) if topic.owner == "ours"
                                     else (None, _contact(demo, spec.vendor, spec.theirs[0])))
        services.action_item_create(
            vendor=meeting.vendor, by=chair, meeting=meeting, title=topic.action,
            owner_user=owner_user, owner_contact=owner_contact,
            due_on=timezone.localdate() + timedelta(days=7))
    services.meeting_hold(meeting, by=chair)


def _schedule_progress(demo, spec: CadenceSpec, slot, topic: Topic, *, raised: date) -> None:
    """The item agreed in a meeting: started after a few days if it takes long, done after
    `done_after` days (so longer ones are carried over to the next meetings), or never."""
    if topic.done_after is None:
        return
    vendor_users = {"meridian": "alice", "kestrel": "charlie", "brightdesk": "diego"}
    by = spec.ours[0]
    if topic.owner == "theirs":
        by = vendor_users.get(spec.vendor, by)

    def progress(status, notes=None):
        item = ActionItem.objects.get(meeting=_meeting(demo, spec, slot), title=topic.action)
        services.action_item_progress(item, by=demo.user(by), status=status, notes=notes)

    started, done = raised + timedelta(days=3), raised + timedelta(days=topic.done_after)
    if topic.done_after > 8 and started <= demo.today:
        demo.at(started, lambda: progress("in_progress", "Under way; more at the next review."))
    if done <= demo.today:
        demo.at(done, lambda: progress("done"))


def _schedule_suggestion(demo, spec: SuggestionSpec) -> None:
    holder = {}

    def submit():
        holder["s"] = services.suggestion_submit(
            vendor=demo.vendor(spec.vendor), by=demo.user(spec.by), title=spec.title,
            description=spec.description, category=spec.category,
            estimated_value=Decimal(spec.value) if spec.value is not None else None,
            estimated_effort_days=Decimal(spec.effort) if spec.effort is not None else None,
            currency=_currency(demo, spec.vendor))

    demo.at(demo.dates.days(spec.day), submit)
    for day, status, by, text, value in spec.steps:
        demo.at(demo.dates.days(day), lambda status=status, by=by, text=text, value=value:
                services.suggestion_transition(
                    holder["s"], by=demo.user(by), status=status,
                    rationale=text if status != "outcome_reviewed" else "",
                    lessons=text if status == "outcome_reviewed" else "",
                    realised_value=Decimal(value) if value is not None else None))


def _currency(demo, key: str) -> str:
    contract = demo.vendor(key).contracts.order_by("start_date").first()
    return contract.currency if contract else "EUR"


def _schedule_impediment(demo, spec: ImpedimentSpec) -> None:
    holder = {}

    def raise_it():
        user, contact = _person(demo, spec.vendor, spec.owner) if spec.owner else (None, None)
        holder["i"] = services.impediment_raise(
            vendor=demo.vendor(spec.vendor), by=demo.user(spec.by), title=spec.title,
            description=spec.description, kind=spec.kind, severity=spec.severity,
            responsible_side=spec.responsible, owner_user=user, owner_contact=contact)

    demo.at(demo.dates.days(spec.day), raise_it)
    for day, by, text in spec.updates:
        demo.at(demo.dates.days(day), lambda by=by, text=text: services.impediment_add_update(
            holder["i"], by=demo.user(by), text=text))
    for day, step, by, to, note, outcome in spec.escalations:
        def escalate(step=step, by=by, to=to, note=note, outcome=outcome):
            user, contact = _person(demo, spec.vendor, to)
            escalation = services.impediment_escalate(holder["i"], by=demo.user(by),
                                                      level=step, note=note, to_user=user,
                                                      to_contact=contact)
            holder[("e", step)] = escalation

        demo.at(demo.dates.days(day), escalate)
        if outcome:
            demo.at(demo.dates.days(outcome[0]), lambda step=step, by=by, text=outcome[1]:
                    services.escalation_record_outcome(holder[("e", step)], by=demo.user(by),
                                                       outcome=text))
    if spec.resolved:
        day, by, text = spec.resolved
        demo.at(demo.dates.days(day), lambda: services.impediment_set_status(
            holder["i"], by=demo.user(by), status="resolved", resolution=text))


def _schedule_this_week(demo) -> None:
    """Today: an item overdue, the vendor confirming the next weekly, one meeting moved and
    one cancelled ahead, and a point added to next week's agenda."""

    def today():
        meridian = demo.refs[("cadence", "meridian", Tier.WEEKLY)]
        upcoming = list(meridian.meetings.upcoming().order_by("starts_at"))
        alice, liam = demo.user("alice"), demo.user("liam")
        for row in upcoming[0].attendances.filter(contact__isnull=False):
            services.attendance_record(row, by=alice, response="confirmed")
        services.agenda_item_add(meeting=upcoming[0], by=liam,
                                 title="Introduce Ewa Mazur's SD-WAN wave 2 plan",
                                 notes="Ten minutes; slides from Meridian.")
        moved = upcoming[3]
        day = moved.local_start.date() - timedelta(days=1)
        services.meeting_move(moved, by=liam, date=day, start_time=time(14, 0))
        services.meeting_cancel(upcoming[4], by=liam,
                                reason="Year-end change freeze: nothing to review that week.")
        kestrel = demo.refs[("cadence", "kestrel", Tier.WEEKLY)]
        contact = Contact.objects.get(vendor=kestrel.vendor, role=LEAD)
        services.action_item_create(
            vendor=kestrel.vendor, by=liam, title="Send the FI defect retest evidence",
            owner_contact=contact, due_on=demo.today,
            description="Evidence that the fixes were tested before the next close.")

        # Brightdesk's quarterly review is brought forward to settle the renewal in time.
        quarterly = (demo.refs[("cadence", "brightdesk", Tier.QUARTERLY)].meetings.upcoming()
                     .order_by("starts_at").first())
        services.meeting_move(quarterly, by=demo.user("vera"),
                              date=demo.today + timedelta(days=5), start_time=time(14, 0))

    demo.at(demo.today, today)

