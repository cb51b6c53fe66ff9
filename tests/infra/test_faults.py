"""The fault script's short form: under load, the worker SIGKILLed twice, Redis and
PostgreSQL restarted, and no write the API confirmed is lost or duplicated, the site
recovers by itself within seconds, and a task sent afterwards runs (bench/faults.py).

The script starts its own PostgreSQL cluster and Redis (restarting the shared ones would
disturb every other test), so it needs their server binaries, not DATABASE_URL/REDIS_URL;
the markers keep it out of the embedded leg, which has no such parts."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.celery]

ROOT = Path(__file__).resolve().parents[2]


def test_no_confirmed_write_is_lost_and_the_site_recovers_from_worker_redis_and_postgres_faults():
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "faults.py"), "--short"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-6000:]
    assert "0 lost, 0 duplicated" in run.stdout, report[-6000:]
    assert "a task sent after the faults ran: yes" in run.stdout, report[-6000:]
