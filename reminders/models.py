"""The reminder outbox, the per-kind settings and each person's choices.

A `Reminder` row is the unit of exactly-once: one per (kind, occasion, recipient), under a
unique key, claimed with a conditional update before it is handed to the mail backend
(reminders/outbox.py says how, and what happens when a worker dies in between)."""

from datetime import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from reminders.choices import PROBLEMS, Delivery, Status
from vendors.models import VendorScoped


class DueItemStamps(models.Model):
    """The reminder sweep's stamps on an item with a due date and an owner (an action
    item, a corrective action): per kind of reminder, the due date (and, for the owner's
    reminders, the recipient key) of the last occasion recorded for it, written in the
    transaction that records its reminder row. A stamp that matches the item's due date
    and owner says the row exists (reminder rows are never deleted), so the sweep leaves
    the item out without a lookup; anything else (a new due date, another owner, no stamp)
    means "find it again". Bookkeeping no page shows: left out of the item's history
    (`HistoricalRecords(excluded_fields=DueItemStamps.FIELDS)`)."""

    FIELDS = ["reminded_due_on", "reminded_due_to", "reminded_overdue_on",
              "reminded_overdue_to", "reminded_escalation_on"]

    reminded_due_on = models.DateField(null=True, blank=True, editable=False)
    reminded_due_to = models.CharField(max_length=300, blank=True, default="", editable=False)
    reminded_overdue_on = models.DateField(null=True, blank=True, editable=False)
    reminded_overdue_to = models.CharField(max_length=300, blank=True, default="",
                                           editable=False)
    reminded_escalation_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class Reminder(VendorScoped):
    """One reminder of one kind, about one occasion, for one recipient: recorded once by
    the sweep, claimed and sent once (or recorded as why it was not)."""

    kind = models.CharField(max_length=100)
    occasion = models.CharField(max_length=200, help_text="What it is about, e.g. "
                                                          "'meeting:42:v3'.")
    recipient_key = models.CharField(max_length=300,
                                     help_text="user:<id>, contact:<id> or email:<address>.")
    email = models.EmailField(blank=True, help_text="The address it goes to; empty: none known.")
    name = models.CharField(max_length=200, blank=True)
    # Who it went to, for the profile and time zones; the row keeps its own copy of the
    # address and name. Neither indexed nor checked by the database: no query looks rows
    # up by them, and a sweep inserts thousands of rows at once (each index and foreign key
    # check is paid per row: bench/reminders_sweep.py). Deleting a person still sets them
    # to null (Django's SET_NULL, one UPDATE over the table: rare).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+", db_index=False,
                             db_constraint=False)
    contact = models.ForeignKey("vendors.Contact", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+", db_index=False,
                                db_constraint=False)
    vendor_side = models.BooleanField(default=False, help_text="One of the vendor's people: "
                                                               "their mail names no other vendor.")
    vendor = models.ForeignKey("vendors.Vendor", on_delete=models.PROTECT, related_name="+")
    delivery = models.CharField(max_length=10, choices=Delivery.choices,
                                default=Delivery.IMMEDIATE)
    due_at = models.DateTimeField(help_text="The reminder moment (event ± lead time).")
    not_before = models.DateTimeField(help_text="Not sent before this (due time, or the next "
                                                "retry after a failure).")
    url = models.CharField(max_length=500, blank=True)
    context = models.JSONField(default=dict, blank=True)
    ics = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    handing_at = models.DateTimeField(null=True, blank=True,
                                      help_text="When the claim holder began handing it to the "
                                                "mail backend.")
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-due_at", "-id"]
        constraints = [
            models.UniqueConstraint("kind", "occasion", "recipient_key",
                                    name="one_reminder_per_kind_occasion_recipient"),
        ]
        # Every index here is paid by each row a sweep inserts; each one serves a query:
        indexes = [
            # The senders' claim: pending rows by delivery, oldest first.
            models.Index(fields=["delivery", "not_before"], name="reminder_pending_idx",
                         condition=Q(status="pending")),
            # The reclaim of claims a dead worker left.
            models.Index(fields=["claimed_at"], name="reminder_claimed_idx",
                         condition=Q(status="claimed")),
            # A person's reminders (profile, preferences); the unique key serves the kinds'
            # (kind, occasion) lookups, the vendor's foreign key the log of one vendor.
            models.Index(fields=["recipient_key", "kind"], name="reminder_recipient_idx"),
            # The problems (home page counts, the log's problem filters): rows inserted as
            # pending never enter it.
            models.Index(fields=["status", "due_at"], name="reminder_problem_idx",
                         condition=Q(status__in=PROBLEMS)),
        ]

    def __str__(self):
        return f"{self.kind} · {self.occasion} → {self.name or self.email or self.recipient_key}"

    def get_absolute_url(self):
        return f"{reverse('reminders:log')}?id={self.pk}"


