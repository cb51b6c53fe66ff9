"""Fault script: the whole site under load while its parts are killed and restarted.

    .venv/bin/python bench/faults.py            (about four minutes)
    .venv/bin/python bench/faults.py --short    (about a minute; tests/infra/test_faults.py)

It needs no running services: it starts a throwaway PostgreSQL cluster (initdb and pg_ctl
from /usr/lib/postgresql/*/bin, as the `postgres` user when run as root, as .ci/run does)
and an append-only Redis, each on a free port, migrates a fresh database, and runs
`manage.py serve` (the supervisor: gunicorn, a Celery worker and beat) against them with
production settings. Then, under load:

* writers submit single SLA measurements through the API with a vendor token, each with an
  external id of its own, and record every write the API confirmed (201, or 200 for an id it
  already had); a write that failed is retried with the same id, as a client would;
* readers fetch pages as a signed-in manager and API lists with the token;
* the faults, one after another, each once the site has recovered from the one before:
  the worker SIGKILLed (repeatedly), Redis restarted, PostgreSQL restarted
  (`pg_ctl restart -m fast`).

It checks that every write the API confirmed is in the database exactly once (nothing lost,
nothing duplicated), that the site recovered by itself within seconds of each fault
(/healthz/ 200 again; the worker and beat alive again, i.e. a heartbeat task sent by beat
after the fault was run by the worker), that no request failed once the faults were over,
and that a task sent after the faults runs. It prints a summary and exits non-zero on any
failure. The API throttles are switched off (the writers are one token) and the heartbeat
is every 2 seconds, so recovery is seen within seconds rather than minutes.
"""

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB_RECOVERY = 15.0  # seconds: /healthz/ answers 200 again after a fault
WORKER_RECOVERY = 45.0  # seconds: worker restarted (back-off + boot) and running tasks again
HEARTBEAT = 2  # seconds between beat's heartbeat tasks during the run
# Seconds a task sent after the faults may take: it waits behind the evaluations the
# writes queued (one per write: see the summary's "tasks queued").
TASK_TIMEOUT = 300


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log(message: str) -> None:
    print(f"[faults {time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------------------------------
# The services, private to this run.


class Postgres:
    """A throwaway cluster on a free port; run as `postgres` when we are root."""

    def __init__(self, work: Path):
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                      key=lambda p: [int(x) for x in p.parent.name.split(".") if x.isdigit()])
        found = shutil.which("pg_ctl")
        self.bin = bins[-1] if bins else (Path(found).parent if found else None)
        if self.bin is None:
            raise SystemExit("PostgreSQL's server binaries were not found "
                             "(apt-get install postgresql).")
        self.data, self.port = work / "pg", free_port()
        self.url = f"postgres://vendorgov@127.0.0.1:{self.port}/vendorgov"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def run(self, *argv, check=True):
        return subprocess.run([*self.as_user, str(self.bin / argv[0]), *argv[1:]], check=check,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def start(self):
        self.data.mkdir(mode=0o700)
        if self.as_user:
            shutil.chown(self.data, "postgres", "postgres")
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                 "--encoding=UTF8", "--locale=C.UTF-8")
        self.run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.data / "server.log"),
                 "start", "-o", f"-c listen_addresses=127.0.0.1 -p {self.port} "
                                f"-k {self.data} -c max_connections=100")
        subprocess.run([str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port),
                        "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q",
                        "-c", "CREATE ROLE vendorgov LOGIN CREATEDB",
                        "-c", "CREATE DATABASE vendorgov OWNER vendorgov"],
                       check=True, stdout=subprocess.DEVNULL)

    def restart(self):
        self.run("pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "restart")

    def stop(self):
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.data), "-w", "-m", "immediate", "stop",
                     check=False)

    def query(self, sql: str) -> list[tuple]:
        out = subprocess.run([str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port),
                              "-U", "vendorgov", "-d", "vendorgov", "-At", "-F", "\t",
                              "-v", "ON_ERROR_STOP=1", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]


