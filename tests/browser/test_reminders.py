"""Reminders in a real browser: a vendor manager reads the reminder log, then switches a
kind of reminder from immediate mails to their daily digest on their profile."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reminders import outbox
from reminders.choices import Delivery
from reminders.models import Preference
from tests.factories import AssignmentFactory
from tests.governance.factories import action_item
from tests.reminders.kinds import ITEM_DUE, registered

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kind():
    with registered(ITEM_DUE):
        yield ITEM_DUE


def test_the_log_shows_a_sent_reminder_and_a_person_moves_a_kind_to_their_digest(
        page, live_server, sign_in, vendor_manager, vendor_a, kind, console_errors):
    AssignmentFactory(user=vendor_manager, vendor=vendor_a)
    action_item(vendor_a, owner=vendor_manager, title="Renewal terms",
                due_on=timezone.localdate() + timedelta(days=1))
    outbox.sweep()
    outbox.send_due()

    sign_in("vera")
    page.get_by_role("button", name="Administration").click()
    page.get_by_role("link", name="Reminders", exact=True).click()
    expect(page.get_by_role("heading", name="Reminders", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Test: action items due")
    expect(row).to_contain_text("vera@example.org")
    expect(row).to_contain_text("Sent")

    page.goto(f"{live_server.url}/accounts/profile/")
    group = page.get_by_role("group", name="Test: action items due")
    expect(group.get_by_label("Immediately")).to_be_checked()
    group.get_by_label("In my daily digest").check()
    page.get_by_role("button", name="Save my choices").click()

    expect(page.get_by_text("Your reminder choices are saved.")).to_be_visible()
    expect(page.get_by_role("group", name="Test: action items due").get_by_label(
        "In my daily digest")).to_be_checked()
    assert Preference.objects.get(kind=ITEM_DUE.key).delivery == Delivery.DIGEST
    assert console_errors == []
