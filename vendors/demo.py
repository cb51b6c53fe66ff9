"""The demo portfolio behind ``python manage.py load_demo [--if-empty] [--print-logins]``.

A mid-size European company outsourcing its IT to seven vendors: a strategic
infrastructure outsourcer of many years, an application-management vendor whose renewal is
due, a service desk, a cloud/security MSP being onboarded, a testing vendor on its way out,
a small data team, and a hosting vendor that has left (archived). Our people cover every
role; three vendor users belong to three different vendors. Everyone signs in with
``DEMO_PASSWORD``.

The demo is replayed, not poked into the tables: every record is written through the
services (``vendors.services``) by the person who would have written it, on the day it
would have happened. Dates are relative to today, so the demo always looks current, and
nothing is random, so two loads give the same portfolio.

How it is built
---------------
* ``PEOPLE`` — our people and the vendor users, with their vendor assignments.
* ``vendor_specs(d)`` — one ``VendorSpec`` per vendor, plain data; dates come from the
  ``DemoDates`` helper ``d`` (``d.days(-40)``, ``d.month_start(-12)``, ``d.month_end(3)``).
* ``VENDOR_STEPS`` — one function per concern (set-up, status changes, principle revisions,
  staffing changes, archiving). Each reads its part of a spec and *schedules* what
  happened with ``demo.at(day, action)``; ``Demo.replay()`` then runs every action in date
  order with the clock set to that day, so ``requested_on``, ``resolved_on``, history dates
  and the like read as if they happened then.

How other apps extend it (scorecards, SLAs, meetings…)
-------------------------------------------------------
An installed app with a module ``<app>/demo.py`` that defines ``schedule(demo)`` is found
by ``Demo.load()`` and called after the vendors' own steps, in INSTALLED_APPS order (so the
dependency arrow keeps pointing at ``vendors``). ``schedule`` walks ``demo.specs`` (or its
own data keyed by ``spec.key``), and schedules its history with ``demo.at(day, action)``;
the replay then runs everything in date order. Within this module, a concern of the
vendors themselves is added like this:

1. Add a field to ``VendorSpec`` (e.g. ``scorecard: dict | None = None``) and fill it in
   for the vendors that should have one in ``vendor_specs``.
2. Write ``schedule_scorecard(demo, spec)`` that calls ``demo.at(day, action)`` for each
   thing that happened (scorecard set up, actuals reported each quarter…), where
   ``action`` creates the records through that app's services with ``by=demo.user(...)``
   and ``vendor=demo.vendor(spec.key)``.
3. Append it to ``VENDOR_STEPS``. Records that other steps need (a meeting an action item
   hangs off) can be kept on ``demo.refs``.
"""

from __future__ import annotations

import calendar
import importlib
import importlib.util
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from unittest import mock

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from vendorgov.roles import Role
from vendors.choices import (
    AssignmentRole,
    ContactRole,
    Criticality,
    Currency,
    EscalationLevel,
    Side,
    StaffingChangeKind,
    StaffingChangeStatus,
    Tier,
    VendorStatus,
)
from vendors.models import (
    Contact,
    Contract,
    GuidingPrinciple,
    Service,
    StaffingChange,
    StaffMember,
    Vendor,
    VendorAssignment,
)
from vendors.services import (
    principle_revise,
    record_archive,
    record_create,
    record_update,
    staffing_change_request,
    staffing_change_resolve,
    vendor_create,
)

DEMO_PASSWORD = "demo-pass-2026"
OUR_DOMAIN = "example.com"
# The governance programme (and so this system) started this long before today.
PROGRAMME_AGE_DAYS = 420

# ----------------------------------------------------------------------------------------
# Dates
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoDates:
    """Dates relative to `today`, for writing specs."""

    today: date

    def days(self, n: int) -> date:
        return self.today + timedelta(days=n)

    def month_start(self, months: int) -> date:
        year, month = divmod(self.today.month - 1 + months, 12)
        return date(self.today.year + year, month + 1, 1)

    def month_end(self, months: int) -> date:
        start = self.month_start(months)
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])

    def month_end_within(self, days: int) -> date:
        """The last month end no more than `days` away (a contract 'ending soon')."""
        months = 12
        while self.month_end(months) > self.days(days):
            months -= 1
        return self.month_end(months)

    @property
    def programme_start(self) -> date:
        return self.days(-PROGRAMME_AGE_DAYS)


# ----------------------------------------------------------------------------------------
# People
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonSpec:
    username: str
    first_name: str
    last_name: str
    role: Role
    job_title: str
    vendor: str | None = None  # vendor key, for vendor users only
    assignments: tuple[tuple[str, AssignmentRole], ...] = ()  # (vendor key, role)
    is_staff: bool = False


