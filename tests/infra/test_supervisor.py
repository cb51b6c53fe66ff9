"""`make run` supervises: a worker or beat that dies is started again and the site stays up;
only Ctrl-C stops everything. The processes are really killed here (SIGKILL), not mocked."""

import os
import signal
import time
import urllib.error
import urllib.request

import pytest

from tests.infra import test_serve
from tests.infra.test_serve import TIMEOUT, processes_mentioning

pytestmark = pytest.mark.celery
serve = test_serve.serve  # `make run` started by the test, as a fixture here too


def _pids(text: str) -> set[int]:
    return {int(line.split(":", 1)[0]) for line in processes_mentioning(text)}


def _main_pid(kind: str, serve_pid: int) -> int:
    """The main process of the supervisor's worker or beat (its pool children share the
    command line, but their parent is the worker)."""
    for pid in _pids(f"-m celery -A vendorgov {kind}"):
        try:
            if _parent(pid) == serve_pid:
                return pid
        except OSError:  # exited while we looked
            continue
    raise AssertionError(f"no {kind} process under serve {serve_pid}")


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def _wait_for(predicate, what: str, log_path):
    deadline = time.monotonic() + TIMEOUT
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen:\n" + log_path.read_text())
        time.sleep(0.3)


def _status(url) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def _site_answers(port) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=10) as reply:
        return reply.status == 200


def test_the_health_endpoints_see_the_worker_and_beat_of_make_run(serve):
    proc, port, log_path = serve
    for process in ("worker", "beat"):
        url = f"http://127.0.0.1:{port}/healthz/{process}/"
        _wait_for(lambda u=url: _status(u) == 200, f"{process} reported alive", log_path)
    assert _status(f"http://127.0.0.1:{port}/healthz/") == 200


def test_a_killed_worker_is_restarted_and_the_site_stays_up(serve):
    proc, port, log_path = serve
    worker = _main_pid("worker", proc.pid)
    readies = log_path.read_text().count(" ready.")

    os.kill(worker, signal.SIGKILL)

    _wait_for(lambda: "restarting worker" in log_path.read_text(), "a worker restart", log_path)
    assert proc.poll() is None, "serve stopped when its worker died"
    assert _site_answers(port)
    _wait_for(lambda: log_path.read_text().count(" ready.") > readies,
              "the new worker's 'ready'", log_path)
    assert _main_pid("worker", proc.pid) != worker


def test_a_killed_beat_is_restarted_and_ctrl_c_still_stops_everything(serve):
    proc, port, log_path = serve
    beat = _main_pid("beat", proc.pid)

    os.kill(beat, signal.SIGKILL)
    _wait_for(lambda: "restarting beat" in log_path.read_text(), "a beat restart", log_path)
    _wait_for(lambda: _has_new_beat(proc.pid, beat), "a new beat process", log_path)
    assert _site_answers(port)

    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=TIMEOUT) == 0, log_path.read_text()
    assert not processes_mentioning(f"127.0.0.1:{port}"), "web server left running"
    assert not processes_mentioning(f"vendorgov-{proc.pid}@"), "worker left running"
    assert not _pids(f"-s {log_path.parent}"), "beat left running"


def _has_new_beat(serve_pid, old) -> bool:
    try:
        return _main_pid("beat", serve_pid) != old
    except AssertionError:
        return False
