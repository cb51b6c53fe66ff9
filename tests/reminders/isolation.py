"""The reminders part of the isolation table (tests/test_isolation.py): the log and its
actions are the vendor managers'; a person's own choices and the unsubscribe links are
open, and show nothing of another vendor."""

from datetime import timedelta

from django.utils import timezone

from reminders import links, registry
from reminders.models import BouncedAddress, Reminder, Upcoming, UpcomingRun


def records(vendor, tag) -> dict:
    reminder = Reminder.objects.create(
        kind="tests.isolation", occasion=f"{tag}:1", recipient_key=f"email:{tag}@x.example",
        email=f"{tag.lower()}@x.example", name=f"{tag} Person", vendor=vendor,
        due_at=timezone.now(), not_before=timezone.now(), url="/",
        context={"title": f"{tag} title"}, status="failed", last_error=f"{tag} error")
    # One snapshot shared by every vendor (the pages read the newest), a row per vendor,
    # so the scheduled page and profiles are measured reading a real snapshot.
    run = UpcomingRun.objects.order_by("-id").first() or UpcomingRun.objects.create(days=31)
    Upcoming.objects.create(
        run=run, kind="tests.isolation", kind_label="Isolation", occasion=f"{tag}:2",
        recipient_key=f"email:{tag}@x.example", name=f"{tag} Person",
        email=f"{tag.lower()}@x.example", vendor=vendor, vendor_name=vendor.name,
        due_at=timezone.now() + timedelta(days=2), url="/", title=f"{tag} upcoming")
    bounced = BouncedAddress.objects.create(email=f"{tag.lower()}@bounced.example",
                                            note=f"{tag} bounce")
    return {"reminder": reminder, "reminder_bounce": bounced}


def none(w):
    return [{}]


def reminder(w):
    return [{"pk": w.b_records["reminder"].pk}]


def bounce(w):
    return [{"pk": w.b_records["reminder_bounce"].pk}]


def kind(w):
    # A real registered kind, so a vendor manager gets the form (200, measured by
    # tests/vendorgov/test_query_counts.py); a vendor user is denied it all the same.
    return [{"kind": registry.kinds()[0].key}]


def a_link(w):
    # An unsubscribe link opens its own person's choices to whoever holds it; a link of
    # someone of vendor A, and one that is not genuine, show nothing of B.
    return [{"token": links.token("email:someone@acme.example", ["tests.isolation"])},
            {"token": "not-a-genuine-link"}]


ROUTES = {
    "reminders:log": ("denied", none),
    "reminders:scheduled": ("denied", none),
    "reminders:send_again": ("denied", reminder),
    "reminders:bounce_add": ("denied", none),
    "reminders:bounce_clear": ("denied", bounce),
    "reminders:kinds": ("denied", none),
    "reminders:kind_update": ("denied", kind),
    "reminders:preferences": ("open", none),
    "reminders:unsubscribe": ("open", a_link),
}
