"""Real processes for the reminder fault tests: a scratch database, a broker, Celery
workers and beats that can be killed, and a look at what the mail backend received.

* Database: a scratch PostgreSQL database beside the test database when the suite runs on
  PostgreSQL (DATABASE_URL), else a SQLite file; migrated once per test module.
* Broker: a private Redis (tests/infra/test_redis_restart.PrivateRedis: restartable) when
  the suite runs with REDIS_URL, else kombu's filesystem broker under the run's VAR_DIR.
* Mail: Django's file backend into VAR_DIR/mail (shared by every process, unlike locmem);
  each reminder email names its rows (tests/reminders/mailbox.py).
"""

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg2
from django.conf import settings

from tests.infra.test_redis_restart import PrivateRedis
from tests.reminders.mailbox import received

ROOT = Path(__file__).resolve().parents[2]
BOOT = 90  # seconds a process may take to come up on a busy machine


def on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


class ScratchDatabase:
    def __init__(self, folder: Path):
        self.folder = folder
        if on_postgres():
            db = settings.DATABASES["default"]
            self.server = {k: db[k.upper()] for k in ("host", "port", "user", "password")
                           if db.get(k.upper())}
            self.name = f"{db['NAME'][:40]}_rf_{secrets.token_hex(3)}"
            auth = self.server.get("user", "")
            if self.server.get("password"):
                auth += f":{self.server['password']}"
            self.url = (f"postgres://{auth}@{self.server.get('host', '127.0.0.1')}:"
                        f"{self.server.get('port', 5432)}/{self.name}")
        else:
            self.url = f"sqlite:///{folder / 'faults.sqlite3'}"

    def _admin(self, sql):
        connection = psycopg2.connect(dbname="postgres", **self.server)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    def create(self, env):
        if on_postgres():
            self._admin(f'CREATE DATABASE "{self.name}"')
        run_django(env, "migrate", "--noinput", "-v", "0")

    def drop(self):
        if on_postgres():
            self._admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        f"WHERE datname = '{self.name}'")
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')


