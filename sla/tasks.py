"""SLA tasks: take ids (or nothing), call one service, safe to run twice."""

from celery import shared_task

from sla import services


@shared_task
def evaluate_closed_windows() -> str:
    """Evaluate every window closed since the last run, and windows with new data."""
    return str(services.evaluations_refresh())
