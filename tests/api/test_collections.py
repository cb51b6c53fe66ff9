"""Collections: filters, search, ordering, pagination, their bad values, and a query count
that does not grow with the data."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    AssignmentFactory,
    ContractFactory,
    PrincipleFactory,
    StaffingChangeFactory,
    StaffMemberFactory,
    VendorFactory,
)
from vendors.choices import StaffingChangeStatus, Tier, VendorStatus


def ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_vendors_filter_by_status_tier_and_criticality(token_client, vendor_manager):
    strategic = VendorFactory(tier=Tier.STRATEGIC, status=VendorStatus.EXITING,
                              criticality="critical")
    tactical = VendorFactory(tier=Tier.TACTICAL)
    client = token_client(vendor_manager)
    assert ids(client.get(reverse("vendor-list"), {"tier": "strategic"})) == [strategic.pk]
    assert ids(client.get(reverse("vendor-list"), {"status": "exiting"})) == [strategic.pk]
    assert ids(client.get(reverse("vendor-list"), {"criticality": "critical"})) == [strategic.pk]
    assert tactical.pk in ids(client.get(reverse("vendor-list"), {"tier": "tactical"}))


@pytest.mark.parametrize("params", [{"tier": "platinum"}, {"archived": "maybe"},
                                    {"status": ""}, {"tier": "\x00"}])
def test_bad_vendor_filter_values_are_400(token_client, vendor_manager, params):
    response = token_client(vendor_manager).get(reverse("vendor-list"), params)
    if params.get("status") == "":
        assert response.status_code == 200  # an empty filter is no filter
    else:
        assert response.status_code == 400
        assert set(response.json()) == set(params)


@pytest.mark.parametrize("params", [{"vendor": "abc"}, {"vendor": "1e400"}, {"vendor": "1.5"},
                                    {"vendor": "99999999999999999999999"},
                                    {"ends_before": "2026-13-01"}, {"search": "a\x00b"}])
def test_bad_contract_filter_values_are_400(token_client, vendor_manager, params):
    response = token_client(vendor_manager).get(reverse("contract-list"), params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


@pytest.mark.parametrize(("route", "params"), [
    ("staff-list", {"current": "maybe"}), ("staff-list", {"current": "1"}),
    ("staffing-change-list", {"open": "null"}), ("staffing-change-list", {"open": "True"}),
])
def test_a_boolean_filter_takes_only_true_or_false(token_client, vendor_manager, route,
                                                   params):
    response = token_client(vendor_manager).get(reverse(route), params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


@pytest.mark.parametrize("params", [{"ends_before": ""}, {"vendor": ""}, {"archived": ""},
                                    {"page": ""}, {"search": ""}])
def test_an_empty_query_parameter_is_no_parameter(token_client, vendor_manager, vendor_a,
                                                  params):
    contract = ContractFactory(vendor=vendor_a)
    assert ids(token_client(vendor_manager).get(reverse("contract-list"), params)) == [
        contract.pk]


def test_filtering_by_an_unseen_vendor_is_an_empty_page_like_a_missing_one(
        token_client, alice, vendor_b):
    ContractFactory(vendor=vendor_b)
    client = token_client(alice)
    hidden = client.get(reverse("contract-list"), {"vendor": vendor_b.pk})
    missing = client.get(reverse("contract-list"), {"vendor": vendor_b.pk + 1000})
    assert hidden.json() == missing.json()
    assert hidden.json()["count"] == 0


def test_contracts_filter_by_vendor_and_end_date(token_client, vendor_manager, vendor_a,
                                                 vendor_b):
    early = ContractFactory(vendor=vendor_a, end_date=datetime.date(2026, 6, 30))
    late = ContractFactory(vendor=vendor_b, end_date=datetime.date(2028, 6, 30))
    client = token_client(vendor_manager)
    assert ids(client.get(reverse("contract-list"), {"vendor": vendor_a.pk})) == [early.pk]
    assert ids(client.get(reverse("contract-list"), {"ends_before": "2027-01-01"})) == [early.pk]
    assert ids(client.get(reverse("contract-list"), {"ends_after": "2027-01-01"})) == [late.pk]


def test_archived_records_are_left_out_unless_asked_for(token_client, vendor_manager,
                                                        vendor_a):
    active = ContractFactory(vendor=vendor_a)
    archived = ContractFactory(vendor=vendor_a, archived_at=timezone.now())
    client = token_client(vendor_manager)
    assert ids(client.get(reverse("contract-list"))) == [active.pk]
    assert ids(client.get(reverse("contract-list"), {"archived": "true"})) == [archived.pk]
    assert set(ids(client.get(reverse("contract-list"), {"archived": "all"}))) == {
        active.pk, archived.pk}


def test_staff_filter_by_current(token_client, line_manager, vendor_a):
    current = StaffMemberFactory(vendor=vendor_a)
    left = StaffMemberFactory(vendor=vendor_a,
                              ended_on=timezone.localdate() - datetime.timedelta(days=1))
    client = token_client(line_manager)
    assert ids(client.get(reverse("staff-list"), {"current": "true"})) == [current.pk]
    assert ids(client.get(reverse("staff-list"), {"current": "false"})) == [left.pk]


def test_staffing_changes_filter_by_open_and_status(token_client, line_manager, vendor_a):
    open_change = StaffingChangeFactory(vendor=vendor_a)
    done = StaffingChangeFactory(vendor=vendor_a, status=StaffingChangeStatus.DONE)
    client = token_client(line_manager)
    assert ids(client.get(reverse("staffing-change-list"), {"open": "true"})) == [open_change.pk]
    assert ids(client.get(reverse("staffing-change-list"), {"open": "false"})) == [done.pk]
    assert ids(client.get(reverse("staffing-change-list"), {"status": "done"})) == [done.pk]
    assert client.get(reverse("staffing-change-list"),
                      {"status": "nope"}).status_code == 400


def test_assignments_filter_by_role_and_show_who(token_client, vendor_manager, line_manager,
                                                 vendor_a):
    AssignmentFactory(vendor=vendor_a, role="operations")
    response = token_client(vendor_manager).get(reverse("assignment-list"),
                                                {"role": "line_manager"})
    [item] = response.json()["results"]
    assert item["user"] == line_manager.pk
    assert item["user_name"] == str(line_manager)
    assert item["role"] == "line_manager"


def test_search_and_ordering(token_client, vendor_manager):
    VendorFactory(name="Zeta Cloud")
    VendorFactory(name="Alpha Cloud")
    VendorFactory(name="Beta Hosting")
    client = token_client(vendor_manager)
    names = [v["name"] for v in client.get(reverse("vendor-list"),
                                           {"search": "cloud", "ordering": "-name"})
             .json()["results"]]
    assert names == ["Zeta Cloud", "Alpha Cloud"]
    ignored = client.get(reverse("vendor-list"), {"ordering": "password,nonsense"})
    assert ignored.status_code == 200


def test_collections_are_paginated(token_client, vendor_manager):
    for _ in range(5):
        VendorFactory()
    client = token_client(vendor_manager)
    first = client.get(reverse("vendor-list"), {"page_size": 2}).json()
    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert first["next"] and first["previous"] is None
    last = client.get(reverse("vendor-list"), {"page_size": 2, "page": 3}).json()
    assert len(last["results"]) == 1 and last["next"] is None


@pytest.mark.parametrize("page", ["99", "0", "abc", "-1"])
def test_a_page_that_does_not_exist_is_404(token_client, vendor_manager, page):
    VendorFactory()
    response = token_client(vendor_manager).get(reverse("vendor-list"), {"page": page})
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize("size", ["lots", "0", "1001", "-1", "2.5", " 5", "٣"])
def test_a_bad_page_size_is_400(token_client, vendor_manager, size):
    VendorFactory()
    response = token_client(vendor_manager).get(reverse("vendor-list"), {"page_size": size})
    assert response.status_code == 400
    assert list(response.json()) == ["page_size"]


def test_an_empty_page_size_is_the_default(token_client, vendor_manager):
    VendorFactory()
    response = token_client(vendor_manager).get(reverse("vendor-list"), {"page_size": ""})
    assert response.status_code == 200


@pytest.mark.parametrize("size", [2, 12])
def test_vendor_list_query_count_does_not_grow_with_vendors(django_assert_num_queries,
                                                            api_client, line_manager, size):
    for vendor in VendorFactory.create_batch(size):
        AssignmentFactory(user=line_manager, vendor=vendor)
    api_client.force_authenticate(line_manager)
    # The caller's assignments, the page with its (bounded) count.
    with django_assert_num_queries(2):
        response = api_client.get(reverse("vendor-list"))
    assert response.json()["count"] == size + 1


@pytest.mark.parametrize("size", [2, 12])
def test_principle_list_query_count_does_not_grow_with_principles(
        django_assert_num_queries, api_client, vendor_manager, size):
    vendor = VendorFactory()
    PrincipleFactory.create_batch(size, vendor=vendor)
    api_client.force_authenticate(vendor_manager)
    # The page with its (bounded) count, every revision of the page.
    with django_assert_num_queries(2):
        response = api_client.get(reverse("guiding-principle-list"))
    assert response.json()["count"] == size
