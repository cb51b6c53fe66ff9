"""Benchmark: every portfolio page and API list at two portfolio sizes, against a bare view.

    DATABASE_URL=postgres://user@host:5432/db .venv/bin/python bench/portfolio.py
    (or: make bench, which runs bench/sla_ingest.py after it)

For each size (--sizes, default 10 and 1000 vendors, 5 years each) it uses the database
`<DATABASE_URL's name>_bench<N>`: created, migrated and seeded with `seed_portfolio` when
it holds no vendor yet, reused as it is otherwise (seeding 1,000 vendors takes long; see
bench/RESULTS.md). Then, in the same run:

1. SQL queries per request of every entry, counted in-process (Django's test client, the
   same database; a page that is kept in the cache is counted as computed, the first view
   after a write); they must be equal at every size;
2. gunicorn serves the database as in production (production settings, ./gunicorn.conf.py;
   the API throttles off, as in bench/load.py) with one extra route, /bench/bare/<entry>/:
   a bare Django view returning 100 rows of the entry's table with `.values()` as JSON
   (for an API list: the same rows, same scope and order, as the list's first page);
3. each entry and its bare view are timed sequentially (--requests, after a warm-up) and
   under a fixed concurrency (--concurrency threads, the same number of requests),
   interleaved so that the machine's changing load falls on both alike.

It prints a table per size with median and p95 (ms), ours / bare, and the goals: every page
at most 10x the bare median and every API list at most 2x at the largest size, equal
query counts at every size; it exits non-zero when one is missed. --markdown FILE writes
the tables for bench/RESULTS.md.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from load import free_port, wait_healthy  # noqa: E402 (bench/ is not a package)

PAGE_GOAL, API_GOAL = 10.0, 2.0
API_LISTS = ["vendor-list", "contract-list", "sla-list", "sla-measurement-list",
             "sla-evaluation-list", "scorecard-actual-list", "meeting-list",
             "action-item-list", "impediment-list", "suggestion-list"]


# -- in the benchmark database (run as a subprocess with its DATABASE_URL) -------------------

def prepare(plan_file: Path) -> None:
    """Sign the roles in, make API tokens, pick the records each page shows, and count each
    entry's queries; write all of it to `plan_file`."""
    import django
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import ApiToken
    from governance.models import Meeting
    from vendors.models import Vendor

    settings.ALLOWED_HOSTS = ["*"]
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["vera", "erin", "line0", "ops0", "v0000"])}
    vendor = Vendor.objects.get(slug="vendor-0000")
    now = timezone.now()
    live = (Meeting.objects.filter(vendor=vendor, tier="weekly", starts_at__gt=now)
            .order_by("starts_at").first())
    frozen = (Meeting.objects.filter(vendor=vendor, tier="weekly", status="held")
              .order_by("-starts_at").first())
    last_month = (timezone.localdate().replace(day=1) - timezone.timedelta(days=1))
    slug = vendor.slug
    pages = [
        ("home (vendor manager)", "vera", "/", "vendor"),
        ("home (executive)", "erin", "/", "vendor"),
        ("home (line manager)", "line0", "/", "vendor"),
        ("home (operations)", "ops0", "/", "vendor"),
        ("home (vendor user)", "v0000", "/", "vendor"),
        ("vendor page", "vera", reverse("vendors:detail", args=[slug]), "vendor"),
        ("scorecard portfolio", "erin", reverse("scorecards:portfolio"), "actual"),
        ("vendor scorecard", "erin", reverse("scorecards:vendor", args=[slug]), "actual"),
        ("SLA portfolio", "ops0", reverse("sla:portfolio"), "evaluation"),
        ("SLA monthly report", "ops0", reverse("sla:report", args=[slug])
         + f"?month={last_month:%Y-%m}", "evaluation"),
        ("reviews portfolio", "line0", reverse("governance:portfolio"), "meeting"),
        ("meeting (live agenda)", "line0",
         reverse("governance:meeting", args=[slug, live.pk]), "meeting"),
        ("meeting (frozen)", "line0",
         reverse("governance:meeting", args=[slug, frozen.pk]), "meeting"),
        ("timeline", "line0", reverse("governance:timeline", args=[slug]), "meeting"),
    ]
    tokens = {}
    for who in ("vera", "v0000"):
        token, tokens[who] = ApiToken.issue(user=users[who], name="bench")
        token.save()
    entries = []
    for name, who, url, table in pages:
        entries.append({"name": name, "kind": "page", "user": who, "url": url,
                        "bare": f"page-{table}" + (f"-{vendor.pk}" if who == "v0000" else "")})
    for list_name in API_LISTS:
        for who, label in (("v0000", "vendor token"), ("vera", "internal token")):
            entries.append({"name": f"GET {reverse(list_name)} ({label})", "kind": "api",
                            "user": who, "url": reverse(list_name) + "?page_size=100",
                            "bare": f"api-{list_name}" + (f"-{vendor.pk}" if who == "v0000"
                                                          else "")})
    client = Client()
    for entry in entries:
        headers = {}
        if entry["kind"] == "api":
            headers["HTTP_AUTHORIZATION"] = f"Bearer {tokens[entry['user']]}"
        else:
            client.force_login(users[entry["user"]])
        client.get(entry["url"], **headers)  # warm: caches, first use of the token
        # The queries of a page computed, not of one kept in the cache (vendorgov/
        # freshness.py): whether this request finds one kept depends on earlier runs.
        with (override_settings(COMPUTED_CACHE=False),
              CaptureQueriesContext(connection) as queries):
            response = client.get(entry["url"], **headers)
        entry["status"] = response.status_code
        entry["queries"] = len(queries)
        entry["bytes"] = len(response.content)
    sessions = {}
    for who in ("vera", "erin", "line0", "ops0", "v0000"):
        session = Client()
        session.force_login(users[who])
        sessions[who] = session.cookies[settings.SESSION_COOKIE_NAME].value
    plan_file.write_text(json.dumps({"entries": entries, "tokens": tokens,
                                     "sessions": sessions,
                                     "session_cookie": settings.SESSION_COOKIE_NAME}))


