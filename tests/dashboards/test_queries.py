"""Each dashboard and the pack run the same number of SQL queries whatever the size of the
portfolio: counted at 2 and at 8 vendors with data in every app (issue 13, Performance)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.dashboards.data import filled_vendor, owner_item
from tests.factories import UserFactory, VendorUserFactory
from tests.scorecards.factories import make_template
from vendorgov.roles import Role
from vendors.models import Vendor

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
