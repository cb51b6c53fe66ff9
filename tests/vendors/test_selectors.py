"""Reads that feature apps build on."""

import datetime as dt

import pytest

from tests.factories import StaffingChangeFactory, StaffMemberFactory
from vendors.choices import StaffingChangeKind, StaffingChangeStatus
from vendors.selectors import staffing_changes_since

pytestmark = pytest.mark.django_db
SINCE = dt.date(2026, 3, 1)
BEFORE, AFTER = SINCE - dt.timedelta(days=20), SINCE + dt.timedelta(days=3)


def test_staffing_changes_since_a_day_are_those_asked_or_settled_since_and_every_open_one(
        vendor_a, vendor_b):
    def change(reason, requested_on, status=StaffingChangeStatus.REQUESTED, resolved_on=None,
               vendor=vendor_a):
        return StaffingChangeFactory(vendor=vendor, reason=reason, requested_on=requested_on,
                                     status=status, resolved_on=resolved_on)

    change("settled before", BEFORE, StaffingChangeStatus.DONE, BEFORE)
    change("declined on the eve", BEFORE, StaffingChangeStatus.DECLINED,
           SINCE - dt.timedelta(days=1))
    still_open = change("asked long ago, still open", BEFORE - dt.timedelta(days=30))
    agreed = change("agreed before, not done yet", BEFORE, StaffingChangeStatus.AGREED, None)
    settled = change("asked before, settled since", BEFORE, StaffingChangeStatus.DONE, SINCE)
    asked = change("asked since", AFTER)
    asked_and_declined = change("asked and declined since", SINCE,
                                StaffingChangeStatus.DECLINED, AFTER)
    change("another vendor's", AFTER, vendor=vendor_b)
    assert [c.reason for c in staffing_changes_since(vendor_a, SINCE)] == [
        c.reason for c in (still_open, agreed, settled, asked_and_declined, asked)]


def test_staffing_changes_since_cost_one_query_with_who_they_are_about(
        vendor_a, django_assert_num_queries):
    for i in range(3):
        member = StaffMemberFactory(vendor=vendor_a, name=f"Leaver {i}")
        StaffingChangeFactory(vendor=vendor_a, kind=StaffingChangeKind.REMOVE,
                              staff_member=member, new_person_name="", requested_on=AFTER)
    with django_assert_num_queries(1):
        changes = staffing_changes_since(vendor_a, SINCE)
        assert [str(c) for c in changes] == [f"Remove a person: Leaver {i}" for i in range(3)]
