"""A weekly review in a real browser: from the agenda to the minutes and action items, and
the open items carried to the next meeting."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import ContactFactory
from tests.governance.factories import impediment, weekly_cadence
from vendors.choices import ContactRole

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def todays_weekly(vendor_a, line_manager):
    """Vendor A's weekly review, today at 00:05 (planned just before), with its lead."""
    from unittest import mock

    lead = ContactFactory(vendor=vendor_a, name="Olive Lead", role=ContactRole.OUTSOURCED_LEAD,
                          escalation_level=None)
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    with mock.patch("django.utils.timezone.now", lambda: midnight):
        cadence = weekly_cadence(vendor_a, ours=[line_manager], theirs=[lead],
                                 at=dt.time(0, 5))
    impediment(vendor_a, title="Firewall changes take two weeks")
    return cadence.meetings.order_by("starts_at").first()


def test_a_weekly_review_from_agenda_to_minutes_to_action_items(
        page, live_server, sign_in, line_manager, vendor_a, todays_weekly, console_errors):
    sign_in("liam")
    page.goto(f"{live_server.url}{vendor_a.get_absolute_url()}")
    page.get_by_role("link", name="Reviews", exact=True).last.click()
    expect(page.get_by_role("heading", name="Coming up")).to_be_visible()
    page.get_by_role("region", name="Over, but not marked held").get_by_role(
        "link", name="Weekly review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Weekly review")

    # The agenda is built from live data for a weekly review.
    agenda = page.get_by_role("region", name="Agenda")
    expect(agenda).to_contain_text("Firewall changes take two weeks")
    expect(agenda).to_contain_text("Staffing changes since the last weekly")
    expect(agenda).to_contain_text("Open action items carried over")

    # A point of our own, the minutes, and who was there.
    page.get_by_role("textbox", name="Agenda point").fill("Introduce the new network lead")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(agenda).to_contain_text("Introduce the new network lead")
    page.get_by_role("textbox", name="Minutes").fill(
        "Firewall backlog discussed; a fast lane is agreed.")
    page.get_by_role("button", name="Save minutes").click()
    expect(page.get_by_role("status").filter(has_text="Minutes saved")).to_be_visible()
    page.get_by_role("group", name="Was Olive Lead there?").get_by_role(
        "button", name="Present").click()
    expect(page.locator("#attendance")).to_contain_text("Present")

    # Action items are added in place, without reloading the page.
    page.evaluate("window.stillTheSamePage = true")
    form = page.get_by_role("form", name="New action item")
    form.get_by_label("Title").fill("Send the firewall fast-lane proposal")
    form.get_by_label("Owner").select_option(label="Olive Lead · Outsourced lead")
    form.get_by_role("button", name="Add action item").click()
    actions = page.locator("#action-items")
    expect(actions.get_by_role("status")).to_contain_text(
        "Action item “Send the firewall fast-lane proposal” added.")
    expect(actions.get_by_role("table")).to_contain_text("Send the firewall fast-lane proposal")
    form = page.get_by_role("form", name="New action item")
    form.get_by_label("Title").fill("Book the change board slot")
    form.get_by_label("Owner").select_option(label=f"{line_manager} · Line manager")
    form.get_by_role("button", name="Add action item").click()
    expect(actions.get_by_role("table")).to_contain_text("Book the change board slot")
    # One of them is done already: its status changes in place too.
    actions.get_by_label("Status of “Book the change board slot”").select_option("done")
    actions.get_by_role("button", name="Set status of “Book the change board slot”").click()
    expect(actions.get_by_role("status").filter(has_text="saved")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True

    # Marked held: the agenda is kept as it stood.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Mark held").click()
    expect(page.get_by_role("status").filter(has_text="Meeting marked held")).to_be_visible()
    expect(page.get_by_text("as it stood when the meeting was held")).to_be_visible()
    expect(page.get_by_role("region", name="Minutes")).to_contain_text("fast lane")

    # The next weekly carries the open item over, and only the open one.
    page.get_by_role("navigation", name="Series").get_by_role("link").last.click()
    carried = page.get_by_role("region", name="Open action items carried over")
    expect(carried).to_contain_text("Send the firewall fast-lane proposal")
    expect(carried).not_to_contain_text("Book the change board slot")
    assert console_errors == []
