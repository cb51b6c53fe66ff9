"""Plumbing tasks with no domain: the heartbeat that proves worker and beat are alive."""

import socket

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_CACHE_KEY = "vendorgov:heartbeat"


@shared_task
def heartbeat(source: str = "beat") -> dict:
    """Record when a worker last ran a task, and who asked for it (beat or a caller)."""
    beat = {"at": timezone.now().isoformat(), "host": socket.gethostname(), "source": source}
    cache.set(f"{HEARTBEAT_CACHE_KEY}:{source}", beat, timeout=None)
    return beat


def last_heartbeat(source: str = "beat") -> dict | None:
    return cache.get(f"{HEARTBEAT_CACHE_KEY}:{source}")
