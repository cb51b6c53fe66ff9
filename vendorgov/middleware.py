"""Request plumbing of our own: idle sessions end, and what a signed-in person or an API
caller was shown is never kept by a browser or proxy cache."""

import time

from django.conf import settings
from django.utils.cache import add_never_cache_headers

RENEWED_AT = "_renewed_at"


def stamp_renewal(sender, request, user, **kwargs):
    """On sign-in (user_logged_in, connected in VendorgovConfig.ready): the session is new,
    so it needs no renewal for a while; this keeps the first pages from writing it again."""
    request.session[RENEWED_AT] = int(time.time())


class SessionIdleTimeoutMiddleware:
    """A signed-in session ends SESSION_COOKIE_AGE (SESSION_IDLE_MINUTES) after its last
    request: a request renews it (Django saves a modified session with a new expiry), at
    most every SESSION_RENEW_SECONDS, so a page view is not a database write each time."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(RENEWED_AT, 0) >= settings.SESSION_RENEW_SECONDS:
                request.session[RENEWED_AT] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every answer to a signed-in person and every API answer,
    unless the view chose its own (the calendar feed may be cached privately a while)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        personal = getattr(request, "user", None) is not None and request.user.is_authenticated
        if (personal or request.path.startswith("/api/")) and \
                not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
