"""Every vendor resource answers the same way: permitted → 200, out of scope → 404 (never
403), whatever the route."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import (
    AssignmentFactory,
    ContactFactory,
    ContractFactory,
    PrincipleFactory,
    ServiceFactory,
    StaffingChangeFactory,
    StaffMemberFactory,
)

FACTORIES = {
    "vendor": None,
    "service": ServiceFactory,
    "contract": ContractFactory,
    "contact": ContactFactory,
    "assignment": AssignmentFactory,
    "guiding-principle": PrincipleFactory,
    "staff": StaffMemberFactory,
    "staffing-change": StaffingChangeFactory,
}
RESOURCES = list(FACTORIES)


def make(resource, vendor):
    factory = FACTORIES[resource]
    return vendor if factory is None else factory(vendor=vendor)


def vendor_of(resource, item):
    return item["id"] if resource == "vendor" else item["vendor"]


def listed(client, resource):
    response = client.get(reverse(f"{resource}-list"), {"page_size": 1000})
    assert response.status_code == 200
    return response.json()["results"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_vendor_user_lists_only_their_own_vendors_records(token_client, resource, alice,
                                                          vendor_a, vendor_b):
    own, other = make(resource, vendor_a), make(resource, vendor_b)
    items = listed(token_client(alice), resource)
    ids = {item["id"] for item in items}
    assert own.pk in ids and other.pk not in ids
    assert {vendor_of(resource, item) for item in items} == {vendor_a.pk}


@pytest.mark.parametrize("resource", RESOURCES)
def test_vendor_user_gets_404_for_another_vendors_record(token_client, resource, alice,
                                                         vendor_a, vendor_b):
    own, other = make(resource, vendor_a), make(resource, vendor_b)
    client = token_client(alice)
    response = client.get(reverse(f"{resource}-detail", args=[own.pk]))
    assert response.status_code == 200
    assert vendor_of(resource, response.json()) == vendor_a.pk
    response = client.get(reverse(f"{resource}-detail", args=[other.pk]))
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("resource", RESOURCES)
def test_out_of_scope_record_answers_like_a_missing_one(token_client, resource, charlie,
                                                        vendor_a):
    other = make(resource, vendor_a)
    client = token_client(charlie)
    hidden = client.get(reverse(f"{resource}-detail", args=[other.pk]))
    missing = client.get(reverse(f"{resource}-detail", args=[other.pk + 1000]))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


@pytest.mark.parametrize("resource", RESOURCES)
def test_line_manager_sees_only_assigned_vendors(token_client, resource, line_manager,
                                                 vendor_a, vendor_b):
    own, other = make(resource, vendor_a), make(resource, vendor_b)
    client = token_client(line_manager)
    ids = {item["id"] for item in listed(client, resource)}
    assert own.pk in ids and other.pk not in ids
    assert client.get(reverse(f"{resource}-detail", args=[other.pk])).status_code == 404


@pytest.mark.parametrize("resource", RESOURCES)
def test_portfolio_roles_see_every_vendor(token_client, resource, executive, vendor_manager,
                                          vendor_a, vendor_b):
    records = [make(resource, vendor_a), make(resource, vendor_b)]
    for user in (executive, vendor_manager):
        ids = {item["id"] for item in listed(token_client(user), resource)}
        assert {r.pk for r in records} <= ids


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_resource_carries_its_vendor_id(token_client, resource, vendor_manager,
                                              vendor_a):
    record = make(resource, vendor_a)
    body = token_client(vendor_manager).get(reverse(f"{resource}-detail",
                                                    args=[record.pk])).json()
    assert body["url"].endswith(reverse(f"{resource}-detail", args=[record.pk]))
    if resource != "vendor":
        assert body["vendor"] == vendor_a.pk


@pytest.mark.parametrize("resource", RESOURCES)
def test_delete_is_not_offered(token_client, resource, vendor_manager, vendor_a):
    record = make(resource, vendor_a)
    response = token_client(vendor_manager).delete(reverse(f"{resource}-detail",
                                                           args=[record.pk]))
    assert response.status_code == 405
    assert "detail" in response.json()


@pytest.mark.parametrize("resource", RESOURCES)
def test_anonymous_caller_gets_401(db, resource):
    response = APIClient().get(reverse(f"{resource}-list"))
    assert response.status_code == 401


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("pk", ["abc", "0", "-1", "99999999999999999999999", "1.5"])
def test_bad_ids_are_404(token_client, resource, vendor_manager, pk):
    response = token_client(vendor_manager).get(f"{reverse(f'{resource}-list')}{pk}/")
    assert response.status_code == 404


@pytest.mark.parametrize("resource", ["staffing-change", "contact", "staff"])
def test_browsable_api_and_options_never_show_another_vendor(client, resource, alice,
                                                             vendor_a, vendor_b):
    StaffMemberFactory(vendor=vendor_b, name="Hidden Person")
    make(resource, vendor_a)
    client.force_login(alice)
    html = client.get(reverse(f"{resource}-list"), HTTP_ACCEPT="text/html")
    options = client.options(reverse(f"{resource}-list"))
    assert html.status_code == options.status_code == 200
    for response in (html, options):
        assert vendor_b.name not in response.content.decode()
        assert "Hidden Person" not in response.content.decode()
