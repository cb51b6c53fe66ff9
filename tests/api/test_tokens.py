"""Personal API tokens: Bearer authentication, /me, the caller's own token list, and the
create_api_token command."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests.factories import ApiTokenFactory, UserFactory

ME = reverse("me")


def bearer(raw):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def assert_401(response):
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    assert response["WWW-Authenticate"] == "Bearer"


def test_valid_token_authenticates_and_records_its_use(line_manager):
    token, raw = ApiTokenFactory.with_raw(line_manager)
    response = bearer(raw).get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == "liam"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_is_401(line_manager):
    _, raw = ApiTokenFactory.with_raw(line_manager, revoked_at=timezone.now())
    assert_401(bearer(raw).get(ME))


def test_expired_token_is_401(line_manager):
    _, raw = ApiTokenFactory.with_raw(line_manager,
                                      expires_at=timezone.now() - timedelta(seconds=1))
    assert_401(bearer(raw).get(ME))


@pytest.mark.parametrize("header", ["Bearer garbage", "Bearer vg_nope_nope", "Bearer",
                                    "Bearer a b"])
def test_garbage_token_is_401(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_401(client.get(ME))


def test_missing_token_is_401(db):
    assert_401(APIClient().get(ME))


def test_token_of_a_deactivated_user_is_401(line_manager):
    _, raw = ApiTokenFactory.with_raw(line_manager)
    line_manager.is_active = False
    line_manager.save()
    assert_401(bearer(raw).get(ME))


def test_me_tells_an_internal_user_who_they_are(token_client, line_manager):
    body = token_client(line_manager).get(ME).json()
    assert body == {"id": line_manager.pk, "username": "liam",
                    "full_name": line_manager.get_full_name(), "email": "liam@example.org",
                    "roles": ["line_manager"], "vendor": None}


def test_me_tells_a_vendor_user_their_vendor(token_client, alice, vendor_a):
    body = token_client(alice).get(ME).json()
    assert body["roles"] == ["vendor_user"]
    assert body["vendor"] == vendor_a.pk


def test_token_create_shows_the_secret_once_and_it_works(token_client, alice):
    client = token_client(alice)
    response = client.post(reverse("token-list"), {"name": "SLA feed"})
    assert response.status_code == 201
    raw = response.json()["token"]
    assert raw.startswith("vg_")
    assert response.json()["prefix"] in raw

    listed = client.get(reverse("token-list"))
    assert raw not in listed.content.decode()
    assert all("token" not in item for item in listed.json()["results"])
    detail = client.get(reverse("token-detail", args=[response.json()["id"]]))
    assert raw not in detail.content.decode()
    assert bearer(raw).get(ME).json()["username"] == "alice"


def test_token_list_shows_metadata_but_never_the_secret(token_client, line_manager):
    token, raw = ApiTokenFactory.with_raw(line_manager, name="Reporting")
    response = token_client(line_manager).get(reverse("token-list"))
    item = next(i for i in response.json()["results"] if i["id"] == token.pk)
    assert set(item) == {"id", "name", "prefix", "created_at", "last_used_at", "expires_at",
                         "revoked_at", "is_active"}
    assert raw not in response.content.decode()
    assert token.key_hash not in response.content.decode()


def test_token_create_rejects_an_expiry_in_the_past(token_client, line_manager):
    past = (timezone.now() - timedelta(days=1)).isoformat()
    response = token_client(line_manager).post(reverse("token-list"),
                                               {"name": "x", "expires_at": past})
    assert response.status_code == 400
    assert "expires_at" in response.json()


def test_token_create_needs_a_name(token_client, line_manager):
    response = token_client(line_manager).post(reverse("token-list"), {})
    assert response.status_code == 400
    assert "name" in response.json()


def test_user_sees_only_their_own_tokens(token_client, line_manager, alice):
    own, _ = ApiTokenFactory.with_raw(line_manager)
    other, _ = ApiTokenFactory.with_raw(alice)
    client = token_client(line_manager)
    ids = {t["id"] for t in client.get(reverse("token-list")).json()["results"]}
    assert own.pk in ids and other.pk not in ids
    assert client.get(reverse("token-detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("token-revoke", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_revoked_token_stops_working_and_revoking_again_keeps_the_first_moment(
        token_client, line_manager):
    token, raw = ApiTokenFactory.with_raw(line_manager)
    client = token_client(line_manager)
    response = client.post(reverse("token-revoke", args=[token.pk]))
    assert response.status_code == 200
    revoked_at = response.json()["revoked_at"]
    assert revoked_at and response.json()["is_active"] is False
    assert_401(bearer(raw).get(ME))
    again = client.post(reverse("token-revoke", args=[token.pk]))
    assert again.json()["revoked_at"] == revoked_at


def test_tokens_cannot_be_deleted(token_client, line_manager):
    token, _ = ApiTokenFactory.with_raw(line_manager)
    response = token_client(line_manager).delete(reverse("token-detail", args=[token.pk]))
    assert response.status_code == 405


def test_create_api_token_command_prints_a_working_token_once(db):
    user = UserFactory(username="olga")
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", "olga", "--name", "Nightly import", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    token = ApiToken.objects.get(user=user)
    assert token.name == "Nightly import"
    assert raw not in (token.key_hash, token.prefix)
    assert token.key_hash != raw and len(token.key_hash) == 64
    assert "not shown again" in err.getvalue()
    assert bearer(raw).get(ME).json()["username"] == "olga"


def test_create_api_token_command_can_set_an_expiry(db):
    UserFactory(username="olga")
    call_command("create_api_token", "olga", "--expires-in-days", "30", stdout=io.StringIO(),
                 stderr=io.StringIO())
    token = ApiToken.objects.get(user__username="olga")
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)


def test_create_api_token_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user named"):
        call_command("create_api_token", "nobody", stdout=io.StringIO())
    assert not ApiToken.objects.exists()


# The token's lookup is compiled once per process (vendorgov.tokens._Lookup); what it finds
# is read from the database on every request, so nothing about a token or its owner is
# remembered from one request to the next.

def test_a_token_used_a_moment_ago_fails_at_once_when_revoked_or_expired(line_manager):
    token, raw = ApiTokenFactory.with_raw(line_manager)
    client = bearer(raw)
    assert client.get(ME).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now()
                                                + timedelta(seconds=1))
    assert client.get(ME).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now()
                                                - timedelta(microseconds=1))
    assert_401(client.get(ME))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None)
    assert client.get(ME).status_code == 200
    ApiToken.objects.filter(pk=token.pk).revoke()
    assert_401(client.get(ME))


def test_a_token_answers_with_its_owner_as_they_are_now(line_manager):
    _, raw = ApiTokenFactory.with_raw(line_manager)
    client = bearer(raw)
    assert client.get(ME).json()["username"] == "liam"
    type(line_manager).objects.filter(pk=line_manager.pk).update(username="liam-renamed")
    assert client.get(ME).json()["username"] == "liam-renamed"
    type(line_manager).objects.filter(pk=line_manager.pk).update(is_active=False)
    assert_401(client.get(ME))


def test_the_token_lookup_is_not_built_again_for_each_request(line_manager, monkeypatch,
                                                               django_assert_num_queries):
    _, raw = ApiTokenFactory.with_raw(line_manager)
    client = bearer(raw)
    client.get(ME)
    built = []
    original = ApiToken.findable.__func__
    monkeypatch.setattr(ApiToken, "findable",
                        classmethod(lambda cls, now=None: built.append(now)
                                    or original(cls, now)))
    with django_assert_num_queries(1):  # the token with its owner, in one query
        assert client.get(ME).status_code == 200
    assert built == []


def test_me_answers_a_person_signed_in_with_a_session(client, line_manager):
    # The browsable API's caller: DRF's session authentication hands over the session's
    # user as Django's lazy object, not the record itself (a 500 before).
    client.force_login(line_manager)
    response = client.get(reverse("me"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["username"] == "liam"
