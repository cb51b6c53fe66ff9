"""The global search: a seam every app adds its kinds of record to, scoped like every other
read (the world of tests/test_isolation.py: Alice works for A, vendor B's texts carry SECRET)."""

import pytest
from django.urls import reverse

from tests import test_isolation
from vendors import search

SECRET = test_isolation.SECRET

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    """Vendors A and B with one of every record. Built per test here: this module's other
    tests need a database without them (test_isolation.py builds it once per module)."""
    return test_isolation._build_world()


def groups(client, q):
    response = client.get(reverse("vendors:search"), {"q": q})
    assert response.status_code == 200
    return response


def test_a_vendor_user_finds_nothing_of_another_vendor_whatever_she_types(client, world):
    client.force_login(world.a.vendor_users.get())
    for q in (SECRET, SECRET.lower()):  # echoed in the search box, so: no hit at all
        assert groups(client, q).context["groups"] == [], q
    for q in ("Borealis", "a", "e", "review", "1"):
        assert SECRET not in groups(client, q).content.decode(), q
    # Every kind of record is searched (each app's isolation records carry the tag).
    found = {g.key for g in groups(client, "Acme").context["groups"]}
    assert found == {p.key for p in search.providers()}


def test_someone_assigned_only_to_b_finds_nothing_of_a(client, world):
    client.force_login(world.b_people["olga"])
    response = groups(client, "Acme")
    assert response.context["groups"] == []
    assert "Nothing matches “Acme” among what you may see." in response.text


@pytest.fixture
def echo():
    def find(user, q, limit):
        return [search.Hit(f"Echo of {q}", "/echo/", "found by an app", "gov_open", "Open")]

    search.register("echo", "Echoes", find, order=15)
    yield
    del search._providers["echo"]


def test_an_app_adds_its_kind_of_record_where_its_order_says(client, vendor_manager, vendor_a,
                                                             echo):
    client.force_login(vendor_manager)
    response = groups(client, "Acme")
    assert [g.label for g in response.context["groups"]][:2] == ["Vendors", "Echoes"]
    assert '<a href="/echo/">Echo of Acme</a>' in response.text
    assert "Open</span> · found by an app" in response.text


def test_an_empty_search_asks_for_words_and_runs_no_query(client, vendor_manager,
                                                          django_assert_max_num_queries):
    client.force_login(vendor_manager)
    with django_assert_max_num_queries(2):  # the session and the user
        response = groups(client, "  ")
    assert response.context["groups"] == [] and "Nothing matches" not in response.text
