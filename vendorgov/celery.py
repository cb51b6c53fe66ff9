"""The Celery app. Configured from Django settings (CELERY_*); schedules in schedule.py."""

import os

from celery import Celery
from celery.signals import (
    beat_init,
    before_task_publish,
    task_failure,
    task_postrun,
    task_prerun,
    task_success,
    worker_ready,
)
from django.db import close_old_connections

from vendorgov import broker, health
from vendorgov.schedule import AT_START, beat_schedule

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vendorgov.settings.local")

broker.install()  # before anything connects: see vendorgov/broker.py
app = Celery("vendorgov")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _install_beat_schedule(sender, **kwargs):
    sender.conf.beat_schedule = beat_schedule()


@beat_init.connect
def _run_catch_up_jobs(sender, **kwargs):
    """As beat starts, send the jobs that catch up on what happened while it was down,
    instead of waiting a whole interval for their first run (they are safe to run twice)."""
    global _in_beat
    _in_beat = True
    schedule = beat_schedule()
    for name in AT_START:
        entry = schedule[name]
        sender.app.send_task(entry["task"], **entry.get("options", {}))


# The database connection in a worker is treated as in a web request (Django's
# request_started/request_finished): before and after each task it is closed only when it
# has reached CONN_MAX_AGE or failed and no longer answers, and the first query of a task
# checks it (CONN_HEALTH_CHECKS), so a connection PostgreSQL dropped is replaced. Celery's
# own fix-up closes it around every task instead, unless CELERY_DB_REUSE_MAX is set
# (settings: set, so that it leaves this to these handlers). Kept, the connection keeps the
# reminder sweep's prepared statement (reminders/outbox.py, "Planned once") from one
# minute's sweep to the next, instead of planning it again each time.
# Not for a task run eagerly (in the caller's process, perhaps inside its transaction,
# whose connection is the caller's to keep), as Celery's fix-up does not either.
@task_prerun.connect
@task_postrun.connect
def _close_old_connections(sender=None, **kwargs):
    if not getattr(sender.request, "is_eager", False):
        close_old_connections()


# Signs of life for vendorgov/health.py: the worker as it starts and
# as it finishes tasks; beat whenever it sends one.
_in_beat = False


@worker_ready.connect
def _worker_alive(sender=None, **kwargs):
    health.record_alive("worker")


@before_task_publish.connect
def _beat_alive(sender=None, **kwargs):
    if _in_beat:
        health.record_alive("beat")


@task_success.connect
def _job_succeeded(sender=None, **kwargs):
    health.record_alive("worker")
    health.record_job(sender.name, ok=True)


@task_failure.connect
def _job_failed(sender=None, exception=None, **kwargs):
    health.record_job(sender.name, ok=False, error=f"{type(exception).__name__}: {exception}")
