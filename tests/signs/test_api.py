"""The read-only warning-sign API: scoped like every resource; nothing for vendor users."""

import pytest

from signs import services
from signs.models import Sign
from tests.factories import VendorUserFactory
from tests.signs import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def signs(vendor_a, vendor_b):
    f.troubled(vendor_a)
    f.troubled(vendor_b)
    services.signs_refresh()
    return Sign.objects.open()


def test_a_line_manager_reads_their_vendors_signs_with_evidence(token_client, line_manager,
                                                                 signs, vendor_a, vendor_b):
    api = token_client(line_manager)
    rows = api.get("/api/v1/signs/", {"rule": "missing_point"}).json()["results"]
    assert [r["vendor"] for r in rows] == [vendor_a.pk]
    assert rows[0]["evidence"][0]["url"].startswith(f"/vendors/{vendor_a.slug}/")
    assert rows[0]["dismissed"] is False and rows[0]["severity"] == "high"
    other = signs.filter(vendor=vendor_b).first()
    assert api.get(f"/api/v1/signs/{other.pk}/").status_code == 404
    assert api.post("/api/v1/signs/", {}).status_code in (403, 405)  # read-only


def test_vendor_users_get_no_warning_signs_not_even_their_own(token_client, signs, vendor_a):
    api = token_client(VendorUserFactory(vendor=vendor_a))
    assert api.get("/api/v1/signs/").json()["count"] == 0
    own = signs.filter(vendor=vendor_a).first()
    assert api.get(f"/api/v1/signs/{own.pk}/").status_code == 404
