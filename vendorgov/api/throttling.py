"""How much one caller may ask of the API: requests per token (or per signed-in user on the
browsable API), requests per address for anonymous callers, and rows per token for the
bulk endpoints, which can carry thousands of rows in one request.

Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (`token`, `anon`, `rows`, set from
the environment in settings) and are read when a request comes, so a changed setting
applies at once; a rate of None switches that limit off. An exceeded limit answers 429
with `Retry-After` (seconds), which the schema documents on every operation.
"""

import math

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, BaseThrottle, SimpleRateThrottle

from vendorgov import ratelimit


def _rate(scope: str) -> str | None:
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
    return None if rate in (None, "", "none", "off") else rate


def _caller(request) -> str | None:
    """The token the request came with, else the signed-in user; None when anonymous."""
    if not (request.user and request.user.is_authenticated):
        return None
    # A token's lookup prefix is random: its budget never meets another token's, even in
    # another database (tests) sharing the cache.
    prefix = getattr(request.auth, "prefix", None)
    return f"token-{prefix}" if prefix else f"user-{request.user.pk}"


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per API token: each token has its own budget, so one runaway integration
    does not lock its owner's other tokens out."""

    scope = "token"

    def get_rate(self):
        return _rate(self.scope)

    def get_cache_key(self, request, view):
        caller = _caller(request)
        return None if caller is None else self.cache_format % {"scope": self.scope,
                                                                  "ident": caller}


class AnonAddressThrottle(AnonRateThrottle):
    """Requests per client address for callers without credentials."""

    def get_rate(self):
        return _rate(self.scope)


class RowRateThrottle(BaseThrottle):
    """Rows per token and per window, for views that say how many rows a request carries
    (`rows_in(request) -> int`): a bulk request of 10,000 rows counts 10,000."""

    scope = "rows"

    def allow_request(self, request, view):
        rate, counter = _rate(self.scope), getattr(view, "rows_in", None)
        caller = _caller(request)
        if rate is None or counter is None or caller is None:
            return True
        limit, period = SimpleRateThrottle.parse_rate(None, rate)
        self.retry_after = ratelimit.take(f"rows:{caller}", amount=max(1, counter(request)),
                                          limit=limit, period=period)
        return self.retry_after is None

    def wait(self):
        return math.ceil(self.retry_after)
