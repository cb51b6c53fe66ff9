"""governance's set-based reads for the warning signs: across vendors, one query each."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance import selectors
from governance.choices import Tier
from tests.factories import ContactFactory, VendorFactory
from tests.signs.factories import ago, at, attendance, cadence, carried_item, meeting

pytestmark = pytest.mark.django_db


def test_attendance_is_counted_per_vendor_person_and_window():
    v = VendorFactory()
    ann, bob = ContactFactory(vendor=v, name="Ann"), ContactFactory(vendor=v, name="Bob")
    weekly = cadence(v)
    attendance(v, weekly, ann, [10, 20], present=False)
    attendance(v, weekly, bob, [11], present=True)
    attendance(v, weekly, ann, [200], present=True)
    windows = {"recent": (at(ago(90)), at(ago(-1))), "baseline": (at(ago(360)), at(ago(90)))}
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.vendor_side_attendance([v.pk], windows=windows)
    assert len(queries) == 1
    assert {r["name"]: (r["recent"], r["baseline"]) for r in rows} == {
        "Ann": ((0, 2), (1, 1)), "Bob": ((1, 1), (0, 0))}


def test_an_item_is_carried_over_by_weekly_reviews_and_those_of_its_own_level_only():
    v = VendorFactory()
    weekly, monthly = cadence(v), cadence(v, Tier.MONTHLY)
    item = carried_item(v, weekly, held_after=3)
    meeting(v, monthly, ago(2))  # a monthly review does not carry a weekly's item
    assert [(i, i.carried) for i in selectors.action_items_carried_over([v.pk], more_than=2)
            ] == [(item, 3)]
    assert selectors.action_items_carried_over([v.pk], more_than=3) == []
