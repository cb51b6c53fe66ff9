"""What the sweeps will record in the next days, kept as a snapshot.

Asking every kind's `find` over the coming days costs a query or more per kind and, at
portfolio scale (100k meetings), seconds; so a periodic task (tasks.refresh_upcoming,
declared in vendorgov/schedule.py) asks them once and stores the answer as an
`UpcomingRun` and its `Upcoming` rows, replacing the previous run in one transaction.
The pages ("Scheduled next", a person's profile) read the newest run in two queries and
say when it was made; what has been recorded since is left out as they read it."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from reminders import outbox
from reminders.models import Reminder, Upcoming, UpcomingRun
from vendors.models import Vendor

#: How far ahead a snapshot looks: the longest span the "Scheduled next" page offers.
DAYS = 31
#: Pages that find no snapshot queue one at most this often (seconds).
QUEUE_EVERY = 300


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
    `now`, less what is recorded already; soonest first. `vendor_ids` None: every vendor.
    Costly (every kind's `find`): only the snapshot task calls it."""
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


def refresh(*, now: datetime | None = None, days: int = DAYS) -> UpcomingRun:
    """A new snapshot of what falls due within `days`, replacing the older ones at once.
    Two runs at once: each deletes only runs older than itself, so the newer survives."""
    now = now or timezone.now()
    found = scheduled_next(now=now, days=days)
    with transaction.atomic():
        run = UpcomingRun.objects.create(made_at=now, days=days)
        Upcoming.objects.bulk_create([
            Upcoming(run=run, kind=s.kind[:100], kind_label=s.kind_label[:200],
                     occasion=s.occasion[:200], recipient_key=s.recipient_key[:300],
                     name=(s.name or "")[:200], email=(s.email or "")[:254],
                     vendor_id=s.vendor_id, vendor_name=s.vendor_name[:200], due_at=s.due_at,
                     url=(s.url or "")[:500], title=s.title[:300])
            for s in found], batch_size=1000)
        UpcomingRun.objects.filter(pk__lt=run.pk).delete()
    return run


def latest() -> UpcomingRun | None:
    """The newest snapshot (one query), or None before the first."""
    return UpcomingRun.objects.order_by("-id").first()


def items(run: UpcomingRun, *, now: datetime | None = None, days: int = 7, kind: str = "",
          recipient_key: str = "") -> QuerySet[Upcoming]:
    """`run`'s reminders due within `days` of now, less what has been recorded since the
    snapshot was made (the sweep records each a few minutes ahead); soonest first."""
    now = now or timezone.now()
    qs = Upcoming.objects.filter(run=run, due_at__lte=now + timedelta(days=days))
    if kind:
        qs = qs.filter(kind=kind)
    if recipient_key:
        qs = qs.filter(recipient_key=recipient_key)
    recorded = Reminder.objects.filter(kind=OuterRef("kind"), occasion=OuterRef("occasion"),
                                       recipient_key=OuterRef("recipient_key"))
    return qs.exclude(Exists(recorded)).order_by("due_at", "kind", "recipient_key")


def queue_refresh() -> bool:
    """Queue a snapshot (no run exists yet), at most once per QUEUE_EVERY seconds however
    many pages ask; True if queued now."""
    from reminders import tasks  # tasks imports this module

    if not cache.add("reminders:upcoming-queued", 1, QUEUE_EVERY):
        return False
    tasks.refresh_upcoming.delay()
    return True
