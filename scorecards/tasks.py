"""Scorecard tasks: take ids, call one service, safe to run twice."""

from celery import shared_task

from scorecards import services
from scorecards.models import Scorecard


@shared_task
def open_due_periods() -> int:
    """Create every scorecard's periods up to today (a new quarter opens on its first day).
    Idempotent: existing periods are left alone. Meant for a daily beat entry."""
    opened = 0
    for scorecard_id in Scorecard.objects.active().values_list("pk", flat=True):
        opened += len(services.scorecard_periods_ensure(
            scorecard=Scorecard.objects.get(pk=scorecard_id)))
    return opened


@shared_task
def derive_actuals_from_sla() -> str:
    """Derive the actuals of measures fed from SLAs from the SLAs' evaluations, and refresh
    those whose evaluations changed (new windows, newer data, accepted disputes). Writes
    only what changed; safe to run twice. Meant for an hourly beat entry, like the SLA
    evaluation it follows."""
    return str(services.actuals_derive_from_sla())
