"""A list requested without filter parameters skips building its filterset (django-filter's
form, validation and copies of its filters) and still runs the very same query."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django_filters.filterset import BaseFilterSet
from django_filters.rest_framework import DjangoFilterBackend

from tests import test_isolation
from tests.factories import ApiTokenFactory, UserFactory
from tests.shared_data import built_once
from tests.vendorgov.test_query_counts import API_LISTS
from vendorgov.api.filters import FilterBackend
from vendorgov.roles import Role

pytestmark = pytest.mark.django_db


def _build():
    world = test_isolation._build_world()
    vera = UserFactory(username="vera-filters", role=Role.VENDOR_MANAGER)
    return {who: ApiTokenFactory.client_for(user)
            for who, user in (("vendor token", world.b_people["charlie"]),
                              ("internal token", vera))}


@pytest.fixture(scope="module")
def clients(django_db_setup, django_db_blocker):
    yield from built_once(django_db_blocker, _build)


@pytest.fixture
def filtersets_built(monkeypatch):
    built = []
    original = BaseFilterSet.__init__

    def counting(self, *args, **kwargs):
        built.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(BaseFilterSet, "__init__", counting)
    return built


def _get(client, name, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name), params)
    assert response.status_code == 200, response.content
    # The token's lookup compares its expiry with the moment of the request.
    return response.content, [re.sub(r"'\d{4}-\d\d-\d\d[ T][0-9:.+-]+'", "<now>", query["sql"])
                              for query in queries.captured_queries]


@pytest.mark.parametrize("name", API_LISTS)
@pytest.mark.parametrize("who", ["vendor token", "internal token"])
def test_a_list_without_filters_builds_no_filterset_and_runs_the_same_queries(
        clients, monkeypatch, filtersets_built, who, name):
    client = clients[who]
    client.get(reverse("vendor-list"))  # the token's first use writes its last use
    fast = _get(client, name, {"page_size": 100, "ordering": "-id"})
    assert filtersets_built == []
    with monkeypatch.context() as patch:
        patch.setattr(FilterBackend, "filter_queryset", DjangoFilterBackend.filter_queryset)
        full = _get(client, name, {"page_size": 100, "ordering": "-id"})
    if getattr(resolve(reverse(name)).func.cls, "filterset_class", None) is not None:
        assert filtersets_built, "the full path built no filterset"
    assert fast == full


def test_a_filter_parameter_still_builds_the_filterset(clients, filtersets_built):
    content, _ = _get(clients["internal token"], "vendor-list", {"archived": "all"})
    assert filtersets_built == ["VendorFilterSet"]
