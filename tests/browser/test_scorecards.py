"""A line manager enters a period's actuals in the browser and sees the scorecard change."""

import re

import pytest
from playwright.sync_api import expect

from tests.scorecards.factories import label_of, make_scorecard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def row(page, measure):
    return page.locator("tr", has=page.get_by_role("link", name=measure, exact=True))


def test_entering_actuals_turns_no_data_into_colours_and_words(
        page, live_server, sign_in, line_manager, vendor_a, console_errors):
    make_scorecard(vendor_a)
    sign_in("liam")
    page.goto(f"{live_server.url}/vendors/{vendor_a.slug}/")
    page.get_by_role("link", name="Scorecard", exact=True).click()
    expect(page.get_by_role("heading", level=2, name=re.compile(label_of(1)))).to_be_visible()
    availability = row(page, "Availability")
    expect(availability.locator(".badge.text-bg-secondary")).to_have_text("No data")

    page.get_by_role("link", name=f"Enter actuals for {label_of(1)}").click()
    page.get_by_label("Vendor reported (%) — Availability").fill("99.95")
    page.get_by_label("We measured (%) — Resolution").fill("75")  # red: needs a comment
    page.get_by_label("We measured (%) — Cost against budget").fill("104")  # amber
    page.get_by_role("button", name="Save actuals").click()

    expect(page.get_by_text("nothing was saved")).to_be_visible()
    expect(page.get_by_text(re.compile(r"75 is red .* add a comment"))).to_be_visible()
    expect(page.get_by_label("We measured (%) — Resolution")).to_have_value("75")
    page.get_by_label("Comment — Resolution").fill("Backlog after the storage incident.")
    page.get_by_label("Comment — Cost against budget").fill("Unplanned month-end capacity.")
    page.get_by_role("button", name="Save actuals").click()

    expect(page.get_by_text(f"{label_of(1)}: 3 actuals submitted.")).to_be_visible()
    expect(availability.locator(".badge.text-bg-success").first).to_have_text("Green")
    expect(row(page, "Resolution").locator(".badge.text-bg-danger")).to_have_text("Red")
    expect(row(page, "Cost against budget").locator(".badge.text-bg-warning")).to_have_text(
        "Amber")
    expect(availability).to_contain_text("awaiting approval")

    # Approving happens in place, without leaving the page.
    availability.get_by_role("button", name="Approve Availability").click()
    expect(availability.locator(".workflow")).to_contain_text("Approved")
    expect(availability.locator(".workflow")).to_contain_text("by ")
    assert console_errors == []
