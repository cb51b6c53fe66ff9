"""Storing each vendor's monthly SLA compliance (`MonthlyCompliance`): part of the services
(writes), kept apart because the evaluator, the services and the seed all call it.

Every write that changes what a month's compliance is made of calls `compliance_refresh`
in its own transaction, for the (vendor, month) pairs it touched: a window evaluated for
the first time or again (the hourly run, late data, a restatement, a corrected value, a
CSV import: all through `sla.evaluation._evaluate`), a dispute that excuses a window
(`services.dispute_decide`), and a repair of a service level's weight in the admin
(`service_level_changed`). Nothing else changes the inputs: in the product a service
level's weight changes only in a draft version, whose windows are never evaluated (a new
version's weights count for the windows it governs, each evaluation keeping the service
level it was judged under), evaluations are never deleted, and archiving is read at query
time (the pages leave out archived vendors; an archived SLA's windows still count, as they
did before).

The refresh locks the stored rows (made first if missing, then `SELECT … FOR UPDATE` in
(vendor, month) order, so two refreshes cannot deadlock on them) before it reads the
evaluations: a second transaction changing the same month waits, then reads what the first
committed, so the last to commit stores the sums of both changes."""

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from sla import rules, selectors
from sla.models import Evaluation, MonthlyCompliance

#: Vendors refreshed together by a rebuild (`compliance_rebuild`).
REBUILD_CHUNK = 200


def months_of(evaluations: Iterable) -> set[tuple[int, date]]:
    """The (vendor id, month) pairs whose compliance these evaluations count in."""
    return {(e.vendor_id, rules.month_start(e.window_end)) for e in evaluations}


@transaction.atomic
def compliance_refresh(keys: Iterable[tuple[int, date]]) -> int:
    """Recompute and store the compliance of these (vendor id, month) pairs from their
    evaluations; returns how many rows were stored."""
    keys = sorted({(vendor_id, rules.month_start(month)) for vendor_id, month in keys})
    if not keys:
        return 0
    # The row of each pair exists before it is locked (a first window in a month).
    MonthlyCompliance.objects.bulk_create(
        [MonthlyCompliance(vendor_id=vendor_id, month=month) for vendor_id, month in keys],
        ignore_conflicts=True, batch_size=1000)
    vendor_ids, months = {k[0] for k in keys}, {k[1] for k in keys}
    wanted = set(keys)
    rows = [r for r in MonthlyCompliance.objects.select_for_update()
            .filter(vendor_id__in=vendor_ids, month__in=months).order_by("vendor_id", "month")
            if (r.vendor_id, r.month) in wanted]
    # Read after the lock: what the transactions that held it committed is seen.
    sums = selectors.compliance_sums(vendor_ids, min(months),
                                     rules.month_end(max(months)))
    now = timezone.now()
    for row in rows:
        for name, value in zip(selectors.COMPLIANCE_FIELDS,
                               sums.get((row.vendor_id, row.month), (0, 0, 0, 0, 0)),
                               strict=True):
            setattr(row, name, value)
        row.computed_at = now
    MonthlyCompliance.objects.bulk_update(rows, [*selectors.COMPLIANCE_FIELDS, "computed_at"],
                                          batch_size=1000)
    return len(rows)


def service_level_changed(service_level_id: int) -> int:
    """A service level in force changed behind the product (its weight, in the admin, which
    is there for repairs): store again every month holding one of its windows."""
    return compliance_refresh(
        (vendor_id, rules.month_start(end)) for vendor_id, end in
        Evaluation.objects.filter(service_level_id=service_level_id).order_by()
        .values_list("vendor_id", "window_end").distinct())


def compliance_rebuild(*, vendor_ids: Iterable[int] | None = None) -> int:
    """Store every month of these vendors (all vendors with evaluations: the backfill after
    a bulk load behind the services, `manage.py recompliance`), a chunk of vendors per
    transaction; rows of months without any window any more are zeroed (never shown)."""
    if vendor_ids is None:
        vendor_ids = (set(Evaluation.objects.order_by().values_list("vendor_id", flat=True)
                          .distinct())
                      | set(MonthlyCompliance.objects.values_list("vendor_id", flat=True)))
    ids = sorted(set(vendor_ids))
    stored = 0
    for i in range(0, len(ids), REBUILD_CHUNK):
        chunk = ids[i:i + REBUILD_CHUNK]
        keys = set(selectors.compliance_sums(chunk, date.min, date.max)) | set(
            MonthlyCompliance.objects.filter(vendor_id__in=chunk).values_list("vendor_id",
                                                                                 "month"))
        stored += compliance_refresh(keys)
    return stored