class KindSetting(models.Model):
    """A vendor manager's lead time or grace period for one kind, and an admin's word on
    whether it is mandatory; empty fields take the kind's registered defaults."""

    kind = models.CharField(max_length=100, unique=True)
    offset = models.DurationField(null=True, blank=True,
                                  help_text="Lead time (before) or grace period (after); "
                                            "empty: the kind's default.")
    mandatory = models.BooleanField(null=True, blank=True,
                                    help_text="Mandatory kinds cannot be turned off; empty: the "
                                              "kind's default.")
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind"]

    def __str__(self):
        return self.kind

    def get_absolute_url(self):
        return reverse("reminders:kind_update", args=[self.kind])


class Subscriber(models.Model):
    """One person's mail settings (a user, a vendor contact or a bare address), made the
    first time they change something: digest time, and time zone for people without an
    account (users keep theirs on their account)."""

    recipient_key = models.CharField(max_length=300, unique=True)
    digest_time = models.TimeField(default=time(8, 0),
                                   help_text="When the daily digest goes, in your time zone.")
    time_zone = models.CharField(max_length=64, blank=True,
                                 help_text="For people without an account; empty: the "
                                           "organisation's.")
    history = HistoricalRecords()

    def __str__(self):
        return self.recipient_key

    def zone(self, user=None) -> ZoneInfo:
        name = (getattr(user, "time_zone", "") if user is not None else "") or self.time_zone
        return ZoneInfo(name or settings.TIME_ZONE)


class Preference(models.Model):
    """How one person wants one kind: immediately, in their daily digest, or not at all
    (refused for mandatory kinds; a stored "off" of a kind made mandatory later is ignored)."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE,
                                   related_name="preferences")
    kind = models.CharField(max_length=100)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint("subscriber", "kind", name="one_preference_per_kind"),
        ]

    def __str__(self):
        return f"{self.subscriber}: {self.kind} {self.delivery}"


class BouncedAddress(models.Model):
    """An address mail bounced from: listed on the reminder log and never sent to until a
    vendor manager clears it."""

    email = models.EmailField(unique=True)
    note = models.CharField(max_length=300, blank=True)
    marked_at = models.DateTimeField(default=timezone.now)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["email"]
        verbose_name_plural = "bounced addresses"

    def __str__(self):
        return self.email


class UpcomingRun(models.Model):
    """One snapshot of what the sweeps will record within the next `days` days, made by a
    periodic task (reminders/tasks.py: refresh_upcoming) so that pages read it instead of
    asking every kind's `find` on each view. The newest run is the one shown; a run
    deletes the older ones (and their rows) in the transaction that writes it."""

    made_at = models.DateTimeField(default=timezone.now)
    days = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"Upcoming reminders, {self.days} days from {self.made_at:%Y-%m-%d %H:%M}"


class Upcoming(VendorScoped):
    """A reminder a kind's `find` said will fall due (not recorded yet when the snapshot
    was made): one row of an `UpcomingRun`."""

    run = models.ForeignKey(UpcomingRun, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=100)
    kind_label = models.CharField(max_length=200)
    occasion = models.CharField(max_length=200)
    recipient_key = models.CharField(max_length=300)
    name = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=254, blank=True)
    vendor = models.ForeignKey("vendors.Vendor", on_delete=models.CASCADE, related_name="+")
    vendor_name = models.CharField(max_length=200, blank=True)
    due_at = models.DateTimeField()
    url = models.CharField(max_length=500, blank=True)
    title = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["due_at", "kind", "recipient_key"]
        indexes = [
            models.Index(fields=["run", "due_at"], name="upcoming_run_due_idx"),
            models.Index(fields=["run", "recipient_key", "due_at"],
                         name="upcoming_run_recipient_idx"),
        ]

    def __str__(self):
        return f"{self.kind} · {self.occasion} → {self.name or self.recipient_key}"
