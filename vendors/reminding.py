"""What the reminder kinds of every feature app share: when a reminder falls in local time,
and who a vendor's people are (its account team, our line manager, operations).

Time. A lead time or grace period in whole days is applied to the *local calendar date*
in the zone of the thing reminded about, never as a multiple of 24 hours: "two days before
a Tuesday 10:00 Amsterdam meeting" is Sunday 10:00 Amsterdam time whether or not the clocks
changed in between. What is left of the offset below a day (say 2 hours) is real elapsed
time. A wall time the clocks skip or repeat follows the RFC 5545 rule of
`governance.recurrence` (the earlier offset), like the meetings themselves.

Things due on a *date* (an action item, a window's end, a contract's notice date) have no
time of day: their reminders fall at `REMIND_AT` local time in the organisation's zone
(`settings.TIME_ZONE`), which is the zone those dates are kept in.

People. Each helper reads every vendor asked about in one query, so a kind's `find` costs
the same number of queries whatever the portfolio's size.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, JSONObject, NullIf, Trim

from reminders.registry import Recipient
from vendorgov.roles import PORTFOLIO_ROLES
from vendors.choices import AssignmentRole, ContactRole, EscalationLevel
from vendors.models import Contact, VendorAssignment

REMIND_AT = time(9, 0)  # when a date's reminder falls, local time: the start of a work day
DAY = timedelta(days=1)
# Our side's people a reminder escalates to, in order of preference (DESIGN.md: the line
# manager first; a relationship without one has its relationship owner).
LINE_MANAGER_ROLES = (AssignmentRole.LINE_MANAGER, AssignmentRole.RELATIONSHIP_OWNER)
# The vendor's account team: who answers for the vendor's data and deliveries.
ACCOUNT_TEAM_ROLES = (ContactRole.ACCOUNT_EXECUTIVE, ContactRole.OUTSOURCED_LEAD,
                      ContactRole.DELIVERY_MANAGER)


def org_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def wall(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The instant `day at` names in `tz` (a skipped time: the offset from before the gap;
    a repeated one: the first), in UTC."""
    return datetime.combine(day, at).replace(tzinfo=tz, fold=0).astimezone(UTC)


def before(event: datetime, offset: timedelta, tz: ZoneInfo) -> datetime:
    """`offset` before the instant `event`: whole days on `tz`'s calendar (same wall time),
    the rest as elapsed time."""
    local = event.astimezone(tz)
    days = timedelta(days=offset.days)
    return wall(local.date() - days, local.time(), tz) - (offset - days)


def day_before(day: date, offset: timedelta, tz: ZoneInfo | None = None) -> datetime:
    """The reminder moment `offset` before something due on the date `day`."""
    return before(wall(day, REMIND_AT, tz or org_zone()), offset, tz or org_zone())


def day_after(day: date, offset: timedelta, tz: ZoneInfo | None = None) -> datetime:
    """The reminder moment `offset` after the date `day` has passed: from `REMIND_AT` on the
    next day (the first day it is late), whole days on the calendar."""
    tz = tz or org_zone()
    days = timedelta(days=offset.days)
    return wall(day + DAY + days, REMIND_AT, tz) + (offset - days)


def local_today(now: datetime, tz: ZoneInfo | None = None) -> date:
    return now.astimezone(tz or org_zone()).date()


# -- the same rules in SQL (PostgreSQL), for the kinds' `find_sql` -------------------------