class Redis:
    """Append-only, like production: what it acknowledged survives its restart."""

    def __init__(self, work: Path):
        self.dir, self.port = work / "redis", free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.server = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.cli = shutil.which("redis-cli") or "/usr/bin/redis-cli"

    def start(self):
        self.dir.mkdir(exist_ok=True)
        subprocess.run([self.server, "--port", str(self.port), "--bind", "127.0.0.1",
                        "--daemonize", "yes", "--dir", str(self.dir), "--appendonly", "yes",
                        "--save", "", "--pidfile", str(self.dir / "redis.pid"),
                        "--logfile", str(self.dir / "redis.log")], check=True)
        self._wait(up=True)

    def stop(self, nosave=False):
        subprocess.run([self.cli, "-p", str(self.port), "shutdown",
                        *(["nosave"] if nosave else [])], capture_output=True)
        self._wait(up=False)

    def queue_length(self) -> int:
        out = subprocess.run([self.cli, "-p", str(self.port), "llen", "celery"],
                             capture_output=True, text=True).stdout.strip()
        return int(out) if out.isdigit() else -1

    def _ping(self) -> bool:
        return subprocess.run([self.cli, "-p", str(self.port), "ping"],
                              capture_output=True).returncode == 0

    def _wait(self, up: bool, timeout=20):
        deadline = time.monotonic() + timeout
        while self._ping() != up:
            if time.monotonic() > deadline:
                raise RuntimeError(f"Redis did not {'start' if up else 'stop'}")
            time.sleep(0.1)


# ---------------------------------------------------------------------------------------
# HTTP


class Site:
    def __init__(self, port: int, plan: dict):
        self.port, self.plan = port, plan

    def request(self, method, path, body=None, auth=False, session=False, timeout=15):
        headers = {"Accept": "application/json" if auth else "text/html"}
        if auth:
            headers["Authorization"] = f"Bearer {self.plan['token']}"
        if session:
            headers["Cookie"] = f"{self.plan['cookie_name']}={self.plan['session']}"
        if body is not None:
            body = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def status(self, path, **kwargs) -> int:
        try:
            return self.request("GET", path, **kwargs)[0]
        except OSError:
            return 0

    def worker_seen_at(self) -> str | None:
        try:
            status, body = self.request("GET", "/healthz/worker/", timeout=5)
            return json.loads(body).get("seen_at") if status == 200 else None
        except (OSError, ValueError):
            return None


@dataclass
class Load:
    """The load generator's record: confirmed writes, and every request's outcome by time."""

    confirmed: dict[str, int] = field(default_factory=dict)  # external id -> HTTP status
    outcomes: list[tuple[float, str, int]] = field(default_factory=list)  # (t, what, status)
    retried: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def note(self, what: str, status: int):
        with self.lock:
            self.outcomes.append((time.monotonic(), what, status))


def writer(site: Site, load: Load, number: int, run: str):
    pairs, n = site.plan["pairs"], 0
    while not load.stop.is_set():
        level, start = pairs[(number * 7919 + n) % len(pairs)]
        external_id = f"fault-{run}-{number}-{n}"
        row = {"service_level": level, "window_start": start, "value": 99.5,
               "external_id": external_id}
        while True:  # until the API confirms it, or the run ends with it unconfirmed
            try:
                status, _ = site.request("POST", "/api/v1/sla-measurements/", body=row,
                                         auth=True)
            except OSError:
                status = 0
            load.note("write", status)
            if status in (200, 201):
                with load.lock:
                    load.confirmed[external_id] = status
                break
            if load.stop.is_set():
                break
            with load.lock:
                load.retried += 1
            time.sleep(0.2)
        n += 1
        time.sleep(0.05)


def reader(site: Site, load: Load, number: int):
    slug = site.plan["slug"]
    paths = [("/", {"session": True}), (f"/vendors/{slug}/", {"session": True}),
             ("/slas/", {"session": True}), ("/api/v1/sla-measurements/", {"auth": True}),
             ("/api/v1/slas/", {"auth": True})]
    n = number
    while not load.stop.is_set():
        path, kwargs = paths[n % len(paths)]
        load.note(f"read {path}", site.status(path, **kwargs))
        n += 1
        time.sleep(0.1)


# ---------------------------------------------------------------------------------------
# Faults


def wait_until(condition, timeout: float, step=0.2) -> float | None:
    """Seconds until `condition()` held, or None if it never did within `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(step)
    return None


def children(pid: int) -> list[int]:
    """Child processes of `pid`, read from /proc (no procps needed)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (in parentheses) may hold spaces: the ppid follows its ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def worker_pid(serve_pid: int) -> int | None:
    for pid in children(serve_pid):
        line = cmdline(pid)
        if "celery" in line and " worker " in line:
            return pid
    return None


@dataclass
class Fault:
    name: str
    started: float = 0.0
    ended: float = 0.0
    web_recovery: float | None = None
    worker_recovery: float | None = None
    problems: list[str] = field(default_factory=list)
    killed_pid: int | None = None


