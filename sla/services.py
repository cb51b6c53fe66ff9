"""Writes to SLAs and everything that hangs off them. Keyword-only, validated, atomic.

Callers check rights with `vendors.access` first; services enforce the rules of the data
and raise `ValidationError({field: message})` when one is broken. Evaluation of windows
lives in `sla.evaluation` (re-exported here) because it works on sets.
"""

import csv
import io
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from sla import compliance, ingest, rules
from sla.choices import (
    CORRECTIVE_ACTION_CLOSED,
    CORRECTIVE_ACTION_PROGRESS,
    CorrectiveActionStatus,
    DisputeStatus,
    ImportStatus,
    MeasurementSource,
    ReviewOutcome,
    VersionStatus,
)
from sla.evaluation import (
    EvaluationResult,
    breaches,
    evaluate_pending,
    evaluate_windows,
    evaluations_refresh,
    release_corrective_actions,
)
from sla.models import (
    SLA,
    BusinessCalendar,
    CorrectiveAction,
    Dispute,
    Evaluation,
    MeasurementImport,
    ServiceLevel,
    SLAReview,
    SLAVersion,
    restatement_deadline,
)
from vendorgov import formats
from vendorgov.history import save as _save
from vendors import access
from vendors.access import Action
from vendors.models import Vendor

log = logging.getLogger(__name__)

VERSION_TERMS = ("monthly_charge", "credit_cap_percent", "earn_back_windows",
                 "dispute_window_days")
SERVICE_LEVEL_FIELDS = ("key", "name", "measured", "unit", "comparator", "target",
                        "breach_threshold", "window", "calendar", "weight", "criticality",
                        "bonus_points", "credit_percent", "position")


