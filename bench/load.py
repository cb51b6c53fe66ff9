"""Load test: 50 simulated users against gunicorn + PostgreSQL + Redis on loopback.

    DATABASE_URL=postgres://user@host:5432/db .venv/bin/python bench/load.py
    (or: make load, which installs the `bench` extra: locust)

It starts a Redis of its own (redis-server on a free port, append-only) and prepares a
scratch database next to DATABASE_URL's (the role needs CREATEDB; dropped at the end):
migrations, the demo portfolio (`load_demo --if-empty`), an API token for each vendor user
and signed-in sessions for the managers. Then, for each serving configuration
asked for (--configs; by default the one gunicorn.conf.py chooses), it starts gunicorn
exactly as production does (production settings, ./gunicorn.conf.py, WEB_CONCURRENCY and
WEB_THREADS from the environment) and runs locust (bench/locustfile.py) headless for a fixed
duration: managers browse dashboard pages (home, a vendor, the SLA and scorecard portfolios,
reviews, a meeting), vendor users read the API and post bulk SLA measurements with their
tokens, and two probes call /healthz/ like a load balancer.

The API's throttles are switched off for the run (API_RATE_PER_TOKEN, API_RATE_ANONYMOUS and
API_ROWS_PER_TOKEN set to "none"): a few tokens making all the traffic would otherwise be
throttled, which is the throttle working, not the load being served.

It prints, per configuration, throughput, p50/p95/p99 per endpoint and the error count next
to /healthz/'s figures from the same run, with each endpoint's p95 as a multiple of
/healthz/'s; 5xx are counted from gunicorn's access log. It exits non-zero on any error.
Locust runs in its own process: it monkeypatches the standard library with gevent, which
Django, psycopg2 and gunicorn must not see.
"""

import argparse
import csv
import io
import json
import os
import re
import runpy
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from faults import Redis  # noqa: E402 (bench/ is not a package)

PLAN_VERSION = 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def parse_config(text: str) -> dict:
    """'3x4' = 3 processes of 4 threads; '2x1' = 2 sync workers; '@0' sets CONN_MAX_AGE."""
    match = re.fullmatch(r"(\d+)x(\d+)(?:@(\d+))?", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r}: expected WORKERSxTHREADS[@CONN_MAX_AGE]")
    workers, threads, age = match.groups()
    config = {"label": text.strip(), "WEB_CONCURRENCY": workers, "WEB_THREADS": threads}
    if age is not None:
        config["CONN_MAX_AGE"] = age
    return config


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=int, default=60, help="seconds per configuration")
    parser.add_argument("--configs", default="",
                        help="comma-separated WORKERSxTHREADS[@CONN_MAX_AGE], e.g. 2x1,2x4,3x4@0;"
                             " default: gunicorn.conf.py's (WEB_CONCURRENCY/WEB_THREADS)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to a PostgreSQL database (its role needs CREATEDB).")
        return 2
    configs = [parse_config(c) for c in args.configs.split(",") if c.strip()] or [
        {"label": "default"}]

    work = Path(tempfile.mkdtemp(prefix="vendorgov-load-"))
    db_name = f"vendorgov_load_{os.getpid()}"
    # A Redis of its own (append-only, as in production): the writes queue thousands of
    # evaluation tasks, which must not be left in anybody's broker for their worker.
    redis = Redis(work)
    redis.start()
    env = bench_env(database_url, db_name, work, redis.url)
    print(f"Preparing the scratch database {db_name} (migrations, demo portfolio)…", flush=True)
    started = time.monotonic()
    plan_file = work / "plan.json"
    try:
        subprocess.run([sys.executable, __file__, "--prepare", str(plan_file)], env=env,
                       cwd=ROOT, check=True)
        print(f"  ready in {time.monotonic() - started:.0f}s", flush=True)
        results = []
        for config in configs:
            results.append(run_config(config, args, env, work, plan_file))
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
        if len(results) > 1:
            print_comparison(results)
        return 0 if all(r["errors"] == 0 and r["5xx"] == 0 for r in results) else 1
    finally:
        subprocess.run([sys.executable, __file__, "--drop"], env=env, cwd=ROOT)
        redis.stop(nosave=True)
        shutil.rmtree(work, ignore_errors=True)


