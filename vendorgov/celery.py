"""The Celery app. Configured from Django settings (CELERY_*); schedules in schedule.py."""

import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vendorgov.settings.local")

app = Celery("vendorgov")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _install_beat_schedule(sender, **kwargs):
    from vendorgov.schedule import beat_schedule

    sender.conf.beat_schedule = beat_schedule()


@beat_init.connect
def _run_catch_up_jobs(sender, **kwargs):
    """As beat starts, send the jobs that catch up on what happened while it was down,
    instead of waiting a whole interval for their first run (they are safe to run twice)."""
    from vendorgov.schedule import AT_START, beat_schedule  # settings are read once set up

    schedule = beat_schedule()
    for name in AT_START:
        entry = schedule[name]
        sender.app.send_task(entry["task"], **entry.get("options", {}))
