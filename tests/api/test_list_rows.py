"""A list's row says what the record's own address says: lists read what their rows need
their own way (a page's nested records at once, a vendor's limits as columns), records
theirs (prefetch, select_related); both must give the same representation."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
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


@pytest.mark.parametrize("name", API_LISTS)
def test_a_list_pages_in_a_total_order(client, name):
    """Whatever a list sorts by, ties are broken by the primary key: with rows of equal
    sort keys (two vendors' contracts ending on one day) paging would otherwise show one
    twice and another never, as the database may order ties differently for each page."""
    view = resolve(reverse(name)).func.cls
    model = (view.queryset.model if view.queryset is not None
             else view.serializer_class.Meta.model)
    table, pk = model._meta.db_table, model._meta.pk.column
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(name), {"page_size": 2}).status_code == 200
    page = next(q["sql"] for q in queries.captured_queries
                if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]
                and "ORDER BY" in q["sql"])
    order = page.rsplit("ORDER BY", 1)[1].split(" LIMIT ")[0]
    assert re.search(rf'"{table}"\."{pk}" (ASC|DESC)\s*$', order), (name, order)
