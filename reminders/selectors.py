"""Reads of the reminders app: the log, what the next sweeps will send, one person's
reminders and choices, and the `sent_to` lookup the kinds ask."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, QuerySet
from django.utils import timezone

from reminders import outbox
from reminders.choices import HANDED, PROBLEMS, Delivery, Status
from reminders.models import BouncedAddress, Preference, Reminder, Subscriber
from vendors import access
from vendors.models import Vendor


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


@dataclass(frozen=True)
class Scheduled:
    """A reminder the next sweeps will record and send (not recorded yet)."""

    kind: str
    kind_label: str
    occasion: str
    recipient_key: str
    name: str
    email: str
    vendor_id: int
    vendor_name: str
    due_at: datetime
    url: str
    title: str


def scheduled_next(*, now: datetime | None = None, days: int = 7, vendor_ids=None,
                   kind: str = "", recipient_key: str = "") -> list[Scheduled]:
    """What the sweeps will record within `days`: each kind's `find` asked at a later
    `now`, less what is recorded already; soonest first. `vendor_ids` None: every vendor."""
    now = now or timezone.now()
    later = now + timedelta(days=days)
    found = []
    for config in outbox.kind_configs().values():
        if kind and config.kind.key != kind:
            continue
        for due in config.kind.find(later, config.offset):
            if vendor_ids is not None and due.vendor_id not in vendor_ids:
                continue
            if recipient_key and due.recipient.key != recipient_key:
                continue
            found.append((config.kind, due))
    recorded = set()
    occasions = defaultdict(set)
    for k, due in found:
        occasions[k.key].add(due.occasion)
    for key, values in occasions.items():
        recorded |= {(key, o, r) for o, r in Reminder.objects.filter(
            kind=key, occasion__in=values).values_list("occasion", "recipient_key")}
    names = dict(Vendor.objects.filter(pk__in={d.vendor_id for _, d in found})
                 .values_list("pk", "name"))
    items = [Scheduled(kind=k.key, kind_label=k.label, occasion=d.occasion,
                       recipient_key=d.recipient.key, name=d.recipient.name,
                       email=d.recipient.email, vendor_id=d.vendor_id,
                       vendor_name=names.get(d.vendor_id, ""), due_at=d.due_at, url=d.url,
                       title=str(d.context.get("title") or d.occasion))
             for k, d in found if (k.key, d.occasion, d.recipient.key) not in recorded]
    return sorted(items, key=lambda s: (s.due_at, s.kind, s.recipient_key))


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
