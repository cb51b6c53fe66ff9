"""List pages: a bounded `count` (exact up to the cap, null above it), `next` and `previous`
right whether the count is known or not, and pages past the end answering 404."""

import io
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from tests.factories import VendorFactory
from vendorgov.api.pagination import PageNumberPagination


@pytest.fixture
def five_vendors(db):
    return [VendorFactory(name=f"Vendor {i}") for i in range(5)]


@pytest.fixture
def cap_of_three(monkeypatch):
    """Lower the cap so that five rows are 'too many to count'."""
    monkeypatch.setattr(PageNumberPagination, "count_cap", 3)


def _page(link):
    return parse_qs(urlsplit(link).query).get("page", [None])[0]


def _get(client, **params):
    response = client.get(reverse("vendor-list"), {"ordering": "name", **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_count_is_exact_up_to_the_cap(token_client, vendor_manager, five_vendors,
                                      monkeypatch):
    monkeypatch.setattr(PageNumberPagination, "count_cap", 5)
    assert _get(token_client(vendor_manager), page_size=2)["count"] == 5


def test_count_is_null_above_the_cap_and_next_still_leads_on(token_client, vendor_manager,
                                                             five_vendors, cap_of_three):
    client = token_client(vendor_manager)
    names, page, pages = [], "1", []
    while page is not None:
        body = _get(client, page_size=2, page=page)
        assert body["count"] is None
        names += [v["name"] for v in body["results"]]
        pages.append((page, _page(body["previous"]) if body["previous"] else None))
        page = _page(body["next"]) if body["next"] else None
    assert names == [f"Vendor {i}" for i in range(5)]
    # Page 2's previous is the first page (no `page` parameter), page 3's is page 2.
    assert pages == [("1", None), ("2", None), ("3", "2")]


def test_next_is_null_on_a_full_last_page_when_the_count_is_unknown(
        token_client, vendor_manager, db, cap_of_three):
    for i in range(4):
        VendorFactory(name=f"Vendor {i}")
    client = token_client(vendor_manager)
    first = _get(client, page_size=2)
    assert first["count"] is None and _page(first["next"]) == "2"
    last = _get(client, page_size=2, page=2)
    assert [v["name"] for v in last["results"]] == ["Vendor 2", "Vendor 3"]
    assert last["next"] is None and last["previous"] is not None


@pytest.mark.parametrize("cap", [3, 10_000], ids=["count unknown", "count exact"])
def test_a_page_past_the_end_is_404(token_client, vendor_manager, five_vendors, monkeypatch,
                                    cap):
    monkeypatch.setattr(PageNumberPagination, "count_cap", cap)
    client = token_client(vendor_manager)
    assert len(_get(client, page_size=2, page=3)["results"]) == 1
    response = client.get(reverse("vendor-list"), {"page_size": 2, "page": 4})
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize("page", [str(2**62), str(2**63), "9" * 30, "9" * 5000])
def test_a_page_beyond_what_the_database_can_address_is_404(token_client, vendor_manager,
                                                             five_vendors, page):
    response = token_client(vendor_manager).get(reverse("vendor-list"),
                                                {"page_size": 1000, "page": page})
    assert response.status_code == 404
    assert "detail" in response.json()


def test_page_last_is_not_a_page_number_and_answers_404(token_client, vendor_manager,
                                                        five_vendors):
    # DRF's `?page=last` is not offered: the schema documents `page` as a whole number from
    # 1, and above the count cap the last page is what is not counted (see the README).
    response = token_client(vendor_manager).get(reverse("vendor-list"),
                                                {"page_size": 2, "page": "last"})
    assert response.status_code == 404
    assert "detail" in response.json()


def test_the_first_page_of_an_empty_list_is_empty_with_count_zero(token_client, alice):
    client = token_client(alice)
    body = client.get(reverse("impediment-list")).json()
    assert body == {"count": 0, "next": None, "previous": None, "results": []}


def test_links_keep_the_other_parameters(token_client, vendor_manager, five_vendors):
    client = token_client(vendor_manager)
    body = _get(client, page_size=2, page=2, search="Vendor")
    for link, page in ((body["next"], "3"), (body["previous"], None)):
        query = parse_qs(urlsplit(link).query)
        assert query["search"] == ["Vendor"] and query["page_size"] == ["2"]
        assert query.get("page", [None])[0] == page


def test_schema_says_count_is_nullable_above_the_cap(db, tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(target), stdout=io.StringIO(),
                 stderr=io.StringIO())
    schema = yaml.safe_load(target.read_text())
    page = schema["components"]["schemas"]["PaginatedVendorList"]
    count = page["properties"]["count"]
    assert count["type"] == "integer" and count["nullable"] is True
    assert "null when more than 10,000 rows match" in count["description"]
    assert set(page["required"]) == {"count", "next", "previous", "results"}
