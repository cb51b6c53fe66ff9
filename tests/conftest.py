"""Shared fixtures, and the rule that parts which are missing skip locally but fail in CI.

Tests that need a real part carry a marker (postgres, redis, celery, browser). Locally
they are skipped with the reason when the part is missing; when VENDORGOV_REQUIRE_ALL=1
(set by .ci/run) every skip, of any kind, fails the run (tests/require_all.py), also when
the suite runs in parallel under pytest-xdist.
"""

import os
import shutil

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import (
    ApiTokenFactory,
    AssignmentFactory,
    UserFactory,
    VendorFactory,
    VendorUserFactory,
)

# The CI rule that a skip fails the run: hooks of their own module, so that they can be
# proven in a pytest run of their own, with and without xdist (tests/infra/test_require_all.py).
from tests.require_all import (  # noqa: F401 - pytest finds hooks by name
    pytest_collectreport,
    pytest_runtest_logreport,
    pytest_sessionfinish,
    pytest_terminal_summary,
)
from vendorgov.roles import Role

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _missing_part(marker: str) -> str | None:
    """Why the real part behind `marker` is not available here, or None if it is."""
    if marker == "postgres":
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            return "needs PostgreSQL: set DATABASE_URL=postgres://…"
    elif marker == "redis" and not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://…"
    elif marker == "browser" and not shutil.which(CHROMIUM):
        return f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        for marker in ("postgres", "redis", "celery", "browser"):
            if item.get_closest_marker(marker) and (reason := _missing_part(marker)):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def vendor_a(db):
    return VendorFactory(name="Acme Outsourcing", slug="acme-outsourcing")


@pytest.fixture
def vendor_b(db):
    return VendorFactory(name="Borealis IT", slug="borealis-it")


@pytest.fixture
def vendor_manager(db):
    return UserFactory(username="vera", role=Role.VENDOR_MANAGER)


@pytest.fixture
def executive(db):
    return UserFactory(username="erin", role=Role.EXECUTIVE)


@pytest.fixture
def line_manager(db, vendor_a):
    """Liam manages the relationship with vendor A only."""
    user = UserFactory(username="liam", role=Role.LINE_MANAGER)
    AssignmentFactory(user=user, vendor=vendor_a)
    return user


@pytest.fixture
def alice(db, vendor_a):
    """Alice works for vendor A; she must never see anything of vendor B."""
    return VendorUserFactory(username="alice", vendor=vendor_a)


@pytest.fixture
def charlie(db, vendor_b):
    """Charlie works for vendor B."""
    return VendorUserFactory(username="charlie", vendor=vendor_b)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def token_client():
    """token_client(user) -> an APIClient that sends `Authorization: Bearer <token>`."""

    def make(user):
        _, raw = ApiTokenFactory.with_raw(user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"



@pytest.fixture(scope="session", autouse=True)
def _release_the_test_database(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end sessions this run left behind.

    Playwright's sync API runs the test body in a greenlet, and Django keys connections by
    context, so a browser test and the tests before it hold separate connections to the
    test database; PostgreSQL then refuses to drop it ("being accessed by other users")."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
