"""A find's query compiled once (`registry.compiled`): the steady sweep, every minute, asks
each kind found in Python the same question with new dates and moments. Built and compiled
once per process and quarter of an hour, it gives the rows and records that building it
each time gives, on either database; a query whose other parameters move with its values
is built each time."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.models import ActionItem
from reminders import registry
from tests.factories import ContactFactory, VendorFactory
from tests.governance.factories import action_item

pytestmark = pytest.mark.django_db

TODAY = date(2027, 3, 1)


@pytest.fixture(autouse=True)
def _fresh():
    registry._compiled.clear()  # (kept per process: each test compiles its own)
    yield
    registry._compiled.clear()


@pytest.fixture
def items():
    vendor = VendorFactory(name="Meridian")
    owner = ContactFactory(vendor=vendor, name="Dev Lead")
    return [action_item(vendor, owner=owner, title=f"Item {n}",
                        due_on=TODAY + timedelta(days=n)) for n in range(-3, 4)]


def _counting(build, calls):
    def counted(**values):
        calls.append(values)
        return build(**values)

    return counted


def _due_by(*, last_day, created_by):
    return (ActionItem.objects.filter(due_on__lte=last_day, created_at__lte=created_by)
            .select_related("vendor", "owner_contact").order_by("due_on", "id"))


def test_a_query_compiled_once_gives_the_records_built_each_time_for_new_values(items):
    calls = []
    late = datetime.now(UTC) + timedelta(days=1)
    for days in (-4, -1, 0, 2, 5):
        values = {"last_day": TODAY + timedelta(days=days), "created_by": late}
        with CaptureQueriesContext(connection) as queries:
            got = registry.compiled("test.due_by", _counting(_due_by, calls), **values)
            related = [(r.vendor.name, r.owner_contact.name) for r in got]  # no more queries
        expected = list(_due_by(**values))

        assert len(queries) == 1
        assert got == expected and len(got) == max(0, min(days, 3) + 4)
        assert [r.due_on for r in got] == [r.due_on for r in expected]
        assert related == [("Meridian", "Dev Lead")] * len(got)
    # Built twice the first time (two sets of stand-ins, to find where the values go), and
    # not again.
    assert len(calls) == 2 and all(v["last_day"].year in (1901, 1902) for v in calls)
    assert registry.compiled("test.due_by", _due_by, last_day=TODAY,
                             created_by=datetime(2000, 1, 1, tzinfo=UTC)) == []


def test_rows_of_a_values_list_come_converted_as_the_orm_gives_them(items):
    def build(*, last_day):
        return ActionItem.objects.filter(due_on__lte=last_day).order_by("id").values_list(
            "id", "due_on", "vendor__name", "created_at")

    for days in (0, 3):
        got = registry.compiled("test.rows", build, last_day=TODAY + timedelta(days=days))
        assert got == list(build(last_day=TODAY + timedelta(days=days))) != []
        assert isinstance(got[0], tuple) and isinstance(got[0][1], date)


def test_a_query_whose_bounds_are_computed_from_its_values_is_built_each_time(items):
    """The builder adds a day to its value: the parameter is not the value, so the compiled
    query could not be given the next call's; it is built again each call, and right."""
    calls = []

    def build(*, last_day):
        return ActionItem.objects.filter(due_on__lte=last_day + timedelta(days=1)).order_by("id")

    for days in (-3, 0, 2):
        got = registry.compiled("test.computed", _counting(build, calls),
                                last_day=TODAY + timedelta(days=days))
        assert got == list(build(last_day=TODAY + timedelta(days=days)))
        assert len(got) == days + 5
    assert len(calls) == 2 + 3  # the two stand-in builds, then one build per call
