"""History says what a foreign key pointed to, by name, not by id."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    PrincipleFactory,
    StaffingChangeFactory,
    StaffMemberFactory,
    UserFactory,
)
from vendors.choices import StaffingChangeKind
from vendors.selectors import record_history, vendor_history
from vendors.services import record_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def change(vendor_a):
    return StaffingChangeFactory(
        vendor=vendor_a, kind=StaffingChangeKind.REPLACE, new_person_name="",
        staff_member=StaffMemberFactory(vendor=vendor_a, name="Ada Old", role="DBA"))


def test_a_changed_foreign_key_shows_both_objects_by_name(vendor_a, change):
    record_update(change, staff_member=StaffMemberFactory(vendor=vendor_a, name="Bob New",
                                                          role="DBA"))
    latest = record_history(change)[0]
    assert latest.changes == [("staff member", "Ada Old (DBA)", "Bob New (DBA)")]


def test_a_foreign_key_set_or_cleared_shows_the_name_and_nothing(vendor_a, change,
                                                                  line_manager):
    record_update(change, requested_by=line_manager)
    record_update(change, requested_by=None)
    cleared, set_ = record_history(change)[:2]
    assert set_.changes == [("requested by", None, str(line_manager))]
    assert cleared.changes == [("requested by", str(line_manager), None)]


def test_an_object_that_no_longer_exists_is_named_by_its_old_id(vendor_a, change):
    gone = UserFactory(username="gone")
    record_update(change, requested_by=gone)
    record_update(change, requested_by=UserFactory(first_name="Kim", last_name="Stays"))
    gone_id = gone.pk
    gone.delete()
    assert record_history(change)[0].changes == [
        ("requested by", f"#{gone_id} (no longer exists)", "Kim Stays")]


def test_plain_values_are_left_as_they_are(change):
    record_update(change, reason="Needs Oracle skills.")
    assert record_history(change)[0].changes == [
        ("reason", "More testing capacity before the release.", "Needs Oracle skills.")]


def test_names_cost_one_query_per_foreign_key_however_many_changes(vendor_a, change):
    people = [StaffMemberFactory(vendor=vendor_a) for _ in range(12)]
    users = [UserFactory() for _ in range(12)]

    def count():
        with CaptureQueriesContext(connection) as queries:
            entries = record_history(change)
            vendor_history(vendor_a)
        assert all(isinstance(v, str) for e in entries for _, old, new in e.changes
                   for v in (old, new) if v is not None)
        return len(queries)

    record_update(change, staff_member=people[0], requested_by=users[0])
    record_update(change, staff_member=people[1], requested_by=users[1])
    small = count()
    for member, user in zip(people[2:], users[2:], strict=True):
        record_update(change, staff_member=member, requested_by=user)
    assert count() == small


def test_the_history_shows_names_on_the_page(client, line_manager, vendor_a, change):
    record_update(change, staff_member=StaffMemberFactory(vendor=vendor_a, name="Bob New",
                                                          role="DBA"))
    client.force_login(line_manager)
    url = reverse("vendors:staffing_change_resolve", args=[vendor_a.slug, change.pk])
    page = client.get(url).text
    assert "Staff member: <del>Ada Old (DBA)</del> → <ins>Bob New (DBA)</ins>" in page
    history = client.get(reverse("vendors:history", args=[vendor_a.slug])).text
    assert "<del>Ada Old (DBA)</del> → <ins>Bob New (DBA)</ins>" in history


def test_a_zero_is_a_value_not_an_empty_field(client, vendor_manager, vendor_a):
    principle = PrincipleFactory(vendor=vendor_a, title="Openness", text="Words.", position=0)
    record_update(principle, position=3)
    client.force_login(vendor_manager)
    page = client.get(reverse("vendors:record_update",
                              args=[vendor_a.slug, "principles", principle.pk])).text
    assert "Position: <del>0</del> → <ins>3</ins>" in page
