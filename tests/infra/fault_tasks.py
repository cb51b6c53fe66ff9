"""A task for the fault tests only (loaded into their worker with `-I`): it runs long
enough to be interrupted and leaves a file behind for each run."""

import time
from pathlib import Path

from celery import shared_task


@shared_task(name="tests.infra.fault_tasks.nap")
def nap(seconds: float, folder: str, tag: str) -> str:
    Path(folder, f"{tag}.started").touch()
    time.sleep(seconds)
    with open(Path(folder, f"{tag}.done"), "a") as done:
        done.write("ran\n")
    return tag


@shared_task(name="tests.infra.fault_tasks.backend_pid")
def backend_pid() -> int:
    """The PostgreSQL server process behind this worker's database connection."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]
