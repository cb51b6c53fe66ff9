"""The `load_demo` command itself: --if-empty, --print-logins, determinism (each test
starts from an empty database; the demo's content, and that --if-empty loads into an empty
database, are checked in test_load_demo.py, on its one load)."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.factories import VendorFactory
from tests.vendors.test_load_demo import load
from vendors.demo import DEMO_PASSWORD, PEOPLE
from vendors.models import Contract, StaffingChange, StaffMember, Vendor

User = get_user_model()


def test_if_empty_keeps_existing_data(db):
    VendorFactory(name="Our own vendor")
    out = load("--if-empty")
    assert "Demo data already present; keeping it." in out
    assert list(Vendor.objects.values_list("name", flat=True)) == ["Our own vendor"]
    assert not User.objects.exists()


def test_print_logins_only_prints(db):
    out = load("--print-logins")
    assert not Vendor.objects.exists() and not User.objects.exists()
    for person in PEOPLE:
        assert person.username in out
    assert DEMO_PASSWORD in out and "vendor / assignments" in out


@pytest.mark.django_db(transaction=True)  # flush cannot run inside the test's transaction
def test_loading_is_deterministic():
    def snapshot():
        return (
            list(Vendor.objects.values_list("name", "slug", "tier", "status")),
            list(Contract.objects.order_by("reference").values_list(
                "reference", "start_date", "end_date", "value")),
            list(StaffMember.objects.order_by("vendor__slug", "name").values_list(
                "name", "started_on", "ended_on")),
            list(StaffingChange.objects.order_by("requested_on", "id").values_list(
                "kind", "status", "requested_on", "resolved_on")),
        )

    load()
    first = snapshot()
    # Every table, the feature apps' too (their records protect the vendors they belong to).
    call_command("flush", "--noinput", stdout=StringIO())
    load()
    assert snapshot() == first
