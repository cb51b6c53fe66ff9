"""Writes of the dashboards app: the background quarterly review pack of a portfolio."""

import logging
import os
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dashboards import pdf, quarters, selectors
from dashboards.models import PackJob, PackJobStatus

logger = logging.getLogger("dashboards")
PACK_DIR = "packs"

_queue: list[Callable[[int], object]] = []


def pack_queue_register(enqueue: Callable[[int], object]) -> None:
    """`dashboards.tasks` registers how a job is queued (tasks call services, not the
    reverse)."""
    _queue[:] = [enqueue]


@transaction.atomic
def pack_job_start(*, by, quarter: quarters.Quarter) -> PackJob:
    """Ask for the pack of every vendor `by` sees; the worker builds it after the commit."""
    job = PackJob.objects.create(requested_by=by, quarter=quarter.label,
                                 total=len(selectors.pack_vendors(by)))
    transaction.on_commit(lambda: [enqueue(job.pk) for enqueue in _queue])
    return job


def pack_job_run(job_id: int) -> str:
    """Build the pack of job `job_id`. Safe to run twice: a finished job is left alone, and
    one that a vanished worker left running is built again from the start (the file is
    written under a temporary name and renamed, so a half-written PDF is never served)."""
    claimed = PackJob.objects.filter(
        pk=job_id, status__in=(PackJobStatus.QUEUED, PackJobStatus.RUNNING)).update(
        status=PackJobStatus.RUNNING, started_at=timezone.now(), done=0)
    if not claimed:
        return f"pack job {job_id}: nothing to do"
    job = PackJob.objects.select_related("requested_by").get(pk=job_id)
    user = job.requested_by
    vendors = selectors.pack_vendors(user)
    PackJob.objects.filter(pk=job_id).update(total=len(vendors))
    quarter = quarters.parse(job.quarter, default=quarters.last_complete(timezone.localdate()))
    try:
        content = pdf.portfolio_pdf(
            user, vendors, quarter,
            progress=lambda n: PackJob.objects.filter(pk=job_id).update(done=n))
        relative = f"{PACK_DIR}/pack-{job.pk}-{quarter.label}.pdf"
        target = Path(settings.MEDIA_ROOT) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(content)
        os.replace(partial, target)
    except Exception as error:  # noqa: BLE001 - the job row says it failed; the page shows it
        logger.exception("Quarterly pack %s failed", job_id)
        PackJob.objects.filter(pk=job_id).update(status=PackJobStatus.FAILED,
                                                 error=f"{type(error).__name__}: {error}",
                                                 finished_at=timezone.now())
        return f"pack job {job_id}: failed"
    PackJob.objects.filter(pk=job_id).update(status=PackJobStatus.DONE, file=relative,
                                             done=len(vendors), finished_at=timezone.now())
    return f"pack job {job_id}: {len(vendors)} vendors"


def pack_file(job: PackJob) -> Path | None:
    """The finished pack's file on disk, if it is there."""
    if job.status != PackJobStatus.DONE or not job.file:
        return None
    path = Path(settings.MEDIA_ROOT) / job.file
    return path if path.is_file() else None
