"""The reminders about SLAs (`reminders.registry`): measurements missing for a closed
window, corrective actions due soon, overdue and escalated, and SLA reviews due.
Registered in `SlaConfig.ready()`.

Windows, due dates and review dates are dates of the organisation's calendar
(`settings.TIME_ZONE`); reminders fall at 09:00 there, lead times and grace periods in
whole calendar days (`vendors.reminding`). Each `find` reads in a fixed number of queries;
archived vendors, archived or retired SLAs yield nothing.

Occasions: `sla:<id>:missing:<window start>:<window end>` (one email per SLA and window,
listing the service levels without data), `corrective_action:<id>:<due|overdue|
escalation>:<due date>`, `sla:<id>:review:<review due date>`.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast, Concat

from reminders import registry
from reminders.registry import Due, Kind, Recipient, Timing
from sla import rules
from sla.choices import CorrectiveActionStatus, EvaluationStatus
from sla.models import SLA, CorrectiveAction, Evaluation
from vendorgov import formats
from vendors import reminding
from vendors.reminding import contact_recipient, user_recipient

# A window whose data is still missing this long after its reminder moment is history, not
# something to chase (also: the first sweep after installing does not mail every old gap).
MISSING_HORIZON = timedelta(days=35)
# Open and not yet done: a corrective action marked done waits for our verification.
WORKING = (CorrectiveActionStatus.OPEN, CorrectiveActionStatus.IN_PROGRESS)


def _live_sla() -> Q:
    return Q(sla__archived_at__isnull=True, sla__retired_on__isnull=True,
             vendor__archived_at__isnull=True)


# -- missing measurements ----------------------------------------------------------------------

def _gaps(*, latest, earliest):
    """Windows without data that ended within [earliest, latest]."""
    return (Evaluation.objects.filter(_live_sla(), status=EvaluationStatus.NO_DATA,
                                      excused=False, window_end__lte=latest,
                                      window_end__gte=earliest)
            .select_related("sla__vendor", "vendor", "service_level")
            .order_by("window_start", "id"))


def measurements_missing(now: datetime, offset: timedelta) -> list[Due]:
    today = reminding.local_today(now)
    latest = today - timedelta(days=offset.days)  # windows that ended by then may be due
    rows = registry.compiled("sla.measurements_missing", _gaps, latest=latest,
                             earliest=latest - MISSING_HORIZON)
    windows = defaultdict(list)
    for e in rows:
        windows[(e.sla_id, e.window_start, e.window_end)].append(e)
    people = reminding.people(e[0].vendor_id for e in windows.values())
    due = []
    for (sla_id, start, end), evaluations in windows.items():
        first = evaluations[0]
        moment = reminding.day_after(end, offset)
        if moment > now or moment + MISSING_HORIZON < now:
            continue
        mine = people[first.vendor_id]
        context = {"sla": str(first.sla), "vendor": first.vendor.name,
                   "window": rules.window_label(first.service_level.window, start),
                   "window_start": formats.day(start), "window_end": formats.day(end),
                   "service_levels": [e.service_level.name for e in evaluations]}
        recipients = ([contact_recipient(c) for c in mine.account_team]
                      + [user_recipient(u) for u in mine.operations])
        for r in recipients:
            due.append(Due(occasion=f"sla:{sla_id}:missing:{start}:{end}", recipient=r,
                           vendor_id=first.vendor_id, due_at=moment,
                           url=first.sla.get_absolute_url(), context=context))
    return due


def measurements_missing_still_current(occasions: list[str]) -> set[str]:
    """Still a window without data (nothing arrived, nothing excused)."""
    wanted = Q(pk__in=[])
    for o in occasions:
        _, pk, _, start, end = o.split(":")
        wanted |= Q(sla_id=int(pk), window_start=start, window_end=end)
    gaps = {f"sla:{sla}:missing:{start}:{end}" for sla, start, end in Evaluation.objects.filter(
        wanted, _live_sla(), status=EvaluationStatus.NO_DATA, excused=False)
        .values_list("sla_id", "window_start", "window_end")}
    return set(occasions) & gaps


# -- corrective actions ------------------------------------------------------------------------
#
# Settled corrective actions (as governance's "Settled items"). Once a kind's reminder about
# an action is recorded, the sweep (every minute) would read the action again, build its
# reminder and offer it to the engine, which records nothing new: for every overdue action,
# every minute. Instead the recording transaction stamps the action with what it recorded
# (`reminded_<due|overdue>_on` and `_to`: the due date and the owner's recipient key;
# `reminded_escalation_on`: the due date escalated, for anyone) and the finds leave out
# actions whose stamp equals their live due date and owner. Reminder rows are never
# deleted, so a matching stamp means the row exists; a moved due date, another owner or no
# stamp is a mismatch and the action is read as before (the engine's unique key still
# records it once). What is not recorded (no owner, an owner off the account, nobody to
# escalate to, a moment not come) is not stamped. The stamps are the values recorded,
# never the action's current columns.

def _actions(what: str, *, last_day=None, first_day=None,
             per_recipient: bool = True) -> list[CorrectiveAction]:
    """Working actions of live SLAs due within [first_day, last_day] whose `what` stamp
    does not match their due date (and owner, when `per_recipient`): one query, compiled
    once (`registry.compiled`)."""
    bounds = {name: day for name, day in (("first_day", first_day), ("last_day", last_day))
              if day is not None}
    return registry.compiled(
        f"sla.corrective_actions:{what}:{per_recipient}:{','.join(bounds)}",
        lambda **days: _actions_query(what, per_recipient=per_recipient, **days), **bounds)


def _actions_query(what: str, *, per_recipient: bool, first_day=None, last_day=None):
    rows = (CorrectiveAction.objects.filter(_live_sla(), status__in=WORKING)
            .select_related("vendor", "sla", "owner").order_by("due_on", "id"))
    if first_day is not None:
        rows = rows.filter(due_on__gte=first_day)
    if last_day is not None:
        rows = rows.filter(due_on__lte=last_day)
    settled = {f"reminded_{what}_on": F("due_on")}
    if per_recipient:
        rows = rows.alias(owner_key=Concat(Value("user:"), Cast("owner_id", CharField()),
                                           output_field=CharField()))
        settled[f"reminded_{what}_to"] = F("owner_key")
    return rows.exclude(**settled)


def _settle(what: str, due: list[Due]):
    """`registry.Found.settle` stamping the actions of these Dues as recorded (the due date
    from the occasion, the recipient's key for the owner's kinds): one statement (SQLite:
    one per batch)."""
    if not due:
        return None
    names = [f"reminded_{what}_on"] + ([f"reminded_{what}_to"] if what != "escalation" else [])
    stamps = [CorrectiveAction(pk=int(d.occasion.split(":")[1]),
                               **dict(zip(names, (d.occasion.split(":")[3], d.recipient.key),
                                          strict=False)))
              for d in due]

    def settle():
        CorrectiveAction.objects.bulk_update(stamps, names)

    return settle


def _action_context(action: CorrectiveAction, today) -> dict:
    return {"title": action.title, "vendor": action.vendor.name, "sla": str(action.sla),
            "owner": str(action.owner) if action.owner_id else "",
            "due_on": formats.day(action.due_on), "status": action.get_status_display(),
            "days_overdue": max((today - action.due_on).days, 0)}


def _to_owner(rows, now, offset, today, what, moment_of) -> registry.Found:
    people = reminding.people(a.vendor_id for a in rows)
    due = []
    for a in rows:
        moment = moment_of(a.due_on, offset)
        if (moment > now or a.owner_id is None
                or not people[a.vendor_id].still_on_account(a.vendor_id, user=a.owner)):
            continue
        due.append(Due(occasion=f"corrective_action:{a.pk}:{what}:{a.due_on}",
                       recipient=user_recipient(a.owner), vendor_id=a.vendor_id,
                       due_at=moment, url=a.get_absolute_url(),
                       context=_action_context(a, today)))
    return registry.Found(due, settle=_settle(what, due))


def corrective_actions_due_soon(now: datetime, offset: timedelta) -> registry.Found:
    today = reminding.local_today(now)
    rows = _actions("due", first_day=today, last_day=today + timedelta(days=offset.days + 1))
    return _to_owner(rows, now, offset, today, "due", reminding.day_before)


def corrective_actions_overdue(now: datetime, offset: timedelta) -> registry.Found:
    today = reminding.local_today(now)
    rows = _actions("overdue", last_day=today - timedelta(days=offset.days))
    return _to_owner(rows, now, offset, today, "overdue", reminding.day_after)


def corrective_actions_escalated(now: datetime, offset: timedelta) -> registry.Found:
    """Past the grace period: our line manager (an action of ours, or one nobody owns) or
    the vendor's account executive (one a vendor user owns)."""
    today = reminding.local_today(now)
    rows = _actions("escalation", last_day=today - timedelta(days=offset.days),
                    per_recipient=False)
    people = reminding.people(a.vendor_id for a in rows)
    due = []
    for a in rows:
        moment = reminding.day_after(a.due_on, offset)
        if moment > now:
            continue
        mine = people[a.vendor_id]
        vendor_owned = a.owner_id is not None and a.owner.vendor_id is not None
        to: Recipient | None = (mine.account_executive_of(None) if vendor_owned
                                else mine.line_manager_of(a.owner_id))
        if to is None:
            continue
        context = _action_context(a, today)
        context["owner_left"] = a.owner_id is None or not mine.still_on_account(
            a.vendor_id, user=a.owner)
        due.append(Due(occasion=f"corrective_action:{a.pk}:escalation:{a.due_on}",
                       recipient=to, vendor_id=a.vendor_id, due_at=moment,
                       url=a.get_absolute_url(), context=context))
    return registry.Found(due, settle=_settle("escalation", due))


