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

from django.db.models import (
    CharField,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, JSONObject
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


def renewals_due_sql(now: datetime, offset: timedelta):
    """`renewals_due` as one query of `registry.SQL_FIELDS` (`registry.Kind.find_sql`):
    a row per contract and line manager (or relationship owner) of its vendor."""
    today = reminding.local_today(now)
    notice = _NoticeDate("vendor__contracts__end_date", "vendor__contracts__renewal_notice_days")
    occasion = Concat(Value("contract:"), Cast("contract_id", CharField()), Value(":notice:"),
                      Cast(notice, CharField()), output_field=CharField())
    key = Concat(Value("user:"), Cast("user_id", CharField()), output_field=CharField())
    rows = (VendorAssignment.objects
            # Every live contract of the vendor joined to each of these assignments (one
            # join: the conditions in one filter, the annotations reuse it).
            .filter(role__in=reminding.LINE_MANAGER_ROLES, user__is_active=True,
                    vendor__archived_at__isnull=True,
                    vendor__contracts__archived_at__isnull=True,
                    vendor__contracts__end_date__gte=today)
            .annotate(contract_id=F("vendor__contracts__id"), occasion=occasion, key=key,
                      notice=notice, moment=reminding.day_before_sql(notice, offset))
            .filter(moment__lte=now)
            .filter(registry.not_recorded(KEY, OuterRef("occasion"), OuterRef("key")))
            .annotate(
                r_email=Coalesce("user__email", Value("")),
                r_name=reminding.user_name_sql("user"),
                r_contact_id=Value(None, output_field=IntegerField()),
                r_side=Q(user__vendor_id__isnull=False),
                r_url=registry.url_sql("vendors:contracts", ("slug", F("vendor__slug"))),
                r_context=JSONObject(
                    contract=Concat("vendor__contracts__reference", Value(" · "),
                                    "vendor__contracts__title", output_field=CharField()),
                    vendor="vendor__name", notice_date=reminding.DayText(notice),
                    end_date=reminding.DayText("vendor__contracts__end_date"),
                    notice_days="vendor__contracts__renewal_notice_days",
                    days_left=reminding.DaysSince(today, notice) * Value(-1))))
    return rows.values_list("occasion", "key", "r_email", "r_name", "user_id", "r_contact_id",
                            "r_side", "vendor_id", "moment", "r_url", "r_context")


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
         still_current=renewals_still_current, find_sql=renewals_due_sql),
]


def register() -> None:
    for kind in KINDS:
        registry.register(kind)
