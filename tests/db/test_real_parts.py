"""Behaviour that only the real PostgreSQL and Redis can show."""

import threading

import pytest
from django.core.cache import cache
from django.db import connection

from tests.factories import ApiTokenFactory, UserFactory
from vendorgov.celery import app
from vendorgov.roles import Role
from vendors.models import Vendor


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_managers_creating_the_same_vendor_at_once_get_one_vendor_and_no_500():
    """Validation passes for both requests; the database's unique index decides, and the
    loser hears 400 (validation) or 409 (the race), never 500."""
    from rest_framework.test import APIClient

    clients = []
    for n in range(2):
        _, raw = ApiTokenFactory.with_raw(UserFactory(username=f"vm{n}",
                                                      role=Role.VENDOR_MANAGER))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        clients.append(client)
    barrier, statuses = threading.Barrier(2), []

    def create(client, name):
        barrier.wait()
        try:
            statuses.append(client.post("/api/v1/vendors/", {"name": name}, format="json")
                            .status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(c, name))
               for c, name in zip(clients, ["Race Corp", "RACE CORP"], strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses)[0] == 201 and sorted(statuses)[1] in (400, 409)
    assert Vendor.objects.filter(name__iexact="race corp").count() == 1


@pytest.mark.redis
def test_redis_carries_the_cache_and_the_celery_broker(settings):
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    cache.set("vendorgov:test", {"ok": 1}, timeout=30)
    assert cache.get("vendorgov:test") == {"ok": 1}
    assert app.conf.broker_url == settings.REDIS_URL
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
        assert conn.connected
