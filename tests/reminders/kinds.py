"""Small kinds of reminder for the engine's tests, over real data (governance action items,
read through their model here: a test may; the production kinds live in the feature apps).

`ITEM_DUE` reminds an action item's owner `offset` before 09:00 London on its due date;
an item closed or moved to another date is no longer current."""

from contextlib import contextmanager
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from governance.models import ActionItem
from reminders import registry

LONDON = ZoneInfo("Europe/London")


def moment(due_on, offset: timedelta) -> datetime:
    return datetime.combine(due_on, time(9, 0), tzinfo=LONDON) - offset


def find(now: datetime, offset: timedelta):
    items = (ActionItem.objects.open().filter(vendor__archived_at__isnull=True)
             .select_related("owner_user", "owner_contact"))
    for item in items:
        at = moment(item.due_on, offset)
        if at > now:
            continue
        owner = item.owner_user or item.owner_contact
        yield registry.Due(
            occasion=f"action:{item.pk}:{item.due_on.isoformat()}",
            recipient=registry.Recipient(
                email=owner.email, name=str(owner), user_id=item.owner_user_id,
                contact_id=item.owner_contact_id, vendor_side=item.owner_contact_id is not None),
            vendor_id=item.vendor_id, due_at=at, url=f"/items/{item.pk}/",
            context={"title": f"Due {item.due_on:%d %b}: {item.title}",
                     "summary": f"“{item.title}” is due.", "when": at.isoformat(),
                     "facts": {"Item": item.title}})


def still_current(occasions: list[str]) -> set[str]:
    ids = {int(o.split(":")[1]) for o in occasions}
    current = {f"action:{pk}:{due_on.isoformat()}" for pk, due_on in ActionItem.objects.open()
               .filter(pk__in=ids).values_list("pk", "due_on")}
    return set(occasions) & current


ITEM_DUE = registry.Kind(
    key="tests.item_due", label="Test: action items due",
    description="Sent to the owner before an action item is due.",
    timing=registry.Timing.BEFORE, default_offset=timedelta(days=2), find=find,
    still_current=still_current)


def _broken(now, offset):
    raise RuntimeError("this kind's find is broken")


BROKEN = registry.Kind(key="tests.broken", label="Test: broken", description="Never works.",
                       timing=registry.Timing.AFTER, default_offset=timedelta(0), find=_broken)


@contextmanager
def registered(*kinds):
    """Only these kinds while the engine is tested: the feature apps' own kinds (registered
    at start-up) would find the same test records and send more than the test expects."""
    saved = dict(registry._kinds)
    registry._kinds.clear()
    for kind in kinds:
        registry.register(kind)
    try:
        yield
    finally:
        registry._kinds.clear()
        registry._kinds.update(saved)
