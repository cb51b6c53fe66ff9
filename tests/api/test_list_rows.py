"""A list's row says what the record's own address says: lists read what their rows need
their own way (a page's nested records at once, a vendor's limits as columns), records
theirs (prefetch, select_related); both must give the same representation."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance import services
from governance.models import Impediment
from tests import test_isolation
from tests.factories import ApiTokenFactory, UserFactory
from tests.shared_data import built_once
from tests.vendorgov.test_query_counts import API_LISTS
from vendorgov.roles import Role

pytestmark = pytest.mark.django_db


def _build():
    world = test_isolation._build_world()
    vera = UserFactory(username="vera-list-rows", role=Role.VENDOR_MANAGER,
                       first_name="Vera", last_name="Rows")
    # Impediments old enough to be flagged, with an update and an escalation each, at a
    # vendor with its own escalation limit and at one with the default.
    for vendor in (world.a, world.b):
        impediment = Impediment.objects.filter(vendor=vendor).order_by("pk").first()
        if impediment is None:
            continue
        Impediment.objects.filter(pk=impediment.pk).update(
            raised_on=timezone.localdate() - timedelta(days=90), status="open",
            escalation_level=0, resolved_on=None)
        impediment.refresh_from_db()
        services.impediment_add_update(impediment, by=vera, text="Chased again.")
        services.impediment_escalate(impediment, by=vera, note="Please help.")
    return ApiTokenFactory.client_for(vera)


@pytest.fixture(scope="module")
def client(django_db_setup, django_db_blocker):
    yield from built_once(django_db_blocker, _build)


@pytest.mark.parametrize("name", API_LISTS)
def test_each_row_of_a_list_is_its_record(client, name):
    rows = client.get(reverse(name), {"page_size": 100, "archived": "all"}).json()["results"]
    with_url = [row for row in rows if "url" in row]
    for row in with_url:
        assert client.get(row["url"]).json() == row, row["url"]
    if name == "impediment-list":
        assert any(row["escalations"] and row["updates"] for row in with_url), \
            "no impediment with an update and an escalation seen"
        assert any(row["flagged_for_escalation"] for row in with_url), "none flagged"