def recover(site: Site, serve: subprocess.Popen, fault: Fault) -> None:
    """Measure how long the site takes to be whole again after `fault`: the web answers
    /healthz/ 200, and the worker ran a heartbeat task beat sent after the fault."""
    # From the kill for a worker (the supervisor's back-off counts), from the moment the
    # service is back for a restart (its own downtime is the fault, not the site's).
    since = fault.ended
    before = time.time() - (time.monotonic() - since)
    if fault.killed_pid is not None:
        # The killed worker's pool processes live until the supervisor reaps its group
        # (within a fraction of a second): a task they finish then is no recovery.
        before += 1.0
    web = wait_until(lambda: site.status("/healthz/") == 200, WEB_RECOVERY + 30)
    fault.web_recovery = None if web is None else time.monotonic() - since

    def worker_back():
        seen = site.worker_seen_at()
        if seen is None:
            return False
        from datetime import datetime
        return datetime.fromisoformat(seen).timestamp() > before

    waited = wait_until(worker_back, WORKER_RECOVERY + 30, step=0.5)
    fault.worker_recovery = None if waited is None else time.monotonic() - since
    if fault.killed_pid is not None and worker_pid(serve.pid) in (None, fault.killed_pid):
        fault.problems.append("the supervisor did not start a new worker")
    if fault.web_recovery is None or fault.web_recovery > WEB_RECOVERY:
        fault.problems.append(f"web not healthy within {WEB_RECOVERY:.0f}s "
                              f"({fault.web_recovery})")
    if fault.worker_recovery is None or fault.worker_recovery > WORKER_RECOVERY:
        fault.problems.append(f"worker not running tasks within {WORKER_RECOVERY:.0f}s "
                              f"({fault.worker_recovery})")
    web = "never" if fault.web_recovery is None else f"{fault.web_recovery:.1f}s"
    ready = "never" if fault.worker_recovery is None else f"{fault.worker_recovery:.1f}s"
    log(f"  {fault.name}: web healthy after {web}, worker running tasks after {ready}")


def kill_worker(site: Site, serve: subprocess.Popen, fault: Fault) -> None:
    pid = worker_pid(serve.pid)
    if pid is None:
        fault.problems.append("no worker process to kill")
        return
    log(f"SIGKILL worker pid {pid}")
    os.kill(pid, signal.SIGKILL)
    fault.killed_pid = pid


def restart_redis(redis: Redis):
    log("restarting Redis")
    redis.stop()
    time.sleep(1)
    redis.start()


def restart_postgres(postgres: Postgres):
    log("restarting PostgreSQL (pg_ctl restart -m fast)")
    postgres.restart()


