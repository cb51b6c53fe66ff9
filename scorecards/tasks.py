"""Scorecard tasks: take ids, call one service, safe to run twice.

Each loops over records and handles each on its own (`vendorgov.jobs.for_each`): a record
the work fails on is logged and shown to vendor managers, and the others proceed."""

from celery import shared_task

from scorecards import services
from scorecards.choices import DataSource
from scorecards.models import Measure, Scorecard
from vendorgov import jobs


@shared_task
def open_due_periods() -> int:
    """Create every scorecard's periods up to today (a new quarter opens on its first day).
    Idempotent: existing periods are left alone. Meant for a daily beat entry."""
    run = jobs.for_each(
        "Open scorecard periods", Scorecard,
        Scorecard.objects.active().values_list("pk", flat=True),
        lambda scorecard: len(services.scorecard_periods_ensure(scorecard=scorecard)))
    return sum(run.results)


@shared_task
def derive_actuals_from_sla() -> str:
    """Derive the actuals of measures fed from SLAs from the SLAs' evaluations, and refresh
    those whose evaluations changed (new windows, newer data, accepted disputes). Writes
    only what changed; safe to run twice. Meant for an hourly beat entry, like the SLA
    evaluation it follows. Measure by measure, so one that cannot be derived does not
    hold back the others."""
    ids = (Measure.objects.filter(data_source=DataSource.SLA, service_level__isnull=False)
           .values_list("pk", flat=True))
    run = jobs.for_each(
        "Derive scorecard actuals from SLAs", Measure, ids,
        lambda measure: services.actuals_derive_from_sla(measure_ids=[measure.pk]))
    total, skipped = services.DeriveResult(), 0
    for result in run.results:
        total.created += result.created
        total.updated += result.updated
        total.unchanged += result.unchanged
        skipped += result.skipped
    notes = [f" {skipped} measure(s) skipped: another run was deriving them."] if skipped \
        else []
    if run.failed:
        notes.append(f" Failed on {len(run.failed)} measure(s): see Periodic job problems.")
    return str(total) + "".join(notes)
