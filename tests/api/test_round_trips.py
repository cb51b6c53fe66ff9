"""The round trips to PostgreSQL an API request makes, served as gunicorn serves it: through
Django's WSGI handler (its request signals close, keep and health-check the connection as in
production), on a real connection kept between requests (CONN_MAX_AGE, CONN_HEALTH_CHECKS)."""

import io
import sys

import psycopg2
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from django.test import Client
from django.urls import reverse

from tests.factories import ApiTokenFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ME = reverse("me")


def get(handler, path, *, token=None, cookie=None):
    """(status, body) of GET `path` through `handler`, as a WSGI server calls it."""
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "",
               "SERVER_NAME": "testserver", "SERVER_PORT": "80", "HTTP_HOST": "testserver",
               "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
               "wsgi.errors": sys.stderr, "SERVER_PROTOCOL": "HTTP/1.1",
               "HTTP_ACCEPT": "application/json"}
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    status = []
    result = handler(environ, lambda s, headers, *args: status.append(s))
    try:
        body = b"".join(result)
    finally:
        result.close()  # request_finished: the connection is kept for the next request
    return int(status[0].split()[0]), body


@pytest.fixture
def health_checks(monkeypatch):
    """Each `SELECT 1` Django's connection health check sends (the real check runs)."""
    connection = connections["default"]
    assert connection.settings_dict["CONN_HEALTH_CHECKS"], "the production setting"
    assert connection.settings_dict["CONN_MAX_AGE"], "connections kept between requests"
    checks = []
    real = type(connection).is_usable

    def is_usable(self=connection):
        checks.append(1)
        return real(self)

    monkeypatch.setattr(connection, "is_usable", is_usable)
    return checks


def test_an_api_requests_token_lookup_is_its_connection_health_check(line_manager,
                                                                     health_checks):
    _, raw = ApiTokenFactory.with_raw(line_manager)
    handler = WSGIHandler()
    for _ in range(3):
        status, _ = get(handler, ME, token=raw)
        assert status == 200
    # The connection was reused by every request after the first, and none sent the check's
    # own round trip before its token lookup.
    assert health_checks == []

    # The same handler still checks the connection before any other first query (a
    # session's), as Django does: the count above would have seen it.
    client = Client()
    client.force_login(line_manager)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    health_checks.clear()  # signing in queried outside a request, checked first
    get(handler, reverse("me"), cookie=cookie)
    assert health_checks == [1]


def _terminate(backend_pid: int) -> None:
    """The server ends `backend_pid`'s session, as a restart or an idle timeout would."""
    params = connections["default"].get_connection_params()
    other = psycopg2.connect(**params)
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend_pid])
            assert cursor.fetchone() == (True,)
            for _ in range(200):  # until the session is gone
                cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend_pid])
                if cursor.fetchone() is None:
                    break
    finally:
        other.close()


def test_an_api_request_on_a_connection_the_server_dropped_is_answered(line_manager,
                                                                       health_checks):
    _, raw = ApiTokenFactory.with_raw(line_manager)
    handler = WSGIHandler()
    assert get(handler, ME, token=raw)[0] == 200
    dropped = connections["default"].connection.get_backend_pid()
    _terminate(dropped)

    status, body = get(handler, ME, token=raw)

    assert status == 200, body
    assert connections["default"].connection.get_backend_pid() != dropped


def test_a_revoked_token_fails_on_the_next_request_over_the_same_connection(line_manager):
    token, raw = ApiTokenFactory.with_raw(line_manager)
    handler = WSGIHandler()
    assert get(handler, ME, token=raw)[0] == 200
    token.revoked_at = token.created_at
    token.save()
    assert get(handler, ME, token=raw)[0] == 401
