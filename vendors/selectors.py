"""Reads about vendors for pages, the API and (later) emails; always scoped by `access`."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import (
    Count,
    DateField,
    ExpressionWrapper,
    F,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from vendors import access
from vendors.access import Action
from vendors.choices import STAFFING_CHANGE_OPEN, Side, StaffingChangeStatus
from vendors.models import (
    Contact,
    Contract,
    GuidingPrinciple,
    Service,
    StaffingChange,
    StaffMember,
    Vendor,
    VendorAssignment,
)

# A request from our side left open this long is a warning sign (DESIGN.md).
STAFFING_REQUEST_STALE_AFTER = timedelta(days=30)
RENEWAL_HORIZON = timedelta(days=120)


def vendor_get(user, slug: str, action: Action = Action.VIEW) -> Vendor:
    """The vendor, or 404 if the user may not `action` it (404 hides that it exists)."""
    return get_object_or_404(access.vendors(user, action), slug=slug)


def vendor_list(user) -> QuerySet[Vendor]:
    today = timezone.localdate()
    return access.vendors(user).annotate(
        open_staffing_requests=Count("staffing_changes", distinct=True,
                                     filter=Q(staffing_changes__status__in=STAFFING_CHANGE_OPEN)),
        next_contract_end=Min("contracts__end_date",
                              filter=Q(contracts__archived_at__isnull=True,
                                       contracts__end_date__gte=today)),
    )


@dataclass
class VendorOverview:
    vendor: Vendor
    services: list
    contracts: list
    contacts: list
    assignments: list
    principles: list
    staff: list
    former_staff: list
    staffing_changes: list

    @property
    def open_staffing_changes(self):
        return [c for c in self.staffing_changes if c.is_open]

    @property
    def escalation_ladder(self):
        return [c for c in self.contacts if c.escalation_level]

    @property
    def allocated_fte(self) -> float:
        return sum(m.allocation_percent for m in self.staff) / 100


def vendor_overview(vendor: Vendor, *, include_archived: bool = False) -> VendorOverview:
    """Everything the vendor page shows at a glance, in a fixed number of queries."""

    def rows(queryset):
        return list(queryset if include_archived else queryset.active())

    staff = list(StaffMember.objects.filter(vendor=vendor, archived_at__isnull=True))
    today = timezone.localdate()
    return VendorOverview(
        vendor=vendor,
        services=rows(Service.objects.filter(vendor=vendor)),
        contracts=rows(Contract.objects.filter(vendor=vendor)),
        contacts=rows(Contact.objects.filter(vendor=vendor)),
        assignments=list(VendorAssignment.objects.filter(vendor=vendor).select_related("user")),
        principles=rows(GuidingPrinciple.objects.filter(vendor=vendor)),
        staff=[m for m in staff if m.ended_on is None or m.ended_on > today],
        former_staff=[m for m in staff if m.ended_on is not None and m.ended_on <= today],
        staffing_changes=list(StaffingChange.objects.filter(vendor=vendor)
                              .select_related("staff_member", "requested_by")),
    )


def renewals_due(user, *, horizon: timedelta = RENEWAL_HORIZON) -> list[Contract]:
    """Active contracts whose renewal notice date falls within the horizon (or has passed)."""
    today = timezone.localdate()
    contracts = (access.restrict(Contract.objects.active(), user)
                 .filter(vendor__archived_at__isnull=True, end_date__gte=today)
                 .select_related("vendor"))
    if connection.features.has_native_duration_field:
        # The notice date (`Contract.renewal_notice_date`) computed in SQL, so only the
        # contracts due are read, not every active contract of the portfolio (SQLite cannot
        # multiply a duration: there the filter below does it all).
        contracts = contracts.alias(notice_on=ExpressionWrapper(
            F("end_date") - F("renewal_notice_days") * Value(timedelta(days=1)),
            output_field=DateField())).filter(notice_on__lte=today + horizon)
    return sorted((c for c in contracts if c.renewal_notice_date <= today + horizon),
                  key=lambda c: (c.renewal_notice_date, c.pk))


def stale_staffing_requests(user) -> QuerySet[StaffingChange]:
    cutoff = timezone.localdate() - STAFFING_REQUEST_STALE_AFTER
    return (access.restrict(StaffingChange.objects.open(), user)
            .filter(requested_by_side=Side.OURS, requested_on__lte=cutoff)
            .select_related("vendor", "staff_member").order_by("requested_on"))


def staffing_changes_since(vendor: Vendor, since_date: date) -> list[StaffingChange]:
    """The vendor's staffing changes requested or settled on or after `since_date`, and every
    one still waiting for an answer, oldest request first (one query)."""
    return list(StaffingChange.objects.filter(vendor=vendor).filter(
        Q(requested_on__gte=since_date) | Q(resolved_on__gte=since_date)
        | Q(status__in=STAFFING_CHANGE_OPEN)).select_related("staff_member")
        .order_by("requested_on", "id"))


HISTORY_MODELS = [Vendor, Service, Contract, Contact, VendorAssignment, GuidingPrinciple,
                  StaffMember, StaffingChange]


@dataclass
class HistoryEntry:
    record: object  # the historical row
    model_label: str
    changes: list  # [(field label, old, new)]; a foreign key's values are the objects' names
    name: str = ""  # the record as it was then (str of the historical instance)

    @property
    def when(self):
        return self.record.history_date


def _diff(record, previous, m2m: dict) -> list:
    """[(field name, model field, old, new)], where a foreign key still holds raw ids and a
    many-to-many field rows of ids (see _name_related). `m2m` holds the many-to-many rows
    of every historical row ((history id, field name) → rows), read in bulk by _m2m_rows."""
    if record.history_type != "~" or previous is None:
        return []
    opts = record.instance_type._meta
    fields = {f.name: f for f in [*opts.fields, *opts.many_to_many]}
    m2m_names = [f.name for f in getattr(record, "_history_m2m_fields", [])]
    changes = [(c.field, fields.get(c.field), c.old, c.new)
               for c in record.diff_against(previous, excluded_fields=m2m_names).changes]
    for name in m2m_names:
        old = m2m.get((previous.history_id, name), [])
        new = m2m.get((record.history_id, name), [])
        if old != new:
            changes.append((name, fields.get(name), old, new))
    return changes


def _m2m_rows(records: list) -> dict:
    """(history id, field name) → the many-to-many rows each historical row kept, one query
    per many-to-many field for all rows (diff_against would read them row by row, twice)."""
    rows: dict = {}
    if not records:
        return rows
    for field in getattr(records[0], "_history_m2m_fields", []):
        through = getattr(records[0], field.name).model
        key = field.m2m_reverse_field_name()
        names = [f.name for f in through._meta.fields
                 if f.editable and f.name not in ("id", "m2m_history_id", "history")]
        for row in (through.objects.filter(history__in=[r.history_id for r in records])
                    .order_by(key).values("history_id", *names)):
            rows.setdefault((row.pop("history_id"), field.name), []).append(row)
    return rows


def _is_relation(field) -> bool:
    return field is not None and field.is_relation and (
        field.many_to_one or field.one_to_one or field.many_to_many)


def _related_ids(field, value) -> list:
    """The ids a foreign key's value, or a many-to-many field's rows, point to."""
    if value is None:
        return []
    if field.many_to_many:
        key = field.m2m_reverse_field_name()
        return [row[key] for row in value if row.get(key) is not None]
    return [value]


def _names(field, ids: set) -> dict:
    """id -> str() of the objects a relation pointed to, in one query (their own foreign keys
    joined, as names like 'Replace: Sam Engineer' read through one)."""
    model = field.related_model
    joins = [f.name for f in model._meta.fields if _is_relation(f)]
    return {obj.pk: str(obj) for obj in model._base_manager.filter(pk__in=ids)
            .select_related(*joins)}


def _name_related(entries: list[HistoryEntry]) -> None:
    """Turn each change into (label, old, new) with the names of related objects in place of
    their ids ('Owner: Pat Jones → Sam Lee', not '12 → 15'): one query per relation that
    changed, however many entries there are (one per related model: the vendor field of
    every kind of record is read once)."""
    ids: dict = {}
    fields: dict = {}
    for e in entries:
        for _, field, old, new in e.changes:
            if _is_relation(field):
                fields.setdefault(field.related_model, field)
                ids.setdefault(field.related_model, set()).update(_related_ids(field, old),
                                                                  _related_ids(field, new))
    names = {model: _names(fields[model], values) for model, values in ids.items() if values}

    def shown(field, value):
        if not _is_relation(field) or field.related_model not in names or value is None:
            return value
        found = [names[field.related_model].get(i, f"#{i} (no longer exists)")
                 for i in _related_ids(field, value)]
        return ", ".join(found) if field.many_to_many else found[0]

    for e in entries:
        e.changes = [(getattr(field, "verbose_name", name), shown(field, old), shown(field, new))
                     for name, field, old, new in e.changes]


def _entries(records, label: str, *, name: bool = True) -> list[HistoryEntry]:
    """Entries for historical rows given newest first; each is compared with the row before it
    for the same record when that row was fetched too (no query per entry). `name=False`
    leaves naming the related objects to the caller (`_name_related` over several kinds)."""
    records = list(records)
    m2m = _m2m_rows(records)
    entries, older = [], {}
    for record in reversed(records):
        entries.append(HistoryEntry(record, label, _diff(record, older.get(record.id), m2m)))
        older[record.id] = record
    if name:
        _name_related(entries)
    return entries[::-1]


def vendor_history(vendor: Vendor, *, limit: int = 100) -> list[HistoryEntry]:
    """The latest changes to the vendor and everything that hangs off it, newest first,
    in one query per kind of record."""
    entries = []
    for model in HISTORY_MODELS:
        lookup = {"id": vendor.pk} if model is Vendor else {"vendor_id": vendor.pk}
        records = (model.history.filter(**lookup).select_related("history_user")
                   .order_by("-history_date", "-history_id")[:limit])
        kind = _entries(records, model._meta.verbose_name, name=False)
        # Each record as it was then, its vendor being this one (not read again per row).
        _name_entries(kind, vendor if model is Vendor else model(vendor=vendor))
        entries += kind
    _name_related(entries)  # every kind at once: one query per related model
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def _name_entries(entries: list[HistoryEntry], live) -> None:
    """Each entry's name, as the record read then. A name often follows foreign keys
    ('Dispute of <evaluation>'): each related object is read once for all the entries, and
    not at all when the live record already holds it, instead of once per entry."""
    model = type(live)
    relations = [f for f in model._meta.concrete_fields if f.many_to_one or f.one_to_one]
    known = {(f.name, getattr(live, f.attname)): getattr(live, f.name)
             for f in relations if f.is_cached(live)}
    first = True
    for entry in entries:
        # As `record.instance`, without its query per row for the fields history leaves out.
        then = model(**{f.attname: getattr(entry.record, f.attname)
                        for f in model._meta.concrete_fields if hasattr(entry.record, f.attname)})
        for f in relations:
            key = (f.name, getattr(then, f.attname))
            if key[1] is not None and key in known:
                setattr(then, f.name, known[key])
        entry.name = str(then)
        used = [f for f in relations if f.is_cached(then)]
        for f in used:
            known.setdefault((f.name, getattr(then, f.attname)), getattr(then, f.name))
        if first:
            # The relations the name reads: every value they took, in one query each.
            first = False
            for f in used:
                ids = {getattr(e.record, f.attname) for e in entries} - {None} \
                    - {i for name, i in known if name == f.name}
                if ids:
                    for pk, obj in f.related_model._base_manager.in_bulk(ids).items():
                        known[(f.name, pk)] = obj


def record_history(instance) -> list[HistoryEntry]:
    records = instance.history.select_related("history_user").order_by("-history_date",
                                                                         "-history_id")
    entries = _entries(records, type(instance)._meta.verbose_name)
    _name_entries(entries, instance)
    return entries


__all__ = ["Prefetch", "RENEWAL_HORIZON", "record_history", "renewals_due",
           "stale_staffing_requests", "staffing_changes_since", "vendor_get", "vendor_history",
           "vendor_list", "vendor_overview"]


# -- across vendors, for the warning signs (`signs`): each one query, whatever the number --
# of vendors; system reads (the caller judges which vendors).


def staffing_requests_waiting(vendor_ids, *, requested_on_or_before: date
                              ) -> list[StaffingChange]:
    """Our side's staffing-change requests still open that were made on or before the day."""
    return list(StaffingChange.objects
                .filter(vendor_id__in=vendor_ids, requested_by_side=Side.OURS,
                        status__in=STAFFING_CHANGE_OPEN,
                        requested_on__lte=requested_on_or_before)
                .select_related("staff_member").order_by("vendor_id", "requested_on", "pk"))


