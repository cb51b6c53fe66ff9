"""The demo's first week, swept and sent by the real engine: every kind of reminder goes
out at least once, each email in plain text and HTML from its own templates, meetings with
their calendar invite, and nothing to a vendor's people names another vendor."""

import io
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from reminders import outbox, registry
from reminders.models import Reminder
from vendors.models import Vendor

pytestmark = pytest.mark.django_db


@contextmanager
def clock(moment):
    with mock.patch("django.utils.timezone.now", lambda: moment):
        yield


@pytest.fixture(scope="module")
def demo_week(django_db_setup, django_db_blocker):
    """The demo loaded, then a week of sweeps and sends every four hours (the engine's own,
    with the clock moved on); flushed away after this module."""
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO())
        mail.outbox = []
        start = timezone.now()
        for hours in range(0, 7 * 24 + 1, 4):
            with clock(start + timedelta(hours=hours)):
                outbox.sweep()
                outbox.send_due(budget=600)
        messages = list(mail.outbox)
        rows = {r.pk: r for r in Reminder.objects.select_related("vendor")}
        vendors = list(Vendor.objects.values_list("pk", "name"))
    yield messages, rows, vendors
    with django_db_blocker.unblock():
        call_command("flush", "--noinput", stdout=io.StringIO())


def _rows_of(message, rows):
    ids = message.extra_headers.get("X-Vendorgov-Reminders", "")
    return [rows[int(i)] for i in ids.split(",") if i]


def test_every_kind_is_sent_in_the_demos_first_week(demo_week):
    messages, rows, _ = demo_week
    sent = {r.kind for m in messages for r in _rows_of(m, rows)}
    assert sent == {k.key for k in registry.kinds()}


def test_each_email_has_plain_text_and_html_from_its_own_templates(demo_week):
    messages, rows, _ = demo_week
    for message in messages:
        (row, *_) = _rows_of(message, rows)
        html = {mime: body for body, mime in message.alternatives}["text/html"]
        for text in (message.subject, message.body, html):
            assert text.strip() and "{{" not in text and "{%" not in text, row.kind
        assert row.context and "Open it in vendorgov" not in message.body, row.kind
        if row.kind.startswith("governance.meeting_"):
            invite = [a for a in message.attachments if "text/calendar" in str(a)]
            assert invite or any("BEGIN:VCALENDAR" in str(a) for a in message.attachments)


def test_nothing_mailed_to_a_vendors_people_names_another_vendor(demo_week):
    messages, rows, vendors = demo_week
    vendor_side = 0
    for message in messages:
        (row, *_) = _rows_of(message, rows)
        if not row.vendor_side:
            continue
        vendor_side += 1
        html = {mime: body for body, mime in message.alternatives}["text/html"]
        everything = " ".join([message.subject, message.body, html,
                               *(str(a) for a in message.attachments)])
        for pk, name in vendors:
            if pk != row.vendor_id:
                assert name not in everything, (row.kind, name)
    assert vendor_side

