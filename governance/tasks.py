"""Governance tasks: each calls one service and is safe to run twice (vendorgov/schedule.py
declares when they run)."""

from celery import shared_task

from governance import services


@shared_task
def extend_meeting_horizon() -> int:
    """Plan every live cadence's meetings up to the horizon; returns how many were added.
    Running it twice, or twice at once, adds nothing more: a period has at most one meeting."""
    return services.meetings_extend_horizon()