def bench_env(database_url: str, db_name: str, work: Path, redis_url: str) -> dict:
    """Production settings against the scratch database, throttles off (see the docstring)."""
    url = urllib.parse.urlsplit(database_url)
    scratch = urllib.parse.urlunsplit(url._replace(path=f"/{db_name}"))
    env = {**os.environ,
           "DJANGO_SETTINGS_MODULE": "vendorgov.settings.production",
           "DATABASE_URL": scratch, "REDIS_URL": redis_url,
           "BENCH_ADMIN_DATABASE_URL": database_url,
           "BENCH_DB_NAME": db_name, "VAR_DIR": str(work),
           # One key for the process that signs the sessions in and the server checking them.
           "SECRET_KEY": secrets.token_urlsafe(50),
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "False",
           "API_RATE_PER_TOKEN": "none", "API_RATE_ANONYMOUS": "none",
           "API_ROWS_PER_TOKEN": "none", "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def run_config(config: dict, args, env: dict, work: Path, plan_file: Path) -> dict:
    label = config["label"]
    env = {**env, **{k: v for k, v in config.items() if k != "label"}}
    port = free_port()
    access_log = work / f"access-{label}.log"
    access_log.unlink(missing_ok=True)
    # The same command `manage.py serve` runs: the serving model comes from gunicorn.conf.py.
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "vendorgov.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", str(access_log),
         "--no-control-socket"],
        cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, server)
        model = describe_model(env)
        print(f"\n=== {label}: gunicorn {model}, CONN_MAX_AGE="
              f"{env.get('CONN_MAX_AGE', '60 (default)')}; {args.users} users, "
              f"{args.duration}s", flush=True)
        prefix = work / f"stats-{label}"
        locust = subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
             "--headless", "--host", base, "--users", str(args.users),
             "--spawn-rate", str(args.spawn_rate), "--run-time", f"{args.duration}s",
             "--csv", str(prefix), "--only-summary", "--reset-stats", "--loglevel", "WARNING",
             "--exit-code-on-error", "0"],
            cwd=ROOT, env={**env, "LOAD_PLAN": str(plan_file)}, capture_output=True,
            text=True)
        if locust.returncode != 0:
            print(locust.stdout[-3000:], locust.stderr[-3000:])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    result = read_stats(prefix, access_log)
    result.update(label=label, model=model, conn_max_age=env.get("CONN_MAX_AGE", "60"),
                  users=args.users, duration=args.duration)
    print_result(result)
    return result


