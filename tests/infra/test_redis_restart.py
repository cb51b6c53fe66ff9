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
from kombu import Connection, Exchange, Queue

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
    # Not the current app: tasks that later tests send with .delay() must keep going to the
    # project's broker, not to this private Redis once it is gone.
    client = Celery(broker=redis_server.url, set_as_current=False)
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


def test_a_channel_closed_after_its_connection_was_collected_leaves_its_messages_for_redelivery(
        redis_server):
    """The state a Redis restart can leave the worker's consumer in (vendorgov/broker.py):
    `collect()` gave up on a channel's close and detached the transport; the second close
    then found Redis back. kombu's own transport raised AttributeError there and the worker
    stopped; ours leaves the unacknowledged message in Redis, and the visibility timeout
    puts it back on its queue."""
    import vendorgov.celery  # noqa: F401  (installs vendorgov.broker for redis://)

    queue = Queue("restart-probe", Exchange("restart-probe"), "restart-probe")
    options = {"visibility_timeout": 1}
    with Connection(redis_server.url, transport_options=options) as connection:
        assert type(connection.transport).__module__ == "vendorgov.broker"
        connection.Producer().publish({"n": 1}, exchange=queue.exchange,
                                      routing_key=queue.routing_key, declare=[queue])
        channel = connection.channel()
        received = []
        consumer = connection.Consumer([queue], channel=channel, prefetch_count=1,
                                       callbacks=[lambda body, message: received.append(body)])
        consumer.consume()
        connection.drain_events(timeout=5)
        assert received == [{"n": 1}]

        # What collect() leaves behind when a channel's close stalled: the channel's pool
        # gone, the transport detached from its connection, the channel still open.
        channel._disconnect_pools()
        connection._do_close_transport()
        channel.close()  # kombu's transport raised AttributeError('…hostname') here

    time.sleep(1.5)  # past the visibility timeout
    with Connection(redis_server.url, transport_options=options) as connection:
        channel = connection.channel()
        channel.qos.restore_visible()
        message = channel.basic_get(queue.name, no_ack=True)
        assert message is not None, "the unacknowledged message was lost"
        assert message.decode() == {"n": 1}
        assert message.delivery_info["redelivered"]
