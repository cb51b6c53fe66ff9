"""The sweep runs every minute over the whole portfolio (bench/reminders_sweep.py): what the
engine recorded already is left out by the kinds' own queries (not read, built and offered
again), a steady sweep writes nothing, and the invites the meeting kinds build once per
meeting are the messages `governance.ical.invite` writes."""

import datetime
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from governance import ical
from governance import reminders as governance_reminders
from governance.models import ActionItem, Meeting
from healthchecks.models import HealthCheckPlan
from reminders import outbox, registry
from reminders.models import Reminder
from tests.factories import ContactFactory, ContractFactory, VendorFactory
from tests.governance import conftest as governance_fixtures
from tests.governance.factories import action_item, impediment, weekly_cadence
from tests.kinds import unsettle
from tests.reminders.kinds import registered
from vendors.choices import ContactRole
from vendors.reminding import contact_recipient

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime.datetime(2027, 3, 1, 11, 0, tzinfo=AMS).astimezone(UTC)
# The kinds whose finds leave recorded occasions out in SQL.
KEYS = ("governance.action_item_due", "governance.action_item_overdue",
        "governance.action_item_escalation", "governance.impediment_escalation",
        "vendors.contract_renewal", "healthchecks.health_check_due")


@pytest.fixture
def clock():
    """Governance's: clock(moment) -> a context in which it is `moment`."""
    return governance_fixtures.clock.__wrapped__()


def _portfolio(clock, vendor, line_manager):
    """Something due for each of KEYS at NOW."""
    ContactFactory(vendor=vendor, name="Ann Exec", role=ContactRole.ACCOUNT_EXECUTIVE)
    lead = ContactFactory(vendor=vendor, name="Dev Lead", role=ContactRole.OUTSOURCED_LEAD)
    action_item(vendor, owner=lead, due_on=datetime.date(2027, 2, 1))  # overdue, escalated
    action_item(vendor, owner=line_manager, due_on=datetime.date(2027, 3, 2))  # due soon
    with clock(datetime.datetime(2027, 1, 4, 9, tzinfo=UTC)):
        impediment(vendor)  # open for more than 14 days
    # Notice date 11 March: its reminder (30 days before) is due.
    ContractFactory(vendor=vendor, end_date=datetime.date(2027, 6, 9), renewal_notice_days=90)
    HealthCheckPlan.objects.create(vendor=vendor, interval_months=12,
                                   next_due=datetime.date(2027, 3, 10))


def _find(key):
    kind = registry.get(key)
    return list(kind.find(NOW, kind.default_offset))


def test_what_the_engine_recorded_is_not_found_again(clock, vendor_a, line_manager):
    _portfolio(clock, vendor_a, line_manager)
    assert all(_find(key) for key in KEYS)
    with registered(*(registry.get(key) for key in KEYS)):
        first = outbox.sweep(now=NOW)

        assert first.inserted == len(KEYS)  # one recipient each: Liam or the owner
        assert {key: _find(key) for key in KEYS} == {key: [] for key in KEYS}
        # Only what is recorded is left out: a row gone (with the stamp recording it wrote:
        # governance/reminders.py, "Settled items"), its occasion is found again.
        Reminder.objects.filter(kind="governance.action_item_overdue").delete()
        unsettle("governance.action_item_overdue")
        found = _find("governance.action_item_overdue")
        assert [d.occasion.split(":")[2:] for d in found] == [["overdue", "2027-02-01"]]
        item = ActionItem.objects.get(pk=found[0].occasion.split(":")[1])
        assert found[0].url == reverse("governance:action_item_update",
                                       args=[vendor_a.slug, item.pk])


def test_a_url_pattern_fills_in_arguments_that_look_like_its_stand_ins():
    url = registry.url_pattern("governance:action_item_update", "slug", 0)

    assert url("acme-900000002-vgarg0x", 7) == reverse(
        "governance:action_item_update", args=["acme-900000002-vgarg0x", 7])


def test_a_steady_sweep_writes_nothing_in_the_same_queries_whatever_the_portfolio(
        clock, vendor_a, line_manager):
    _portfolio(clock, vendor_a, line_manager)
    counts = []
    with registered(*(registry.get(key) for key in KEYS)):
        for _ in range(2):
            outbox.sweep(now=NOW)
            with CaptureQueriesContext(connection) as steady:
                again = outbox.sweep(now=NOW)
            assert again.inserted == 0
            statements = [q["sql"].split()[0].upper() for q in steady.captured_queries]
            assert not {"INSERT", "COPY"} & set(statements), statements
            counts.append(len(steady))
            vendor = VendorFactory()  # a second portfolio of the same shape
            line_manager.assignments.create(vendor=vendor, role="line_manager")
            _portfolio(clock, vendor, line_manager)
    assert counts[0] == counts[1]


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_an_invite_built_once_per_meeting_is_the_message_ical_writes(
        clock, vendor_a, line_manager, method):
    lead = ContactFactory(vendor=vendor_a, name='Olive "O, L" Lead; Ops',
                          role=ContactRole.OUTSOURCED_LEAD)
    with clock(NOW - timedelta(days=7)):
        weekly_cadence(vendor_a, weekday=1, time_zone="Europe/Amsterdam",
                       ours=[line_manager], theirs=[lead])
    meeting = Meeting.objects.filter(starts_at__gt=NOW).order_by("starts_at").first()
    recipient = contact_recipient(lead)

    ours = Calendar.from_ical(governance_reminders._invite(meeting, method, recipient))
    theirs = Calendar.from_ical(ical.invite(meeting, method=method, attendee_email=lead.email,
                                            attendee_name=lead.name))

    def shape(cal):
        # DTSTAMP is the moment of writing; the calendar's own UID is random each time.
        event = cal.walk("VEVENT")[0]
        return ({k: v for k, v in cal.items() if k != "UID"},
                [z.to_ical() for z in cal.walk("VTIMEZONE")],
                {k: event[k].to_ical() if hasattr(event[k], "to_ical") else event[k]
                 for k in event if k != "DTSTAMP"},
                dict(event["ATTENDEE"].params))

    assert shape(ours) == shape(theirs)
    assert shape(ours)[3]["CN"] == lead.name