def corrective_actions_still_current(occasions: list[str]) -> set[str]:
    ids = {int(o.split(":")[1]) for o in occasions}
    actions = {a.pk: a for a in CorrectiveAction.objects.filter(
        _live_sla(), pk__in=ids, status__in=WORKING).select_related("owner")}
    people = reminding.people(a.vendor_id for a in actions.values())
    current = set()
    for o in occasions:
        _, pk, what, day = o.split(":")
        a = actions.get(int(pk))
        if a is None or str(a.due_on) != day:
            continue
        if what == "escalation" or (a.owner_id and people[a.vendor_id].still_on_account(
                a.vendor_id, user=a.owner)):
            current.add(o)
    return current


# -- reviews -----------------------------------------------------------------------------------

def _reviews(*, last_day):
    """Live SLAs whose review is due by `last_day`."""
    return (SLA.objects.filter(archived_at__isnull=True, retired_on__isnull=True,
                               vendor__archived_at__isnull=True, review_due_on__lte=last_day)
            .select_related("vendor", "owner").order_by("review_due_on", "id"))


def reviews_due(now: datetime, offset: timedelta) -> list[Due]:
    """To the SLA's owner and the vendor's operations lead, once per review date (still
    current until the review moves the date)."""
    today = reminding.local_today(now)
    rows = registry.compiled("sla.reviews_due", _reviews,
                             last_day=today + timedelta(days=offset.days + 1))
    people = reminding.people(s.vendor_id for s in rows)
    due = []
    for s in rows:
        moment = reminding.day_before(s.review_due_on, offset)
        if moment > now:
            continue
        recipients = {u.pk: u for u in people[s.vendor_id].operations}
        if s.owner_id and s.owner.is_active and s.owner.vendor_id is None:
            recipients = {s.owner_id: s.owner, **recipients}
        context = {"sla": str(s), "vendor": s.vendor.name,
                   "review_due_on": formats.day(s.review_due_on),
                   "days_overdue": s.review_overdue_days(today),
                   "interval_months": s.review_interval_months}
        for user in recipients.values():
            due.append(Due(occasion=f"sla:{s.pk}:review:{s.review_due_on}",
                           recipient=user_recipient(user), vendor_id=s.vendor_id,
                           due_at=moment, url=s.get_absolute_url(), context=context))
    return due


