"""The beat schedule (vendorgov/schedule.py) only names tasks that exist."""

from vendorgov.celery import app
from vendorgov.schedule import beat_schedule


def test_every_scheduled_job_names_a_registered_task():
    app.loader.import_default_modules()  # the apps' tasks modules, as a worker imports them
    scheduled = {entry["task"] for entry in beat_schedule().values()}
    assert scheduled - set(app.tasks) == set()
    assert {"vendorgov.tasks.heartbeat", "governance.tasks.extend_meeting_horizon",
            "sla.tasks.evaluate_closed_windows",
            "scorecards.tasks.open_due_periods",
            "scorecards.tasks.derive_actuals_from_sla"} <= scheduled


def test_every_periodic_job_expires_before_its_next_run():
    for name, entry in beat_schedule().items():
        assert 0 < entry["options"]["expires"] <= entry["schedule"], name
