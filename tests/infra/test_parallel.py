"""The suite runs in parallel (pytest-xdist): what one worker process uses is its own.

Processes of two workers, started the way the Celery and serve tests start theirs (a fresh
process that inherits PYTEST_XDIST_WORKER), on whichever database and broker this run
uses."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

_SHOW = """
import json
from django.conf import settings
from django.core.cache import cache
from vendorgov.celery import app
print(json.dumps({"queue": app.conf.task_default_queue, "control": app.conf.control_exchange,
                  "cache_key": cache.make_key("vendorgov:heartbeat:beat")}))
"""


def as_worker(worker: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    env["DJANGO_SETTINGS_MODULE"] = settings.SETTINGS_MODULE
    if worker:
        env["PYTEST_XDIST_WORKER"] = worker
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", _SHOW], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_processes_of_two_workers_use_their_own_celery_queue_control_and_cache_keys():
    gw0, gw1, serial = as_worker("gw0"), as_worker("gw1"), as_worker(None)

    make_run = {"queue": "celery", "control": "celery",
                "cache_key": ":1:vendorgov:heartbeat:beat"}  # Celery's and Django's defaults
    for name in ("queue", "control", "cache_key"):
        assert len({gw0[name], gw1[name], serial[name], make_run[name]}) == 4, (
            name, gw0, gw1, serial)


def test_this_worker_has_its_own_test_database(db):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if connection.vendor == "sqlite":
        # In memory: private to this process, whichever worker it is.
        assert connection.is_in_memory_db()
    elif worker:
        assert connection.settings_dict["NAME"].endswith(f"_{worker}")
    else:
        assert connection.settings_dict["NAME"].startswith("test_")
