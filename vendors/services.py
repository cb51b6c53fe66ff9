"""Writes to vendors and their records. Keyword-only, validated, atomic.

Callers (pages, API, commands) check rights with `vendors.access` first; services enforce
the rules of the data itself. History (who and when) is kept by django-simple-history,
which takes the acting user from the request or from `_history_user` set here.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify

from vendorgov.history import save as _save
from vendors.choices import StaffingChangeKind, StaffingChangeStatus
from vendors.models import GuidingPrinciple, StaffingChange, StaffMember, Vendor


def unique_vendor_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:100] or "vendor"
    slug, n = base, 2
    taken = Vendor.objects.exclude(pk=exclude_pk) if exclude_pk else Vendor.objects.all()
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def vendor_create(*, by=None, **fields) -> Vendor:
    vendor = Vendor(**fields)
    if not vendor.slug:
        vendor.slug = unique_vendor_slug(vendor.name)
    return _save(vendor, by=by)


@transaction.atomic
def record_create(model: type[Model], *, vendor: Vendor, by=None, **fields) -> Model:
    """Create any vendor-scoped record with plain fields (contracts, contacts, services…)."""
    return _save(model(vendor=vendor, **fields), by=by)


@transaction.atomic
def record_update(instance: Model, *, by=None, change_reason: str = "", **fields) -> Model:
    for name, value in fields.items():
        setattr(instance, name, value)
    return _save(instance, by=by, change_reason=change_reason)


@transaction.atomic
def record_archive(instance: Model, *, by=None) -> Model:
    """Archive a record: it leaves default lists and keeps its history. Idempotent."""
    if instance.archived_at is None:
        instance.archived_at = timezone.now()
        _save(instance, by=by, change_reason="Archived")
    return instance


@transaction.atomic
def record_restore(instance: Model, *, by=None) -> Model:
    if instance.archived_at is not None:
        instance.archived_at = None
        _save(instance, by=by, change_reason="Restored")
    return instance


@transaction.atomic
def principle_revise(principle: GuidingPrinciple, *, title: str, text: str,
                     position: int | None = None, by=None,
                     change_reason: str = "") -> GuidingPrinciple:
    """A new version of a principle when its words change (the previous text stays in its
    history, with who, when and why); a move in the list alone is not a new version."""
    fields = {}
    if position is not None and position != principle.position:
        fields["position"] = position
    if (title, text) != (principle.title, principle.text):
        fields.update(title=title, text=text, version=principle.version + 1)
        change_reason = change_reason or f"Revised to version {fields['version']}"
    if not fields:
        return principle
    return record_update(principle, by=by, change_reason=change_reason, **fields)


@transaction.atomic
def staffing_change_request(*, vendor: Vendor, by, side: str, **fields) -> StaffingChange:
    change = StaffingChange(vendor=vendor, requested_by=by, requested_by_side=side, **fields)
    _validate_staffing_change(change)
    return _save(change, by=by)


def _validate_staffing_change(change: StaffingChange) -> None:
    errors = {}
    needs_member = change.kind in (StaffingChangeKind.REMOVE, StaffingChangeKind.REPLACE)
    if needs_member and change.staff_member is None:
        errors["staff_member"] = "Choose the person who leaves or is replaced."
    if change.kind == StaffingChangeKind.ADD and change.staff_member is not None:
        errors["staff_member"] = "Leave this empty when adding a person."
    if change.staff_member is not None and change.staff_member.vendor_id != change.vendor_id:
        errors["staff_member"] = "This person is not on this vendor's team."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def staffing_change_resolve(change: StaffingChange, *, status: str, by=None, note: str = "",
                            new_person_name: str = "") -> StaffingChange:
    """Move a request to agreed / done / declined / withdrawn. When it is done, the roster
    follows: the leaving person gets an end date, the new person joins."""
    if not change.is_open:
        raise ValidationError({"status": f"This request is already "
                                         f"{change.get_status_display().lower()}."})
    if status not in StaffingChangeStatus.values or status == StaffingChangeStatus.REQUESTED:
        raise ValidationError({"status": "Choose agreed, done, declined or withdrawn."})
    today = timezone.localdate()
    if new_person_name:
        change.new_person_name = new_person_name
    if status == StaffingChangeStatus.DONE:
        if change.staff_member is not None:
            record_update(change.staff_member, by=by, change_reason="Staffing change done",
                          ended_on=today)
        if change.kind in (StaffingChangeKind.ADD, StaffingChangeKind.REPLACE):
            if not change.new_person_name:
                raise ValidationError({"new_person_name": "Name the person who joins."})
            record_create(StaffMember, vendor=change.vendor, by=by, name=change.new_person_name,
                          role=change.new_person_role or getattr(change.staff_member, "role", "")
                          or "Team member", started_on=today)
    if status != StaffingChangeStatus.AGREED:
        change.resolved_on = today
    return record_update(change, by=by, status=status,
                         resolution_note=note or change.resolution_note)




@transaction.atomic
def assignment_remove(assignment, *, by=None) -> None:
    """Unassign a person; the deletion is kept in the assignment's history with who and when."""
    if by is not None and getattr(by, "is_authenticated", False):
        assignment._history_user = by
    assignment.delete()