_OWNER = AssignmentRole.RELATIONSHIP_OWNER
PEOPLE: tuple[PersonSpec, ...] = (
    PersonSpec("vera", "Vera", "Lindqvist", Role.VENDOR_MANAGER, "Head of vendor management",
               is_staff=True),
    PersonSpec("erin", "Erin", "Mahoney", Role.EXECUTIVE, "Chief information officer",
               assignments=(("meridian", AssignmentRole.EXECUTIVE_SPONSOR),
                            ("kestrel", AssignmentRole.EXECUTIVE_SPONSOR))),
    PersonSpec("liam", "Liam", "O'Connor", Role.LINE_MANAGER,
               "Infrastructure and applications service manager",
               assignments=(("meridian", _OWNER), ("kestrel", _OWNER))),
    PersonSpec("lena", "Lena", "Fischer", Role.LINE_MANAGER, "End-user services manager",
               assignments=(("brightdesk", _OWNER), ("sentinel", _OWNER),
                            ("qualityforge", _OWNER), ("castellan", _OWNER))),
    PersonSpec("luca", "Luca", "Bianchi", Role.LINE_MANAGER, "Data platform manager",
               assignments=(("lumen", _OWNER), ("meridian", AssignmentRole.LINE_MANAGER))),
    PersonSpec("olga", "Olga", "Nowak", Role.OPERATIONS, "Service operations lead",
               assignments=(("meridian", AssignmentRole.OPERATIONS),
                            ("brightdesk", AssignmentRole.OPERATIONS),
                            ("sentinel", AssignmentRole.OPERATIONS))),
    PersonSpec("omar", "Omar", "Haddad", Role.OPERATIONS, "Application operations analyst",
               assignments=(("kestrel", AssignmentRole.OPERATIONS),
                            ("qualityforge", AssignmentRole.OPERATIONS),
                            ("lumen", AssignmentRole.OPERATIONS))),
    PersonSpec("sam", "Sam", "Okafor", Role.STAKEHOLDER, "Enterprise architect (IT)",
               assignments=(("meridian", AssignmentRole.IT_STAKEHOLDER),
                            ("sentinel", AssignmentRole.IT_STAKEHOLDER))),
    PersonSpec("bea", "Bea", "Laurent", Role.STAKEHOLDER,
               "Finance operations director (business)",
               assignments=(("kestrel", AssignmentRole.BUSINESS_STAKEHOLDER),
                            ("brightdesk", AssignmentRole.BUSINESS_STAKEHOLDER))),
    PersonSpec("alice", "Alice", "Brennan", Role.VENDOR_USER, "Outsourced lead",
               vendor="meridian"),
    PersonSpec("charlie", "Charlie", "Dubois", Role.VENDOR_USER, "Account executive",
               vendor="kestrel"),
    PersonSpec("diego", "Diego", "Ferreira", Role.VENDOR_USER, "Service delivery lead",
               vendor="brightdesk"),
)

# ----------------------------------------------------------------------------------------
# Vendors
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractSpec:
    reference: str
    title: str
    start_date: date
    end_date: date
    value: Decimal
    currency: Currency
    renewal_notice_days: int
    notes: str = ""


@dataclass(frozen=True)
class ContactSpec:
    name: str
    role: ContactRole
    title: str  # kept in the contact's notes
    escalation_level: EscalationLevel | None = None
    phone: str = ""


@dataclass(frozen=True)
class PrincipleSpec:
    title: str
    text: str
    # A later version agreed at a health check: (day, by, new title, new text, reason).
    revision: tuple[date, str, str, str, str] | None = None


@dataclass(frozen=True)
class StaffSpec:
    name: str
    role: str
    started_on: date
    allocation_percent: int = 100
    ended_on: date | None = None


@dataclass(frozen=True)
class StepSpec:
    """What became of a staffing request: status, on which day, recorded by whom."""

    status: StaffingChangeStatus
    day: date
    by: str
    note: str = ""
    new_person_name: str = ""


@dataclass(frozen=True)
class StaffingSpec:
    kind: StaffingChangeKind
    side: Side
    by: str
    requested_on: date
    reason: str
    member: str = ""  # roster name, for remove / replace
    new_person_name: str = ""
    new_person_role: str = ""
    needed_by: date | None = None
    steps: tuple[StepSpec, ...] = ()


@dataclass(frozen=True)
class VendorSpec:
    key: str
    name: str
    short_name: str
    domain: str
    tier: Tier
    criticality: Criticality
    status: VendorStatus  # when it was set up; see status_changes
    description: str
    set_up_on: date
    suggestion_quota_per_quarter: int = 0
    services: tuple[tuple[str, str], ...] = ()
    contracts: tuple[ContractSpec, ...] = ()
    contacts: tuple[ContactSpec, ...] = ()
    principles: tuple[PrincipleSpec, ...] = ()
    staff: tuple[StaffSpec, ...] = ()
    staffing_changes: tuple[StaffingSpec, ...] = ()
    # (day, new status, by, reason), in order.
    status_changes: tuple[tuple[date, VendorStatus, str, str], ...] = ()
    archived_on: date | None = None  # the vendor and its contracts are archived that day

    @property
    def final_status(self) -> VendorStatus:
        return self.status_changes[-1][1] if self.status_changes else self.status


def _ladder(account_executive, outsourced_lead, delivery_manager, executive_sponsor, *,
            phone_block: int) -> tuple[ContactSpec, ...]:
    """The usual four contacts: (name, job title) each; phones from Ofcom's drama range."""
    rows = [
        (account_executive, ContactRole.ACCOUNT_EXECUTIVE, EscalationLevel.ACCOUNT_EXECUTIVE),
        (outsourced_lead, ContactRole.OUTSOURCED_LEAD, None),
        (delivery_manager, ContactRole.DELIVERY_MANAGER, EscalationLevel.MANAGEMENT),
        (executive_sponsor, ContactRole.EXECUTIVE_SPONSOR, EscalationLevel.EXECUTIVE_SPONSOR),
    ]
    return tuple(
        ContactSpec(name, role, title, level, phone=f"+44 7700 900{phone_block + i:03d}")
        for i, ((name, title), role, level) in enumerate(rows)
    )


