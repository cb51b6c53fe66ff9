"""Every delay the code hands to Celery is shorter than the broker's visibility timeout.

With Redis, a task held by a worker (an ETA or countdown task waits in the worker,
unacknowledged) is handed out again once VISIBILITY_TIMEOUT has passed: a countdown, ETA
or retry delay longer than that makes Redis deliver the task a second time (harmless for
our idempotent tasks, but a duplicate run every timeout). So:

* every countdown/ETA in the code base is found by reading the source, and must be one of
  the bounded ones listed here, whose bound is checked against the timeout;
* every task's retry delays (autoretry back-off cap, default retry delay) are checked on
  the Celery app itself;
* the longest a reminder task runs (its time budget) is under the timeout too.
"""

import ast
import importlib
from pathlib import Path

from django.conf import settings

from tests.vendorgov.test_architecture import APPS
from vendorgov.celery import app
from vendorgov.schedule import beat_schedule

TIMEOUT = settings.VISIBILITY_TIMEOUT
# Where the code passes a countdown or an ETA, and the setting that bounds it.
BOUNDED = {
    ("reminders/tasks.py", "eta"): settings.REMINDERS_LOOKAHEAD_SECONDS,
}
DELAY_KEYWORDS = {"countdown", "eta"}


def _delays_in_source():
    root = Path(settings.BASE_DIR)
    for folder in APPS.values():
        for path in sorted(folder.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    for keyword in node.keywords:
                        if keyword.arg in DELAY_KEYWORDS:
                            yield str(path.relative_to(root)), keyword.arg, node.lineno
                        if keyword.arg is None:  # **options: look for the keys it is given
                            continue
                if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
                        and node.slice.value in DELAY_KEYWORDS:
                    yield str(path.relative_to(root)), node.slice.value, node.lineno


def test_every_countdown_and_eta_in_the_code_is_bounded_under_the_visibility_timeout():
    found = list(_delays_in_source())
    assert found, "the search found nothing at all: is it still reading the code?"
    unlisted = [f for f in found if (f[0], f[1]) not in BOUNDED]
    assert unlisted == [], ("a countdown or ETA whose bound nobody checks: add it to BOUNDED "
                            f"with the setting that bounds it: {unlisted}")
    for (path, keyword), bound in BOUNDED.items():
        assert bound < TIMEOUT, f"{path}'s {keyword} may reach {bound}s ≥ {TIMEOUT}s"


def test_the_reminder_eta_is_capped_at_the_lookahead_in_the_code():
    source = (Path(settings.BASE_DIR) / "reminders" / "tasks.py").read_text()
    assert 'options["eta"] = min(at, latest)' in source
    assert "seconds=settings.REMINDERS_LOOKAHEAD_SECONDS" in source


def test_every_tasks_retry_delays_are_under_the_visibility_timeout():
    for package, folder in APPS.items():  # what the worker's autodiscovery imports
        if (folder / "tasks.py").exists():
            importlib.import_module(f"{package}.tasks")
    ours = {name: task for name, task in app.tasks.items()
            if name.split(".")[0] in APPS}
    assert "reminders.tasks.send_due" in ours
    for name, task in ours.items():
        assert (task.default_retry_delay or 0) < TIMEOUT, name
        if getattr(task, "autoretry_for", ()):
            cap = task.retry_backoff_max if task.retry_backoff else task.default_retry_delay
            assert cap < TIMEOUT, f"{name} may wait {cap}s before a retry"


def test_no_task_runs_longer_than_the_visibility_timeout_and_no_beat_entry_is_delayed():
    assert settings.REMINDERS_SEND_BUDGET_SECONDS + settings.EMAIL_TIMEOUT < TIMEOUT
    assert settings.EMAIL_TIMEOUT < settings.REMINDERS_CLAIM_TIMEOUT_SECONDS
    for name, entry in beat_schedule().items():
        options = entry.get("options", {})
        assert not DELAY_KEYWORDS & set(options), f"beat entry {name} is delayed"
