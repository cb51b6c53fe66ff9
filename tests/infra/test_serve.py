"""`manage.py serve`, the end of `make run`: web server and worker up together, and a
Ctrl-C that leaves nothing behind."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.celery

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def processes_mentioning(text: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:  # exited while we looked
                continue
            if text in cmdline:
                found.append(f"{entry.name}: {cmdline}")
    return found


@pytest.fixture
def serve(tmp_path):
    port = free_port()
    log_path = tmp_path / "serve.log"
    env = {**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
           "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE, "VAR_DIR": str(tmp_path),
           "DEBUG": "False"}
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--port", str(port), "--no-logins"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + TIMEOUT
    while "is running at" not in log_path.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("serve did not come up:\n" + log_path.read_text())
        time.sleep(0.3)
    yield proc, port, log_path
    if proc.poll() is None:  # the test failed before stopping it
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_serve_runs_the_site_and_a_worker_and_ctrl_c_stops_all_of_them(serve):
    proc, port, log_path = serve
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=10) as reply:
        assert reply.status == 200
    assert processes_mentioning(f"vendorgov-{proc.pid}@"), "no worker process"

    proc.send_signal(signal.SIGINT)
    returncode = proc.wait(timeout=TIMEOUT)

    output = log_path.read_text()
    assert returncode == 0, output
    assert "vendorgov stopped." in output
    assert not processes_mentioning(f"127.0.0.1:{port}"), "web server left running"
    assert not processes_mentioning(f"vendorgov-{proc.pid}@"), "worker left running"