def wait_healthy(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/healthz/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not become healthy in time")


def describe_model(env: dict) -> str:
    """The serving model gunicorn.conf.py chose for this environment."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return f"{conf['workers']} x {conf['worker_class']}, {conf['threads']} threads"


def read_stats(prefix: Path, access_log: Path) -> dict:
    with open(f"{prefix}_stats.csv") as stats:
        rows = list(csv.DictReader(stats))
    endpoints = []
    for row in rows:
        endpoints.append({
            "name": row["Name"], "method": row["Type"],
            "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
            "rps": float(row["Requests/s"]), "p50": num(row["50%"]), "p95": num(row["95%"]),
            "p99": num(row["99%"]), "max": num(row["Max Response Time"])})
    with open(f"{prefix}_failures.csv") as failed:
        failures = list(csv.DictReader(failed))
    statuses: dict[str, int] = {}
    for line in access_log.read_text().splitlines():
        found = re.search(r'" (\d{3}) ', line)
        if found:
            statuses[found.group(1)] = statuses.get(found.group(1), 0) + 1
    total = next(e for e in endpoints if e["name"] == "Aggregated")
    return {"endpoints": [e for e in endpoints if e["name"] != "Aggregated"],
            "total": total, "errors": total["failures"],
            "failures": [f"{f['Method']} {f['Name']}: {f['Error']} x{f['Occurrences']}"
                         for f in failures],
            "statuses": statuses,
            "5xx": sum(n for code, n in statuses.items() if code.startswith("5"))}


def num(text: str) -> float:
    return float(text) if text not in ("", "N/A") else 0.0


def print_result(result: dict) -> None:
    health = next((e for e in result["endpoints"] if e["name"] == "/healthz/"), None)
    base_p95 = health["p95"] if health and health["p95"] else None
    print(f"{'endpoint':<34}{'reqs':>7}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}"
          f"{'errors':>8}{'p95 / healthz':>15}")
    for e in sorted(result["endpoints"], key=lambda e: -e["p95"]):
        ratio = f"{e['p95'] / base_p95:.1f}x" if base_p95 else "-"
        print(f"{e['method'] + ' ' + e['name']:<34}{e['requests']:>7}{e['rps']:>8.1f}"
              f"{e['p50']:>7.0f}{e['p95']:>7.0f}{e['p99']:>7.0f}{e['failures']:>8}{ratio:>15}")
    t = result["total"]
    print(f"{'all':<34}{t['requests']:>7}{t['rps']:>8.1f}{t['p50']:>7.0f}{t['p95']:>7.0f}"
          f"{t['p99']:>7.0f}{t['failures']:>8}")
    print(f"(milliseconds) errors: {result['errors']}, 5xx: {result['5xx']}, "
          f"statuses: {dict(sorted(result['statuses'].items()))}")
    for failure in result["failures"][:10]:
        print(f"  {failure}")


def print_comparison(results: list[dict]) -> None:
    print("\n=== Serving models compared (same database, same machine, one after another)")
    print(f"{'config':<10}{'gunicorn':<34}{'req/s':>7}{'p95 all':>9}{'healthz p95':>13}"
          f"{'worst p95':>11}{'errors':>8}{'5xx':>5}")
    for r in results:
        health = next((e["p95"] for e in r["endpoints"] if e["name"] == "/healthz/"), 0)
        worst = max((e["p95"] for e in r["endpoints"]), default=0)
        print(f"{r['label']:<10}{r['model']:<34}{r['total']['rps']:>7.1f}"
              f"{r['total']['p95']:>9.0f}{health:>13.0f}{worst:>11.0f}{r['errors']:>8}"
              f"{r['5xx']:>5}")


# ---------------------------------------------------------------------------------------
# Run in a subprocess of its own (--prepare, --drop): Django, no gevent.


def prepare(plan_file: Path) -> None:
    """Create and migrate the scratch database, load the demo, sign the users in."""
    import django
    import psycopg2
    from psycopg2 import sql

    create_database(psycopg2, sql)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_demo", "--if-empty", verbosity=0, stdout=io.StringIO())
    call_command("collectstatic", "--noinput", verbosity=0)
    plan_file.write_text(json.dumps(make_plan()))


def create_database(psycopg2, sql) -> None:
    admin = psycopg2.connect(os.environ["BENCH_ADMIN_DATABASE_URL"])
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(
            sql.Identifier(os.environ["BENCH_DB_NAME"])))
    admin.close()


def drop() -> None:
    import psycopg2
    from psycopg2 import sql

    admin = psycopg2.connect(os.environ["BENCH_ADMIN_DATABASE_URL"])
    admin.autocommit = True
    name = os.environ["BENCH_DB_NAME"]
    with admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = %s", [name])
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    admin.close()


def make_plan() -> dict:
    """What the simulated users need: session cookies for the managers, a token and valid
    (service level, window) pairs for each vendor user, and the pages to visit."""
    from datetime import date, timedelta

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from accounts.models import ApiToken
    from governance.models import Meeting
    from sla import rules
    from sla.models import ServiceLevel
    from vendorgov.roles import Role
    from vendors import access
    from vendors.demo import PEOPLE

    users = get_user_model().objects
    managers = [p.username for p in PEOPLE
                if p.role in (Role.VENDOR_MANAGER, Role.LINE_MANAGER)]
    sessions = []
    for username in managers:
        user = users.get(username=username)
        # The vendors and meetings this manager may see: a page of another vendor is a 404.
        visible = access.vendors(user).filter(archived_at__isnull=True)
        slugs = sorted(visible.values_list("slug", flat=True))
        meetings = [{"slug": slug, "pk": pk} for slug, pk in Meeting.objects.filter(
            vendor__in=visible).values_list("vendor__slug", "pk").order_by("starts_at")[:20]]
        for _ in range(5):  # several sessions each, as several browsers would have
            client = Client()
            client.force_login(user)
            sessions.append({"username": username, "vendors": slugs, "meetings": meetings,
                             "cookie": client.cookies[settings.SESSION_COOKIE_NAME].value})

    yesterday = date.today() - timedelta(days=1)
    tokens = []
    for person in PEOPLE:
        if person.role != Role.VENDOR_USER:
            continue
        user = users.get(username=person.username)
        token, raw = ApiToken.issue(user=user, name="load test")
        token.save()
        pairs = []
        levels = ServiceLevel.objects.filter(
            version__sla__vendor=user.vendor, version__status="effective",
            version__sla__archived_at__isnull=True).select_related("version")
        for level in levels:
            until = min(yesterday, level.version.effective_until or yesterday)
            for start in rules.windows_ending_between(level.window,
                                                      level.version.effective_from, until):
                pairs.append([level.pk, start.isoformat()])
        tokens.append({"username": person.username, "token": raw, "pairs": pairs})
    return {"version": PLAN_VERSION, "sessions": sessions,
            "cookie_name": settings.SESSION_COOKIE_NAME,
            "tokens": [t for t in tokens if t["pairs"]],
            "run": secrets.token_hex(4)}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--prepare":
        sys.path.insert(0, str(ROOT))
        prepare(Path(sys.argv[2]))
    elif len(sys.argv) == 2 and sys.argv[1] == "--drop":
        drop()
    else:
        sys.exit(main())
