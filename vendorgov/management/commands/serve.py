"""`manage.py serve`: the web server, a Celery worker and Celery beat, supervised, as one
command.

`make run` ends here. It supervises like a real supervisor: a child that exits (a worker
SIGKILLed, beat crashing on a broker outage, even the web server) is logged and started
again after a back-off that doubles with each quick failure (1 s, 2 s, 4 s … at most
`MAX_BACKOFF`) and resets once the child has stayed up for `STABLE_AFTER`. Only Ctrl-C (or
SIGTERM/SIGHUP to this command) stops everything. Worker and beat are separate processes so
that one failing never takes the other, or the site, with it.

Each child runs in its own session, so a Ctrl-C in the terminal reaches only this
supervisor, which then stops the children in order and waits for them: nothing outlives the
command. If the supervisor is killed outright, the kernel still sends each child SIGTERM
(PR_SET_PDEATHSIG), so no orphan keeps the port or the queue.
"""

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from vendorgov.celery import app

_PR_SET_PDEATHSIG = 1
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
FIRST_BACKOFF = 1.0  # seconds before the first restart of a child that exited
MAX_BACKOFF = 30.0
STABLE_AFTER = 60.0  # a child up this long has recovered: its back-off starts again


@dataclass
class Child:
    """One supervised process and its restart bookkeeping."""

    name: str
    argv: list[str]
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    quick_failures: int = 0
    restart_at: float | None = None
    restarts: int = field(default=0)


