"""`manage.py serve`: the web server and a Celery worker with embedded beat, as one command.

`make run` ends here. Each child runs in its own session, so a Ctrl-C in the terminal
reaches only this supervisor, which then stops the children in order and waits for them:
nothing outlives the command. If the supervisor is killed outright, the kernel still sends
each child SIGTERM (PR_SET_PDEATHSIG), so no orphan keeps the port or the queue.
"""

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from vendorgov.celery import app

_PR_SET_PDEATHSIG = 1
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _libc():
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:  # not Linux: children just won't follow a SIGKILLed supervisor
        return None


class Command(BaseCommand):
    help = "Run the web server and a Celery worker with embedded beat until Ctrl-C."

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

        libc = _libc()
        # A name of its own, so the readiness ping is answered by this worker and no other.
        self._worker_name = f"vendorgov-{os.getpid()}@{socket.gethostname()}"
        self._children: list[tuple[str, subprocess.Popen]] = []
        try:
            for name, argv in self._commands(host, port):
                self._children.append((name, self._spawn(argv, libc)))
            if self._wait_until_listening(host, port) and self._wait_for_worker():
                self._announce(host, port, show_logins=not no_logins)
            failed = self._supervise()
        finally:
            self._stop_all(grace)
        if failed:
            raise CommandError(f"{failed} stopped unexpectedly; stopped the rest too.")
        self.stdout.write("vendorgov stopped.")

    # Children

    def _commands(self, host, port):
        python = sys.executable
        if settings.DEBUG:
            web = [python, str(settings.BASE_DIR / "manage.py"), "runserver", f"{host}:{port}"]
        else:
            web = [python, "-m", "gunicorn", "vendorgov.wsgi:application",
                   "--bind", f"{host}:{port}",
                   "--workers", os.environ.get("WEB_CONCURRENCY", "2"),
                   "--access-logfile", "-", "--graceful-timeout", "10",
                   # Its default control socket in ~/.gunicorn clashes between checkouts.
                   "--no-control-socket"]
        worker = [python, "-m", "celery", "-A", "vendorgov", "worker", "-B",
                  "-n", self._worker_name,
                  "-l", os.environ.get("CELERY_LOG_LEVEL", "info"),
                  "-s", str(settings.CELERY_BEAT_SCHEDULE_FILENAME)]
        return [("web", web), ("worker", worker)]

    def _spawn(self, argv, libc):
        def die_with_parent():
            if libc is not None:
                libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)

        return subprocess.Popen(argv, cwd=settings.BASE_DIR, start_new_session=True,
                                preexec_fn=die_with_parent)

    def _supervise(self) -> str | None:
        """Block until a stop signal (None) or until a child exits (its name)."""
        while self._stop_signal is None:
            for name, proc in self._children:
                if proc.poll() is not None:
                    self.stderr.write(f"{name} exited with code {proc.returncode}.")
                    return name
            time.sleep(0.2)
        self.stdout.write(f"\n{signal.Signals(self._stop_signal).name}: stopping vendorgov…")
        return None

    def _stop_all(self, grace):
        # The web server first, so nothing new is queued while the worker drains.
        for _name, proc in self._children:
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

    def _wait_until_listening(self, host, port, timeout=60.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._stop_signal is None:
            if any(proc.poll() is not None for _name, proc in self._children):
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
            if any(proc.poll() is not None for _name, proc in self._children):
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