def vendor_specs(d: DemoDates) -> list[VendorSpec]:
    """The demo portfolio, as data."""
    go_live = d.programme_start
    ours, theirs = Side.OURS, Side.VENDOR
    kind, st = StaffingChangeKind, StaffingChangeStatus

    meridian_msa_start = d.month_start(-64)
    kestrel_start = d.month_start(-46)
    brightdesk_start = d.month_start(-30)
    sentinel_start = d.month_start(-1)
    qualityforge_start = d.month_start(-38)
    lumen_start = d.month_start(-20)
    castellan_start = d.month_start(-68)

    return [
        VendorSpec(
            key="meridian", name="Meridian Infrastructure Services", short_name="Meridian",
            domain="meridian-infra.example", tier=Tier.STRATEGIC,
            criticality=Criticality.CRITICAL, status=VendorStatus.ACTIVE,
            description="Runs our two data centres, the WAN and LAN, and end-user computing "
                        "from delivery centres in Dublin and Kraków. Our largest and longest "
                        "outsourcing relationship.",
            set_up_on=go_live, suggestion_quota_per_quarter=3,
            services=(
                ("Data centre operations", "Two sites (Frankfurt, Amsterdam), 24x7."),
                ("Network services", "WAN, LAN and Wi-Fi for 42 sites; SD-WAN roll-out."),
                ("End-user computing", "3,800 laptops and mobiles; deskside support."),
                ("Backup and recovery", "Daily backups, quarterly restore tests."),
            ),
            contracts=(
                ContractSpec(f"MER-{meridian_msa_start.year}-MSA",
                             "Master services agreement – infrastructure outsourcing",
                             meridian_msa_start, d.month_end(19), Decimal("24600000"),
                             Currency.EUR, 365,
                             "Seven-year term with an option to extend by two years. "
                             "Benchmarking clause from year four."),
                ContractSpec("MER-SOW-14", "SOW 14 – SD-WAN refresh of branch sites",
                             d.month_start(-10), d.month_end(9), Decimal("1850000"),
                             Currency.EUR, 60),
            ),
            contacts=_ladder(
                ("Niamh Gallagher", "Client partner"),
                ("Alice Brennan", "Service delivery lead on our account"),
                ("Tomasz Wójcik", "Head of delivery, Kraków"),
                ("Declan Byrne", "Managing director, EMEA"), phone_block=110),
            principles=(
                PrincipleSpec(
                    "No surprises",
                    "Either side raises risks, incidents and missed commitments as soon as "
                    "they are known, not at the next monthly review.",
                    revision=(d.days(-190), "vera", "No surprises",
                              "Either side raises risks, major incidents and missed "
                              "commitments within one working day, not at the next review. "
                              "Red is a status, not a failure.",
                              "Health check: two major incidents reached us through the "
                              "business first. Agreed a one-working-day rule.")),
                PrincipleSpec("One team on the floor",
                              "Meridian's people and ours plan and work as one team; nobody "
                              "hides behind the contract in day-to-day work."),
                PrincipleSpec("Measured, not self-reported",
                              "Service results come from monitoring both sides can see; "
                              "commentary explains the numbers, it does not replace them."),
                PrincipleSpec("Improvement is part of the price",
                              "Meridian brings at least three improvement or automation ideas "
                              "a quarter, each with an estimate of its benefit."),
            ),
            staff=(
                StaffSpec("Alice Brennan", "Outsourced lead", d.month_start(-60)),
                StaffSpec("Piotr Zieliński", "Network architect", d.month_start(-58)),
                StaffSpec("Marek Lis", "Network engineer", d.month_start(-30)),
                StaffSpec("Conor Walsh", "Data centre operations lead", d.month_start(-62)),
                StaffSpec("Aoife Kelly", "Storage and backup engineer", d.month_start(-40)),
                StaffSpec("Jakub Kamiński", "End-user computing lead", d.month_start(-50), 80),
                StaffSpec("Siobhán Murphy", "Service manager", d.month_start(-36), 50),
                StaffSpec("Rafał Dąbrowski", "Windows and VMware engineer",
                          d.month_start(-26)),
            ),
            staffing_changes=(
                StaffingSpec(
                    kind.REPLACE, ours, "liam", d.days(-210),
                    "Three P2 incidents in a quarter from failed router changes; coaching has "
                    "not helped. Please replace with an engineer experienced in SD-WAN.",
                    member="Marek Lis", new_person_role="Network engineer (SD-WAN)",
                    needed_by=d.days(-150),
                    steps=(StepSpec(st.AGREED, d.days(-203), "alice",
                                    "Agreed; two candidates shortlisted."),
                           StepSpec(st.DONE, d.days(-168), "liam",
                                    "Ewa Mazur started after a two-week handover.",
                                    new_person_name="Ewa Mazur"))),
                StaffingSpec(
                    kind.REMOVE, theirs, "alice", d.days(-40),
                    "Aoife is needed on another client's migration; storage would be covered "
                    "by the shared team in Kraków.",
                    member="Aoife Kelly",
                    steps=(StepSpec(st.DECLINED, d.days(-33), "liam",
                                    "Declined: Aoife is a key person under schedule 7 and the "
                                    "backup re-platforming is mid-flight. Revisit after "
                                    "go-live."),)),
                StaffingSpec(
                    kind.ADD, theirs, "alice", d.days(-12),
                    "Extra capacity for the first wave of the Azure landing-zone migration "
                    "(SOW 15 in draft).",
                    new_person_role="Cloud migration engineer", needed_by=d.days(30),
                    steps=(StepSpec(st.AGREED, d.days(-6), "liam",
                                    "Agreed within the current price envelope until SOW 15 is "
                                    "signed."),)),
            ),
        ),
        VendorSpec(
            key="kestrel", name="Kestrel Application Management", short_name="Kestrel",
            domain="kestrel-ams.example", tier=Tier.STRATEGIC, criticality=Criticality.HIGH,
            status=VendorStatus.ACTIVE,
            description="Supports and enhances SAP S/4HANA, Salesforce and the integration "
                        "platform from Manchester and Pune. The renewal decision is due.",
            set_up_on=go_live, suggestion_quota_per_quarter=2,
            services=(
                ("SAP S/4HANA application support", "Finance, sales and logistics modules."),
                ("Salesforce application support", "Sales Cloud and Service Cloud."),
                ("Integration platform support", "MuleSoft APIs and the EDI gateway."),
            ),
            contracts=(
                ContractSpec(f"KES-AMS-{kestrel_start.year}",
                             "Application management services agreement", kestrel_start,
                             d.month_end_within(115), Decimal("6240000"), Currency.GBP, 90,
                             "Option to extend by 24 months on the current rate card, or "
                             "re-tender. Recommendation due to the steering committee."),
                ContractSpec("KES-ENH-02", "Enhancement pool (time and materials)",
                             d.month_start(-16), d.month_end(8), Decimal("450000"),
                             Currency.GBP, 30),
            ),
            contacts=_ladder(
                ("Charlie Dubois", "Account executive"),
                ("Priya Raman", "Engagement lead"),
                ("Graham Whitfield", "Head of delivery, Europe"),
                ("Helen Ashworth", "Chief operating officer"), phone_block=210),
            principles=(
                PrincipleSpec("Business outcomes over tickets closed",
                              "We judge the service by a clean month-end close and by sales "
                              "being able to work, not by the number of tickets resolved."),
                PrincipleSpec(
                    "Fix the root cause",
                    "A recurring incident gets a problem record and a named owner; an issue "
                    "seen three times in a quarter goes on the weekly review.",
                    revision=(d.days(-150), "vera", "Fix the root cause",
                              "A recurring incident gets a problem record and a named owner; "
                              "an issue seen twice in a month goes on the weekly review with a "
                              "fix date.",
                              "Health check: month-end close issues recurred four times. "
                              "Threshold tightened.")),
                PrincipleSpec("Keep the A-team on the account",
                              "Key people stay at least 12 months; changes are agreed with us "
                              "four weeks ahead, with a proper handover."),
                PrincipleSpec("Share the knowledge",
                              "Documentation and runbooks live in our wiki, so the service "
                              "could move without losing what was learned."),
            ),
            staff=(
                StaffSpec("Priya Raman", "Outsourced lead", d.month_start(-45)),
                StaffSpec("Arjun Mehta", "SAP FI/CO consultant", d.month_start(-20)),
                StaffSpec("Sneha Kulkarni", "SAP SD/MM consultant", d.month_start(-44)),
                StaffSpec("Oliver Grant", "Salesforce developer", d.month_start(-24)),
                StaffSpec("Rohan Desai", "Integration developer", d.month_start(-30), 80),
                StaffSpec("Emma Clarke", "Service delivery manager", d.month_start(-46), 50),
                StaffSpec("Vikram Nair", "SAP Basis engineer", d.month_start(-40), 60),
            ),
            staffing_changes=(
                StaffingSpec(
                    kind.ADD, ours, "liam", d.days(-130),
                    "Sales Cloud backlog has grown to 60 stories; add a second developer.",
                    new_person_role="Salesforce developer", needed_by=d.days(-100),
                    steps=(StepSpec(st.AGREED, d.days(-122), "charlie",
                                    "Agreed; Lucy Bennett proposed."),
                           StepSpec(st.DONE, d.days(-98), "liam", "Lucy started.",
                                    new_person_name="Lucy Bennett"))),
                StaffingSpec(
                    kind.REMOVE, theirs, "charlie", d.days(-70),
                    "Oliver rolls off at the end of his assignment; Lucy Bennett takes over "
                    "his backlog.",
                    member="Oliver Grant",
                    steps=(StepSpec(st.AGREED, d.days(-66), "liam",
                                    "Agreed, with a handover of the CPQ work."),
                           StepSpec(st.DONE, d.days(-50), "liam", "Handover completed."))),
                StaffingSpec(
                    kind.REPLACE, ours, "liam", d.days(-75),
                    "Month-end close defects in FI keep recurring (four times this year) and "
                    "fixes reach production untested. Please replace with a senior FI "
                    "consultant with S/4HANA close experience.",
                    member="Arjun Mehta", new_person_role="Senior SAP FI/CO consultant",
                    needed_by=d.days(-45)),  # never answered: a warning sign
            ),
        ),
        VendorSpec(
            key="brightdesk", name="Brightdesk Service Desk", short_name="Brightdesk",
            domain="brightdesk.example", tier=Tier.TACTICAL, criticality=Criticality.HIGH,
            status=VendorStatus.ACTIVE,
            description="Our multilingual first-line service desk (English, German, French, "
                        "Portuguese), run from Lisbon.",
            set_up_on=go_live, suggestion_quota_per_quarter=1,
            services=(
                ("First-line service desk", "Phone, chat and portal; 07:00–20:00 CET."),
                ("Out-of-hours cover", "Evenings, weekends and public holidays."),
                ("Access requests", "Joiners, movers and leavers; password resets."),
            ),
            contracts=(
                ContractSpec(f"BRD-{brightdesk_start.year}-SD", "Service desk services agreement",
                             brightdesk_start, d.month_end(18), Decimal("3420000"),
                             Currency.EUR, 120),
            ),
            contacts=_ladder(
                ("Marta Silva", "Account director"),
                ("Diego Ferreira", "Service delivery lead"),
                ("João Santos", "Operations director"),
                ("Isabel Costa", "Chief executive"), phone_block=310),
            principles=(
                PrincipleSpec("The user's experience counts",
                              "We judge the desk by what users feel: first-contact resolution "
                              "and satisfaction, not only answer times."),
                PrincipleSpec("Shift left together",
                              "Both sides move known fixes to self-service and first line; the "
                              "savings are shared as the contract says."),
                PrincipleSpec("Open books on staffing",
                              "Brightdesk shares rota, attrition and training plans monthly; "
                              "we share expected peaks a month ahead."),
            ),
            staff=(
                StaffSpec("Diego Ferreira", "Service delivery lead", d.month_start(-30), 60),
                StaffSpec("Inês Rocha", "Service desk team lead", d.month_start(-30)),
                StaffSpec("Anna Becker", "Service desk agent (German)", d.month_start(-22)),
                StaffSpec("Claire Moreau", "Service desk agent (French)", d.month_start(-18)),
                StaffSpec("Rui Carvalho", "Service desk agent (English, Portuguese)",
                          d.month_start(-29)),
                StaffSpec("Sofia Martins", "Knowledge manager", d.month_start(-14), 50),
            ),
            staffing_changes=(
                StaffingSpec(
                    kind.REPLACE, theirs, "diego", d.days(-100),
                    "Inês is promoted to operations manager for another client; Tiago "
                    "Almeida, team lead of our night shift, would take over.",
                    member="Inês Rocha", new_person_name="Tiago Almeida",
                    new_person_role="Service desk team lead",
                    steps=(StepSpec(st.AGREED, d.days(-96), "lena",
                                    "Agreed, with a three-week overlap."),
                           StepSpec(st.DONE, d.days(-80), "lena", "Handover completed."))),
                StaffingSpec(
                    kind.ADD, ours, "lena", d.days(-5),
                    "German-speaking calls are up 30% since the Munich site joined; add an "
                    "agent before the SAP go-live peak.",
                    new_person_role="Service desk agent (German)", needed_by=d.days(25)),
            ),
        ),
        VendorSpec(
            key="sentinel", name="Sentinel Cloud & Security", short_name="Sentinel",
            domain="sentinel-msp.example", tier=Tier.TACTICAL, criticality=Criticality.HIGH,
            status=VendorStatus.ONBOARDING,
            description="Managed security and Azure operations provider, taking over our "
                        "security operations centre; transition in progress.",
            set_up_on=d.days(-35), suggestion_quota_per_quarter=1,
            services=(
                ("Managed detection and response", "24x7 security operations centre."),
                ("Azure cloud operations", "Landing zone, cost and patch management."),
                ("Vulnerability management", "Monthly scans and remediation tracking."),
            ),
            contracts=(
                ContractSpec(f"SEN-{sentinel_start.year}-MSSA",
                             "Managed security and cloud services agreement", sentinel_start,
                             d.month_end(35), Decimal("2160000"), Currency.USD, 90),
                ContractSpec(f"SEN-{sentinel_start.year}-TSOW", "Transition statement of work",
                             sentinel_start, d.month_end(2), Decimal("240000"), Currency.USD,
                             30, "Fixed price, paid on transition milestones."),
            ),
            contacts=_ladder(
                ("Ryan Mitchell", "Account executive"),
                ("Hannah Lee", "Transition manager"),
                ("Marcus Reed", "VP service delivery, EMEA"),
                ("Karen Whitaker", "Chief customer officer"), phone_block=410),
            principles=(
                PrincipleSpec("Security incidents come first",
                              "A suspected breach reaches both sides' on-call leads within 15 "
                              "minutes, day or night, whatever its formal severity."),
                PrincipleSpec("Transparent transition",
                              "During onboarding Sentinel reports weekly against the transition "
                              "plan, including what is late and why."),
                PrincipleSpec("Least privilege, always",
                              "Sentinel's people get only the access they need, reviewed "
                              "monthly, and leave no shared accounts behind."),
            ),
            staff=(
                StaffSpec("Hannah Lee", "Transition manager", sentinel_start),
                StaffSpec("Daniel Okoro", "SOC lead analyst", sentinel_start),
                StaffSpec("Priyanka Shah", "Azure cloud engineer", sentinel_start),
                StaffSpec("Lukas Vogel", "Security engineer", sentinel_start, 50),
            ),
            staffing_changes=(
                StaffingSpec(
                    kind.ADD, ours, "lena", d.days(-10),
                    "A SOC analyst in CET business hours, so our IT teams have a named "
                    "counterpart during the working day.",
                    new_person_role="SOC analyst (CET hours)", needed_by=d.days(20),
                    steps=(StepSpec(st.AGREED, d.days(-4), "lena",
                                    "Ryan Mitchell confirmed on the weekly call."),)),
            ),
        ),
        VendorSpec(
            key="qualityforge", name="QualityForge Testing", short_name="QualityForge",
            domain="qualityforge.example", tier=Tier.OPERATIONAL,
            criticality=Criticality.MEDIUM, status=VendorStatus.ACTIVE,
            description="Regression test automation and performance testing. Not renewed: "
                        "testing moves in-house and to Kestrel; exit plan agreed.",
            set_up_on=go_live,
            services=(
                ("Regression test automation", "Automated suites for SAP and the web shop."),
                ("Performance testing", "Load tests before major releases."),
            ),
            contracts=(
                ContractSpec(f"QFT-{qualityforge_start.year}-TS", "Testing services framework",
                             qualityforge_start, d.month_end(2), Decimal("1180000"),
                             Currency.EUR, 90,
                             "Notice of non-renewal served. Exit plan: hand over test assets "
                             "and scripts by the end date."),
            ),
            contacts=_ladder(
                ("Stefan Richter", "Account manager"),
                ("Jana Novák", "Test lead"),
                ("Martin Keller", "Delivery director"),
                ("Ursula Brandt", "Managing director"), phone_block=510),
            principles=(
                PrincipleSpec("An orderly exit",
                              "Knowledge, test assets and scripts are handed over complete and "
                              "working before the last day."),
            ),
            staff=(
                StaffSpec("Jana Novák", "Test lead", d.month_start(-38)),
                StaffSpec("Felix Braun", "Test automation engineer", d.month_start(-30)),
                StaffSpec("Tereza Svobodová", "Test automation engineer", d.month_start(-20)),
                StaffSpec("Paul Schneider", "Performance tester", d.month_start(-26), 50),
            ),
            staffing_changes=(
                StaffingSpec(
                    kind.ADD, ours, "lena", d.days(-60),
                    "A second performance tester for the peak-season load tests.",
                    new_person_role="Performance tester", needed_by=d.days(-30),
                    steps=(StepSpec(st.WITHDRAWN, d.days(-46), "lena",
                                    "Withdrawn: the contract will not be renewed."),)),
                StaffingSpec(
                    kind.REMOVE, ours, "lena", d.days(-30),
                    "Ramp-down under the exit plan: the web-shop suite has been handed over.",
                    member="Tereza Svobodová",
                    steps=(StepSpec(st.AGREED, d.days(-28), "lena",
                                    "Stefan Richter agreed by email."),
                           StepSpec(st.DONE, d.days(-14), "lena", "Handover signed off."))),
            ),
            status_changes=((d.days(-45), VendorStatus.EXITING, "vera",
                             "Notice of non-renewal served."),),
        ),
        VendorSpec(
            key="lumen", name="Lumen Data & Analytics", short_name="Lumen",
            domain="lumen-data.example", tier=Tier.OPERATIONAL, criticality=Criticality.MEDIUM,
            status=VendorStatus.ACTIVE,
            description="A small nearshore team in Wrocław running the data warehouse and "
                        "building finance and sales reports.",
            set_up_on=go_live, suggestion_quota_per_quarter=1,
            services=(
                ("Data warehouse operations", "Nightly loads, data quality checks."),
                ("BI report development", "Finance and sales dashboards."),
            ),
            contracts=(
                ContractSpec(f"LUM-{lumen_start.year}-DA", "Data and analytics services",
                             lumen_start, d.month_end(16), Decimal("980000"), Currency.EUR, 60),
            ),
            contacts=_ladder(
                ("Agnieszka Wrona", "Account manager"),
                ("Michał Kowalczyk", "Lead data engineer"),
                ("Paweł Król", "Delivery manager"),
                ("Barbara Szymańska", "Managing partner"), phone_block=610),
            principles=(
                PrincipleSpec("Data quality is a shared duty",
                              "Lumen flags bad source data the day it is seen; we fix it at "
                              "the source."),
                PrincipleSpec("Small, frequent releases",
                              "Reports ship every two weeks rather than in big quarterly "
                              "drops."),
                PrincipleSpec("Explain the numbers",
                              "Every dashboard says where its figures come from and when they "
                              "were last loaded."),
            ),
            staff=(
                StaffSpec("Michał Kowalczyk", "Lead data engineer", d.month_start(-20)),
                StaffSpec("Zofia Wiśniewska", "BI developer", d.month_start(-20)),
                StaffSpec("Adam Kaczmarek", "Data engineer", d.month_start(-12), 80),
                StaffSpec("Natalia Grabowska", "BI developer", d.month_start(-8), 50),
            ),
        ),
        VendorSpec(
            key="castellan", name="Castellan Hosting", short_name="Castellan",
            domain="castellan-hosting.example", tier=Tier.OPERATIONAL,
            criticality=Criticality.LOW, status=VendorStatus.ACTIVE,
            description="Hosted the legacy intranet and file servers until they moved to "
                        "Meridian's data centres. Exit completed; kept for the record.",
            set_up_on=go_live,
            services=(("Legacy application hosting", "Intranet and file servers."),),
            contracts=(
                ContractSpec(f"CAS-{castellan_start.year}-HST", "Hosting services agreement",
                             castellan_start, d.month_end(-8), Decimal("4800000"),
                             Currency.DKK, 180,
                             "Not renewed; services migrated to Meridian under SOW 12."),
            ),
            contacts=(
                ContactSpec("Henrik Larsen", ContactRole.ACCOUNT_EXECUTIVE, "Account manager",
                            EscalationLevel.ACCOUNT_EXECUTIVE, "+44 7700 900710"),
                ContactSpec("Sofie Jensen", ContactRole.DELIVERY_MANAGER, "Hosting manager",
                            EscalationLevel.MANAGEMENT, "+44 7700 900711"),
            ),
            staff=(
                StaffSpec("Mads Nielsen", "Hosting engineer", castellan_start,
                          ended_on=d.month_end(-8)),
                StaffSpec("Freja Andersen", "Service manager", castellan_start, 30,
                          ended_on=d.month_end(-8)),
            ),
            status_changes=(
                (d.days(-320), VendorStatus.EXITING, "vera",
                 "Exit agreed: hosting consolidates into Meridian's data centres."),
                (d.days(-235), VendorStatus.EXITED, "lena",
                 "Last servers migrated and decommissioned."),
            ),
            archived_on=d.days(-200),
        ),
    ]