def get_user_model():
    from django.contrib.auth import get_user_model as get
    return get()


def bare_rows(key: str) -> list:
    """What /bench/bare/<key>/ returns: 100 rows of a table with `.values()`."""
    from django.apps import apps
    from django.urls import resolve, reverse

    from vendorgov.api.pagination import total_order

    vendor_id = None
    parts = key.split("-")
    if parts[-1].isdigit():
        vendor_id, key = int(parts[-1]), "-".join(parts[:-1])
    kind, _, name = key.partition("-")
    if kind == "api":
        viewset = resolve(reverse(name)).func.cls
        model = viewset.queryset.model
        ordering = list(getattr(viewset, "ordering", None) or model._meta.ordering or ["pk"])
    else:
        model = {"vendor": apps.get_model("vendors", "Vendor"),
                 "actual": apps.get_model("scorecards", "Actual"),
                 "evaluation": apps.get_model("sla", "Evaluation"),
                 "meeting": apps.get_model("governance", "Meeting")}[name]
        ordering = ["pk"]
    rows = model._default_manager.all()
    if vendor_id is not None:
        rows = rows.filter(pk=vendor_id) if model._meta.model_name == "vendor" \
            else rows.filter(**{_vendor_path(model): vendor_id})
    # In the API's total order (ties broken by the primary key), as the list pages it.
    return list(total_order(rows.order_by(*ordering))[:100].values())


def _vendor_path(model) -> str:
    path = getattr(model, "vendor_path", "vendor")
    return path + ("__id" if "__" in path else "_id")


# -- the run ----------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,1000")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--only", default="",
                        help="comma-separated words: time only the entries whose name holds "
                             "one (e.g. 'portfolio,api/v1/slas'); for work on a few entries")
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.prepare)
        return 0
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to a PostgreSQL database (its role needs CREATEDB).")
        return 2
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    for size in sizes:
        results[size] = run_size(size, base_url, args)
    return report(results, sizes, args)


def database_env(base_url: str, size: int) -> dict:
    url = urllib.parse.urlsplit(base_url)
    name = f"{url.path.lstrip('/')}_bench{size}"
    return {**os.environ, "DATABASE_URL": urllib.parse.urlunsplit(url._replace(path=f"/{name}")),
            "BENCH_DB": name, "PYTHONUNBUFFERED": "1"}


def ensure_seeded(env: dict, size: int, years: int) -> None:
    manage = [sys.executable, "manage.py"]
    created = subprocess.run(["createdb", *_pg_args(env), env["BENCH_DB"]],
                             capture_output=True, text=True)
    if created.returncode == 0:
        print(f"Created {env['BENCH_DB']}.", flush=True)
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    check = subprocess.run([*manage, "shell", "-c",
                            "from vendors.models import Vendor; print(Vendor.objects.count())"],
                           cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    vendors = int(check.stdout.strip().splitlines()[-1])
    if vendors == 0:
        print(f"Seeding {size} vendors x {years} years into {env['BENCH_DB']}…", flush=True)
        subprocess.run([*manage, "seed_portfolio", "--vendors", str(size), "--years",
                        str(years)], cwd=ROOT, env=env, check=True)
    elif vendors != size:
        raise SystemExit(f"{env['BENCH_DB']} holds {vendors} vendors, not {size}: drop it "
                         "or choose its size.")
    else:
        print(f"Reusing {env['BENCH_DB']} ({vendors} vendors).", flush=True)


def _pg_args(env: dict) -> list:
    url = urllib.parse.urlsplit(env["DATABASE_URL"])
    return ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432),
            "-U", url.username or "postgres"]


