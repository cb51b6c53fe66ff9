"""Benchmark: SLA measurements ingested through the API, next to PostgreSQL's COPY.

    DATABASE_URL=postgres://user@host:5432/db .venv/bin/python bench/sla_ingest.py
    (or: make bench)

It creates a scratch database next to DATABASE_URL's (the role needs CREATEDB), migrates it,
serves the site over HTTP in a thread, and then, in the same run:

1. posts 10,000 measurements per request to POST /api/v1/sla-measurements/bulk/ as a vendor
   user with a Bearer token (a few rounds, new external ids each round);
2. loads 10,000 rows into the same table with a raw COPY ... FROM STDIN (the upper bound);
3. posts one batch again and checks that it inserts 0 rows;
4. evaluates every closed window of a 1,000-vendor portfolio, counting the queries.

It prints rows/second for both, their ratio (the goal is the API at >= 25% of COPY) and
exits non-zero when the goal is missed or a repost inserts anything. The scratch database
is dropped at the end. Options: --rows N, --rounds N, --vendors N (0 skips step 4).
"""

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GOAL = 0.25


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class Server(WSGIServer):
    request_queue_size = 16


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--vendors", type=int, default=1_000)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to a PostgreSQL database (its role needs CREATEDB).")
        return 2
    # Keep the background queue (the evaluation the API asks for) out of the real var/.
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="vendorgov-bench-")
    os.makedirs(Path(os.environ["VAR_DIR"]) / "staticfiles")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vendorgov.settings.local")

    import django
    django.setup()
    from django.conf import settings
    from django.db import connection

    connection.settings_dict["TEST"]["NAME"] = f"vendorgov_bench_{os.getpid()}"
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    old_name = connection.settings_dict["NAME"]
    print(f"Creating the scratch database {connection.settings_dict['TEST']['NAME']} "
          "(migrations take a few seconds)…", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        return run(args)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(args) -> int:
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    from sla.models import Measurement  # models load after main()'s django.setup()

    token, levels, windows = set_up(args.rows)
    server = make_server("127.0.0.1", 0, get_wsgi_application(), server_class=Server,
                         handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/api/v1/sla-measurements/bulk/"

    def post(body: bytes) -> tuple[float, dict, int]:
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json",
            "Accept": "application/json"})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request) as response:
                payload, status = response.read(), response.status
        except urllib.error.HTTPError as error:
            payload, status = error.read(), error.code
        return time.perf_counter() - started, json.loads(payload), status

    def batch(round_: int) -> bytes:
        rows = [{"service_level": sl, "window_start": start, "value": 99 + (i % 7) / 10,
                 "external_id": f"bench-{round_}-{i}", "note": ""}
                for i, (sl, start) in enumerate(pairs(levels, windows, args.rows))]
        return json.dumps({"measurements": rows}).encode()

    post(json.dumps({"measurements": []}).encode())  # warm up: imports, connection
    api_times, bodies = [], []
    for round_ in range(args.rounds):
        body = batch(round_)
        bodies.append(body)
        seconds, payload, status = post(body)
        if status != 201 or payload.get("created") != args.rows:
            print(f"The API refused the batch: {status} {str(payload)[:500]}")
            return 1
        api_times.append(seconds)

    copy_times = [copy_rows(connection, levels, windows, args.rows, round_)
                  for round_ in range(args.rounds)]

    before = Measurement.objects.count()
    repost_seconds, payload, status = post(bodies[0])
    inserted = Measurement.objects.count() - before
    server.shutdown()

    api_rate = args.rows / statistics.median(api_times)
    copy_rate = args.rows / statistics.median(copy_times)
    ratio = api_rate / copy_rate
    print()
    print(f"Batch of {args.rows:,} measurements, median of {args.rounds} rounds "
          f"(PostgreSQL {connection.pg_version // 10000}):")
    print(f"  API  POST /api/v1/sla-measurements/bulk/  {api_rate:>10,.0f} rows/s   "
          f"({statistics.median(api_times) * 1000:,.0f} ms per request)")
    print(f"  raw  COPY sla_measurement FROM STDIN     {copy_rate:>10,.0f} rows/s   "
          f"({statistics.median(copy_times) * 1000:,.0f} ms per batch)")
    print(f"  ratio API / COPY: {ratio:.0%} (goal >= {GOAL:.0%}): "
          f"{'met' if ratio >= GOAL else 'NOT met'}")
    print(f"  repost of the same batch: HTTP {status}, created {payload.get('created')}, "
          f"unchanged {payload.get('unchanged')}, rows inserted {inserted} "
          f"({repost_seconds * 1000:,.0f} ms)")
    ok = ratio >= GOAL and inserted == 0 and payload.get("created") == 0
    if args.vendors:
        ok = evaluate_portfolio(args.vendors) and ok
    return 0 if ok else 1