# ----------------------------------------------------------------------------------------
# Replay
# ----------------------------------------------------------------------------------------


class Demo:
    """Loads the demo: holds what has been created and replays scheduled actions in
    date order with the clock set to each action's day."""

    def __init__(self, today: date):
        self.dates = DemoDates(today)
        self.today = today
        self.specs = vendor_specs(self.dates)
        self.users: dict[str, object] = {}
        self.vendors: dict[str, Vendor] = {}
        self.staff: dict[tuple[str, str], StaffMember] = {}
        self.refs: dict = {}  # anything later steps need to find again
        # One hash for everyone: hashing is deliberately slow, and the password is public.
        self.password_hash = make_password(DEMO_PASSWORD)
        self._schedule: list[tuple[date, int, Callable[[], None]]] = []

    # -- lookup --
    def user(self, username: str):
        return self.users[username]

    def vendor(self, key: str) -> Vendor:
        return self.vendors[key]

    # -- scheduling --
    def at(self, day: date, action: Callable[[], None]) -> None:
        if day > self.today:
            raise ValueError(f"The demo cannot replay the future ({day}).")
        self._schedule.append((day, len(self._schedule), action))

    def replay(self) -> None:
        for day, _, action in sorted(self._schedule, key=lambda item: item[:2]):
            with self.clock(day):
                action()
        self._schedule.clear()

    @contextmanager
    def clock(self, day: date) -> Iterator[None]:
        """Set today to `day` for services, models and history (each call one second on)."""
        start = timezone.make_aware(datetime.combine(day, time(9, 0)))
        ticks = iter(range(86_400))
        real_localdate = timezone.localdate

        def now():
            return start + timedelta(seconds=next(ticks))

        def localdate(value=None, timezone=None):
            # Today is `day` however many seconds the replay ticks on; any other instant is
            # converted as usual.
            return day if value is None else real_localdate(value, timezone)

        with (mock.patch("django.utils.timezone.now", now),
              mock.patch("django.utils.timezone.localdate", localdate)):
            yield

    def load(self) -> None:
        schedule_people(self)
        for spec in self.specs:
            for step in VENDOR_STEPS:
                step(self, spec)
        for schedule in app_schedules():
            schedule(self)
        self.replay()


