"""The warning-sign job, declared in `vendorgov/schedule.py`."""

import logging

from celery import shared_task

from signs import services

logger = logging.getLogger(__name__)


@shared_task
def refresh_signs() -> str:
    """Recompute every vendor's warning signs. Set-based over the whole portfolio in one
    transaction (a fixed number of queries), so it is not a per-record `vendorgov.jobs`
    loop; safe to run twice, also at once (`services.signs_refresh`)."""
    done = services.signs_refresh()
    logger.info("%s", done)
    return str(done)
