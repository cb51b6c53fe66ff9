"""SLA tasks: take ids (or nothing), call one service, safe to run twice.

Tasks call services, never the reverse: the services queue new data for evaluation through
the function this module registers with them (`services.evaluation_queue_register`); the
SLA app imports this module when it is ready, so the web process has it registered too.
"""

from celery import shared_task

from sla import services


@shared_task
def evaluate_closed_windows() -> str:
    """Evaluate every window closed since the last run, and every window with data not
    evaluated yet, however old."""
    return str(services.evaluations_refresh())


@shared_task
def evaluate_new_data(service_level_ids: list[int]) -> str:
    """Evaluate the windows of these service levels that have data not evaluated yet: what
    one API request queues after its commit (nothing else: not the whole portfolio)."""
    return str(services.evaluate_pending(service_level_ids=service_level_ids))


services.evaluation_queue_register(lambda ids: evaluate_new_data.delay(ids))