def staffing_requests_answered(vendor_ids, *, resolved_since: date) -> list[StaffingChange]:
    """Our side's staffing-change requests the vendor answered (done or declined; not those
    we withdrew) on or after `resolved_since`: how long the vendor takes to respond."""
    return list(StaffingChange.objects
                .filter(vendor_id__in=vendor_ids, requested_by_side=Side.OURS,
                        resolved_on__gte=resolved_since,
                        status__in=(StaffingChangeStatus.DONE, StaffingChangeStatus.DECLINED))
                .order_by("vendor_id", "resolved_on", "pk"))


def staff_who_left(vendor_ids, *, since: date, today: date) -> list[StaffMember]:
    """People of the vendor's team on our account whose time on it ended between `since`
    and `today` (both included)."""
    return list(StaffMember.objects
                .filter(vendor_id__in=vendor_ids, ended_on__gte=since, ended_on__lte=today)
                .order_by("vendor_id", "ended_on", "pk"))


def contacts_archived(vendor_ids, *, since) -> list[Contact]:
    """The vendor's contacts (account executive, lead, sponsors…) archived on or after
    `since` (a datetime): key people who left the account or the ladder."""
    return list(Contact.objects.filter(vendor_id__in=vendor_ids, archived_at__gte=since)
                .order_by("vendor_id", "archived_at", "pk"))