def run_size(size: int, base_url: str, args) -> list:
    env = database_env(base_url, size)
    ensure_seeded(env, size, args.years)
    plan_file = Path(f"/tmp/vendorgov-bench-plan-{os.getpid()}-{size}.json")
    serve_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings",
                 "SECRET_KEY": "bench-" + "x" * 50, "ALLOWED_HOSTS": "127.0.0.1,localhost",
                 "SECURE_SSL_REDIRECT": "False", "API_RATE_PER_TOKEN": "none",
                 "API_RATE_ANONYMOUS": "none", "API_ROWS_PER_TOKEN": "none",
                 "LOG_LEVEL": "WARNING",
                 "VAR_DIR": tempfile.mkdtemp(prefix="vendorgov-bench-")}
    # Production settings serve hashed static files (whitenoise's manifest).
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                   cwd=ROOT, env=serve_env, check=True)
    subprocess.run([sys.executable, __file__, "--prepare", str(plan_file)], cwd=ROOT,
                   env=serve_env, check=True)
    plan = json.loads(plan_file.read_text())
    plan_file.unlink()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "vendorgov.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--no-control-socket"],
        cwd=ROOT, env=serve_env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    if args.only:
        words = [w.strip() for w in args.only.split(",") if w.strip()]
        plan["entries"] = [e for e in plan["entries"] if any(w in e["name"] for w in words)]
    try:
        wait_healthy(base, server)
        print(f"\n=== {size} vendors: {len(plan['entries'])} entries, "
              f"{args.requests} requests each, sequential and {args.concurrency} at a time",
              flush=True)
        for entry in plan["entries"]:
            measure(base, entry, plan, args)
            print(f"  {entry['name']:<48} {entry['queries']:>3} q  "
                  f"{entry['seq'][0]:7.1f} ms  bare {entry['bare_seq'][0]:6.1f} ms  "
                  f"x{entry['seq'][0] / entry['bare_seq'][0]:5.1f}", flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    return plan["entries"]


def measure(base: str, entry: dict, plan: dict, args) -> None:
    headers = {"Accept": "application/json" if entry["kind"] == "api" else "text/html"}
    if entry["kind"] == "api":
        headers["Authorization"] = f"Bearer {plan['tokens'][entry['user']]}"
    else:
        headers["Cookie"] = f"{plan['session_cookie']}={plan['sessions'][entry['user']]}"
    ours = (base + entry["url"], headers)
    bare = (f"{base}/bench/bare/{entry['bare']}/", {})
    for target in (ours, bare):
        for _ in range(3):
            fetch(*target)
    seq, bare_seq = [], []
    for _ in range(args.requests):  # interleaved: the machine's load falls on both alike
        seq.append(fetch(*ours))
        bare_seq.append(fetch(*bare))
    conc, bare_conc = [], []
    with ThreadPoolExecutor(args.concurrency) as pool:
        for _ in range(2):
            conc += list(pool.map(lambda _: fetch(*ours), range(args.requests // 2)))
            bare_conc += list(pool.map(lambda _: fetch(*bare), range(args.requests // 2)))
    entry["seq"], entry["bare_seq"] = summary(seq), summary(bare_seq)
    entry["conc"], entry["bare_conc"] = summary(conc), summary(bare_conc)


def fetch(url: str, headers: dict) -> float:
    request = urllib.request.Request(url, headers=headers)
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        if response.status != 200:
            raise SystemExit(f"{url} answered {response.status}")
    return (time.perf_counter() - started) * 1000


def summary(times: list) -> tuple:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]


def report(results: dict, sizes: list, args) -> int:
    largest = max(sizes)
    lines, failures = [], []
    header = ("| entry | queries " + " | ".join(f"N={s}" for s in sizes) + " | KB | median | "
              "p95 | median conc. | p95 conc. | bare median | bare p95 | bare median conc. | "
              "ours ÷ bare (median) | goal |")
    lines += [f"At N={largest} (times in ms; queries per request at each size):", "",
              header, "|" + "---|" * (header.count("|") - 1)]
    by_name = {s: {e["name"]: e for e in results[s]} for s in sizes}
    for entry in results[largest]:
        name = entry["name"]
        counts = [by_name[s][name]["queries"] for s in sizes if name in by_name[s]]
        ratio = entry["seq"][0] / entry["bare_seq"][0]
        goal = PAGE_GOAL if entry["kind"] == "page" else API_GOAL
        met = ratio <= goal and len(set(counts)) == 1 and max(counts) <= 25
        if not met:
            failures.append(name)
        lines.append(
            f"| {name} | " + " | ".join(str(c) for c in counts)
            + f" | {entry['bytes'] / 1024:.0f} | {entry['seq'][0]:.1f} | {entry['seq'][1]:.1f} | "
              f"{entry['conc'][0]:.1f} | {entry['conc'][1]:.1f} | {entry['bare_seq'][0]:.1f} | "
              f"{entry['bare_seq'][1]:.1f} | {entry['bare_conc'][0]:.1f} | {ratio:.1f}x | "
              f"≤ {goal:.0f}x {'met' if met else '**missed**'} |")
    text = "\n".join(lines)
    print("\n" + text)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    if failures:
        print(f"\nGoals missed by {len(failures)} entries: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
