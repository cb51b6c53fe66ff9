"""The demo portfolio shows each of the five warning signs, for a reason on the page."""

from io import StringIO

import pytest
from django.core.management import call_command

from signs.choices import Rule
from signs.models import Sign
from vendors.models import Vendor

pytestmark = pytest.mark.django_db

REASONS = {
    Rule.MISSING_THE_POINT: ("meridian", "SAP archive restore test failed again"),
    Rule.INTEREST_DROPPED: ("kestrel", "(Account executive) was present at"),
    Rule.RESOURCES_NOT_REPLACED: ("kestrel", "Replace a person"),
    Rule.ONLY_GOOD_NEWS: ("meridian", "the vendor reported 99.95 % (green)"),
    Rule.GOVERNANCE_SLIPPING: ("meridian", "carried over"),
}


def test_the_demo_shows_each_warning_sign_with_its_reason_on_the_vendors_page(client):
    call_command("load_demo", stdout=StringIO())
    client.login(username="vera", password="demo-pass-2026")
    for rule, (key, reason) in REASONS.items():
        vendor = Vendor.objects.get(slug__startswith=key)
        assert Sign.objects.shown().filter(vendor=vendor, rule=rule).exists(), rule
        page = client.get(f"/vendors/{vendor.slug}/warning-signs/").content.decode()
        assert reason in page, (rule, reason)
    lumen = Sign.objects.open().get(vendor__slug__startswith="lumen")
    assert lumen.is_dismissed() and "contract extension" in lumen.dismissal_reason
