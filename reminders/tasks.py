"""Reminder tasks: safe to run twice, at once, or again after a crash (reminders/outbox.py).

Every delay handed to Celery here is bounded well under the broker's visibility timeout
(tests/infra/test_celery_settings.py): an ETA at most REMINDERS_LOOKAHEAD_SECONDS ahead,
retries backing off to at most RETRY_BACKOFF_MAX seconds. A task that hits the database
while it is away retries with back-off; whatever it could not do, the next sweep does."""

import math
from datetime import datetime, timedelta

from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from reminders import emails, outbox, upcoming

RETRY_BACKOFF_MAX = 30  # seconds
# Distinct due moments a sweep wakes the senders at; later ones wait for the next sweep.
MAX_WAKE_UPS = 50
_RETRY = {"autoretry_for": (OperationalError, InterfaceError), "retry_backoff": 2,
          "retry_backoff_max": RETRY_BACKOFF_MAX, "max_retries": 8}


@worker_process_init.connect
def _warm_up(**kwargs):
    """Each pool process loads the URLconf and email templates as it starts, not when the
    first reminder of a burst is due."""
    emails.warm_up()


def wake_senders(count: int, *, at: datetime | None = None) -> None:
    """Queue enough send tasks for `count` ready rows (each claims batch after batch, so
    several workers share the work), now or at `at` (bounded by the lookahead)."""
    if count <= 0:
        return
    tasks = min(settings.REMINDERS_SENDERS, math.ceil(count / settings.REMINDERS_BATCH))
    options = {}
    if at is not None:
        # Woken a little early to claim and render ahead, then hand over at the moment.
        at -= timedelta(seconds=settings.REMINDERS_PREPARE_SECONDS)
        latest = timezone.now() + timedelta(seconds=settings.REMINDERS_LOOKAHEAD_SECONDS)
        options["eta"] = min(at, latest)
        options["kwargs"] = {"ahead": True}
    for _ in range(tasks):
        send_due.apply_async(**options)


@shared_task(**_RETRY)
def sweep() -> dict:
    """Record every kind's due reminders (up to the lookahead), then wake the senders:
    now for what is due, at their due moment for what falls within the lookahead."""
    result = outbox.sweep()
    wake_senders(result.due_now)
    moments: dict[datetime, int] = {}
    for moment in result.wake_at:
        moment = moment.replace(microsecond=0)
        moments[moment] = moments.get(moment, 0) + 1
    for moment in sorted(moments)[:MAX_WAKE_UPS]:
        wake_senders(moments[moment], at=moment)
    return {"inserted": result.inserted, "due_now": result.due_now,
            "wake_ups": min(len(moments), MAX_WAKE_UPS), "failed_kinds": result.failed_kinds}


@shared_task(**_RETRY)
def send_due(ahead: bool = False) -> dict:
    """Send ready reminders until none is left or the time budget is spent; then queue
    the rest as a fresh task rather than outlive the visibility timeout. `ahead`: woken
    before a due moment, to have its burst ready (outbox.send_due)."""
    result = outbox.send_due(ahead=ahead)
    if result.more:
        send_due.apply_async()
    return {"sent": result.sent, "failed": result.failed, "dropped": result.dropped}


@shared_task(**_RETRY)
def send_digests() -> dict:
    """Each person's daily digest, at their time in their zone."""
    result = outbox.send_digests()
    return {"sent": result.sent, "failed": result.failed, "dropped": result.dropped}


@shared_task(**_RETRY)
def refresh_upcoming() -> dict:
    """A fresh snapshot of what the sweeps will record in the next days, which the
    "Scheduled next" page and people's profiles read (reminders/upcoming.py)."""
    run = upcoming.refresh()
    return {"run": run.pk, "items": run.items.count()}
