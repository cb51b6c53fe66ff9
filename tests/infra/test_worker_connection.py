"""A Celery worker keeps its database connection from one task to the next, as a web
thread does between requests, and replaces one the server dropped (vendorgov/celery.py):
the reminder sweep's prepared statement lives on that connection."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.celery]

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 90

# Run in a child with the worker's environment (the in-process Celery app is the test
# settings'); a queue of the test's own, so no other test's worker takes these tasks.
_ASK = """
import json
from vendorgov.celery import app
print(json.dumps([app.send_task("tests.infra.fault_tasks.backend_pid", queue="{queue}")
                  .get(timeout={timeout}) for _ in range(3)]))
"""


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("var")
    queue = f"connection-{uuid.uuid4().hex[:8]}"
    env = {**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
           "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE, "VAR_DIR": str(var_dir)}
    with open(var_dir / "worker.log", "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "vendorgov", "worker", "-I",
             "tests.infra.fault_tasks", "-Q", queue, "-c", "1", "-l", "info",
             "-n", f"{queue}@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            yield lambda: _ask(env, queue, var_dir)
        finally:
            process.terminate()
            process.wait(timeout=TIMEOUT)


def _ask(env: dict, queue: str, var_dir: Path) -> list[int]:
    run = subprocess.run([sys.executable, "manage.py", "shell", "-c",
                          _ASK.format(queue=queue, timeout=TIMEOUT)],
                         cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=TIMEOUT + 60)
    assert run.returncode == 0, run.stderr + (var_dir / "worker.log").read_text()[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def _terminate_backend(pid: int) -> None:
    db = settings.DATABASES["default"]
    server = {k.lower(): db[k] for k in ("HOST", "PORT", "USER", "PASSWORD") if db.get(k)}
    connection = psycopg2.connect(dbname="postgres", **server)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone()[0]
    finally:
        connection.close()


def test_a_worker_keeps_its_database_connection_between_tasks(worker):
    first, second, third = worker()
    assert first == second == third


def test_a_connection_the_server_dropped_is_replaced_without_a_failed_task(worker):
    (before, *_) = worker()
    _terminate_backend(before)
    after = worker()
    assert len(set(after)) == 1
    assert after[0] != before
