"""A Redis restart while a task runs is survived: the worker reconnects and goes on.

The test runs its own Redis server (restarting the shared one would disturb other tests)
and a real worker against it, restarts that Redis in the middle of a task, then checks the
worker is alive, the task finished, and a task sent after the restart runs too."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery

from tests.infra.test_serve import free_port

pytestmark = [pytest.mark.redis, pytest.mark.celery]

ROOT = Path(__file__).resolve().parents[2]
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"


class PrivateRedis:
    """A Redis on its own port, append-only (the production shape), restartable."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        subprocess.run([REDIS, "--port", str(self.port), "--bind", "127.0.0.1",
                        "--daemonize", "yes", "--dir", str(self.folder), "--appendonly", "yes",
                        "--pidfile", str(self.folder / "redis.pid"),
                        "--logfile", str(self.folder / "redis.log")], check=True)
        self._wait(lambda: self._ping() == 0)

    def stop(self):
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown"], capture_output=True)
        self._wait(lambda: self._ping() != 0)

    def _ping(self):
        return subprocess.run(["redis-cli", "-p", str(self.port), "ping"],
                              capture_output=True).returncode

    @staticmethod
    def _wait(condition, timeout=20):
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, "Redis did not start or stop"
            time.sleep(0.1)


def _wait_for(path: Path, timeout=90):
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            pytest.fail(f"{path.name} never appeared")
        time.sleep(0.2)


@pytest.fixture
def redis_server(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def test_the_worker_survives_a_redis_restart_during_a_task(tmp_path, redis_server):
    env = {**os.environ, "REDIS_URL": redis_server.url, "VAR_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "vendorgov.settings.local"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = tmp_path / "worker.log"
    with open(log, "w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "vendorgov", "worker", "-l", "info",
             "-c", "1", "-I", "tests.infra.fault_tasks", "-n", f"fault-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    client = Celery(broker=redis_server.url)
    try:
        client.send_task("tests.infra.fault_tasks.nap", args=[4, str(tmp_path), "before"])
        _wait_for(tmp_path / "before.started")

        redis_server.stop()
        time.sleep(2)
        redis_server.start()

        _wait_for(tmp_path / "before.done")
        client.send_task("tests.infra.fault_tasks.nap", args=[0, str(tmp_path), "after"])
        _wait_for(tmp_path / "after.done")
        assert worker.poll() is None, log.read_text()
        assert "Unrecoverable error" not in log.read_text()
    finally:
        client.close()
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
