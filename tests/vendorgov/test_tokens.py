"""One scheme for secrets shown once and stored hashed: API tokens and calendar feeds."""

import hashlib

import pytest

from accounts.models import ApiToken
from governance.models import CalendarFeed
from tests.factories import UserFactory
from vendorgov import tokens


def test_a_token_reads_scheme_lookup_secret_and_only_its_sha256_is_kept():
    issued = tokens.generate("vgtest", secret_bytes=16)
    scheme, lookup, secret = issued.raw.split("_", 2)
    assert (scheme, lookup) == ("vgtest", issued.lookup) and len(lookup) == 8
    assert issued.digest == hashlib.sha256(issued.raw.encode()).hexdigest()
    assert secret not in issued.digest
    assert tokens.matches(issued.raw, issued.digest)
    assert not tokens.matches(issued.raw + "x", issued.digest)


@pytest.mark.parametrize("raw", ["", "vg", "vg_abc", "vg_ABCDEF12_x", "vg_abcdefg1_x",
                                 "vg_abcdef1_x", "vgcal_abcdef12_x", "xx_abcdef12_x"])
def test_only_the_shape_of_a_token_of_the_scheme_has_a_lookup(raw):
    assert tokens.lookup_of(raw, "vg") is None


@pytest.mark.django_db
def test_tokens_stored_before_the_shared_helper_still_open_what_they_opened():
    """Rows written by the old code: a hex SHA-256 of the whole raw token, the lookup in
    clear. The helper must find them, so no token or feed address stops working."""
    user = UserFactory()
    api_raw = "vg_0a1b2c3d_" + "s" * 43
    api = ApiToken.objects.create(user=user, name="old", prefix="0a1b2c3d",
                                  key_hash=hashlib.sha256(api_raw.encode()).hexdigest())
    feed_raw = "vgcal_4e5f6a7b_" + "t" * 32
    feed = CalendarFeed.objects.create(user=user, prefix="4e5f6a7b",
                                       key_hash=hashlib.sha256(feed_raw.encode()).hexdigest())
    assert ApiToken.find(api_raw) == api
    assert CalendarFeed.find(feed_raw) == feed


@pytest.mark.django_db
def test_a_token_opens_only_what_its_scheme_names():
    user = UserFactory()
    feed, feed_raw = CalendarFeed.issue(user=user)
    feed.save()
    token, api_raw = ApiToken.issue(user=user, name="api")
    token.save()
    assert ApiToken.find(feed_raw) is None and CalendarFeed.find(api_raw) is None
    assert ApiToken.find(api_raw) == token and CalendarFeed.find(feed_raw) == feed


@pytest.mark.django_db
def test_a_wrong_secret_with_a_real_lookup_opens_nothing(django_assert_num_queries):
    token, raw = ApiToken.issue(user=UserFactory(), name="api")
    token.save()
    scheme, lookup, secret = raw.split("_", 2)
    wrong = secret[:-1] + ("B" if secret.endswith("A") else "A")
    with django_assert_num_queries(1):
        assert ApiToken.find(f"{scheme}_{lookup}_{wrong}") is None
    with django_assert_num_queries(0):  # malformed (not lowercase hex): not even looked up
        assert ApiToken.find(f"{scheme}_{lookup[:-1]}Z_{secret}") is None


@pytest.mark.django_db
def test_revoking_stops_a_token_and_a_second_revocation_keeps_the_first_moment():
    user = UserFactory()
    feed, raw = CalendarFeed.issue(user=user)
    feed.save()
    assert CalendarFeed.objects.filter(user=user).revoke() == 1
    first = CalendarFeed.objects.get(pk=feed.pk).revoked_at
    assert CalendarFeed.find(raw) is None
    assert CalendarFeed.objects.filter(user=user).revoke() == 0
    assert CalendarFeed.objects.get(pk=feed.pk).revoked_at == first


@pytest.mark.django_db
def test_a_lookup_works_out_its_rows_conversion_once(monkeypatch):
    from django.db.models.sql.compiler import SQLCompiler

    user = UserFactory()
    token, raw = ApiToken.issue(user=user, name="api")
    token.save()
    feed, feed_raw = CalendarFeed.issue(user=user)
    feed.save()
    assert ApiToken.find(raw) == token and CalendarFeed.find(feed_raw) == feed  # compiled
    worked_out = []
    real = SQLCompiler.get_converters
    monkeypatch.setattr(SQLCompiler, "get_converters",
                        lambda self, expressions: worked_out.append(1) or real(self, expressions))
    for _ in range(3):
        found = ApiToken.find(raw)
        assert found == token and found.user == user and found.user.username == user.username
        assert CalendarFeed.find(feed_raw) == feed
    assert worked_out == []
