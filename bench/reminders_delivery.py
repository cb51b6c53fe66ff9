"""Reminder delivery benchmark: 1,000 reminders due at the same moment, two sending workers.

    DATABASE_URL=postgres://…/<db> .venv/bin/python bench/reminders_delivery.py

Needs a PostgreSQL role that may create databases (a scratch database beside DATABASE_URL's
is created and dropped) and `redis-server` (a private Redis on a free port). It migrates the
scratch database, makes 1,000 open action items (the engine's test kind over them,
`tests.reminders.kinds`, is what the workers load), starts **two Celery workers** (one
process each), sets the kind's lead time so that all 1,000 fall due at one moment T about
20 s ahead, and sends one sweep, as beat would: the sweep records the rows ahead of T and
queues the send tasks with ETA T. It then measures, per reminder, the delay from T to
`handing_at` (the moment its email went to the mail backend: Django's file backend) and
counts duplicates in what the backend received.

Baseline, in the same run: the same 1,000 messages rendered and handed to the same backend
by a plain loop in one process, without the queue, the claims or the database writes
(delays measured from the loop's start). The ratio says what the exactly-once machinery
and the queue cost over the raw send. Goals: p99 ≤ 5 s, 0 duplicates. Appends the figures
to bench/RESULTS.md (`--no-record` leaves it) and exits non-zero when a goal is missed.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from faults import Redis, wait_until  # noqa: E402 - the fault script's private Redis

COUNT = 1000
LEAD = 25  # seconds from the sweep to the moment everything falls due


def log(message: str) -> None:
    print(f"[reminders-bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def django(env, code: str) -> dict:
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=900)
    if out.returncode:
        raise RuntimeError(out.stdout[-2000:] + out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


PREPARE = """
import json
from datetime import timedelta
from django.utils import timezone
from governance.models import ActionItem
from tests.factories import AssignmentFactory, UserFactory, VendorFactory
from governance import services
vendor = VendorFactory(name="Bench", slug="bench")
owners = [UserFactory(username=f"owner{{i}}", email=f"owner{{i}}@bench.example")
          for i in range(20)]
for owner in owners:
    AssignmentFactory(user=owner, vendor=vendor)
due_on = timezone.localdate() + timedelta(days=3)
items = [ActionItem(vendor=vendor, title=f"Item {{i}}", owner_user=owners[i % 20], side="ours",
                    due_on=due_on) for i in range({count})]
ActionItem.objects.bulk_create(items)
print(json.dumps({{"due_on": due_on.isoformat(), "open": ActionItem.objects.open().count()}}))
"""

AIM = """
import json
from datetime import date, datetime
from reminders.models import KindSetting
from tests.reminders.kinds import ITEM_DUE, moment
due_at = datetime.fromisoformat("{due_at}")
offset = moment(date.fromisoformat("{due_on}"), ITEM_DUE.default_offset * 0) - due_at
KindSetting.objects.update_or_create(kind=ITEM_DUE.key, defaults={{"offset": offset}})
from vendorgov.celery import app
app.send_task("reminders.tasks.sweep")
print(json.dumps({{"offset": offset.total_seconds()}}))
"""

PROGRESS = """
import json
from reminders.models import Reminder
print(json.dumps({"rows": Reminder.objects.count(),
                  "sent": Reminder.objects.filter(status="sent").count()}))
"""

DELAYS = """
import json
from reminders.models import Reminder
rows = Reminder.objects.values_list("pk", "due_at", "handing_at", "status")
print(json.dumps([[pk, (h - d).total_seconds() if h else None, s] for pk, d, h, s in rows]))
"""

BASELINE = """
import json, time
import tests.reminders.fault_kinds  # the kind, as the workers load it
from zoneinfo import ZoneInfo
from django.core.mail import get_connection
from reminders import emails
from reminders.models import Reminder
rows = list(Reminder.objects.select_related("vendor").order_by("pk"))
zone = ZoneInfo("Europe/London")
mail = get_connection()
mail.open()
started = time.monotonic()
delays = []
for row in rows:
    mail.send_messages([emails.reminder_message(row, zone=zone)])
    delays.append(time.monotonic() - started)