def app_schedules() -> list[Callable[[Demo], None]]:
    """`schedule(demo)` of every installed app that has a `demo` module, in app order."""
    schedules = []
    for config in apps.get_app_configs():
        if config.name == "vendors" or importlib.util.find_spec(f"{config.name}.demo") is None:
            continue
        module = importlib.import_module(f"{config.name}.demo")
        if hasattr(module, "schedule"):
            schedules.append(module.schedule)
    return schedules


def _email(name: str, domain: str) -> str:
    ascii_name = unicodedata.normalize(
        "NFKD", name.translate(str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "æ": "ae"})))
    local = ".".join(ascii_name.encode("ascii", "ignore").decode().lower()
                     .replace("'", "").split())
    return f"{local}@{domain}"


def _create_user(demo: Demo, person: PersonSpec, *, vendor: Vendor | None = None):
    user = get_user_model()(
        username=person.username, first_name=person.first_name, last_name=person.last_name,
        email=_email(f"{person.first_name} {person.last_name}",
                     vendor_domain(demo, person.vendor) if person.vendor else OUR_DOMAIN),
        role=person.role, vendor=vendor, job_title=person.job_title,
        is_staff=person.is_staff, is_superuser=person.is_staff, password=demo.password_hash,
        date_joined=timezone.now())
    user.full_clean()
    if "vera" in demo.users:
        user._history_user = demo.user("vera")
    user.save()
    demo.users[person.username] = user
    return user