def _user(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


# -- calendars ------------------------------------------------------------------------------


@transaction.atomic
def calendar_create(*, vendor: Vendor, by=None, **fields) -> BusinessCalendar:
    return _save(BusinessCalendar(vendor=vendor, **fields), by=by)


@transaction.atomic
def calendar_update(calendar: BusinessCalendar, *, by=None, **fields) -> BusinessCalendar:
    for name, value in fields.items():
        setattr(calendar, name, value)
    return _save(calendar, by=by)


# -- SLAs and their versions ------------------------------------------------------------------


@transaction.atomic
def sla_create(*, vendor: Vendor, by=None, contract, reference: str, name: str,
               description: str = "", owner=None, review_interval_months: int = 6,
               review_due_on: date | None = None, summary: str = "",
               **terms) -> SLA:
    """A new SLA with its first version in draft (terms: monthly_charge, credit_cap_percent,
    earn_back_windows, dispute_window_days)."""
    today = timezone.localdate()
    sla = _save(SLA(vendor=vendor, contract=contract, reference=reference, name=name,
                    description=description, owner=owner,
                    review_interval_months=review_interval_months,
                    review_due_on=review_due_on or rules.add_months(today,
                                                                    review_interval_months),
                    created_at=timezone.now()), by=by)
    _save(SLAVersion(sla=sla, number=1, summary=summary or "First version.",
                     drafted_by=_user(by), created_at=timezone.now(),
                     **{k: v for k, v in terms.items() if k in VERSION_TERMS}), by=by)
    return sla


@transaction.atomic
def sla_update(sla: SLA, *, by=None, change_reason: str = "", **fields) -> SLA:
    for name, value in fields.items():
        setattr(sla, name, value)
    return _save(sla, by=by, change_reason=change_reason)


def current_version(sla: SLA, day: date | None = None) -> SLAVersion | None:
    """The version in effect on `day` (today by default)."""
    day = day or timezone.localdate()
    return next((v for v in sla.versions.all() if v.governs(day)), None)


def _require_editable(version: SLAVersion) -> None:
    if not version.is_editable:
        raise ValidationError(f"Version {version.number} is "
                              f"{version.get_status_display().lower()}; only a draft can "
                              "change. Draft a new version instead.")


def _back_to_draft(version: SLAVersion, *, by) -> None:
    """A change to a reviewed version voids the review."""
    if version.status == VersionStatus.REVIEWED:
        version.status, version.reviewed_by, version.reviewed_at = VersionStatus.DRAFT, None, None
        _save(version, by=by, change_reason="Changed after review: back to draft")


@transaction.atomic
def version_draft(sla: SLA, *, by=None, summary: str = "") -> SLAVersion:
    """A new draft that starts as a copy of the latest version (terms and service levels)."""
    if sla.is_retired:
        raise ValidationError("This SLA is retired.")
    versions = list(SLAVersion.objects.select_for_update().filter(sla=sla).order_by("-number"))
    if any(v.is_editable for v in versions):
        open_draft = next(v for v in versions if v.is_editable)
        raise ValidationError(f"Version {open_draft.number} is still in draft; change that "
                              "one instead.")
    base = versions[0] if versions else None
    version = _save(SLAVersion(
        sla=sla, number=(base.number + 1) if base else 1, drafted_by=_user(by),
        summary=summary, created_at=timezone.now(),
        **({name: getattr(base, name) for name in VERSION_TERMS} if base else {})), by=by,
        change_reason="Drafted")
    if base is not None:
        for sl in base.service_levels.all():
            _save(ServiceLevel(version=version,
                               **{name: getattr(sl, name) for name in SERVICE_LEVEL_FIELDS}),
                  by=by, change_reason=f"Copied from version {base.number}")
    return version


@transaction.atomic
def version_update(version: SLAVersion, *, by=None, **fields) -> SLAVersion:
    _require_editable(version)
    for name, value in fields.items():
        setattr(version, name, value)
    _save(version, by=by)
    _back_to_draft(version, by=by)
    return version


@transaction.atomic
def version_mark_reviewed(version: SLAVersion, *, by=None) -> SLAVersion:
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(f"Only a draft can be marked reviewed; version {version.number} "
                              f"is {version.get_status_display().lower()}.")
    if not version.service_levels.exists():
        raise ValidationError("Add at least one service level before the review.")
    version.status, version.reviewed_by, version.reviewed_at = (VersionStatus.REVIEWED,
                                                                _user(by), timezone.now())
    return _save(version, by=by, change_reason="Reviewed")


@transaction.atomic
def version_make_effective(version: SLAVersion, *, by=None,
                           effective_from: date) -> SLAVersion:
    """Put a reviewed version in effect from the first day of a month, today or later; the
    version in effect until then is superseded the day before and stays readable."""
    today = timezone.localdate()
    if version.sla.is_retired:
        raise ValidationError({"effective_from": "This SLA is retired."})
    if version.status != VersionStatus.REVIEWED:
        raise ValidationError({"effective_from": "Only a reviewed version can take effect; "
                                                 "mark it reviewed first."})
    errors = []
    if effective_from.day != 1:
        errors.append("A version takes effect on the first day of a month, so every window "
                      "belongs to one version.")
    if effective_from < today:
        errors.append("Pick today or a later date: windows already closed keep the version "
                      "they were measured under.")
    if effective_from > version.sla.contract.end_date:
        ends = formats.date(version.sla.contract.end_date, padded=True)
        errors.append(f"The contract ends on {ends}.")
    previous = (SLAVersion.objects.select_for_update()
                .filter(sla=version.sla, status=VersionStatus.EFFECTIVE).first())
    if previous is not None and previous.effective_from >= effective_from:
        errors.append(f"Version {previous.number} is in effect from "
                      f"{formats.date(previous.effective_from, padded=True)}; pick a later date.")
    if errors:
        raise ValidationError({"effective_from": errors})
    if previous is not None:
        previous.status = VersionStatus.SUPERSEDED
        previous.effective_until = effective_from - timedelta(days=1)
        _save(previous, by=by, change_reason=f"Superseded by version {version.number}")
    version.status, version.effective_from, version.effective_until = (
        VersionStatus.EFFECTIVE, effective_from, None)
    version.made_effective_by, version.made_effective_at = _user(by), timezone.now()
    since = formats.date(effective_from, padded=True)
    return _save(version, by=by, change_reason=f"Effective from {since}")


@transaction.atomic
def service_level_create(version: SLAVersion, *, by=None, **fields) -> ServiceLevel:
    _require_editable(version)
    if "position" not in fields:
        fields["position"] = version.service_levels.count() + 1
    sl = _save(ServiceLevel(version=version, **fields), by=by)
    _back_to_draft(version, by=by)
    return sl


@transaction.atomic
def service_level_update(sl: ServiceLevel, *, by=None, **fields) -> ServiceLevel:
    _require_editable(sl.version)
    for name, value in fields.items():
        setattr(sl, name, value)
    _save(sl, by=by)
    _back_to_draft(sl.version, by=by)
    return sl


@transaction.atomic
def service_level_remove(sl: ServiceLevel, *, by=None) -> None:
    """Take a service level out of a draft; its history keeps what it was."""
    version = sl.version
    _require_editable(version)
    if by is not None and getattr(by, "is_authenticated", False):
        sl._history_user = by
    sl.delete()
    _back_to_draft(version, by=by)


@transaction.atomic
def sla_review_record(sla: SLA, *, by=None, reviewed_on: date, outcome: str,
                      notes: str) -> SLAReview:
    """Record a review. Unchanged or amended: the next review is due one interval later
    (amended also opens a draft version, if none is open). Retired: the SLA stays in effect
    until the end of the review's month, and no further review is due."""
    today = timezone.localdate()
    if sla.is_retired:
        raise ValidationError("This SLA is retired; there is nothing left to review.")
    if reviewed_on > today:
        raise ValidationError({"reviewed_on": "A review is recorded once it has happened."})
    if not notes.strip():
        raise ValidationError({"notes": "Say what was looked at and what was agreed."})
    next_due = None if outcome == ReviewOutcome.RETIRED else rules.add_months(
        reviewed_on, sla.review_interval_months)
    review = SLAReview(sla=sla, reviewed_on=reviewed_on, reviewed_by=_user(by),
                       outcome=outcome, notes=notes, next_review_due=next_due)
    _save(review, by=by)
    if outcome == ReviewOutcome.RETIRED:
        sla.retired_on = reviewed_on
        last_day = rules.month_end(reviewed_on)
        for version in sla.versions.filter(status=VersionStatus.EFFECTIVE):
            version.effective_until = max(last_day, version.effective_from)
            _save(version, by=by, change_reason="SLA retired")
    else:
        sla.review_due_on = next_due
    _save(sla, by=by, change_reason=f"Reviewed: {ReviewOutcome(outcome).label.lower()}")
    if outcome == ReviewOutcome.AMENDED and not sla.versions.filter(
            status__in=[VersionStatus.DRAFT, VersionStatus.REVIEWED]).exists():
        version_draft(sla, by=by, summary=f"Amendments agreed in the review of "
                                          f"{formats.date(reviewed_on, padded=True)}.")
    return review


# -- measurements ----------------------------------------------------------------------------


def submittable_service_levels(ids, *, vendor_ids: set[int] | None) -> dict[int, ServiceLevel]:
    """The service levels among `ids` whose vendor is in `vendor_ids` (None: any)."""
    if not ids:
        return {}
    queryset = ServiceLevel.objects.filter(pk__in=ids).select_related("version__sla")
    if vendor_ids is not None:
        queryset = queryset.filter(version__sla__vendor_id__in=vendor_ids)
    return {sl.pk: sl for sl in queryset}


def measurements_submit(rows: list, *, by=None, source: str, vendor_ids: set[int] | None,
                        csv_import: MeasurementImport | None = None, text_values: bool = False,
                        evaluate: bool = True, today: date | None = None, reason: str = ""
                        ) -> ingest.IngestResult:
    """Store a batch of measurements (rows as sent: service_level, window_start, value,
    unit, note, external_id), all or nothing; raises `ingest.RowsRejected` listing every bad
    row. `vendor_ids`: the vendors the sender may submit for (None: any).

    With `evaluate`, the windows they belong to are evaluated at once (pages); otherwise
    one evaluation of just those windows is queued after the commit (the API, where batches
    are big). Either way the new rows are marked as needing evaluation in this transaction,
    so the hourly run catches up whatever happens to the queue.

    A closed window whose dispute window has passed changes only by our decision (see
    `_closed_window_rule`). `reason`: why, for the evaluations' history.

    Resending a batch while the first request is still being stored (a retry after a
    timeout) makes this one wait for the first at the unique external ids, then fail; it
    is checked again then, against the rows the first one committed, and answers like any
    resubmission (unchanged) instead of an error."""
    for attempt in (1, 2):
        try:
            return _measurements_store(
                rows, by=by, source=source, vendor_ids=vendor_ids, csv_import=csv_import,
                text_values=text_values, evaluate=evaluate, today=today, reason=reason)
        except IntegrityError:
            if attempt == 2:
                raise  # still clashing: the API answers 409 ("try again")
    raise AssertionError("unreachable")


@transaction.atomic
def _measurements_store(rows, *, by, source, vendor_ids, csv_import, text_values, evaluate,
                        today, reason) -> ingest.IngestResult:
    today = today or timezone.localdate()
    if not isinstance(rows, list):
        raise ingest.RowsRejected([ingest.RowError(0, "", "Send a list of measurements.")], 0)
    if len(rows) > ingest.MAX_BATCH:
        raise ingest.RowsRejected([ingest.RowError(
            ingest.MAX_BATCH, "", f"At most {ingest.MAX_BATCH} measurements per request.")],
            len(rows))
    levels = submittable_service_levels(ingest.service_level_ids(rows), vendor_ids=vendor_ids)
    checked = ingest.check(rows, service_levels=levels,
                           taken=ingest.taken_external_ids(ingest.external_ids(rows, levels)),
                           today=today,
                           text_values=text_values)
    if checked.errors:
        raise ingest.RowsRejected(checked.errors, len(rows))
    refused, corrections = _closed_window_rule(checked.new, by=by, today=today)
    if refused:
        raise ingest.RowsRejected(refused, len(rows))
    created = ingest.write(checked.new, by=by, source=source, csv_import=csv_import)
    windows = {(r.service_level.pk, r.window_start) for r in checked.new}
    for why, keys in corrections.items():  # our decisions, with their reason, right away
        evaluate_windows(keys, today=today, by=by, reason=why)
    rest = windows - {key for keys in corrections.values() for key in keys}
    if rest:
        if evaluate:
            evaluate_windows(rest, today=today, by=by,
                             reason=reason or "Evaluated with new data")
        else:
            transaction.on_commit(partial(_enqueue_evaluation,
                                          sorted({sl_id for sl_id, _ in rest})))
    return ingest.IngestResult(received=len(rows), created=len(checked.new),
                               unchanged=len(checked.unchanged), windows=windows,
                               measurements=created, unchanged_keys=checked.unchanged)


def _closed_window_rule(rows: list[ingest.Row], *, by, today: date
                        ) -> tuple[list[ingest.RowError], dict[str, set]]:
    """The restatement policy. A window not evaluated yet, or first evaluated no longer
    than the SLA version's dispute window ago, takes a new value as any day would (it is
    re-evaluated). After that the verdict is settled: a vendor's value is refused (the way
    on is a decision by operations), and our side (who may decide: EDIT on the vendor) may
    still correct it, but only with the reason in the note, which goes into the
    evaluation's history. The time runs from the first evaluation, so a vendor cannot keep
    a window open by resending values, nor reopen it after our correction.
    Returns the refused rows, and the corrections as {reason: windows}."""
    if not rows:
        return [], {}
    evaluated = {(sl_id, start): (pk, first) for pk, sl_id, start, first in
                 Evaluation.objects.filter(
                     service_level_id__in={r.service_level.pk for r in rows},
                     window_start__in={r.window_start for r in rows}).values_list(
                     "pk", "service_level_id", "window_start", "first_evaluated_at")}
    deciders = access.vendor_ids(by, Action.EDIT) if _user(by) else None
    refused, corrections = [], defaultdict(set)
    for r in rows:
        sl, key = r.service_level, (r.service_level.pk, r.window_start)
        if key not in evaluated:
            continue
        evaluation_id, first = evaluated[key]
        deadline = restatement_deadline(first, sl.version.dispute_window_days)
        if today <= deadline:
            continue
        label = rules.window_label(sl.window, r.window_start)
        closed = formats.date(deadline, padded=True)
        if deciders is not None and r.vendor_id not in deciders:
            refused.append(ingest.RowError(r.index, "window_start", (
                f"{sl.name}, {label} was evaluated and its dispute window closed on "
                f"{closed}, so a new value no longer changes it. Only operations "
                "can correct it now: ask them, with the reason. (While a dispute window is "
                "open, send the value or dispute the evaluation: POST "
                f"/api/v1/sla-evaluations/{evaluation_id}/dispute/, see sla-disputes.)")))
        elif not r.note:
            refused.append(ingest.RowError(r.index, "note", (
                f"The dispute window of {sl.name}, {label} closed on {closed}: a "
                "correction needs its reason in the note (it is kept in the history).")))
        else:
            corrections[f"Corrected after the dispute window: {r.note}"[:100]].add(key)
    return refused, dict(corrections)


# The tasks module registers how new data is queued for evaluation: tasks call services,
# never the other way round, so this module imports no task.
_evaluation_queue: Callable[[list[int]], None] | None = None


def evaluation_queue_register(send: Callable[[list[int]], None]) -> None:
    """`send(service_level_ids)` queues one evaluation of those levels' new data."""
    global _evaluation_queue
    _evaluation_queue = send


def _enqueue_evaluation(service_level_ids: Iterable[int]) -> None:
    """After the commit: ask the worker to evaluate the windows just written. The rows are
    marked as needing evaluation, so if the broker is away the hourly run does it."""
    if _evaluation_queue is None:
        log.info("No evaluation queue registered; the hourly run will evaluate.")
        return
    try:
        _evaluation_queue(list(service_level_ids))
    except Exception:  # noqa: BLE001 - the data is stored; evaluation will follow hourly
        log.warning("Could not queue the SLA evaluation; the hourly run will do it.",
                    exc_info=True)


def rows_as_errors(error: ingest.RowsRejected) -> ValidationError:
    return ValidationError({"measurements": [str(error)] + [
        f"Row {e.index}: {e.message}" for e in error.errors]})


# -- CSV imports -------------------------------------------------------------------------------

CSV_COLUMNS = ["sla", "service_level", "window_start", "value", "unit", "note", "external_id"]
CSV_REQUIRED = ["sla", "service_level", "window_start", "value"]
MAX_IMPORT_BYTES = 5 * 1024 * 1024


@dataclass
class ParsedImport:
    rows: list[dict]  # as for measurements_submit
    lines: list[dict]  # what the preview shows, per row
    errors: list[ingest.RowError]


def _csv_records(reader: csv.DictReader, errors: list):
    """(row number, record) of each row the csv module can read; a row it cannot (a cell
    over its field limit, a stray quote) ends the file with that row's error instead of a
    crash, and the rows before it are still checked."""
    number = 1
    while True:
        number += 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            reason = (f"a cell is longer than the {csv.field_size_limit():,} characters a "
                      "CSV cell may hold" if "field larger" in str(error) else str(error))
            errors.append(ingest.RowError(number, "", f"This row cannot be read: {reason}."))
            return
        yield number, record


def import_parse(vendor: Vendor, content: str) -> ParsedImport:
    """Read an operations CSV: columns sla (reference), service_level (key), window_start,
    value, and optionally unit, note, external_id. Service levels are found by SLA and key
    in the version that governs the window. Row numbers count the header as row 1."""
    errors, rows, lines = [], [], []
    # newline="": rows may end in \r\n, \n or a lone \r (Excel's "CSV (Macintosh)").
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff"), newline=""))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as error:
        errors.append(ingest.RowError(1, "", f"The first row cannot be read as CSV: {error}."))
        return ParsedImport(rows, lines, errors)
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        errors.append(ingest.RowError(1, "", f"The first row must name the columns; missing: "
                                             f"{', '.join(missing)}. Expected: "
                                             f"{','.join(CSV_COLUMNS)}."))
        return ParsedImport(rows, lines, errors)
    reader.fieldnames = header
    levels = list(ServiceLevel.objects.filter(version__sla__vendor=vendor).select_related(
        "version__sla"))
    for number, record in _csv_records(reader, errors):
        record = {k: (v or "").strip() for k, v in record.items() if k}
        reference, key = record.get("sla", ""), record.get("service_level", "")
        row = {"window_start": record.get("window_start", ""), "value": record.get("value", ""),
               "unit": record.get("unit", ""), "note": record.get("note", ""),
               "external_id": record.get("external_id", "")}
        candidates = [sl for sl in levels if sl.version.sla.reference.lower() == reference.lower()
                      and sl.key == key]
        try:
            start = date.fromisoformat(row["window_start"])
        except ValueError:
            start = None
        chosen = None
        if candidates and start is not None:
            end = rules.window_end(candidates[0].window, rules.window_start(
                candidates[0].window, start))
            chosen = next((sl for sl in candidates if sl.version.governs(end)), None)
        chosen = chosen or next((sl for sl in sorted(candidates, key=lambda s: -s.version.number)
                                 if sl.version.in_force), None)
        if not candidates:
            what = (f"SLA '{reference}'" if not any(
                sl.version.sla.reference.lower() == reference.lower() for sl in levels)
                else f"service level '{key}' in SLA '{reference}'")
            errors.append(ingest.RowError(number, "service_level", f"No {what} for this vendor."))
            row["service_level"] = None
        elif chosen is None:
            errors.append(ingest.RowError(number, "service_level",
                                          f"SLA '{reference}' has no version in effect."))
            row["service_level"] = None
        else:
            row["service_level"] = chosen.pk
        if not row["external_id"]:
            row.pop("external_id")
        rows.append(row)
        lines.append({"row": number, "sla": reference, "key": key, "service_level": chosen,
                      "window_start": row["window_start"], "value": row["value"],
                      "unit": row["unit"], "note": row["note"],
                      "external_id": row.get("external_id", "")})
    if not rows and not errors:
        errors.append(ingest.RowError(2, "", "The file has no rows below the header."))
    return ParsedImport(rows, lines, errors)


def _import_check(vendor: Vendor, content: str, *, by, commit: bool,
                  csv_import: MeasurementImport | None = None) -> tuple[ParsedImport,
                                                                         ingest.IngestResult]:
    """Parse and check (and with `commit`, store) a CSV; raises RowsRejected with CSV row
    numbers."""
    parsed = import_parse(vendor, content)
    errors = list(parsed.errors)
    bad_rows = {e.index for e in errors}
    candidates = [(i, r) for i, r in enumerate(parsed.rows)
                  if parsed.lines[i]["row"] not in bad_rows]
    result = ingest.IngestResult(received=len(parsed.rows), created=0, unchanged=0)
    try:
        with transaction.atomic():
            result = measurements_submit(
                [r for _, r in candidates], by=by, source=MeasurementSource.CSV,
                vendor_ids={vendor.pk}, csv_import=csv_import, text_values=True,
                evaluate=commit)
            if not commit or errors:
                transaction.set_rollback(True)
    except ingest.RowsRejected as rejected:
        errors += [ingest.RowError(parsed.lines[candidates[e.index][0]]["row"], e.field,
                                   e.message) for e in rejected.errors]
    if errors:
        raise ingest.RowsRejected(sorted(errors, key=lambda e: e.index), len(parsed.rows))
    return parsed, result


@transaction.atomic
def import_preview(*, vendor: Vendor, by=None, filename: str,
                   content: str) -> MeasurementImport:
    """Check a CSV without storing its measurements; keep the file for the commit. Raises
    RowsRejected (with CSV row numbers) when any row is wrong."""
    if len(content.encode()) > MAX_IMPORT_BYTES:
        raise ingest.RowsRejected([ingest.RowError(1, "", "The file is larger than 5 MB; "
                                                          "split it.")], 0)
    parsed, _ = _import_check(vendor, content, by=by, commit=False)
    return MeasurementImport.objects.create(vendor=vendor, filename=filename[:200],
                                            content=content, row_count=len(parsed.rows),
                                            uploaded_by=_user(by), uploaded_at=timezone.now())


@transaction.atomic
def import_commit(csv_import: MeasurementImport, *, by=None) -> ingest.IngestResult:
    """Store a previewed import, all or nothing. Claimed with a conditional update, so a
    double click commits once."""
    claimed = MeasurementImport.objects.filter(
        pk=csv_import.pk, status=ImportStatus.PREVIEWED).update(
        status=ImportStatus.COMMITTED, committed_by=_user(by), committed_at=timezone.now())
    if not claimed:
        raise ValidationError("This import was committed already.")
    csv_import.refresh_from_db()
    _, result = _import_check(csv_import.vendor, csv_import.content, by=by, commit=True,
                              csv_import=csv_import)
    return result


def import_template(vendor: Vendor, *, today: date | None = None) -> list[list[str]]:
    """Rows of a CSV to fill in: every service level in effect, for its last closed window."""
    today = today or timezone.localdate()
    rows = [CSV_COLUMNS]
    levels = ServiceLevel.objects.filter(
        version__sla__vendor=vendor, version__status=VersionStatus.EFFECTIVE,
        version__sla__archived_at__isnull=True).select_related("version__sla")
    for sl in levels.order_by("version__sla__reference", "position"):
        start = rules.last_windows(sl.window, today - timedelta(days=1), 1)[0]
        rows.append([sl.version.sla.reference, sl.key, start.isoformat(), "", sl.unit, "", ""])
    return rows


# -- corrective actions ------------------------------------------------------------------------


def _check_closing(action: CorrectiveAction) -> None:
    errors = {}
    closing = action.status in (CorrectiveActionStatus.DONE, CorrectiveActionStatus.VERIFIED)
    if closing and not action.root_cause.strip():
        errors["root_cause"] = "Say what caused the breach before marking it done."
    if action.status == CorrectiveActionStatus.VERIFIED and not action.side_responsible:
        errors["side_responsible"] = "Say which side was responsible (it may be ours)."
    if action.status in CORRECTIVE_ACTION_CLOSED and not action.verification_note.strip():
        errors["verification_note"] = "Say how the fix was checked, or why it is rejected."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def corrective_action_update(action: CorrectiveAction, *, by=None, change_reason: str = "",
                             **fields) -> CorrectiveAction:
    """Our side's changes: anything, including verifying or rejecting. Verified and
    rejected actions are closed and stay as they are."""
    if action.status in CORRECTIVE_ACTION_CLOSED:
        raise ValidationError(f"This corrective action is "
                              f"{action.get_status_display().lower()} and closed.")
    for name, value in fields.items():
        setattr(action, name, value)
    _check_closing(action)
    if action.status in CORRECTIVE_ACTION_CLOSED:
        action.closed_on = timezone.localdate()
    return _save(action, by=by, change_reason=change_reason)


@transaction.atomic
def corrective_action_report_progress(action: CorrectiveAction, *, by=None, status: str,
                                      root_cause: str | None = None,
                                      progress_note: str | None = None,
                                      side_responsible: str | None = None
                                      ) -> CorrectiveAction:
    """The owner's side reports progress: open, in progress or done, the root cause, which
    side caused it as they see it, and a note. Verifying is ours."""
    if action.status in CORRECTIVE_ACTION_CLOSED:
        raise ValidationError(f"This corrective action is "
                              f"{action.get_status_display().lower()} and closed.")
    if status not in CORRECTIVE_ACTION_PROGRESS:
        raise ValidationError({"status": "Choose open, in progress or done; verifying is done "
                                         "by the customer."})
    action.status = status
    if root_cause is not None:
        action.root_cause = root_cause
    if progress_note is not None:
        action.progress_note = progress_note
    if side_responsible is not None:
        action.side_responsible = side_responsible
    _check_closing(action)
    return _save(action, by=by, change_reason="Progress reported")


# -- disputes ---------------------------------------------------------------------------------


@transaction.atomic
def dispute_raise(evaluation: Evaluation, *, by=None, reason: str) -> Dispute:
    """The vendor disputes an evaluation within the SLA version's dispute window. The same
    dispute sent twice at once (two tabs, a double click) is raised once: the evaluation's
    row is locked, so the second request waits and then hears it was disputed already."""
    today = timezone.localdate()
    if not reason.strip():
        raise ValidationError({"reason": "Say why the evaluation is wrong."})
    Evaluation.objects.select_for_update().filter(pk=evaluation.pk).values_list("pk").get()
    evaluation.refresh_from_db(fields=["status", "excused"])
    if evaluation.counts_as_met:
        raise ValidationError("This window was met; there is nothing to dispute.")
    if Dispute.objects.filter(evaluation=evaluation).exists():
        raise ValidationError("This evaluation has been disputed already.")
    deadline = evaluation.dispute_deadline()
    if today > deadline:
        raise ValidationError("The dispute window closed on "
                              f"{formats.date(deadline, padded=True)}.")
    return _save(Dispute(vendor_id=evaluation.vendor_id, evaluation=evaluation, reason=reason,
                         raised_by=_user(by), raised_at=timezone.now()), by=by)


@transaction.atomic
def dispute_decide(dispute: Dispute, *, by=None, decision: str, note: str,
                   corrected_value: Decimal | None = None) -> Dispute:
    """Accept or reject a dispute. Accepting with a corrected value records that value as a
    new measurement and re-evaluates the window; accepting without one excuses the window
    (it counts as met)."""
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if not dispute.is_open:
        raise ValidationError("This dispute has been decided already.")
    if decision not in (DisputeStatus.ACCEPTED, DisputeStatus.REJECTED):
        raise ValidationError({"decision": "Accept or reject the dispute."})
    if not note.strip():
        raise ValidationError({"note": "Give the reason for the decision; the vendor sees it."})
    if decision == DisputeStatus.REJECTED and corrected_value is not None:
        raise ValidationError({"corrected_value": "Only an accepted dispute corrects the "
                                                  "value."})
    dispute.status, dispute.decision_note = decision, note
    dispute.corrected_value = corrected_value
    dispute.decided_by, dispute.decided_at = _user(by), timezone.now()
    _save(dispute, by=by, change_reason=f"Dispute {DisputeStatus(decision).label.lower()}")
    # Locked, so the hourly run's re-evaluation of this window waits for the decision (and
    # the decision for it) instead of one overwriting the other.
    evaluation = (Evaluation.objects.select_for_update(of=("self",))
                  .select_related("service_level__version__sla").get(pk=dispute.evaluation_id))
    if decision == DisputeStatus.ACCEPTED:
        why = f"Dispute {dispute.pk} accepted"
        if corrected_value is not None:
            try:
                measurements_submit(
                    [{"service_level": evaluation.service_level_id,
                      "window_start": evaluation.window_start.isoformat(),
                      "value": str(corrected_value),
                      "note": f"Corrected value agreed when dispute {dispute.pk} was accepted."}],
                    by=by, source=MeasurementSource.FORM, vendor_ids=None, text_values=True,
                    reason=why)
            except ingest.RowsRejected as rejected:
                raise ValidationError({"corrected_value": [
                    e.message for e in rejected.errors]}) from None
        else:
            held = breaches(evaluation) and evaluation.corrective_action_id
            evaluation.excused = True
            if held:
                release_corrective_actions([evaluation], today=timezone.localdate(), by=by,
                                           reason=why)
            _save(evaluation, by=by, change_reason=f"Excused: dispute {dispute.pk} accepted")
            compliance.compliance_refresh(compliance.months_of([evaluation]))
    return dispute


__all__ = ["EvaluationResult", "evaluate_pending", "evaluate_windows", "evaluations_refresh"]
