"""Health-check tasks: each takes ids, calls one service, and is safe to run twice."""

from celery import shared_task

from healthchecks import services


@shared_task
def open_due_cycles() -> list[int]:
    """Open the health checks that have come due (exactly once per vendor and due day)."""
    return services.cycles_open_due()
