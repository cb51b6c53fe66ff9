"""A real Celery worker with embedded beat, in whichever mode the settings are in.

Embedded default: kombu's filesystem broker and a file result backend under VAR_DIR.
With REDIS_URL set: Redis for both. CI runs the suite once in each mode.

The worker gets its own VAR_DIR, so its queue, results, cache and beat schedule are
isolated from `make run` and from other tests. The checks run in a child process with the
same environment, because the in-process Celery app and cache are configured for the
default VAR_DIR, not the worker's.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

pytestmark = pytest.mark.celery

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60

_WAIT_FOR_BEAT = """
import json, time
from datetime import datetime
from vendorgov.tasks import last_heartbeat
deadline = time.monotonic() + {timeout}
beat = None
while time.monotonic() < deadline:
    beat = last_heartbeat("beat")
    if beat and datetime.fromisoformat(beat["at"]) >= datetime.fromisoformat("{since}"):
        break
    time.sleep(0.5)
print(json.dumps(beat))
"""

_ROUND_TRIP = """
import json
from vendorgov.tasks import heartbeat, last_heartbeat
result = heartbeat.delay("{source}").get(timeout={timeout})
print(json.dumps({{"result": result, "cached": last_heartbeat("{source}")}}))
"""


class Worker:
    def __init__(self, env, log_path):
        self.env = env
        self.log_path = log_path
        self.started_at = timezone.now()
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "vendorgov", "worker", "-B",
             "-l", "info", "-c", "1", "-n", f"test-{uuid.uuid4().hex[:8]}@%h"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def run(self, code) -> dict | None:
        """Run Python code in the worker's environment (Django set up); return its JSON."""
        result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code],
                                cwd=ROOT, env=self.env, capture_output=True, text=True,
                                timeout=TIMEOUT + 30)
        assert result.returncode == 0, result.stderr + self.log_tail()
        return json.loads(result.stdout.strip().splitlines()[-1])

    def log_tail(self, lines=40) -> str:
        self.log.flush()
        text = Path(self.log_path).read_text().splitlines()[-lines:]
        return "\n--- worker log ---\n" + "\n".join(text)

    def stop(self) -> int:
        """SIGTERM to the main pid: a warm shutdown that stops beat and the pool too."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(os.getpgid(self.process.pid), signal.SIGKILL)
            self.process.wait()
            raise
        finally:
            self.log.close()


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("var")
    env = {
        # The run's own variables (DATABASE_URL, REDIS_URL) choose the mode; not what
        # other tests set process-wide for themselves.
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
        "VAR_DIR": str(var_dir),
        "HEARTBEAT_SECONDS": "1",
    }
    worker = Worker(env, var_dir / "worker.log")
    yield worker
    returncode = worker.stop()
    assert returncode == 0, f"worker exited with {returncode} on SIGTERM" + worker.log_tail()


def test_beat_schedules_the_heartbeat_and_the_worker_runs_it(worker):
    beat = worker.run(_WAIT_FOR_BEAT.format(timeout=TIMEOUT,
                                            since=worker.started_at.isoformat()))

    assert beat is not None, "no heartbeat from beat within a minute" + worker.log_tail()
    assert beat["source"] == "beat"


def test_a_task_sent_by_the_application_round_trips_through_the_worker(worker):
    source = f"test-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()

    reply = worker.run(_ROUND_TRIP.format(source=source, timeout=TIMEOUT))

    assert reply["result"]["source"] == source
    assert reply["cached"] == reply["result"]
    assert time.monotonic() - started < TIMEOUT