def run_django(env, *argv, timeout=300) -> str:
    result = subprocess.run([sys.executable, "manage.py", *argv], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def shell(env, code: str):
    """Run `code` in a Django shell against the scratch database; its last line's JSON."""
    out = run_django(env, "shell", "-c", code)
    return json.loads(out.strip().splitlines()[-1])


PREPARE = """
import json
from datetime import timedelta
from django.utils import timezone
from governance.models import ActionItem
from reminders.models import Reminder
from tests.factories import AssignmentFactory, UserFactory, VendorFactory
from tests.governance.factories import action_item
from vendors.models import Vendor
Reminder.objects.all().delete()
ActionItem.objects.update(status="done")
vendor = Vendor.objects.filter(slug="faults").first() or VendorFactory(name="Faults",
                                                                      slug="faults")
owner = UserFactory(username="fault-owner", email="owner@faults.example")
if not owner.assignments.exists():
    AssignmentFactory(user=owner, vendor=vendor)
due_on = timezone.localdate() + timedelta(days=1)
for i in range({count}):
    action_item(vendor, owner=owner, title="{tag} item " + str(i), due_on=due_on)
print(json.dumps({{"due": ActionItem.objects.open().count()}}))
"""

# Digest-minded people: each owns `per` items and takes the test kind in a daily digest at
# 00:00 UTC, so their last digest moment (today 00:00) is after the items' reminder moment
# (yesterday 09:00 London) and a digest of `per` reminders is due at once for each.
PREPARE_DIGESTS = """
import json
from datetime import time, timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from governance.models import ActionItem
from reminders.models import Preference, Reminder, Subscriber
from tests.factories import VendorFactory
from tests.governance.factories import action_item
from vendors.models import Vendor, VendorAssignment
Reminder.objects.all().delete()
ActionItem.objects.update(status="done")
vendor = Vendor.objects.filter(slug="faults").first() or VendorFactory(name="Faults",
                                                                      slug="faults")
User = get_user_model()
owners = User.objects.bulk_create([
    User(username=f"{tag}-{{i}}", email=f"{tag}-{{i}}@faults.example", password="!",
         first_name="Digest", last_name=str(i), time_zone="UTC")
    for i in range({recipients})])
VendorAssignment.objects.bulk_create([VendorAssignment(vendor=vendor, user=u, role="line_manager")
                                      for u in owners])
subscribers = Subscriber.objects.bulk_create([
    Subscriber(recipient_key=f"user:{{u.pk}}", digest_time=time(0, 0), time_zone="UTC")
    for u in owners])
Preference.objects.bulk_create([Preference(subscriber=s, kind="tests.item_due",
                                           delivery="digest") for s in subscribers])
due_on = timezone.localdate() + timedelta(days=1)
for owner in owners:
    for n in range({per}):
        action_item(vendor, owner=owner, title="{tag} item " + str(n), due_on=due_on)
print(json.dumps({{"due": ActionItem.objects.open().count()}}))
"""

ROWS = """
import json
from reminders.models import Reminder
print(json.dumps([[r.pk, r.occasion, r.status] for r in Reminder.objects.all()]))
"""


class Site:
    """The scratch database, the broker and the processes of one fault test module."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.var = folder / "var"
        self.mail = self.var / "mail"
        self.db = ScratchDatabase(folder)
        self.redis = PrivateRedis(folder / "redis") if settings.REDIS_URL else None
        self.processes: list[subprocess.Popen] = []
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL")}
        self.env.update({
            "DJANGO_SETTINGS_MODULE": "vendorgov.settings.local",
            "DATABASE_URL": self.db.url, "VAR_DIR": str(self.var),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "REMINDERS_SWEEP_SECONDS": "2", "REMINDERS_CLAIM_TIMEOUT_SECONDS": "3",
            "REMINDERS_LOOKAHEAD_SECONDS": "5", "REMINDERS_SEND_BUDGET_SECONDS": "5",
            "REMINDERS_DIGEST_SECONDS": "2",
            "CELERY_VISIBILITY_TIMEOUT": "10", "HEARTBEAT_SECONDS": "300",
            "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"})

    def start(self):
        if self.redis is not None:
            (self.folder / "redis").mkdir()
            self.redis.start()
            self.env["REDIS_URL"] = self.redis.url
        self.var.mkdir()
        self.db.create(self.env)

    def stop(self):
        for process in self.processes:
            self.kill(process)
        if self.redis is not None:
            self.redis.stop()
        self.db.drop()

    # -- data ---------------------------------------------------------------------------

    def prepare(self, count: int, tag: str) -> int:
        for path in self.mail.glob("*"):
            path.unlink()
        return shell(self.env, PREPARE.format(count=count, tag=tag))["due"]

    def prepare_digests(self, recipients: int, per: int, tag: str) -> int:
        """`recipients` people, each with `per` reminders due in their daily digest now."""
        for path in self.mail.glob("*"):
            path.unlink()
        return shell(self.env, PREPARE_DIGESTS.format(recipients=recipients, per=per,
                                                      tag=tag))["due"]

    def rows(self) -> list[tuple[int, str, str]]:
        return [tuple(r) for r in shell(self.env, ROWS)]

    def received(self):
        return received(self.mail)

    # -- processes ----------------------------------------------------------------------

    def _spawn(self, argv, name) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "a")  # noqa: SIM115 - the process keeps it
        process = subprocess.Popen([sys.executable, "-m", "celery", "-A", "vendorgov", *argv],
                                   cwd=ROOT, env=self.env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def worker(self, *, beat=False, concurrency=2) -> subprocess.Popen:
        argv = ["worker", "-l", "warning", "-c", str(concurrency), "-I",
                "tests.reminders.fault_kinds", "-n", f"fault-{uuid.uuid4().hex[:8]}@%h"]
        if beat:
            argv += ["-B", "-s", str(self.var / f"beat-{uuid.uuid4().hex[:6]}")]
        return self._spawn(argv, "worker")

    def beat(self) -> subprocess.Popen:
        return self._spawn(["beat", "-l", "warning", "-s",
                            str(self.var / f"beat-{uuid.uuid4().hex[:6]}")], "beat")

    def kill(self, process: subprocess.Popen, sig=signal.SIGKILL):
        """The process and everything it started (its pool, its embedded beat), at once."""
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def send_task(self, name: str, task_id: str | None = None, times: int = 1):
        """Publish a task as beat would; `times` > 1 with one id is a re-delivered task."""
        task_id = task_id or str(uuid.uuid4())
        code = ("from vendorgov.celery import app\n"
                f"for _ in range({times}):\n"
                f"    app.send_task({name!r}, task_id={task_id!r})\n"
                "print('{}')")
        shell(self.env, code)

    def log(self, name="worker", lines=60) -> str:
        path = self.folder / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) \
            if path.exists() else ""


def wait_for(condition, timeout: float, step=0.5, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(step)


def verdict(rows, counts) -> dict:
    """Compare the rows (what was due, recorded once each) with what the mail backend got."""
    by_status = {}
    for _, _, status in rows:
        by_status[status] = by_status.get(status, 0) + 1
    duplicated = sorted(i for i, n in counts.items() if n > 1)
    sent_missing = [pk for pk, _, status in rows
                    if status in ("sent", "digested") and counts[pk] != 1]
    silently_missed = [pk for pk, _, status in rows
                       if counts[pk] == 0 and status not in ("uncertain",)]
    strays = sorted(set(counts) - {pk for pk, _, _ in rows})
    return {"rows": len(rows), "occasions": len({o for _, o, _ in rows}),
            "by_status": by_status, "duplicated": duplicated, "sent_missing": sent_missing,
            "silently_missed": silently_missed, "strays": strays,
            "received": sum(1 for n in counts.values() if n)}
