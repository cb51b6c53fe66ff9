"""What a person sees in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import (
    ContactFactory,
    ContractFactory,
    PrincipleFactory,
    StaffingChangeFactory,
    StaffMemberFactory,
)
from vendors.choices import ContactRole, EscalationLevel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_line_manager_browses_from_the_vendor_list_to_a_vendor_page(
        page, live_server, sign_in, line_manager, vendor_a, vendor_b, console_errors):
    ContractFactory(vendor=vendor_a, reference="ACME-MSA-2025", value=2_400_000)
    ContactFactory(vendor=vendor_a, name="Dana Frank", role=ContactRole.ACCOUNT_EXECUTIVE,
                   escalation_level=EscalationLevel.ACCOUNT_EXECUTIVE)
    PrincipleFactory(vendor=vendor_a, title="No surprises")
    StaffMemberFactory(vendor=vendor_a, name="Kim Engineer")
    StaffingChangeFactory(vendor=vendor_a, reason="Need a second DBA for the migration.")
    ContactFactory(vendor=vendor_b, name="Someone Else")

    sign_in("liam")
    expect(page.get_by_role("heading", name=re.compile("Good to see you"))).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Vendors").click()
    expect(page).to_have_url(f"{live_server.url}/vendors/")
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name="Acme Outsourcing")).to_be_visible()
    expect(table).not_to_contain_text("Borealis IT")
    expect(page.get_by_role("status").filter(has_text="vendor")).to_have_text("1 vendor")

    table.get_by_role("link", name="Acme Outsourcing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Outsourcing")
    expect(page.get_by_text("Tier 2 · Tactical")).to_be_visible()
    ladder = page.get_by_role("region", name="Escalation ladder")
    expect(ladder).to_contain_text("Dana Frank")
    expect(ladder).to_contain_text(str(line_manager))
    expect(page.get_by_role("region", name="Guiding principles")).to_contain_text("No surprises")
    expect(page.get_by_text("EUR 2,400,000")).to_be_visible()
    # A line manager cannot edit the vendor itself, so no button offers it.
    expect(page.get_by_role("link", name="Edit vendor")).to_have_count(0)

    page.get_by_role("link", name="People & staffing").click()
    expect(page.get_by_role("region", name="Staffing changes")).to_contain_text(
        "Need a second DBA for the migration.")
    expect(page.get_by_text("Kim Engineer")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Someone Else")

    assert console_errors == []


def test_vendor_manager_sees_a_clear_error_for_a_duplicate_vendor_name(
        page, live_server, sign_in, vendor_manager, vendor_a, console_errors):
    sign_in("vera")
    page.goto(f"{live_server.url}/vendors/new/")
    page.get_by_label("Name").fill("acme outsourcing")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("A vendor with this name exists.")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("acme outsourcing")

    page.get_by_label("Name").fill("Zenith Data")
    page.get_by_label("Tier").select_option(label="Tier 1 · Strategic")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zenith Data")
    expect(page.get_by_role("status").filter(has_text="created")).to_contain_text(
        "Vendor 'Zenith Data' created.")
    assert console_errors == []
