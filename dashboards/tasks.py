"""Dashboards tasks: take ids, call one service, safe to run twice."""

from celery import shared_task

from dashboards import services


@shared_task
def build_portfolio_pack(job_id: int) -> str:
    """Build the quarterly review pack of a whole portfolio (`services.pack_job_run`)."""
    return services.pack_job_run(job_id)


services.pack_queue_register(lambda job_id: build_portfolio_pack.delay(job_id))
