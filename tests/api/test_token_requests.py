"""An API request that names its caller by a bearer token skips the session machinery
(vendorgov.middleware.token_request, vendorgov.api.middleware), and keeps every security
header the site sends."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ApiTokenFactory

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = {"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
                    "Referrer-Policy", "Cross-Origin-Opener-Policy"}


@pytest.fixture
def signed_in(line_manager):
    """A browser signed in as Liam (a session cookie), who also holds a token."""
    client = Client()
    client.force_login(line_manager)
    _, raw = ApiTokenFactory.with_raw(line_manager)
    return client, raw


def test_a_token_request_reads_no_session_and_does_not_vary_by_cookie(signed_in):
    client, raw = signed_in
    response = client.get(reverse("vendor-list"), HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert not hasattr(response.wsgi_request, "session")
    assert not hasattr(response.wsgi_request, "_messages")
    assert response["Vary"] == "Accept"
    assert set(response.headers) >= SECURITY_HEADERS
    assert "no-store" in response["Cache-Control"]
    assert response.wsgi_request.user.username == "liam"  # the token's, set by DRF


def test_a_refused_token_is_a_401_with_the_security_headers(signed_in):
    client, _ = signed_in
    response = client.get(reverse("vendor-list"), HTTP_AUTHORIZATION="Bearer vg_0_nope")
    assert response.status_code == 401
    assert set(response.headers) >= SECURITY_HEADERS
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("header", ["Token abc", "Basic bGlhbTp4", ""])
def test_an_api_request_without_a_bearer_token_goes_through_the_session(signed_in, header):
    # Another scheme (or none) leaves the caller to the session authentication.
    client, _ = signed_in
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get(reverse("me"), HTTP_ACCEPT="application/json", **extra)
    assert response.status_code == 200
    assert response.json()["username"] == "liam"
    assert hasattr(response.wsgi_request, "session")
    assert "Cookie" in response["Vary"]


def test_a_bearer_header_outside_the_api_leaves_pages_to_the_session(signed_in):
    client, raw = signed_in
    response = client.get(reverse("home"), HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response.wsgi_request.session.session_key
    assert response.wsgi_request.user.username == "liam"


def test_the_browsable_api_answers_a_token_request(signed_in):
    client, raw = signed_in
    response = client.get(reverse("vendor-list"), HTTP_AUTHORIZATION=f"Bearer {raw}",
                          HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
