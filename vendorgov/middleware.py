"""Request plumbing of our own: idle sessions end, what a signed-in person or an API
caller was shown is never kept by a browser or proxy cache, and which API requests name
their caller by a token alone (`token_request`)."""

import time

from django.conf import settings
from django.utils.cache import add_never_cache_headers

RENEWED_AT = "_renewed_at"
API_PREFIX = "/api/v1/"
HTTP_HEADER_ENCODING = "iso-8859-1"  # DRF's, for the Authorization header


def token_request(request) -> bool:
    """Is `request` an API request whose caller only its bearer token can name?

    Under /api/v1/ every view is DRF's, and for an `Authorization: Bearer …` header the
    token authentication (accounts.authentication, first in DEFAULT_AUTHENTICATION_CLASSES)
    either answers who the caller is or refuses the request: the session authentication
    after it is never asked. So such a request needs no session, no session user and no
    flash messages, and its answer does not depend on a cookie (vendorgov.api.middleware
    skips them). The header is read exactly as the token authentication reads it (DRF's
    `get_authorization_header`: bytes, split on ASCII whitespace). Asked once per request."""
    known = request.__dict__.get("_vg_token_request")
    if known is None:
        header = request.META.get("HTTP_AUTHORIZATION", b"")
        try:
            words = (header.encode(HTTP_HEADER_ENCODING) if isinstance(header, str)
                     else header).split()
        except UnicodeError:  # a header DRF cannot read either: the whole chain
            words = []
        known = (bool(words) and words[0].lower() == b"bearer"
                 and request.path_info.startswith(API_PREFIX))
        request.__dict__["_vg_token_request"] = known
    return known


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
        if not token_request(request) and request.user.is_authenticated:
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
