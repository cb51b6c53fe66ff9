"""Every record's `url` in a list is its own detail address, as DRF's reverse() gives it,
though it is built once per list (vendorgov.api.fields.IdentityUrlField)."""

import pytest
from django.urls import reverse

from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


def test_each_row_of_a_list_links_to_its_own_record(token_client, vendor_manager, vendor_a,
                                                    vendor_b):
    contracts = [ContractFactory(vendor=v) for v in (vendor_a, vendor_b, vendor_a)]
    rows = token_client(vendor_manager).get("/api/v1/contracts/").json()["results"]
    assert {r["id"]: r["url"] for r in rows} == {
        c.pk: "http://testserver" + reverse("contract-detail", args=[c.pk]) for c in contracts}
