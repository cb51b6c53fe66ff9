"""The reminder about vendors' own records (`reminders.registry`): a contract's renewal
notice period starting. Registered in `VendorsConfig.ready()`.

A contract must be renewed or ended by notice `renewal_notice_days` before its end date
(`Contract.renewal_notice_date`). `offset` whole days before that date, at 09:00 in the
organisation's zone (`vendors.reminding`), our line managers and relationship owners of
the vendor are told, so the decision is made before the notice period starts. Internal
only: renewal is our decision. Archived contracts and vendors, and contracts that have
ended, yield nothing. Occasion: `contract:<id>:notice:<notice date>` (a changed end date or
notice period is a new occasion).
"""

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from reminders import registry
from reminders.registry import Due, Kind, Timing
from vendorgov import formats
from vendors import reminding
from vendors.models import Contract


def _contracts(today, ids=None):
    rows = Contract.objects.filter(archived_at__isnull=True, vendor__archived_at__isnull=True,
                                   end_date__gte=today)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.select_related("vendor").order_by("end_date", "id")


def renewals_due(now: datetime, offset: timedelta) -> list[Due]:
    today = reminding.local_today(now)
    rows = [c for c in _contracts(today)
            if reminding.day_before(c.renewal_notice_date, offset) <= now]
    people = reminding.people(c.vendor_id for c in rows)
    due = []
    for c in rows:
        context = {"contract": str(c), "vendor": c.vendor.name,
                   "notice_date": formats.day(c.renewal_notice_date),
                   "end_date": formats.day(c.end_date), "notice_days": c.renewal_notice_days,
                   "days_left": (c.renewal_notice_date - today).days}
        for user in people[c.vendor_id].line_managers:
            due.append(Due(occasion=f"contract:{c.pk}:notice:{c.renewal_notice_date}",
                           recipient=reminding.user_recipient(user), vendor_id=c.vendor_id,
                           due_at=reminding.day_before(c.renewal_notice_date, offset),
                           url=reverse("vendors:contracts", args=[c.vendor.slug]),
                           context=context))
    return due


def renewals_still_current(occasions: list[str]) -> set[str]:
    ids = {int(o.split(":")[1]) for o in occasions}
    dates = {c.pk: str(c.renewal_notice_date)
             for c in _contracts(timezone.localdate(), ids)}  # the day of sending
    return {o for o in occasions if dates.get(int(o.split(":")[1])) == o.split(":")[3]}


KINDS = [
    Kind(key="vendors.contract_renewal", label="Contract renewal notice periods",
         description="Sent to the vendor's line managers and relationship owners 30 days "
                     "before a contract's renewal notice date.",
         timing=Timing.BEFORE, default_offset=timedelta(days=30), find=renewals_due,
         still_current=renewals_still_current),
]


def register() -> None:
    for kind in KINDS:
        registry.register(kind)
