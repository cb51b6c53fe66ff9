"""A health-check survey in a real browser: a vendor stakeholder who has no account answers
through their personal link, then the vendor manager signs in and sees the result and the
perception gap it makes."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from healthchecks.choices import Group
from tests.healthchecks.factories import collecting, invite, link, respond

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_stakeholder_answers_by_link_and_the_manager_sees_the_gap(
        page, live_server, sign_in, vendor_manager, vendor_a, console_errors):
    cycle = collecting(vendor_a)
    for _ in range(3):
        respond(cycle, Group.IT, {"trust": 2})
        respond(cycle, Group.BUSINESS, {"trust": 2})
    for _ in range(2):
        respond(cycle, Group.VENDOR, {"trust": 5})
    third = invite(cycle, Group.VENDOR, email="no.account@vendor.example")
    raw = link(third)

    # Not signed in: the link opens this survey and nothing else.
    page.goto(f"{live_server.url}{reverse('healthchecks:survey', args=[raw])}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"How is the relationship with {vendor_a} going?")
    expect(page.get_by_role("link", name="Vendors")).to_have_count(0)
    for question in cycle.questions.filter(dimension="trust"):
        page.get_by_role("radiogroup", name=question.text).get_by_label("5 · Very good").check()
    first = cycle.questions.filter(dimension="trust").first()
    page.get_by_label("Comment (optional)").nth(0).fill("Honest and quick")
    page.get_by_role("button", name="Save and finish later").click()
    expect(page.get_by_role("radiogroup", name=first.text).get_by_label("5 · Very good")
           ).to_be_checked()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you")
    page.reload()
    expect(page.get_by_role("heading", name="Your answers are submitted")).to_be_visible()

    # The vendor manager sees the result and the gap it opened.
    sign_in("vera")
    page.goto(f"{live_server.url}{cycle.get_absolute_url()}")
    results = page.locator("#results")
    expect(results).to_contain_text("Trust")
    gaps = page.locator("#gaps")
    expect(gaps).to_contain_text("largest gap")
    expect(gaps.get_by_role("row").nth(1)).to_contain_text("Trust")
    expect(gaps.get_by_role("row").nth(1)).to_contain_text("-3.00")
    expect(page.locator("#comments")).to_contain_text("Honest and quick")
    assert console_errors == []
