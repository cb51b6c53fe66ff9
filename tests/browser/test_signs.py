"""A warning sign in a real browser: the line manager dismisses it with a reason, it leaves
the vendor's page, and it comes back when its evidence grows (one more key person leaves)."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from signs import services
from tests.factories import StaffMemberFactory
from tests.signs.factories import ago, troubled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_sign_dismissed_with_a_reason_comes_back_when_its_evidence_grows(
        page, live_server, sign_in, line_manager, vendor_a, console_errors):
    for name, days in (("Ann Leaver", 40), ("Bob Leaver", 20)):
        StaffMemberFactory(vendor=vendor_a, name=name, ended_on=ago(days))
    services.signs_refresh()
    tab = f"{live_server.url}{reverse('signs:vendor', args=[vendor_a.slug])}"

    sign_in("liam")
    page.goto(tab)
    shown = page.locator(".signs-block")
    expect(shown).to_contain_text("Resources not replaced")
    expect(shown).to_contain_text("2 key people left the account")
    expect(page.get_by_role("link", name="1 warning sign")).to_be_visible()
    shown.get_by_role("link", name="Dismiss…").click()
    page.get_by_label("Reason").fill("Planned rotation; replacements start next week")
    page.get_by_label("Dismiss for (days)").fill("60")
    page.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_role("alert").or_(page.locator(".alert"))).to_contain_text(
        "Dismissed until")
    page.goto(tab)
    expect(shown).to_contain_text("No warning sign about")
    expect(page.get_by_role("link", name="1 warning sign")).to_have_count(0)
    expect(page.locator("body")).to_contain_text(
        "Reason: “Planned rotation; replacements start next week”")

    # A third person leaves: the evidence grew past what was dismissed.
    StaffMemberFactory(vendor=vendor_a, name="Cleo Leaver", ended_on=ago(2))
    services.signs_refresh()
    page.goto(tab)
    expect(shown).to_contain_text("3 key people left the account")
    expect(shown).to_contain_text("Cleo Leaver")
    expect(page.get_by_role("link", name="1 warning sign")).to_be_visible()
    page.get_by_role("link", name="Dismiss…").click()
    expect(page.locator("body")).to_contain_text("Evidence grew since it was dismissed: back")
    expect(page.locator("body")).to_contain_text("Planned rotation; replacements start next week")
    page.screenshot(path=_screenshot("warning-sign-back.png"), full_page=True)
    assert console_errors == []


def test_the_portfolio_lists_signs_worst_first_and_evidence_leads_to_the_record(
        page, live_server, sign_in, vendor_manager, vendor_a, vendor_b, console_errors):
    troubled(vendor_a)
    for name, days in (("Ann Leaver", 40), ("Bob Leaver", 20)):
        StaffMemberFactory(vendor=vendor_b, name=name, ended_on=ago(days))
    services.signs_refresh()
    sign_in("vera")
    page.goto(f"{live_server.url}{reverse('home')}")
    page.get_by_role("button", name="Reports").click()
    page.get_by_role("link", name="Warning signs", exact=True).click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(6)
    expect(rows.first).to_contain_text("High")
    expect(rows.last).to_contain_text("Borealis IT")
    page.screenshot(path=_screenshot("warning-signs.png"), full_page=True)
    page.get_by_label("Sign", exact=True).select_option("missing_point")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    rows.first.locator("summary").click()
    rows.first.get_by_role("link", name="“Lead left again” raised").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lead left again")
    page.goto(f"{live_server.url}{reverse('signs:vendor', args=[vendor_a.slug])}")
    expect(page.locator(".signs-block li[id^=sign-]")).to_have_count(5)
    page.screenshot(path=_screenshot("warning-signs-vendor.png"), full_page=True)
    assert console_errors == []


def _screenshot(name: str) -> str:
    folder = Path(__file__).resolve().parents[2] / "var" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / name)