def vendor_domain(demo: Demo, key: str) -> str:
    return next(spec.domain for spec in demo.specs if spec.key == key)


def schedule_people(demo: Demo) -> None:
    """Our people join when the programme starts; vendor users with their vendor (set_up)."""

    def create_internal():
        for person in PEOPLE:
            if person.role != Role.VENDOR_USER:
                _create_user(demo, person)

    demo.at(demo.dates.programme_start, create_internal)


# -- per-vendor steps: each schedules what happened to one vendor ---------------------------


def schedule_set_up(demo: Demo, spec: VendorSpec) -> None:
    """The vendor as the vendor manager first recorded it, with everything around it."""

    def set_up():
        vera = demo.user("vera")
        vendor = vendor_create(
            by=vera, name=spec.name, description=spec.description,
            website=f"https://www.{spec.domain}/", tier=spec.tier,
            criticality=spec.criticality, status=spec.status,
            suggestion_quota_per_quarter=spec.suggestion_quota_per_quarter,
            created_at=timezone.now())
        demo.vendors[spec.key] = vendor
        for name, description in spec.services:
            record_create(Service, vendor=vendor, by=vera, name=name, description=description)
        for c in spec.contracts:
            record_create(Contract, vendor=vendor, by=vera, reference=c.reference,
                          title=c.title, start_date=c.start_date, end_date=c.end_date,
                          value=c.value, currency=c.currency,
                          renewal_notice_days=c.renewal_notice_days, notes=c.notes)
        for c in spec.contacts:
            record_create(Contact, vendor=vendor, by=vera, name=c.name, role=c.role,
                          email=_email(c.name, spec.domain), phone=c.phone,
                          escalation_level=c.escalation_level, notes=c.title)
        for position, p in enumerate(spec.principles, start=1):
            demo.refs[("principle", spec.key, p.title)] = record_create(
                GuidingPrinciple, vendor=vendor, by=vera, title=p.title, text=p.text,
                position=position)
        for s in spec.staff:
            demo.staff[(spec.key, s.name)] = record_create(
                StaffMember, vendor=vendor, by=vera, name=s.name, role=s.role,
                email=_email(s.name, spec.domain), allocation_percent=s.allocation_percent,
                started_on=s.started_on, ended_on=s.ended_on)
        for person in PEOPLE:
            if person.vendor == spec.key:
                _create_user(demo, person, vendor=vendor)
            for key, role in person.assignments:
                if key == spec.key:
                    record_create(VendorAssignment, vendor=vendor, by=vera,
                                  user=demo.user(person.username), role=role,
                                  assigned_at=timezone.now())

    demo.at(spec.set_up_on, set_up)


