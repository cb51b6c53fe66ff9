"""Is each process alive, and when did each periodic job last succeed?

The worker and beat write down that they are alive, and the worker writes down each
periodic job's last success and failure, in the cache (Redis, or files under `var/` in the
embedded mode: shared by every process either way). The web server reads them back for
`/healthz/…` (load balancers, compose healthchecks), `manage.py health` and the status page.
A process is alive while its last sign of life is younger than `stale_after()`: two and a
half heartbeats, so one late heartbeat is not an alarm and two missed ones are.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

PROCESS_KEY = "vendorgov:health:process:{}"
JOB_KEY = "vendorgov:health:job:{}"
PROCESSES = ("worker", "beat")


def stale_after() -> timedelta:
    return timedelta(seconds=max(60.0, settings.HEARTBEAT_SECONDS * 2.5))


def record_alive(process: str) -> None:
    cache.set(PROCESS_KEY.format(process), timezone.now(), timeout=None)


def record_job(task: str, *, ok: bool, error: str = "") -> None:
    """A periodic job's outcome, kept as its last success and its last failure."""
    key = JOB_KEY.format(task)
    state = cache.get(key) or {}
    now = timezone.now()
    if ok:
        state["succeeded_at"] = now
    else:
        state.update(failed_at=now, error=error[:500])
    cache.set(key, state, timeout=None)


@dataclass(frozen=True)
class Process:
    name: str
    seen_at: datetime | None

    @property
    def alive(self) -> bool:
        return self.seen_at is not None and timezone.now() - self.seen_at < stale_after()


@dataclass(frozen=True)
class Job:
    name: str
    task: str
    every: timedelta
    succeeded_at: datetime | None
    failed_at: datetime | None
    error: str

    @property
    def every_label(self) -> str:
        seconds = int(self.every.total_seconds())
        for unit, size in (("hour", 3600), ("minute", 60)):
            if seconds % size == 0:
                n = seconds // size
                return f"{n} {unit}{'s' if n != 1 else ''}"
        return f"{seconds} seconds"

    @property
    def late(self) -> bool:
        """No success for two of its intervals (and at least the heartbeat's staleness)."""
        limit = max(2 * self.every, stale_after())
        return self.succeeded_at is None or timezone.now() - self.succeeded_at > limit

    @property
    def failing(self) -> bool:
        return self.failed_at is not None and (self.succeeded_at is None
                                               or self.failed_at > self.succeeded_at)


def process(name: str) -> Process:
    return Process(name, cache.get(PROCESS_KEY.format(name)))


def processes() -> list[Process]:
    return [process(name) for name in PROCESSES]


def jobs(schedule: dict) -> list[Job]:
    """Each entry of the beat schedule with what the worker last recorded of it."""
    states = cache.get_many([JOB_KEY.format(e["task"]) for e in schedule.values()])
    found = []
    for name, entry in schedule.items():
        state = states.get(JOB_KEY.format(entry["task"]), {})
        found.append(Job(name=name, task=entry["task"],
                         every=timedelta(seconds=float(entry["schedule"])),
                         succeeded_at=state.get("succeeded_at"),
                         failed_at=state.get("failed_at"), error=state.get("error", "")))
    return found


def web_problems() -> list[str]:
    """What keeps this web process from serving: the database or the cache unreachable."""
    problems = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any failure to reach it is the answer here
        problems.append(f"database: {type(error).__name__}")
    try:
        cache.set("vendorgov:health:probe", 1, timeout=10)
    except Exception as error:  # as above
        problems.append(f"cache: {type(error).__name__}")
    return problems