# ---------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true",
                        help="two worker kills, one Redis and one PostgreSQL restart")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    args = parser.parse_args()

    # A SIGTERM (a CI timeout, Ctrl-C's cousin) still runs the clean-up below.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    work = Path(tempfile.mkdtemp(prefix="vendorgov-faults-"))
    work.chmod(0o755)  # the postgres user must reach its data folder inside
    postgres, redis = Postgres(work), Redis(work)
    serve = None
    failures = ["did not finish"]
    try:
        log(f"starting PostgreSQL ({postgres.bin.parent.name}) and Redis in {work}")
        postgres.start()
        redis.start()
        env = site_env(postgres, redis, work)
        log("migrating and preparing the data")
        subprocess.run([sys.executable, __file__, "--prepare", str(work / "plan.json")],
                       env=env, cwd=ROOT, check=True)
        plan = json.loads((work / "plan.json").read_text())
        port = free_port()
        serve_log = open(work / "serve.log", "w")  # noqa: SIM115 (closed with the process)
        serve = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--no-logins", "--grace", "10"],
            cwd=ROOT, env=env, stdout=serve_log, stderr=subprocess.STDOUT,
            start_new_session=True)
        site = Site(port, plan)
        if wait_until(lambda: site.status("/healthz/") == 200, 120) is None:
            raise RuntimeError("the site never became healthy")
        if wait_until(lambda: site.worker_seen_at() is not None, 120) is None:
            raise RuntimeError("the worker never started")
        log(f"site up on port {port} (manage.py serve pid {serve.pid})")
        failures = run_faults(args, site, serve, postgres, redis, env)
    except Exception as error:
        failures = [f"{type(error).__name__}: {error}"]
    finally:
        if serve is not None and serve.poll() is None:
            serve.send_signal(signal.SIGTERM)
            try:
                serve.wait(timeout=60)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(serve.pid, signal.SIGKILL)
        if failures and (work / "serve.log").exists():
            tail = (work / "serve.log").read_text(errors="replace")[-4000:]
            print(f"--- last lines of manage.py serve's log:\n{tail}\n---")
        if redis._ping():
            redis.stop(nosave=True)
        postgres.stop()
        if args.keep:
            log(f"logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("FAILED:")
        for failure in failures:
            print(f"  - {failure}")
    return 1 if failures else 0


def site_env(postgres: Postgres, redis: Redis, work: Path) -> dict:
    env = {**os.environ,
           "DJANGO_SETTINGS_MODULE": "vendorgov.settings.production",
           "DATABASE_URL": postgres.url, "REDIS_URL": redis.url, "VAR_DIR": str(work / "var"),
           "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1,localhost",
           "SECURE_SSL_REDIRECT": "False", "LOG_LEVEL": "WARNING",
           "CELERY_LOG_LEVEL": "warning", "HEARTBEAT_SECONDS": str(HEARTBEAT),
           "API_RATE_PER_TOKEN": "none", "API_RATE_ANONYMOUS": "none",
           "API_ROWS_PER_TOKEN": "none", "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def run_faults(args, site: Site, serve, postgres: Postgres, redis: Redis,
               env: dict) -> list[str]:
    load, run = Load(), secrets.token_hex(3)
    threads = [threading.Thread(target=writer, args=(site, load, i, run), daemon=True)
               for i in range(args.writers)]
    threads += [threading.Thread(target=reader, args=(site, load, i), daemon=True)
                for i in range(args.readers)]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    calm = 5 if args.short else 20
    time.sleep(calm)

    plan = ["worker", "worker", "redis", "postgres"]
    if not args.short:
        plan = ["worker", "worker", "worker", "redis", "worker", "postgres", "redis",
                "postgres", "worker"]
    faults = []
    for name in plan:
        fault = Fault({"worker": "worker SIGKILL", "redis": "Redis restart",
                       "postgres": "PostgreSQL restart"}[name])
        fault.started = time.monotonic()
        if name == "worker":
            kill_worker(site, serve, fault)
        elif name == "redis":
            restart_redis(redis)
        else:
            restart_postgres(postgres)
        fault.ended = time.monotonic()
        recover(site, serve, fault)
        faults.append(fault)
        time.sleep(2 if args.short else 8)
    faults_over = time.monotonic()
    time.sleep(calm)  # load on a recovered site: nothing may fail now
    load.stop.set()
    for thread in threads:
        thread.join(timeout=30)
    stopped = time.monotonic()

    return check(site, serve, postgres, redis, env, load, run, faults, started=started,
                 faults_over=faults_over, stopped=stopped,
                 serve_log_file=Path(env["VAR_DIR"]).parent / "serve.log")


def check(site, serve, postgres, redis, env, load, run, faults, *, started, faults_over,
          stopped, serve_log_file: Path) -> list[str]:
    failures = [f"{f.name}: {p}" for f in faults for p in f.problems]

    # Nothing lost, nothing duplicated.
    rows = postgres.query("SELECT external_id, count(*) FROM sla_measurement "
                          f"WHERE external_id LIKE 'fault-{run}-%' GROUP BY external_id")
    stored = {external_id: int(count) for external_id, count in rows}
    lost = sorted(set(load.confirmed) - set(stored))
    duplicated = sorted(i for i, n in stored.items() if n > 1)
    if lost:
        failures.append(f"{len(lost)} confirmed writes are not in the database: {lost[:5]}")
    if duplicated:
        failures.append(f"{len(duplicated)} external ids stored twice: {duplicated[:5]}")

    # Once the faults were over, nothing failed.
    after = [(what, status) for t, what, status in load.outcomes
             if t > faults_over and status not in (200, 201)]
    if after:
        failures.append(f"{len(after)} requests failed after the faults: {after[:5]}")
    during = [(what, status) for t, what, status in load.outcomes
              if t <= faults_over and status not in (200, 201)]
    server_errors = sum(1 for _, status in during if status >= 500)

    # A task sent now runs (behind whatever the load queued), and the site is whole.
    backlog = redis.queue_length()
    sent = time.monotonic()
    task = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from vendorgov.tasks import heartbeat; "
         f"print(heartbeat.delay('faults').get(timeout={TASK_TIMEOUT})['source'])"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=TASK_TIMEOUT + 60)
    task_seconds = time.monotonic() - sent
    task_ran = task.returncode == 0 and task.stdout.strip().endswith("faults")
    if not task_ran:
        failures.append(f"a task sent after the faults did not run: {task.stderr[-500:]}")
    for path in ("/healthz/", "/healthz/worker/", "/healthz/beat/"):
        if (status := site.status(path)) != 200:
            failures.append(f"{path} answers {status} after the faults")
    if serve.poll() is not None:
        failures.append(f"manage.py serve exited with {serve.returncode}")
    # Exits of the worker or beat that were not our SIGKILLs: recovered from by the
    # supervisor (checked above), but each one is a crash worth reading in the log.
    kills = sum(1 for f in faults if f.name == "worker SIGKILL")
    serve_log = serve_log_file.read_text(errors="replace")
    exits = {name: len(re.findall(rf"\] {name} exited with code (?!-9;)", serve_log))
             for name in ("worker", "beat", "web")}
    exits["worker"] += max(0, serve_log.count("worker exited with code -9;") - kills)

    writes = [s for _, what, s in load.outcomes if what == "write"]
    reads = [s for _, what, s in load.outcomes if what != "write"]
    print()
    print(f"Fault run: {stopped - started:.0f}s of load, {len(faults)} faults")
    again = sum(1 for s in load.confirmed.values() if s == 200)
    print(f"  writes: {len(load.confirmed)} confirmed ({again} confirmed as already stored "
          f"after a retry), {len(writes)} attempts, "
          f"{load.retried} retries")
    print(f"  reads: {len(reads)}, of which {sum(1 for s in reads if s == 200)} answered 200")
    print(f"  in the database: {len(stored)} of the confirmed ids' rows found, "
          f"{len(lost)} lost, {len(duplicated)} duplicated")
    print(f"  requests that failed during the faults: {len(during)} "
          f"({server_errors} 5xx, {sum(1 for _, s in during if s == 0)} refused or timed out);"
          f" after them: {len(after)}")
    print(f"  {'fault':<22}{'web healthy after':>19}{'worker runs tasks after':>25}")
    for f in faults:
        web = "-" if f.web_recovery is None else f"{f.web_recovery:.1f}s"
        worker = "-" if f.worker_recovery is None else f"{f.worker_recovery:.1f}s"
        print(f"  {f.name:<22}{web:>19}{worker:>25}")
    print(f"  tasks queued when the load stopped: {backlog}")
    print(f"  a task sent after the faults ran: {'yes' if task_ran else 'NO'} "
          f"({task_seconds:.0f}s, behind that queue)")
    crashes = ", ".join(f"{name} {n}" for name, n in exits.items() if n)
    print(f"  exits the supervisor restarted, besides our {kills} SIGKILLs: {crashes or 'none'}")
    if not failures:
        print("OK: no confirmed write lost or duplicated; the site recovered by itself each time.")
    return failures


