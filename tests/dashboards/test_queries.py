"""Each dashboard and the pack run the same number of SQL queries whatever the size of the
portfolio: counted at 2 and at 8 vendors with data in every app (issue 13, Performance)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.dashboards.data import filled_vendor, owner_item
from tests.factories import UserFactory, VendorUserFactory
from tests.scorecards.factories import make_template
from vendorgov.roles import Role
from vendors.models import Contact, Vendor

pytestmark = pytest.mark.django_db


def _count(client, user, url) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_every_dashboard_and_the_pack_run_the_same_queries_at_2_and_8_vendors(client):
    people = {
        "vendor manager": UserFactory(username="vera", role=Role.VENDOR_MANAGER),
        "executive": UserFactory(username="erin", role=Role.EXECUTIVE),
        "line manager": UserFactory(username="liam", role=Role.LINE_MANAGER),
        "operations": UserFactory(username="olga", role=Role.OPERATIONS),
        "stakeholder": UserFactory(username="sam", role=Role.STAKEHOLDER),
    }
    assigned = [people["line manager"], people["operations"], people["stakeholder"]]
    template = make_template("Shared template")

    def grow(numbers):
        for n in numbers:
            vendor = filled_vendor(n, people=assigned, template=template)
            owner_item(vendor, people["line manager"], days_overdue=n, title=f"Mine {n}")

    grow([1, 2])
    first = "v-vendor-001"
    alice = VendorUserFactory(username="alice", vendor=Vendor.objects.get(slug=first))
    pages = {f"home as {role}": (user, reverse("home")) for role, user in people.items()}
    pages["home as vendor user"] = (alice, reverse("home"))
    pages["vendor 360 as line manager"] = (people["line manager"],
                                           reverse("vendors:detail", args=[first]))
    pages["vendor 360 as vendor user"] = (alice, reverse("vendors:detail", args=[first]))
    pages["pack page as executive"] = (people["executive"],
                                       reverse("dashboards:pack", args=[first]))
    small = {name: _count(client, user, url) for name, (user, url) in pages.items()}
    grow(range(3, 9))
    large = {name: _count(client, user, url) for name, (user, url) in pages.items()}
    assert large == small


def test_the_vendor_page_reads_its_overview_tables_once(client):
    """The Overview tab and its vendor 360 show the same contacts, assignments and contracts:
    the 360 takes them from the tab's overview instead of reading the vendor's tables again
    (each was read twice, and the staff, services and principles with them)."""
    liam = UserFactory(username="liam", role=Role.LINE_MANAGER)
    filled_vendor(1, people=[liam])
    client.force_login(liam)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("vendors:detail", args=["v-vendor-001"]))
    assert response.status_code == 200
    assert "V contact 1" in response.content.decode()
    sql = [q["sql"] for q in queries.captured_queries]
    twice = [q for q in set(sql) if sql.count(q) > 1]
    assert twice == []
    for table in ("vendors_contact", "vendors_contract",
                  "vendors_staffmember", "vendors_service", "vendors_guidingprinciple"):
        assert sum(q.startswith(f'SELECT "{table}".') for q in sql) == 1, table


def test_the_vendor_360_with_archived_records_shown_keeps_to_active_ones(client):
    """?archived=1 widens the tab's own lists, never the 360's: then the 360 reads its own."""
    liam = UserFactory(username="liam", role=Role.LINE_MANAGER)
    vendor = filled_vendor(1, people=[liam])
    Contact.objects.create(vendor=vendor, name="Gone contact", role="Former account lead",
                           archived_at=timezone.now())
    client.force_login(liam)
    url = reverse("vendors:detail", args=[vendor.slug])
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url + "?archived=1").content.decode()
    assert sum(q["sql"].startswith('SELECT "vendors_contact".') for q in queries) == 2
    assert "Status across the relationship" in page and "Gone contact" not in page
