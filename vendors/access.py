"""Who may see and change which vendor's records: the one place that decides.

Pages, the API, exports and emails all scope their querysets with `restrict()` and check
single objects with `may()`; nothing queries a vendor-scoped model around it.

* vendor managers and executives see every vendor; vendor managers change everything;
* line managers, operations and stakeholders see the vendors they are assigned to;
  line managers and operations may edit the day-to-day records of those vendors;
* a vendor user sees only their own vendor, and may request staffing changes for it;
* scorecard actuals: vendor users report their own vendor's and may dispute ours; line
  managers and operations report, approve and send back for their vendors;
* scorecard templates are kept by vendor managers and read by every internal person;
* review meetings are run by line managers and operations for their vendors and by vendor
  managers and executives for any; a vendor user contributes their side's part (progress on
  the vendor's action items, impediments and updates, their own suggestions but never the
  decision on them, their side's attendance);
* corrective actions: our line managers and operations decide them (EDIT); the side that
  owns one reports its progress (PROGRESS_CORRECTIVE_ACTIONS) — executives, who see the
  whole portfolio read-only, do neither.
"""

from enum import StrEnum

from django.db.models import Model, QuerySet

from vendorgov.roles import Role
from vendors.models import Vendor, VendorAssignment


class Action(StrEnum):
    VIEW = "view"                   # read the vendor and its records
    EDIT = "edit"                   # contacts, roster, staffing changes, services
    MANAGE = "manage"               # the vendor itself, contracts, principles, assignments
    REQUEST_STAFFING = "request_staffing"
    SUBMIT_ACTUALS = "submit_actuals"    # report scorecard actuals (drafts, submit)
    APPROVE_ACTUALS = "approve_actuals"  # approve or send back actuals, resolve disputes
    DISPUTE_ACTUALS = "dispute_actuals"  # the vendor disputes our value or an approval
    REVIEW = "review"            # run review meetings: minutes, attendance, action items
    CONTRIBUTE = "contribute"    # a side's own part of governance (see _SIDE_BOUND)
    SUBMIT_MEASUREMENTS = "submit_measurements"  # SLA measurements (API; ours: form, CSV)
    DISPUTE_EVALUATIONS = "dispute_evaluations"  # the vendor disputes an SLA evaluation
    # Progress on corrective actions (status, root cause, note): the owner's side does the
    # work. Not part of CONTRIBUTE, which executives have to take part in the reviews they
    # run: executives see the whole portfolio read-only (DESIGN.md) and do no SLA work.
    PROGRESS_CORRECTIVE_ACTIONS = "progress_corrective_actions"


# Which roles may do what on the vendors they are assigned to (or own, for vendor users).
# Line managers and operations run their vendors' reviews (REVIEW), approve scorecard
# actuals, submit SLA measurements (form, CSV) and decide corrective actions and disputes
# with EDIT. Vendor users report their side's part: scorecard actuals, SLA measurements
# (API), disputes, and CONTRIBUTE on records their side owns (see _SIDE_BOUND).
_ASSIGNED_RIGHTS = {
    Role.LINE_MANAGER: {Action.VIEW, Action.EDIT, Action.REQUEST_STAFFING,
                        Action.SUBMIT_ACTUALS, Action.APPROVE_ACTUALS, Action.REVIEW,
                        Action.CONTRIBUTE, Action.SUBMIT_MEASUREMENTS,
                        Action.PROGRESS_CORRECTIVE_ACTIONS},
    Role.OPERATIONS: {Action.VIEW, Action.EDIT, Action.REQUEST_STAFFING,
                      Action.SUBMIT_ACTUALS, Action.APPROVE_ACTUALS, Action.REVIEW,
                      Action.CONTRIBUTE, Action.SUBMIT_MEASUREMENTS,
                      Action.PROGRESS_CORRECTIVE_ACTIONS},
    Role.STAKEHOLDER: {Action.VIEW},
    Role.VENDOR_USER: {Action.VIEW, Action.REQUEST_STAFFING, Action.SUBMIT_ACTUALS,
                       Action.DISPUTE_ACTUALS, Action.CONTRIBUTE, Action.SUBMIT_MEASUREMENTS,
                       Action.DISPUTE_EVALUATIONS, Action.PROGRESS_CORRECTIVE_ACTIONS},
}
# Which roles may do what on every vendor. Executives read everything and run the
# quarterly reviews (taking part in them: CONTRIBUTE), and change nothing else.
_PORTFOLIO_RIGHTS = {
    Role.VENDOR_MANAGER: set(Action),
    Role.EXECUTIVE: {Action.VIEW, Action.REVIEW, Action.CONTRIBUTE},
}
# With these, a vendor user acts only on records their side owns (a record's `owner_side`):
# progress on the vendor's action items and corrective actions, their own suggestions, their
# side's attendance.
_SIDE_BOUND = {Action.CONTRIBUTE, Action.PROGRESS_CORRECTIVE_ACTIONS}