def schedule_status_changes(demo: Demo, spec: VendorSpec) -> None:
    for day, status, by, reason in spec.status_changes:
        demo.at(day, lambda status=status, by=by, reason=reason: record_update(
            demo.vendor(spec.key), by=demo.user(by), change_reason=reason, status=status))


def schedule_principle_revisions(demo: Demo, spec: VendorSpec) -> None:
    for p in spec.principles:
        if p.revision:
            day, by, title, text, reason = p.revision
            demo.at(day, lambda p=p, by=by, title=title, text=text, reason=reason:
                    principle_revise(demo.refs[("principle", spec.key, p.title)], title=title,
                                     text=text, by=demo.user(by), change_reason=reason))


def schedule_staffing_changes(demo: Demo, spec: VendorSpec) -> None:
    for change in spec.staffing_changes:
        holder: dict[str, StaffingChange] = {}

        def request(change=change, holder=holder):
            holder["change"] = staffing_change_request(
                vendor=demo.vendor(spec.key), by=demo.user(change.by), side=change.side,
                kind=change.kind, reason=change.reason,
                staff_member=demo.staff[(spec.key, change.member)] if change.member else None,
                new_person_name=change.new_person_name,
                new_person_role=change.new_person_role,
                requested_on=timezone.localdate(), needed_by=change.needed_by)

        demo.at(change.requested_on, request)
        for step in change.steps:
            if step.day < change.requested_on:
                raise ValueError(f"{spec.key}: a staffing step precedes its request.")
            demo.at(step.day, lambda step=step, holder=holder: staffing_change_resolve(
                holder["change"], status=step.status, by=demo.user(step.by), note=step.note,
                new_person_name=step.new_person_name))


