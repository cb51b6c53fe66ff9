"""One caller cannot take the API for itself: requests per token and per anonymous address,
and bulk rows per token, are limited; the answer is a 429 that says when to come back."""

import uuid

import pytest
from django.conf import settings
from django.test import override_settings
from rest_framework.test import APIClient

from tests.factories import ApiTokenFactory

pytestmark = pytest.mark.django_db
ME = "/api/v1/me/"


def limits(**rates):
    rates = {"token": None, "anon": None, "rows": None, **rates}
    return override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK,
                                             "DEFAULT_THROTTLE_RATES": rates})


def bearer(user):
    _, raw = ApiTokenFactory.with_raw(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_a_token_over_its_rate_gets_429_with_retry_after(line_manager):
    client = bearer(line_manager)
    with limits(token="5/minute"):
        answers = [client.get(ME).status_code for _ in range(6)]
        refused = client.get(ME)
    assert answers == [200] * 5 + [429]
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"].lower()


def test_each_token_has_its_own_budget(line_manager):
    first, second = bearer(line_manager), bearer(line_manager)
    with limits(token="2/minute"):
        assert [first.get(ME).status_code for _ in range(3)] == [200, 200, 429]
        assert second.get(ME).status_code == 200


def test_anonymous_callers_are_limited_per_address(db):
    # An address of its own: budgets live in the shared cache, which is never cleared here.
    anonymous = APIClient(REMOTE_ADDR=f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7")
    with limits(anon="3/minute"):
        answers = [anonymous.get("/api/schema/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_bulk_requests_count_their_rows(vendor_a, line_manager):
    from tests.sla.factories import ServiceLevelFactory

    level = ServiceLevelFactory(version__sla__vendor=vendor_a)
    client = bearer(line_manager)
    batch = {"measurements": [{"service_level": level.pk, "window_start": "2020-01-01",
                               "value": "99"} for _ in range(60)]}
    with limits(rows="100/hour"):
        first = client.post("/api/v1/sla-measurements/bulk/", batch, format="json")
        second = client.post("/api/v1/sla-measurements/bulk/", batch, format="json")
    assert first.status_code != 429
    assert second.status_code == 429
    assert int(second["Retry-After"]) >= 1


def test_a_json_body_nested_two_thousand_deep_is_a_400(line_manager):
    client = bearer(line_manager)
    body = "[" * 2000 + "]" * 2000
    response = client.post("/api/v1/tokens/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_an_oversized_body_is_answered_as_json(line_manager):
    client = bearer(line_manager)
    response = client.post("/api/v1/tokens/", {"name": "x" * 5000}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "too large" in response.json()["detail"]