def _allows_all(user, action: Action) -> bool:
    if user.is_superuser:
        return True
    return action in _PORTFOLIO_RIGHTS.get(user.role, set())


def _vendor_ids(user) -> set[int]:
    """The vendors a non-portfolio user is attached to; cached on the user for the request."""
    if not hasattr(user, "_vendorgov_vendor_ids"):
        if user.role == Role.VENDOR_USER:
            ids = {user.vendor_id} if user.vendor_id else set()
        else:
            ids = set(VendorAssignment.objects.filter(user=user).values_list("vendor_id",
                                                                             flat=True))
        user._vendorgov_vendor_ids = ids
    return user._vendorgov_vendor_ids


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def vendor_ids(user, action: Action = Action.VIEW) -> set[int] | None:
    """The ids of the vendors `user` may act on; None means every vendor."""
    if not _active(user):
        return set()
    if _allows_all(user, action):
        return None
    if action in _ASSIGNED_RIGHTS.get(user.role, set()):
        return _vendor_ids(user)
    return set()


def restrict(queryset: QuerySet, user, action: Action = Action.VIEW) -> QuerySet:
    """`queryset` narrowed to the records of vendors `user` may act on."""
    ids = vendor_ids(user, action)
    if ids is None:
        return queryset
    path = getattr(queryset.model, "vendor_path", None)
    if path is None:
        raise TypeError(f"{queryset.model.__name__} is not vendor-scoped (no vendor_path).")
    lookup = "pk__in" if path == "pk" else f"{path}_id__in"
    return queryset.filter(**{lookup: ids})


def vendors(user, action: Action = Action.VIEW) -> QuerySet[Vendor]:
    return restrict(Vendor.objects.all(), user, action)


def vendor_of(obj: Model) -> int:
    path = type(obj).vendor_path
    if path == "pk":
        return obj.pk
    target = obj
    for part in path.split("__")[:-1]:
        target = getattr(target, part)
    return getattr(target, f"{path.split('__')[-1]}_id")


def may(user, action: Action, obj: Model) -> bool:
    """May `user` do `action` on `obj` (a vendor or a vendor-scoped record)?"""
    ids = vendor_ids(user, action)
    if not (ids is None or vendor_of(obj) in ids):
        return False
    side = getattr(obj, "owner_side", None)
    if action in _SIDE_BOUND and side is not None and user.role == Role.VENDOR_USER:
        return side == "vendor"
    return True


def may_create_vendor(user) -> bool:
    """A new vendor belongs to nobody yet: only who may manage every vendor creates one."""
    return vendor_ids(user, Action.MANAGE) is None


def may_keep_templates(user) -> bool:
    """Scorecard templates serve every vendor: only who may manage every vendor keeps them."""
    return vendor_ids(user, Action.MANAGE) is None


def may_read_templates(user) -> bool:
    """Templates are ours (targets we set before agreeing them): internal people only."""
    return _active(user) and not getattr(user, "is_vendor_user", True)


def rights(user, vendor: Vendor) -> dict[str, bool]:
    """Every action's answer for one vendor, for templates (`rights.manage` …)."""
    return {action.value: may(user, action, vendor) for action in Action}
