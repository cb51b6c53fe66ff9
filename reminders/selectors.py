"""Reads of the reminders app: the log, what the next sweeps will send, one person's
reminders and choices, and the `sent_to` lookup the kinds ask."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from reminders import outbox, upcoming
from reminders.choices import HANDED, PROBLEMS, Delivery, Status
from reminders.models import BouncedAddress, Preference, Reminder, Subscriber
from vendors import access


def log(user) -> QuerySet[Reminder]:
    """Every reminder row of the vendors `user` may see, newest first."""
    return access.restrict(Reminder.objects.select_related("vendor"), user).order_by(
        "-due_at", "-id")


def problem_counts(user) -> dict[str, int]:
    counts = dict(log(user).filter(status__in=PROBLEMS).order_by()
                  .values_list("status").annotate(n=Count("id")))
    return {status: counts.get(status, 0) for status in PROBLEMS}


def bounced_addresses() -> QuerySet[BouncedAddress]:
    return BouncedAddress.objects.select_related("marked_by")


def sent_lookup(kind_key: str, occasions: list[str]) -> dict[str, set[str]]:
    """{occasion: {recipient key}} of those of `occasions` that went out (or are going)."""
    found = defaultdict(set)
    for occasion, key in Reminder.objects.filter(
            kind=kind_key, occasion__in=occasions, status__in=HANDED).values_list(
            "occasion", "recipient_key"):
        found[occasion].add(key)
    return dict(found)


# What the next sweeps will send: a snapshot made by a periodic task (reminders/upcoming.py).
scheduled_next = upcoming.scheduled_next
upcoming_run = upcoming.latest
upcoming_items = upcoming.items
queue_upcoming = upcoming.queue_refresh


@dataclass(frozen=True)
class KindChoice:
    key: str
    label: str
    description: str
    mandatory: bool
    chosen: str  # what the person chose ("" if nothing)
    effective: str  # what they get

    @property
    def off_ignored(self) -> bool:
        """They turned off a kind that is mandatory: they still get it."""
        return self.chosen == Delivery.OFF and self.mandatory


def choices_of(recipient_key: str) -> tuple[Subscriber, list[KindChoice]]:
    """One person's settings and, per kind, what they chose and what they get."""
    subscriber = (Subscriber.objects.filter(recipient_key=recipient_key).first()
                  or Subscriber(recipient_key=recipient_key))
    chosen = dict(Preference.objects.filter(subscriber__recipient_key=recipient_key)
                  .values_list("kind", "delivery"))
    kinds = [KindChoice(key=c.kind.key, label=c.kind.label, description=c.kind.description,
                        mandatory=c.mandatory, chosen=chosen.get(c.kind.key, ""),
                        effective=outbox.effective(chosen.get(c.kind.key),
                                                   mandatory=c.mandatory))
             for c in outbox.kind_configs().values()]
    return subscriber, kinds


def recent_for(recipient_key: str, limit: int = 20) -> list[Reminder]:
    return list(Reminder.objects.filter(recipient_key=recipient_key)
                .select_related("vendor").order_by("-due_at")[:limit])


def waiting_for(recipient_key: str) -> list[Reminder]:
    return list(Reminder.objects.filter(recipient_key=recipient_key, status=Status.PENDING)
                .select_related("vendor").order_by("not_before"))