def _libc():
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:  # not Linux: children just won't follow a SIGKILLed supervisor
        return None


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and beat, restarting any that exits, until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--grace", type=float, default=30.0,
                            help="seconds each child gets to stop before it is killed")
        parser.add_argument("--no-logins", action="store_true",
                            help="do not print the demo logins once the site is up")

    def handle(self, *args, host, port, grace, no_logins, **options):
        self._check_port_free(host, port)
        self._stop_signal = None
        for signum in _STOP_SIGNALS:
            signal.signal(signum, self._request_stop)

        self._libc = _libc()
        # A name of its own, so the readiness ping is answered by this worker and no other.
        self._worker_name = f"vendorgov-{os.getpid()}@{socket.gethostname()}"
        self._children = [Child(name, argv) for name, argv in self._commands(host, port)]
        try:
            for child in self._children:
                self._start(child)
            if self._wait_until_listening(host, port) and self._wait_for_worker():
                self._announce(host, port, show_logins=not no_logins)
            self._supervise()
        finally:
            self._stop_all(grace)
        self.stdout.write("vendorgov stopped.")

    # Children

    def _commands(self, host, port):
        python = sys.executable
        if settings.DEBUG:
            web = [python, str(settings.BASE_DIR / "manage.py"), "runserver", f"{host}:{port}"]
        else:
            # Processes, threads and worker class come from ./gunicorn.conf.py (chosen from
            # the load test's figures in bench/RESULTS.md; WEB_CONCURRENCY and WEB_THREADS
            # override them), which gunicorn reads from its working directory, BASE_DIR.
            web = [python, "-m", "gunicorn", "vendorgov.wsgi:application",
                   "--bind", f"{host}:{port}", "--access-logfile", "-",
                   # Its default control socket in ~/.gunicorn clashes between checkouts.
                   "--no-control-socket"]
        log_level = os.environ.get("CELERY_LOG_LEVEL", "info")
        celery = [python, "-m", "celery", "-A", "vendorgov"]
        worker = [*celery, "worker", "-n", self._worker_name, "-l", log_level]
        beat = [*celery, "beat", "-l", log_level,
                "-s", str(settings.CELERY_BEAT_SCHEDULE_FILENAME)]
        return [("web", web), ("worker", worker), ("beat", beat)]

    def _start(self, child: Child) -> None:
        def die_with_parent():
            if self._libc is not None:
                self._libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)

        child.proc = subprocess.Popen(child.argv, cwd=settings.BASE_DIR,
                                      start_new_session=True, preexec_fn=die_with_parent)
        child.started_at = time.monotonic()
        child.restart_at = None

    def _supervise(self) -> None:
        """Restart children that exit, with back-off, until a stop signal."""
        while self._stop_signal is None:
            now = time.monotonic()
            for child in self._children:
                if child.restart_at is not None:
                    if now >= child.restart_at:
                        child.restarts += 1
                        self._log(f"restarting {child.name} (restart {child.restarts})")
                        self._start(child)
                elif child.proc.poll() is not None:
                    self._schedule_restart(child, now)
            time.sleep(0.2)
        self.stdout.write(f"\n{signal.Signals(self._stop_signal).name}: stopping vendorgov…")

    def _schedule_restart(self, child: Child, now: float) -> None:
        # Whatever the child left in its session (pool processes of a killed worker).
        self._signal_group(child.proc.pid, signal.SIGKILL)
        if now - child.started_at >= STABLE_AFTER:
            child.quick_failures = 0
        delay = min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** child.quick_failures)
        child.quick_failures += 1
        child.restart_at = now + delay
        self._log(f"{child.name} exited with code {child.proc.returncode}; "
                  f"restarting it in {delay:.0f}s")

    def _log(self, message: str) -> None:
        self.stderr.write(f"[serve {time.strftime('%H:%M:%S')}] {message}")

    def _stop_all(self, grace):
        # The web server first, so nothing new is queued while the worker drains.
        for child in self._children:
            proc = child.proc
            if proc is None:
                continue
            if proc.poll() is None:
                # The main pid only: gunicorn and celery stop their own children gracefully.
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    self.stderr.write(f"pid {proc.pid} ignored SIGTERM for {grace}s; killing.")
                    self._signal_group(proc.pid, signal.SIGKILL)
                    proc.wait()
            # Anything left in the child's session (a reloader's child, a stray pool process).
            self._signal_group(proc.pid, signal.SIGKILL)

    @staticmethod
    def _signal_group(pgid, signum):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signum)

    def _request_stop(self, signum, frame):
        if self._stop_signal is None:
            self._stop_signal = signum

    # Start-up

    @staticmethod
    def _check_port_free(host, port):
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
            except OSError as exc:
                raise CommandError(
                    f"{host}:{port} is already in use ({exc.strerror}); "
                    f"stop what runs there or choose another port, e.g. PORT=8001 make run."
                ) from exc

    def _any_exited(self) -> bool:
        return any(child.proc.poll() is not None for child in self._children)

    def _wait_until_listening(self, host, port, timeout=60.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._stop_signal is None:
            if self._any_exited():
                return False
            try:
                with socket.create_connection((host, port), timeout=1):
                    return True
            except OSError:
                time.sleep(0.3)
        return False

    def _wait_for_worker(self, timeout=60.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._stop_signal is None:
            if self._any_exited():
                return False
            if app.control.ping(destination=[self._worker_name], timeout=1.0):
                return True
        self.stderr.write(f"The worker did not answer within {timeout:.0f}s; starting anyway.")
        return self._stop_signal is None

    def _announce(self, host, port, show_logins):
        url = f"http://{host}:{port}/"
        line = "=" * 72
        self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"vendorgov is running at {url}"))
        mode = "PostgreSQL" if connections["default"].vendor == "postgresql" else "SQLite"
        broker = "Redis" if settings.REDIS_URL else "the embedded filesystem broker"
        self.stdout.write(f"Database: {mode}. Worker and beat running on {broker}.")
        self.stdout.write("Ctrl-C stops everything.")
        if show_logins:
            try:
                call_command("load_demo", "--print-logins", stdout=self.stdout)
            except CommandError as exc:
                self.stderr.write(f"(demo logins unavailable: {exc})")
            finally:
                connections.close_all()
        self.stdout.write(line)