class WallMoment(Func):
    """`wall(day + days, REMIND_AT, org zone) + rest` as an SQL expression over a date
    column: ``((day + days) + TIME '09:00') AT TIME ZONE zone + rest``. PostgreSQL reads a
    wall time the clocks skip with the offset from before the gap, as `wall` does (a
    repeated one it reads as standard time, `wall` as the first: no zone repeats 09:00)."""

    output_field = DateTimeField()

    def __init__(self, day, days: int, rest: timedelta = timedelta(0)):
        super().__init__(day, Value(days), Value(REMIND_AT), Value(settings.TIME_ZONE),
                         Value(rest))

    def as_sql(self, compiler, connection, **extra):
        (day, p1), (days, p2), (at, p3), (zone, p4), (rest, p5) = (
            compiler.compile(e) for e in self.get_source_expressions())
        return (f"((({day} + CAST({days} AS integer)) + CAST({at} AS time)) AT TIME ZONE "
                f"CAST({zone} AS text) + CAST({rest} AS interval))",
                [*p1, *p2, *p3, *p4, *p5])


def day_before_sql(day, offset: timedelta) -> WallMoment:
    """`day_before(day, offset)` in SQL, `day` a date column."""
    days = timedelta(days=offset.days)
    return WallMoment(day, -offset.days, -(offset - days))


def day_after_sql(day, offset: timedelta) -> WallMoment:
    """`day_after(day, offset)` in SQL."""
    days = timedelta(days=offset.days)
    return WallMoment(day, 1 + offset.days, offset - days)


class DayText(Func):
    """`vendorgov.formats.day` in SQL: 'Tue 3 Mar 2026' (English names, as Python's C
    locale writes them)."""

    function = "to_char"
    output_field = CharField()

    def __init__(self, day):
        super().__init__(day, Value("Dy FMDD Mon YYYY"))


class DaysSince(Func):
    """Whole days from the date column `day` to `today` (negative before it)."""

    output_field = IntegerField()

    def __init__(self, today, day):
        super().__init__(Value(today), day)

    def as_sql(self, compiler, connection, **extra):
        (today, p1), (day, p2) = (compiler.compile(e) for e in self.get_source_expressions())
        return f"(CAST({today} AS date) - {day})", [*p1, *p2]


def user_name_sql(user: str):
    """`str(user)` (User.__str__: the full name, else the username) of the user reached by
    the lookup path `user`."""
    full = Trim(Concat(f"{user}__first_name", Value(" "), f"{user}__last_name",
                       output_field=CharField()))
    return Coalesce(NullIf(full, Value("")), f"{user}__username")


def user_target_sql(assignments):
    """The first of `assignments` (ordered) as a subquery of one JSON object: the
    recipient `user_recipient` makes of its user (key, email, name, user_id, contact_id,
    side)."""
    return assignments.values(to=JSONObject(
        key=Concat(Value("user:"), Cast("user_id", CharField())),
        email=Coalesce("user__email", Value("")), name=user_name_sql("user"),
        user_id="user_id", contact_id=Value(None),
        side=Q(user__vendor_id__isnull=False)))[:1]


def line_manager_sql(*, but=None):
    """`VendorPeople.line_manager_of(but)` for the outer row's `vendor_id`: the first line
    manager, else relationship owner (by role, then assignment), that is not the user
    `but` (an expression, never null), as `user_target_sql`'s subquery."""
    order = Case(*(When(role=role, then=Value(n)) for n, role in enumerate(LINE_MANAGER_ROLES)))
    rows = VendorAssignment.objects.filter(vendor_id=OuterRef("vendor_id"),
                                           role__in=LINE_MANAGER_ROLES, user__is_active=True)
    if but is not None:
        rows = rows.exclude(user_id=but)
    return user_target_sql(rows.order_by(order, "id"))


def user_recipient(user) -> Recipient:
    """One of our users, or a vendor user (then the email is a vendor-side one)."""
    return Recipient(email=user.email or "", name=str(user), user_id=user.pk,
                     vendor_side=user.vendor_id is not None)


def contact_recipient(contact: Contact) -> Recipient:
    return Recipient(email=contact.email or "", name=contact.name, contact_id=contact.pk,
                     vendor_side=True)