def schedule_archive(demo: Demo, spec: VendorSpec) -> None:
    if spec.archived_on is None:
        return

    def archive():
        vendor, by = demo.vendor(spec.key), demo.user("vera")
        for contract in vendor.contracts.all():
            record_archive(contract, by=by)
        record_archive(vendor, by=by)

    demo.at(spec.archived_on, archive)


VENDOR_STEPS: list[Callable[[Demo, VendorSpec], None]] = [
    schedule_set_up,
    schedule_status_changes,
    schedule_principle_revisions,
    schedule_staffing_changes,
    schedule_archive,
]

# ----------------------------------------------------------------------------------------
# Logins table
# ----------------------------------------------------------------------------------------


def logins_rows(today: date | None = None) -> list[tuple[str, str, str, str]]:
    """(username, password, role, vendor / assignments) for every demo user."""
    specs = {s.key: s for s in vendor_specs(DemoDates(today or timezone.localdate()))}

    def label(key: str) -> str:
        return specs[key].short_name + (" (archived)" if specs[key].archived_on else "")

    rows = []
    for person in PEOPLE:
        if person.vendor:
            where = f"{specs[person.vendor].name} only"
        else:
            by_role: dict[str, list[str]] = {}
            for key, role in person.assignments:
                name = AssignmentRole(role).label
                name = name if name[:2].isupper() else name[0].lower() + name[1:]
                by_role.setdefault(name, []).append(label(key))
            parts = [f"{role}: {', '.join(keys)}" for role, keys in by_role.items()]
            if person.role in (Role.VENDOR_MANAGER, Role.EXECUTIVE):
                parts.insert(0, "whole portfolio")
            if person.is_staff:
                parts.append("may open /admin")
            where = "; ".join(parts)
        rows.append((person.username, DEMO_PASSWORD, Role(person.role).label, where))
    return rows


def logins_table(today: date | None = None) -> str:
    header = ("username", "password", "role", "vendor / assignments")
    rows = [header, *logins_rows(today)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
             + "  " + row[3] for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * len(header[3]))
    return "\n".join(lines)
