"""The demo portfolio (`manage.py load_demo`)."""

from datetime import UTC, date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from vendorgov.roles import INTERNAL_ROLES, PORTFOLIO_ROLES, Role
from vendors.choices import (
    AssignmentRole,
    ContactRole,
    Currency,
    EscalationLevel,
    Side,
    StaffingChangeKind,
    StaffingChangeStatus,
    VendorStatus,
)
from vendors.demo import DEMO_PASSWORD, PEOPLE, Demo
from vendors.models import (
    Contact,
    Contract,
    GuidingPrinciple,
    StaffingChange,
    StaffMember,
    Vendor,
    VendorAssignment,
)

User = get_user_model()
MAIN_VENDORS = ["meridian-infrastructure-services", "kestrel-application-management",
                "brightdesk-service-desk", "sentinel-cloud-security"]


def load(*args) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def _loaded(django_db_setup, django_db_blocker):
    """The demo, loaded once for this module's tests (each runs in a transaction that is
    rolled back), and flushed away after them. Loaded with --if-empty into the empty test
    database, so this one load also proves that --if-empty loads there. Tests that need an
    empty database or load the demo themselves are in test_load_demo_command.py."""
    with django_db_blocker.unblock():
        output = load("--if-empty")
    yield output
    with django_db_blocker.unblock():
        call_command("flush", "--noinput", stdout=StringIO())


@pytest.fixture
def demo(_loaded, db):
    return _loaded


def test_every_role_and_vendor_users_of_different_vendors(demo):
    assert set(User.objects.values_list("role", flat=True)) == set(Role)
    vendor_users = User.objects.filter(role=Role.VENDOR_USER)
    assert vendor_users.values("vendor").distinct().count() >= 2
    assert {"vera", "erin", "liam", "lena", "olga", "omar", "sam", "bea", "alice",
            "charlie"} <= set(User.objects.values_list("username", flat=True))
    assert User.objects.get(username="vera").is_staff
    assert list(User.objects.filter(is_superuser=True).values_list("username", flat=True)) == [
        "vera"]


def test_internal_people_are_assigned_their_vendors(demo):
    for user in User.objects.filter(role__in=INTERNAL_ROLES - PORTFOLIO_ROLES):
        assert user.assignments.exists(), user.username
    owned = VendorAssignment.objects.filter(user__username="liam",
                                            role=AssignmentRole.RELATIONSHIP_OWNER)
    assert owned.count() == 2
    assert VendorAssignment.objects.filter(user__username="olga").count() >= 2


def test_vendors_of_several_tiers_every_status_and_one_archived(demo):
    vendors = Vendor.objects.all()
    assert 6 <= vendors.count() <= 8
    assert len({v.tier for v in vendors}) >= 3
    assert {v.status for v in vendors} == set(VendorStatus)
    archived = Vendor.objects.archived().get()
    assert archived.status == VendorStatus.EXITED
    assert archived.history.filter(history_change_reason="Archived").exists()


def test_main_vendors_are_fully_described(demo):
    for slug in MAIN_VENDORS:
        vendor = Vendor.objects.get(slug=slug)
        assert vendor.suggestion_quota_per_quarter > 0
        assert vendor.services.exists()
        assert 1 <= vendor.contracts.count() <= 2
        assert {c.role for c in vendor.contacts.all()} >= {
            ContactRole.ACCOUNT_EXECUTIVE, ContactRole.OUTSOURCED_LEAD,
            ContactRole.DELIVERY_MANAGER, ContactRole.EXECUTIVE_SPONSOR}
        assert {c.escalation_level for c in vendor.contacts.all()} >= set(EscalationLevel)
        assert 3 <= vendor.guiding_principles.count() <= 5
        current = [m for m in vendor.staff.all() if m.is_current]
        assert 4 <= len(current) <= 10


def test_contracts_are_current_and_one_renews_soon(demo):
    today = timezone.localdate()
    assert {c.currency for c in Contract.objects.all()} >= {Currency.EUR, Currency.GBP,
                                                             Currency.USD}
    assert Contract.objects.active().filter(
        end_date__gte=today, end_date__lte=today + timedelta(days=120),
        vendor__status=VendorStatus.ACTIVE).exists()


def test_a_principle_was_revised_with_a_reason(demo):
    principle = GuidingPrinciple.objects.filter(version=2).first()
    assert principle is not None
    latest = principle.history.first()
    assert latest.history_change_reason
    assert latest.history_user.username == "vera"
    assert principle.history.filter(version=1).exists()


def test_staffing_changes_tell_a_story(demo):
    changes = StaffingChange.objects.all()
    assert {c.kind for c in changes} == set(StaffingChangeKind)
    assert {c.requested_by_side for c in changes} == set(Side)
    assert {c.status for c in changes} >= {StaffingChangeStatus.REQUESTED,
                                           StaffingChangeStatus.AGREED,
                                           StaffingChangeStatus.DONE,
                                           StaffingChangeStatus.DECLINED}
    # One old request from our side left unanswered: the warning sign.
    old = timezone.localdate() - timedelta(days=60)
    assert changes.open().filter(requested_by_side=Side.OURS, requested_on__lte=old).exists()
    # Done replacements moved the roster on the day they were done.
    replaced = changes.get(kind=StaffingChangeKind.REPLACE, status=StaffingChangeStatus.DONE,
                           vendor__slug=MAIN_VENDORS[0])
    assert replaced.staff_member.ended_on == replaced.resolved_on
    joined = StaffMember.objects.get(vendor=replaced.vendor, name=replaced.new_person_name)
    assert joined.started_on == replaced.resolved_on < timezone.localdate()


def test_history_is_attributed_to_people(demo):
    vendor = Vendor.objects.get(slug=MAIN_VENDORS[0])
    assert vendor.history.earliest("history_date").history_user.username == "vera"
    contact = Contact.objects.filter(vendor=vendor).first()
    assert contact.history.get().history_user.username == "vera"
    request = StaffingChange.objects.filter(requested_by__username="alice").first()
    assert request.history.earliest("history_date").history_user.username == "alice"
    assert not StaffingChange.history.filter(history_user__isnull=True).exists()


def test_output_lists_the_logins(demo):
    assert "Loaded the demo portfolio" in demo
    assert DEMO_PASSWORD in demo
    for person in PEOPLE:
        assert person.username in demo


def test_demo_users_can_sign_in(demo, client):
    for person in PEOPLE:
        assert client.login(username=person.username, password=DEMO_PASSWORD), person.username
        client.logout()


def test_if_empty_loads_into_an_empty_database(demo):
    assert "Loaded the demo portfolio" in demo
    assert Vendor.objects.count() >= 6
    assert "Demo data already present; keeping it." in load("--if-empty")


def test_plain_load_refuses_a_database_with_vendors(demo):
    count = Vendor.objects.count()
    with pytest.raises(CommandError, match="--if-empty"):
        load()
    assert Vendor.objects.count() == count


def test_the_replay_clock_sets_today_and_still_converts_other_instants():
    replay = Demo(timezone.localdate())
    day = date(2025, 6, 2)
    late_evening_utc = datetime(2025, 3, 10, 23, 30, tzinfo=UTC)
    here = timezone.localdate(late_evening_utc)
    with replay.clock(day):
        assert timezone.localdate() == day
        assert timezone.localtime().date() == day
        assert timezone.localdate(late_evening_utc) == here
        assert timezone.localdate(late_evening_utc, ZoneInfo("Asia/Tokyo")) == date(2025, 3, 11)
        assert timezone.localdate(timezone=ZoneInfo("Asia/Tokyo")) == day
    assert timezone.localdate() != day
