"""A budget per key and time window, kept in the cache (shared by every web process): the
one counter behind the API's row budget and the password-reset limits."""

import time

from django.core.cache import cache


def take(key: str, *, amount: int = 1, limit: int, period: int) -> float | None:
    """Take `amount` from the budget of `key` in the current window of `period` seconds.
    None when it fits; else the seconds until the window ends (nothing is taken then)."""
    now = time.time()
    window = int(now // period)
    slot = f"vendorgov:ratelimit:{key}:{window}"
    cache.add(slot, 0, timeout=period + 1)
    if cache.incr(slot, amount) <= limit:
        return None
    cache.decr(slot, amount)
    return (window + 1) * period - now