def reviews_still_current(occasions: list[str]) -> set[str]:
    ids = {int(o.split(":")[1]) for o in occasions}
    dates = dict(SLA.objects.filter(pk__in=ids, archived_at__isnull=True,
                                    retired_on__isnull=True, vendor__archived_at__isnull=True)
                 .values_list("pk", "review_due_on"))
    return {o for o in occasions if str(dates.get(int(o.split(":")[1]))) == o.split(":")[3]}


KINDS = [
    Kind(key="sla.measurements_missing", label="SLA measurements missing",
         description="Sent two days after a measurement window closed without data, to the "
                     "vendor's account team and our operations lead.",
         timing=Timing.AFTER, default_offset=timedelta(days=2), find=measurements_missing,
         still_current=measurements_missing_still_current),
    Kind(key="sla.corrective_action_due", label="Corrective actions due soon",
         description="Sent to the owner three days before a corrective action is due.",
         timing=Timing.BEFORE, default_offset=timedelta(days=3),
         find=corrective_actions_due_soon, still_current=corrective_actions_still_current),
    Kind(key="sla.corrective_action_overdue", label="Overdue corrective actions",
         description="Sent to the owner the morning after a corrective action's due date.",
         timing=Timing.AFTER, default_offset=timedelta(0), find=corrective_actions_overdue,
         still_current=corrective_actions_still_current),
    Kind(key="sla.corrective_action_escalation", label="Corrective actions escalated",
         description="Sent a week after a corrective action's due date to our line manager "
                     "(ours) or the vendor's account executive (theirs).",
         timing=Timing.AFTER, default_offset=timedelta(days=7),
         find=corrective_actions_escalated, still_current=corrective_actions_still_current),
    Kind(key="sla.review_due", label="SLA reviews due",
         description="Sent to the SLA's owner and our operations lead two weeks before an "
                     "SLA's review date.",
         timing=Timing.BEFORE, default_offset=timedelta(days=14), find=reviews_due,
         still_current=reviews_still_current),
]


def register() -> None:
    for kind in KINDS:
        registry.register(kind)
