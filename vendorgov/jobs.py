"""Periodic jobs that loop over records handle each record on its own.

One bad record (a cadence whose time zone no longer exists, a scorecard with a corrupt
period type, a measure that cannot be derived) must not stop the job for every other
record, on every run. `for_each` runs the work of each record in its own transaction
(a savepoint inside an outer one), logs a failure with the record and keeps a
`JobFailure` row that vendor managers see on their home page and in the admin; the next
run that handles the record marks that row resolved.
"""

import logging
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone

from vendorgov.models import JobFailure

logger = logging.getLogger("vendorgov.jobs")


@dataclass
class JobRun:
    """What one run of a job did: each record's result, and the records it failed on."""

    job: str
    results: list = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def __str__(self):
        failed = (f"; failed on {len(self.failed)} (see Periodic job problems)"
                  if self.failed else "")
        return f"{self.job}: {len(self.results)} handled{failed}"


def _describe(record) -> str:
    try:
        return str(record)[:300]
    except Exception:  # noqa: BLE001 - a record too broken to name is still reported
        return ""


def _url(record) -> str:
    try:
        return record.get_absolute_url()[:300]
    except Exception:  # noqa: BLE001 - no page, or too broken to have one
        return ""


def failure_record(*, job: str, model: type[Model], pk: int, record=None,
                   error: BaseException) -> JobFailure:
    """Keep (or count up) the row saying `job` failed on this record."""
    now = timezone.now()
    key = {"job": job, "record_type": model._meta.label_lower, "record_id": pk}
    fields = {"record": _describe(record) if record is not None else "",
              "record_url": _url(record) if record is not None else "",
              "error": f"{type(error).__name__}: {error}"[:4000],
              "details": "".join(traceback.format_exception(error))[-20000:],
              "last_failed_at": now}
    for _ in range(2):  # a concurrent run may create the row between the two statements
        updated = JobFailure.objects.filter(**key).update(
            **fields, failures=F("failures") + 1, resolved_at=None)
        if not updated:
            try:
                with transaction.atomic():
                    return JobFailure.objects.create(**key, **fields, first_failed_at=now)
            except IntegrityError:
                continue
        return JobFailure.objects.get(**key)
    return JobFailure.objects.get(**key)


def for_each(job: str, model: type[Model], ids: Iterable[int],
             work: Callable[[Model], object], *, load: Callable[[int], Model] | None = None
             ) -> JobRun:
    """Run `work(record)` for every record of `model` whose id is in `ids`, each in its own
    transaction; a record whose work raises is logged and kept as a `JobFailure`, and the
    others proceed. `load(pk)` reads a record (default: `model.objects.get`)."""
    load = load or (lambda pk: model._default_manager.get(pk=pk))
    run = JobRun(job)
    label = model._meta.label_lower
    open_failures = set(JobFailure.objects.filter(
        job=job, record_type=label, resolved_at__isnull=True).values_list("record_id",
                                                                           flat=True))
    handled = []
    for pk in list(ids):
        record = None
        try:
            with transaction.atomic():
                record = load(pk)
                run.results.append(work(record))
        except Exception as error:  # noqa: BLE001 - one record never stops the others
            logger.exception("Periodic job %r failed on %s #%s (%s)", job, label, pk,
                             _describe(record) if record is not None else "not loaded")
            run.failed.append(pk)
            failure_record(job=job, model=model, pk=pk, record=record, error=error)
        else:
            if pk in open_failures:
                handled.append(pk)
    if handled:
        JobFailure.objects.filter(job=job, record_type=label, record_id__in=handled,
                                  resolved_at__isnull=True).update(resolved_at=timezone.now())
    return run


def open_failures():
    """Failures no later run has resolved, newest first (for vendor managers)."""
    return JobFailure.objects.filter(resolved_at__isnull=True)