# ---------------------------------------------------------------------------------------
# Run in a subprocess (--prepare): Django set up against the private services.


def prepare(plan_file: Path) -> None:
    """Migrate, then make what the load needs: a vendor with a weekly SLA, a vendor user with
    an API token, a signed-in vendor manager, and collected static files."""
    import django

    django.setup()
    from datetime import date, timedelta
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import ApiToken
    from sla import rules
    from sla.models import SLA, ServiceLevel, SLAVersion
    from vendorgov.roles import Role
    from vendors.models import Contract, Vendor

    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    users = get_user_model().objects
    vendor = Vendor.objects.create(name="Fault Vendor", slug="fault-vendor", status="active")
    integration = users.create_user(username="integration", password=None,
                                    role=Role.VENDOR_USER, vendor=vendor)
    token, raw = ApiToken.issue(user=integration, name="faults")
    token.save()
    manager = users.create_user(username="manager", password=None, role=Role.VENDOR_MANAGER)
    client = Client()
    client.force_login(manager)
    contract = Contract.objects.create(vendor=vendor, reference="F-1", title="Faults",
                                       start_date=date(2020, 1, 1), end_date=date(2099, 1, 1),
                                       value=1)
    sla = SLA.objects.create(vendor=vendor, contract=contract, reference="FAULTS",
                             name="Faults", review_due_on=date(2099, 1, 1))
    version = SLAVersion.objects.create(sla=sla, number=1, status="effective",
                                        effective_from=date(2020, 1, 6),
                                        monthly_charge=Decimal(1000))
    levels = [ServiceLevel.objects.create(
        version=version, key=f"level-{i}", name=f"Level {i}", measured="faults",
        unit="percent", comparator="gte", target=Decimal("99"), breach_threshold=Decimal("98"),
        window="weekly") for i in range(3)]
    windows = rules.windows_ending_between("weekly", version.effective_from,
                                           date.today() - timedelta(days=1))
    plan_file.write_text(json.dumps({
        "token": raw, "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "cookie_name": settings.SESSION_COOKIE_NAME, "slug": vendor.slug,
        "pairs": [[sl.pk, w.isoformat()] for sl in levels for w in windows]}))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--prepare":
        sys.path.insert(0, str(ROOT))
        prepare(Path(sys.argv[2]))
    else:
        sys.exit(main())
