"""The Celery app. Configured from Django settings (CELERY_*); schedules in schedule.py."""

import os

from celery import Celery

from vendorgov.schedule import beat_schedule

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vendorgov.settings.local")

app = Celery("vendorgov")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _install_beat_schedule(sender, **kwargs):
    sender.conf.beat_schedule = beat_schedule()