@dataclass
class VendorPeople:
    """One vendor's people a reminder may go to."""

    line_managers: list = field(default_factory=list)  # ours, in LINE_MANAGER_ROLES order
    operations: list = field(default_factory=list)  # ours
    executive_sponsors: list = field(default_factory=list)  # ours
    account_team: list = field(default_factory=list)  # the vendor's contacts
    account_executives: list = field(default_factory=list)  # the vendor's contacts
    management: list = field(default_factory=list)  # contacts on the ladder's 2nd step
    contact_ids: set = field(default_factory=set)  # every active contact of the vendor
    user_ids: set = field(default_factory=set)  # every active user assigned to the vendor

    def still_on_account(self, vendor_id: int, *, user=None, contact=None) -> bool:
        """Whether an owner still works on this vendor's account: an active contact of it,
        a vendor user of it, or one of our people assigned to it or seeing the whole
        portfolio. An owner who left gets no more reminders (their item escalates)."""
        if contact is not None:
            return contact.pk in self.contact_ids
        if user is None or not user.is_active:
            return False
        if user.vendor_id is not None:
            return user.vendor_id == vendor_id
        return (user.pk in self.user_ids or user.is_superuser
                or user.role in PORTFOLIO_ROLES)

    def line_manager_of(self, user_id: int | None) -> Recipient | None:
        """Who an item of ours escalates to: the relationship's line manager (or its
        owner), never the owner themself."""
        for user in self.line_managers:
            if user.pk != user_id:
                return user_recipient(user)
        return None

    def account_executive_of(self, contact_id: int | None) -> Recipient | None:
        """Who a vendor-side item escalates to: the vendor's account executive, never the
        owner themself (an account executive's own item goes to the vendor's management)."""
        for contact in [*self.account_executives, *self.management]:
            if contact.pk != contact_id:
                return contact_recipient(contact)
        return None


def people(vendor_ids) -> dict[int, VendorPeople]:
    """{vendor id: its people} for the given vendors, in two queries."""
    found: dict[int, VendorPeople] = defaultdict(VendorPeople)
    vendor_ids = set(vendor_ids)
    if not vendor_ids:
        return found
    order = {role: i for i, role in enumerate(LINE_MANAGER_ROLES)}
    assignments = (VendorAssignment.objects.filter(vendor_id__in=vendor_ids,
                                                   user__is_active=True)
                   .select_related("user").order_by("id"))
    line = defaultdict(list)
    for a in assignments:
        mine = found[a.vendor_id]
        mine.user_ids.add(a.user_id)
        if a.role in order:
            line[a.vendor_id].append((order[a.role], a.pk, a.user))
        elif a.role == AssignmentRole.OPERATIONS:
            mine.operations.append(a.user)
        elif a.role == AssignmentRole.EXECUTIVE_SPONSOR:
            mine.executive_sponsors.append(a.user)
    for vendor_id, rows in line.items():
        found[vendor_id].line_managers = [user for _, _, user in sorted(rows, key=lambda r: r[:2])]
    for c in Contact.objects.active().filter(vendor_id__in=vendor_ids).order_by("name", "id"):
        mine = found[c.vendor_id]
        mine.contact_ids.add(c.pk)
        if c.role in ACCOUNT_TEAM_ROLES:
            mine.account_team.append(c)
        if c.role == ContactRole.ACCOUNT_EXECUTIVE:
            mine.account_executives.append(c)
        elif c.escalation_level == EscalationLevel.MANAGEMENT:
            mine.management.append(c)
    return found


def users_by_id(ids) -> dict[int, object]:
    """Active users by id, one query (none when there are no ids)."""
    ids = set(ids)
    if not ids:
        return {}
    return {u.pk: u for u in get_user_model().objects.filter(pk__in=ids, is_active=True)}


def contacts_by_id(ids) -> dict[int, Contact]:
    ids = set(ids)
    if not ids:
        return {}
    return {c.pk: c for c in Contact.objects.active().filter(pk__in=ids)}