def set_up(rows: int):
    """A vendor user with a token, and weekly service levels with enough closed windows."""
    from decimal import Decimal

    # Models load only after main()'s django.setup(): import them here.
    from accounts.models import ApiToken
    from sla import rules
    from sla.models import SLA, ServiceLevel, SLAVersion
    from vendors.models import Contract, Vendor

    vendor = Vendor.objects.create(name="Bench Vendor", slug="bench-vendor", status="active")
    user = make_user("bench", vendor)
    token, raw = ApiToken.issue(user=user, name="bench")
    token.save()
    contract = Contract.objects.create(vendor=vendor, reference="B-1", title="Bench",
                                       start_date=date(2015, 1, 1), end_date=date(2099, 1, 1),
                                       value=1)
    sla = SLA.objects.create(vendor=vendor, contract=contract, reference="BENCH", name="Bench",
                             review_due_on=date(2099, 1, 1))
    version = SLAVersion.objects.create(sla=sla, number=1, status="effective",
                                        effective_from=date(2015, 1, 5),
                                        monthly_charge=Decimal(1000))
    yesterday = date.today() - timedelta(days=1)
    windows = [d.isoformat() for d in rules.windows_ending_between("weekly", date(2015, 1, 5),
                                                                   yesterday)]
    count = -(-rows // len(windows))
    levels = [ServiceLevel.objects.create(
        version=version, key=f"level-{i}", name=f"Level {i}", measured="bench",
        unit="percent", comparator="gte", target=Decimal("99"), breach_threshold=Decimal("98"),
        window="weekly").pk for i in range(count)]
    return raw, levels, windows


def make_user(username, vendor):
    from django.contrib.auth import get_user_model
    return get_user_model().objects.create_user(username=username, password=None,
                                                role="vendor_user", vendor=vendor)


def pairs(levels, windows, rows):
    """`rows` distinct (service level, window) pairs."""
    out = []
    for sl in levels:
        for start in windows:
            out.append((sl, start))
            if len(out) == rows:
                return out
    return out


def copy_rows(connection, levels, windows, rows, round_) -> float:
    """Time a raw COPY of `rows` rows into the measurements table (the buffer is built
    before the clock starts, so COPY gets its best case)."""
    # Models load only after main()'s django.setup(): import them here.
    from sla import rules
    from vendors.models import Vendor

    vendor_id = Vendor.objects.get(slug="bench-vendor").pk
    now = time.strftime("%Y-%m-%d %H:%M:%S+00")
    buffer = io.StringIO()
    for i, (sl, start) in enumerate(pairs(levels, windows, rows)):
        end = rules.window_end("weekly", date.fromisoformat(start)).isoformat()
        buffer.write(f"{vendor_id}\t{sl}\t{start}\t{end}\t{99 + (i % 7) / 10}\tapi\t\\N\t"
                     f"{now}\t\tcopy-{round_}-{i}\t\\N\n")
    buffer.seek(0)
    columns = ("vendor_id, service_level_id, window_start, window_end, value, source, "
               "submitted_by_id, submitted_at, note, external_id, csv_import_id")
    connection.ensure_connection()
    raw = connection.connection
    started = time.perf_counter()
    with raw.cursor() as cursor:
        cursor.copy_expert(f"COPY sla_measurement ({columns}) FROM STDIN", buffer)
    raw.commit()
    return time.perf_counter() - started


def evaluate_portfolio(vendors: int) -> bool:
    """Every closed window of `vendors` vendors (two monthly service levels each, a year of
    data) in one run of the evaluation, with its query count."""
    from decimal import Decimal

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    # Models load only after main()'s django.setup(): import them here.
    from sla import rules, services
    from sla.models import SLA, Measurement, ServiceLevel, SLAVersion
    from vendors.models import Contract, Vendor

    first = rules.add_months(rules.month_start(date.today()), -12)
    made = Vendor.objects.bulk_create(Vendor(name=f"Portfolio {i}", slug=f"portfolio-{i}",
                                             status="active") for i in range(vendors))
    contracts = Contract.objects.bulk_create(
        Contract(vendor=v, reference="P", title="P", start_date=first,
                 end_date=date(2099, 1, 1), value=1) for v in made)
    slas = SLA.objects.bulk_create(
        SLA(vendor=v, contract=c, reference="P", name="P", review_due_on=date(2099, 1, 1))
        for v, c in zip(made, contracts, strict=True))
    versions = SLAVersion.objects.bulk_create(
        SLAVersion(sla=s, number=1, status="effective", effective_from=first,
                   monthly_charge=Decimal(1000)) for s in slas)
    levels = ServiceLevel.objects.bulk_create(
        ServiceLevel(version=v, key=key, name=key, measured="bench", unit="percent",
                     comparator="gte", target=Decimal("99"), breach_threshold=Decimal("98"),
                     credit_percent=Decimal("5"))
        for v in versions for key in ("availability", "backups"))
    by_version = {v.pk: v for v in versions}
    months = rules.windows_ending_between("monthly", first, date.today() - timedelta(days=1))
    Measurement.objects.bulk_create(
        Measurement(vendor_id=by_version[sl.version_id].sla.vendor_id, service_level=sl,
                    window_start=m, window_end=rules.window_end("monthly", m),
                    value=Decimal("97.5") if (i + j) % 11 == 0 else Decimal("99.6"),
                    source="api") for i, sl in enumerate(levels)
        for j, m in enumerate(months[:-1]))  # the last month left without data
    SLA.objects.filter(reference="BENCH").update(archived_at=timezone.now())  # not this one
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        result = services.evaluations_refresh()
    seconds = time.perf_counter() - started
    print()
    print(f"Evaluating a {vendors:,}-vendor portfolio ({len(levels):,} service levels, "
          f"{len(months)} monthly windows each):")
    print(f"  {result}")
    print(f"  {len(queries.captured_queries)} queries, {seconds:.1f} s")
    return not result.skipped


if __name__ == "__main__":
    sys.exit(main())