mail.close()
print(json.dumps(delays))
"""


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def received(folder: Path) -> dict[int, int]:
    import re
    counts: dict[int, int] = {}
    for path in folder.glob("*"):
        for ids in re.findall(r"^X-Vendorgov-Reminders: ([\d,]+)", path.read_text(),
                              re.MULTILINE):
            for i in ids.split(","):
                counts[int(i)] = counts.get(int(i), 0) + 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--count", type=int, default=COUNT)
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database (a role with CREATEDB).")
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    work = Path(tempfile.mkdtemp(prefix="vendorgov-reminders-bench-"))
    name = f"{base.rsplit('/', 1)[1]}_rbench_{secrets.token_hex(3)}"
    url = f"{base.rsplit('/', 1)[0]}/{name}"
    redis = Redis(work)
    workers: list[subprocess.Popen] = []
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vendorgov.settings.local",
           "DATABASE_URL": url, "VAR_DIR": str(work / "var"), "REDIS_URL": redis.url,
           "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
           "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    admin = [shutil.which("psql") or "psql", base, "-q", "-v", "ON_ERROR_STOP=1", "-c"]
    failures = []
    try:
        subprocess.run([*admin, f'CREATE DATABASE "{name}"'], check=True)
        redis.start()
        log(f"migrating {name}")
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        prepared = django(env, PREPARE.format(count=args.count))
        log(f"{prepared['open']} open action items; starting two workers")
        for n in range(2):
            log_file = open(work / f"worker{n}.log", "w")  # noqa: SIM115
            workers.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "vendorgov", "worker", "-l", "warning",
                 "-c", "1", "-I", "tests.reminders.fault_kinds",
                 "-n", f"bench{n}-{uuid.uuid4().hex[:6]}@%h"],
                cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                start_new_session=True))
        time.sleep(8)  # both workers up and connected
        due_at = datetime.fromtimestamp(time.time() + LEAD, UTC).replace(microsecond=0)
        django(env, AIM.format(due_at=due_at.isoformat(), due_on=prepared["due_on"]))
        log(f"swept; all {args.count} due at {due_at:%H:%M:%S} UTC")
        done = wait_until(lambda: django(env, PROGRESS)["sent"] >= args.count, LEAD + 300,
                          step=2)
        if done is None:
            failures.append("not every reminder was sent within five minutes of T")
        delays = [d for _, d, s in django(env, DELAYS) if d is not None]
        counts = received(work / "var" / "mail")
        duplicates = sum(1 for n in counts.values() if n > 1)
        log("baseline: the raw send loop")
        baseline = django({**env, "EMAIL_FILE_PATH": str(work / "baseline")}, BASELINE)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        if redis._ping():
            redis.stop(nosave=True)
        subprocess.run([*admin, f'DROP DATABASE IF EXISTS "{name}"'], check=False)
        shutil.rmtree(work, ignore_errors=True)

    p50, p99, worst = percentile(delays, 50), percentile(delays, 99), max(delays)
    b50, b99 = percentile(baseline, 50), percentile(baseline, 99)
    table = (f"| path | reminders | p50 | p99 | max | duplicates |\n"
             f"|---|---:|---:|---:|---:|---:|\n"
             f"| sweep → 2 workers (claims, handing marks) | {len(delays)} | {p50:.2f} s | "
             f"{p99:.2f} s | {worst:.2f} s | {duplicates} |\n"
             f"| baseline: raw send loop, one process | {len(baseline)} | {b50:.2f} s | "
             f"{b99:.2f} s | {max(baseline):.2f} s | – |\n"
             f"| ratio (engine / baseline) | | {p50 / b50:.1f}x | {p99 / b99:.1f}x | | |\n")
    print()
    print(table)
    if p99 > 5:
        failures.append(f"p99 {p99:.2f} s > 5 s")
    if duplicates:
        failures.append(f"{duplicates} duplicates")
    if len(delays) != args.count:
        failures.append(f"{len(delays)} of {args.count} handed to the mail backend")
    if not args.no_record:
        load = os.getloadavg()[0]
        record(table, load, failures)
    for failure in failures:
        print(f"FAILED: {failure}")
    return 1 if failures else 0


def record(table: str, load: float, failures) -> None:
    results = ROOT / "bench" / "RESULTS.md"
    text = results.read_text()
    section = (
        "## Reminder delivery (`bench/reminders_delivery.py`)\n\n"
        "    DATABASE_URL=postgres://vendorgov@127.0.0.1:55432/<db> "
        ".venv/bin/python bench/reminders_delivery.py\n\n"
        f"1,000 reminders due at one moment T, recorded ahead by one sweep, sent by two Celery "
        f"workers (one process each) on a private Redis and a scratch PostgreSQL database; delay "
        f"from T to each email's hand-over to the mail backend (Django's file backend). "
        f"Last run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average "
        f"{load:.1f} on the 2 cores.\n\n{table}\n"
        + ("Goals met: p99 ≤ 5 s, 0 duplicates.\n" if not failures else
           "Goals missed: " + "; ".join(failures) + ".\n") + "\n")
    marker = "## Reminder delivery"
    if marker in text:
        start = text.index(marker)
        end = text.index("\n## ", start + 1)
        text = text[:start] + section + text[end + 1:]
    else:
        text = text.replace("## History", section + "## History", 1)
    results.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
