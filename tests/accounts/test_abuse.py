"""Sessions end when idle, personal pages are never cached, and the password-reset form
cannot flood an inbox."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    """A client at an address of its own: the budgets live in the shared cache (one Redis
    for the parallel test processes), which is never cleared here."""
    client.defaults["REMOTE_ADDR"] = f"10.1.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    return client


def test_reset_mails_to_one_address_stop_after_three_an_hour(client):
    email = f"ann-{uuid.uuid4().hex[:8]}@example.com"
    UserFactory(username="ann", email=email)
    answers = [client.post("/accounts/password_reset/", {"email": email}) for _ in range(5)]
    assert [a.status_code for a in answers] == [302] * 5  # the same page either way
    assert len(mail.outbox) == 3


@override_settings(RESET_REQUESTS_PER_CLIENT=4)
def test_one_client_asking_for_many_resets_is_told_to_wait(client):
    tag = uuid.uuid4().hex[:8]
    answers = [client.post("/accounts/password_reset/", {"email": f"n{i}-{tag}@example.com"})
               for i in range(5)]
    assert [a.status_code for a in answers] == [302] * 4 + [429]
    assert int(answers[-1]["Retry-After"]) > 0
    assert "Too many password-reset requests" in answers[-1].content.decode()


def test_pages_for_a_signed_in_person_and_api_answers_are_not_stored(client, line_manager,
                                                                     token_client):
    client.force_login(line_manager)
    assert "no-store" in client.get("/vendors/")["Cache-Control"]
    assert "no-store" in token_client(line_manager).get("/api/v1/me/")["Cache-Control"]


@override_settings(SESSION_COOKIE_AGE=15 * 60)
def test_a_session_ends_after_its_idle_time_and_each_request_renews_it(client, line_manager):
    client.force_login(line_manager)
    assert client.get("/vendors/").status_code == 200
    session = Session.objects.get()
    left = session.expire_date - timezone.now()
    assert timedelta(minutes=14) < left <= timedelta(minutes=15)

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/vendors/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@override_settings(SESSION_COOKIE_AGE=15 * 60, SESSION_RENEW_SECONDS=0)
def test_each_request_pushes_the_idle_limit_forward(client, line_manager):
    client.force_login(line_manager)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))
    assert client.get("/vendors/").status_code == 200
    left = Session.objects.get().expire_date - timezone.now()
    assert timedelta(minutes=14) < left <= timedelta(minutes=15)
