"""Exactly once against a real PostgreSQL, with real concurrency: sweeps and senders in
threads of their own (their own connections), all released together. What the mail
backend received is read back from its files (tests/reminders/mailbox.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reminders import outbox
from reminders.models import Reminder
from tests.concurrency import at_once
from tests.factories import AssignmentFactory, UserFactory, VendorFactory
from tests.governance.factories import action_item
from tests.reminders.mailbox import received

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mailbox(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    return tmp_path / "mail"


def portfolio(n_vendors=4, per_vendor=30):
    for v in range(n_vendors):
        vendor = VendorFactory(name=f"Vendor {v}", slug=f"vendor-{v}")
        owner = UserFactory(username=f"owner{v}")
        AssignmentFactory(user=owner, vendor=vendor)
        for i in range(per_vendor):
            action_item(vendor, owner=owner, title=f"Item {i}",
                        due_on=timezone.localdate() + timedelta(days=1))


def test_sweeps_run_at_once_record_each_reminder_once(item_kind):
    portfolio(2, 20)

    outcomes = at_once(*[outbox.sweep for _ in range(4)])

    assert [o.error for o in outcomes] == [None] * 4
    assert sum(o.value.inserted for o in outcomes) == 40
    assert Reminder.objects.count() == 40


def test_senders_run_at_once_hand_each_reminder_to_the_mail_backend_once(item_kind, mailbox):
    portfolio(4, 30)
    outbox.sweep()

    outcomes = at_once(*[lambda: outbox.send_due(batch=7) for _ in range(4)])

    assert [o.error for o in outcomes] == [None] * 4
    sent = [o.value.sent for o in outcomes]
    counts = received(mailbox)
    ids = set(Reminder.objects.values_list("id", flat=True))
    assert set(counts) == ids and len(ids) == 120
    assert max(counts.values()) == 1
    assert sum(sent) == 120 and sum(1 for n in sent if n) >= 2  # they shared the work


def test_sweeps_and_senders_at_once_send_each_reminder_once(item_kind, mailbox):
    portfolio(3, 20)

    at_once(outbox.sweep, outbox.sweep, lambda: outbox.send_due(batch=5),
            lambda: outbox.send_due(batch=5))
    outbox.send_due()

    counts = received(mailbox)
    assert len(counts) == Reminder.objects.count() == 60
    assert max(counts.values()) == 1
