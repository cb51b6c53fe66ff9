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

from django.db.models import CharField, DateField, Exists, Func, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from reminders import registry
from reminders.registry import Due, Kind, Timing
from vendorgov import formats
from vendors import reminding
from vendors.models import Contract, VendorAssignment

KEY = "vendors.contract_renewal"


class _NoticeDate(Func):
    """`Contract.renewal_notice_date` in SQL: the end date less the notice days."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = DateField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, arg_joiner=", '-' || ",
                              template="date(%(expressions)s || ' days')", **extra)


def _contracts(today, ids=None):
    rows = Contract.objects.filter(archived_at__isnull=True, vendor__archived_at__isnull=True,
                                   end_date__gte=today)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.select_related("vendor").order_by("end_date", "id")


def renewals_due(now: datetime, offset: timedelta) -> list[Due]:
    """Plain rows of the live contracts (no model instances: every contract of the
    portfolio is read), each notice date's moment computed once."""
    today = reminding.local_today(now)
    moments = {}

    def moment(day):
        if day not in moments:
            moments[day] = reminding.day_before(day, offset)
        return moments[day]

    fields = ("id", "vendor_id", "vendor__slug", "vendor__name", "reference", "title",
              "end_date", "renewal_notice_days")
    # Left out in SQL: contracts whose occasion is recorded for every line manager of the
    # vendor already (the steady sweep, every minute, reads nothing more).
    occasion = Concat(Value("contract:"), Cast("id", CharField()), Value(":notice:"),
                      Cast(_NoticeDate("end_date", "renewal_notice_days"), CharField()),
                      output_field=CharField())
    waiting = (VendorAssignment.objects.filter(vendor_id=OuterRef("vendor_id"),
                                               role__in=reminding.LINE_MANAGER_ROLES,
                                               user__is_active=True)
               .alias(recipient_key=Concat(Value("user:"), Cast("user_id", CharField()),
                                           output_field=CharField()))
               .filter(registry.not_recorded(KEY, OuterRef(OuterRef("occasion")),
                                             OuterRef("recipient_key"))))
    rows = [(*row, row[6] - timedelta(days=row[7]))
            for row in _contracts(today).alias(occasion=occasion).filter(Exists(waiting))
            .values_list(*fields)]
    rows = [r for r in rows if moment(r[8]) <= now]
    people = reminding.people(r[1] for r in rows)
    url = registry.url_pattern("vendors:contracts", "slug")
    due = []
    for pk, vendor_id, slug, vendor, reference, title, end, notice_days, notice in rows:
        context = {"contract": f"{reference} · {title}", "vendor": vendor,  # Contract.__str__
                   "notice_date": formats.day(notice), "end_date": formats.day(end),
                   "notice_days": notice_days, "days_left": (notice - today).days}
        for user in people[vendor_id].line_managers:
            due.append(Due(occasion=f"contract:{pk}:notice:{notice}",
                           recipient=reminding.user_recipient(user), vendor_id=vendor_id,
                           due_at=moment(notice), url=url(slug), context=context))
    return due


def renewals_still_current(occasions: list[str]) -> set[str]:
    ids = {int(o.split(":")[1]) for o in occasions}
    dates = {c.pk: str(c.renewal_notice_date)
             for c in _contracts(timezone.localdate(), ids)}  # the day of sending
    return {o for o in occasions if dates.get(int(o.split(":")[1])) == o.split(":")[3]}


KINDS = [
    Kind(key=KEY, label="Contract renewal notice periods",
         description="Sent to the vendor's line managers and relationship owners 30 days "
                     "before a contract's renewal notice date.",
         timing=Timing.BEFORE, default_offset=timedelta(days=30), find=renewals_due,
         still_current=renewals_still_current),
]


def register() -> None:
    for kind in KINDS:
        registry.register(kind)
