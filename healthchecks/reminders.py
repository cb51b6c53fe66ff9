"""The reminders about health checks (`reminders.registry`): a health check coming due, and
survey invitations left unanswered. Registered in `HealthchecksConfig.ready()`.

Dates are the organisation's calendar (`settings.TIME_ZONE`), reminders fall at 09:00
there, offsets in whole calendar days (`vendors.reminding`).

* Due: `offset` before the plan's next due date, to our line manager (or relationship
  owner) of the vendor and every vendor manager (they run health checks), unless one is
  already open. Occasion `health_check:<vendor id>:due:<date>`.
* Unanswered: nudge n (1 … `SURVEY_NUDGES`) falls n × `offset` days after the link was
  emailed, while collection runs (`selectors.invitations_unanswered`, the seam). Only the
  latest nudge due is offered, so a sweep that was down for a while sends one, not a
  burst, and never more than `SURVEY_NUDGES` in all. A nudge carries **no new link**: the
  link is kept only as a digest, so a new one would have to be issued while finding (and
  every sweep finds again, each time revoking the link of the email before), or stored in
  clear on the reminder row. The nudge says when the personal link was emailed and until
  when it works; people with an account also get the health check's page. (The "nudge"
  button on the cycle page, `services.invitations_nudge`, still sends a fresh link by
  hand.) Occasion `invitation:<id>:nudge:<n>`.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    CharField,
    Exists,
    F,
    JSONField,
    OuterRef,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Concat, Greatest, JSONObject
from django.urls import reverse
from django.utils import timezone

from healthchecks import selectors
from healthchecks.choices import Group
from healthchecks.models import Cycle, HealthCheckPlan, Invitation
from reminders import registry
from reminders.models import Reminder  # the engine's table: the cross join's condition
from reminders.registry import Due, Kind, Recipient, Timing
from vendorgov import formats
from vendorgov.roles import Role
from vendors import reminding
from vendors.models import VendorAssignment

DUE = "healthchecks.health_check_due"
SURVEY_NUDGES = getattr(settings, "HEALTHCHECKS_SURVEY_NUDGES", 2)


# -- due ---------------------------------------------------------------------------------------

def _plans(ids=None):
    rows = (HealthCheckPlan.objects.filter(vendor__archived_at__isnull=True)
            .select_related("vendor").order_by("next_due", "id"))
    if ids is not None:
        rows = rows.filter(vendor_id__in=ids)
    return rows


def _someone_waiting():
    """In SQL, for a plan: someone it may go to has no row for its occasion yet — a line
    manager or relationship owner of the vendor, or a vendor manager (a superset of the
    recipients: a plan everyone has is left out, so the steady sweep reads nothing)."""
    key = Concat(Value("user:"), Cast("user_id", CharField()), output_field=CharField())
    missing = registry.not_recorded(DUE, OuterRef(OuterRef("occasion")), OuterRef("key"))
    line = (VendorAssignment.objects.filter(vendor_id=OuterRef("vendor_id"),
                                            role__in=reminding.LINE_MANAGER_ROLES,
                                            user__is_active=True)
            .alias(key=key).filter(missing))
    managers = (get_user_model().objects.filter(role=Role.VENDOR_MANAGER, is_active=True)
                .alias(key=Concat(Value("user:"), Cast("id", CharField()),
                                  output_field=CharField())).filter(missing))
    return Exists(line) | Exists(managers)


def checks_due(now: datetime, offset: timedelta) -> list[Due]:
    today = reminding.local_today(now)
    occasion = Concat(Value("health_check:"), Cast("vendor_id", CharField()), Value(":due:"),
                      Cast("next_due", CharField()), output_field=CharField())
    plans = [p for p in _plans().filter(
        next_due__lte=today + timedelta(days=offset.days + 1))
        .alias(occasion=occasion).filter(_someone_waiting())
        if reminding.day_before(p.next_due, offset) <= now]
    running = set(Cycle.objects.open().filter(vendor_id__in={p.vendor_id for p in plans})
                  .values_list("vendor_id", flat=True))
    plans = [p for p in plans if p.vendor_id not in running]
    people = reminding.people(p.vendor_id for p in plans)
    managers = (list(get_user_model().objects.filter(role=Role.VENDOR_MANAGER, is_active=True)
                     .order_by("id")) if plans else [])
    due = []
    for p in plans:
        lead = people[p.vendor_id].line_manager_of(None)
        recipients = {r.key: r for r in ([lead] if lead else [])}
        recipients.update({f"user:{u.pk}": reminding.user_recipient(u) for u in managers})
        context = {"vendor": p.vendor.name, "due_on": formats.day(p.next_due),
                   "interval_months": p.interval_months,
                   "overdue_days": max((today - p.next_due).days, 0)}
        for r in recipients.values():
            due.append(Due(occasion=f"health_check:{p.vendor_id}:due:{p.next_due}",
                           recipient=r, vendor_id=p.vendor_id,
                           due_at=reminding.day_before(p.next_due, offset),
                           url=reverse("healthchecks:vendor", args=[p.vendor.slug]),
                           context=context))
    return due


def checks_due_sql(now: datetime, offset: timedelta):
    """`checks_due` as one query of `registry.SQL_FIELDS` (`registry.Kind.find_sql`): the
    plans due and not running, each to its vendor's line manager and, in a second arm, to
    every vendor manager (the same person twice is recorded once: the unique key)."""
    today = reminding.local_today(now)
    occasion = Concat(Value("health_check:"), Cast("vendor_id", CharField()), Value(":due:"),
                      Cast("next_due", CharField()), output_field=CharField())
    plans = (_plans().order_by()
             .filter(next_due__lte=today + timedelta(days=offset.days + 1))
             .annotate(occasion=occasion,
                       moment=reminding.day_before_sql(F("next_due"), offset))
             .filter(moment__lte=now)
             .exclude(Exists(Cycle.objects.open().filter(vendor_id=OuterRef("vendor_id"))))
             .annotate(r_url=registry.url_sql("healthchecks:vendor",
                                              ("slug", F("vendor__slug"))),
                       r_context=JSONObject(
                           vendor="vendor__name", due_on=reminding.DayText("next_due"),
                           interval_months="interval_months",
                           overdue_days=Greatest(reminding.DaysSince(today, F("next_due")),
                                                 Value(0)))))
    lead_sql, lead_params = registry.rows_from_target(
        plans.annotate(r_to=Subquery(reminding.line_manager_sql(), output_field=JSONField()))
        .values_list("occasion", "r_to", "vendor_id", "moment", "r_url", "r_context"),
        kind_key=DUE)
    # Every vendor manager for every plan: a cross join, which the ORM does not write.
    plans_sql, plans_params = plans.values_list(
        "occasion", "vendor_id", "moment", "r_url", "r_context").query.sql_with_params()
    quote = connection.ops.quote_name
    users, reminders = quote(get_user_model()._meta.db_table), quote(Reminder._meta.db_table)
    sql = f"""
        {lead_sql}
        UNION ALL
        SELECT p.occasion, 'user:' || u.id, COALESCE(u.email, ''),
               COALESCE(NULLIF(TRIM(u.first_name || ' ' || u.last_name), ''), u.username),
               u.id, CAST(NULL AS integer), u.vendor_id IS NOT NULL, p.vendor_id, p.moment,
               p.url, p.context
        FROM ({plans_sql}) AS p (occasion, vendor_id, moment, url, context)
        CROSS JOIN {users} u
        WHERE u.role = %s AND u.is_active
          AND NOT EXISTS (SELECT 1 FROM {reminders} r WHERE r.kind = %s
                          AND r.occasion = p.occasion AND r.recipient_key = 'user:' || u.id)"""
    return sql, [*lead_params, *plans_params, Role.VENDOR_MANAGER, DUE]


def checks_still_current(occasions: list[str]) -> set[str]:
    vendor_ids = {int(o.split(":")[1]) for o in occasions}
    dates = {p.vendor_id: str(p.next_due) for p in _plans(vendor_ids)}
    running = set(Cycle.objects.open().filter(vendor_id__in=vendor_ids)
                  .values_list("vendor_id", flat=True))
    return {o for o in occasions if int(o.split(":")[1]) not in running
            and dates.get(int(o.split(":")[1])) == o.split(":")[3]}


# -- unanswered surveys ------------------------------------------------------------------------

def _nudge_moment(invitation: Invitation, n: int, offset: timedelta) -> datetime:
    sent = timezone.localtime(invitation.sent_at, reminding.org_zone()).date()
    return reminding.day_after(sent - timedelta(days=1), offset * n)


def _respondent(invitation: Invitation) -> Recipient:
    if invitation.user_id:
        return reminding.user_recipient(invitation.user)
    if invitation.contact_id:
        return reminding.contact_recipient(invitation.contact)
    return Recipient(email=invitation.email, name=invitation.name or invitation.email,
                     vendor_side=invitation.group == Group.VENDOR)


def _unanswered(*, now):
    """Invitations emailed by `now` and still unanswered: one query, compiled once
    (`registry.compiled`: the sweep asks every minute)."""
    return (selectors.invitations_unanswered()
            .filter(vendor__archived_at__isnull=True, sent_at__isnull=False, sent_at__lte=now)
            .select_related("user", "contact"))


def surveys_unanswered(now: datetime, offset: timedelta) -> list[Due]:
    rows = registry.compiled("healthchecks.surveys_unanswered", _unanswered, now=now)
    due = []
    for i in rows:
        latest = max((n for n in range(1, SURVEY_NUDGES + 1)
                      if _nudge_moment(i, n, offset) <= now), default=None)
        if latest is None:
            continue
        cycle = i.cycle
        due.append(Due(
            occasion=f"invitation:{i.pk}:nudge:{latest}", recipient=_respondent(i),
            vendor_id=i.vendor_id, due_at=_nudge_moment(i, latest, offset),
            url=reverse("healthchecks:cycle", args=[cycle.vendor.slug, cycle.pk]),
            context={"vendor": cycle.vendor.name, "group": i.get_group_display(),
                     "sent_on": formats.day(timezone.localtime(i.sent_at,
                                                               reminding.org_zone()).date()),
                     "ends_on": formats.day(cycle.collection_ends_on),
                     "nudge": latest, "nudges": SURVEY_NUDGES,
                     "has_account": i.user_id is not None and i.group != Group.VENDOR}))
    return due


def surveys_still_current(occasions: list[str]) -> set[str]:
    ids = {int(o.split(":")[1]) for o in occasions}
    waiting = set(selectors.invitations_unanswered().filter(
        pk__in=ids, vendor__archived_at__isnull=True).values_list("pk", flat=True))
    return {o for o in occasions if int(o.split(":")[1]) in waiting}


KINDS = [
    Kind(key=DUE, label="Health checks due",
         description="Sent to the relationship's line manager and the vendor managers two "
                     "weeks before a vendor's health check is due.",
         timing=Timing.BEFORE, default_offset=timedelta(days=14), find=checks_due,
         still_current=checks_still_current, find_sql=checks_due_sql),
    Kind(key="healthchecks.survey_unanswered", label="Health-check surveys unanswered",
         description=f"Sent to a respondent who has not answered, five days after their "
                     f"link was emailed and again five days later (at most {SURVEY_NUDGES}).",
         timing=Timing.AFTER, default_offset=timedelta(days=5), find=surveys_unanswered,
         still_current=surveys_still_current),
]


def register() -> None:
    for kind in KINDS:
        registry.register(kind)
