"""Benchmark: the warning-sign refresh over a large portfolio, its queries and its time.

    DATABASE_URL=postgres://user@host:5432/db .venv/bin/python bench/signs_refresh.py

It creates a scratch database named after DATABASE_URL's (`<name>_signs_bench_<pid>`; the
role needs CREATEDB), migrates it, and builds vendors that each show all five signs
(tests/signs/factories.py `troubled`: SLA windows, impediments, reviews and attendance,
suggestions, staffing, a scorecard, disputes…). Then, in the same run, it refreshes the signs
at a tenth of the portfolio and at the whole of it (each twice: raising, then finding them
again), counting the queries and timing each run. It prints the figures and exits non-zero
when the query counts differ between the two sizes (they must not depend on the number of
vendors). The scratch database is dropped at the end. Options: --vendors N (default 1000).
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vendors", type=int, default=1_000)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to a PostgreSQL database (its role needs CREATEDB).")
        return 2
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="vendorgov-bench-")
    os.makedirs(Path(os.environ["VAR_DIR"]) / "staticfiles")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vendorgov.settings.local")
    import django

    django.setup()
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = f"{old_name}_signs_bench_{os.getpid()}"
    print(f"Creating the scratch database {connection.settings_dict['TEST']['NAME']}…",
          flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        return run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _refresh() -> tuple[int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from signs import services

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        services.signs_refresh()
        elapsed = time.perf_counter() - started
    return len(queries), elapsed


def run(args) -> int:
    from signs.models import Sign
    from tests.factories import VendorFactory
    from tests.signs.factories import troubled

    small = max(args.vendors // 10, 1)
    figures = {}
    built = 0
    for size in (small, args.vendors):
        started = time.perf_counter()
        while built < size:
            troubled(VendorFactory())
            built += 1
        print(f"{size} vendors built in {time.perf_counter() - started:.0f} s", flush=True)
        Sign.objects.all().delete()
        first, again = _refresh(), _refresh()
        assert Sign.objects.open().count() == 5 * size
        figures[size] = (first, again)
        print(f"{size:>6} vendors: first run {first[0]} queries, {first[1]:.2f} s; "
              f"second run {again[0]} queries, {again[1]:.2f} s", flush=True)
    counts = {size: (f[0], a[0]) for size, (f, a) in figures.items()}
    if counts[small] != counts[args.vendors]:
        print(f"FAIL: the query counts depend on the number of vendors: {counts}")
        return 1
    print(f"OK: the same queries for {small} and {args.vendors} vendors "
          f"({counts[small][0]} raising, {counts[small][1]} finding again)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
