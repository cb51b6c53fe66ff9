"""Scorecard tasks: take ids, call one service, safe to run twice.

Each loops over records and handles each on its own (`vendorgov.jobs.for_each`): a record
the work fails on is logged and shown to vendor managers, and the others proceed."""

from datetime import timedelta

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from scorecards import services
from scorecards.choices import DataSource
from scorecards.models import Measure, Scorecard
from sla import selectors as sla_selectors
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


#: Where the last successful derivation, and the last full one, started (in the cache:
#: losing them costs one full run).
DERIVE_CURSOR = "vendorgov:scorecards:derive-from-sla:started"
DERIVE_FULL_CURSOR = "vendorgov:scorecards:derive-from-sla:full-started"
#: Evaluations are stamped when their transaction starts and seen when it commits: each run
#: looks back this much before the last one began, so a slow commit is never missed.
DERIVE_OVERLAP = timedelta(minutes=15)
#: A full run at least this often, whatever the cursor says (a safety net, and what picks up
#: anything not signalled by an evaluation).
DERIVE_FULL_EVERY = timedelta(hours=24)


@shared_task
def derive_actuals_from_sla(full: bool = False) -> str:
    """Derive the actuals of measures fed from SLAs from the SLAs' evaluations, and refresh
    those whose evaluations changed (new windows, newer data, accepted disputes). Writes
    only what changed; safe to run twice. Meant for an hourly beat entry, like the SLA
    evaluation it follows. Measure by measure, so one that cannot be derived does not
    hold back the others.

    Between daily full runs it does only what changed: the periods holding a window
    evaluated since the last run began (with an overlap), of the measures fed from it."""
    started = timezone.now()
    since, last_full = cache.get(DERIVE_CURSOR), cache.get(DERIVE_FULL_CURSOR)
    windows = None
    # A full run without a cursor, a day after the last full one, or when the clock went
    # back past the cursor (a restored database, a test's clock).
    if (not full and since is not None and last_full is not None
            and timedelta(0) <= started - since
            and timedelta(0) <= started - last_full < DERIVE_FULL_EVERY):
        windows = sla_selectors.windows_evaluated_since(since - DERIVE_OVERLAP)
    ids = (Measure.objects.filter(data_source=DataSource.SLA, service_level__isnull=False)
           .values_list("pk", flat=True))
    if windows is not None:
        ids = ids.filter(service_level_id__in=list(windows))
    run = jobs.for_each(
        "Derive scorecard actuals from SLAs", Measure, ids,
        lambda measure: services.actuals_derive_from_sla(measure_ids=[measure.pk],
                                                         windows=windows))
    if not run.failed:
        # A full run moves the cursor too; a failed one leaves it, so the next run redoes
        # at least as much.
        cache.set(DERIVE_CURSOR, started, timeout=None)
        if windows is None:
            cache.set(DERIVE_FULL_CURSOR, started, timeout=None)
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
