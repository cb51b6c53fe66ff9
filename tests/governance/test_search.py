"""The global search finds review meetings, action items, impediments and suggestions: only
of the vendors the person may see, in one query per kind of record."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance import services
from tests.factories import ContactFactory
from tests.governance.factories import action_item, impediment, suggestion, weekly_cadence
from vendors import search
from vendors.services import record_archive

pytestmark = pytest.mark.django_db


def governance_records(vendor, tag):
    """A weekly cadence (and so its meetings), an action item, an impediment and a
    suggestion, each with `tag` in its title."""
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    weekly_cadence(vendor, title=f"{tag} weekly review", weekday=tomorrow.weekday())
    return {"action": action_item(vendor, title=f"{tag} capacity plan"),
            "impediment": impediment(vendor, title=f"{tag} change approvals are slow"),
            "suggestion": suggestion(vendor, title=f"{tag} automate patch reports")}


def found(client, q):
    response = client.get(reverse("vendors:search"), {"q": q})
    assert response.status_code == 200
    return {g.key: [h.title for h in g.hits] for g in response.context["groups"]}, response


def test_search_finds_each_kind_of_governance_record(client, line_manager, vendor_a):
    records = governance_records(vendor_a, "Zephyr")
    client.force_login(line_manager)
    groups, response = found(client, "zephyr")
    assert groups["meetings"] and set(groups["meetings"]) == {"Zephyr weekly review"}
    assert groups["action_items"] == ["Zephyr capacity plan"]
    assert groups["impediments"] == ["Zephyr change approvals are slow"]
    assert groups["suggestions"] == ["Zephyr automate patch reports"]
    for url in (reverse("governance:action_item_update",
                        args=[vendor_a.slug, records["action"].pk]),
                records["impediment"].get_absolute_url(),
                records["suggestion"].get_absolute_url()):
        assert f'href="{url}"' in response.text
    for heading in ("Review meetings", "Action items", "Impediments", "Innovation suggestions"):
        assert heading in response.text


@pytest.mark.parametrize("person", ["alice", "charlie", "line_manager"])
def test_nobody_finds_another_vendors_governance_records(request, client, person, vendor_a,
                                                         vendor_b):
    user = request.getfixturevalue(person)
    governance_records(vendor_a, "Quokka")
    governance_records(vendor_b, "Quokka")
    own = vendor_b if person == "charlie" else vendor_a
    client.force_login(user)
    groups, response = found(client, "quokka")
    assert set(groups) >= {"meetings", "action_items", "impediments", "suggestions"}
    for group in response.context["groups"]:
        for hit in group.hits:
            assert f"/vendors/{own.slug}/" in hit.url, (group.key, hit)
    other = vendor_a if own == vendor_b else vendor_b
    assert other.name not in response.text and f"/vendors/{other.slug}/" not in response.text


def test_archived_records_and_meetings_taken_out_of_a_series_are_not_found(
        client, line_manager, vendor_a):
    records = governance_records(vendor_a, "Wombat")
    record_archive(records["suggestion"])
    meetings = list(vendor_a.meetings.all())
    for meeting in meetings[1:]:
        record_archive(meeting)
    client.force_login(line_manager)
    groups, response = found(client, "wombat")
    assert "suggestions" not in groups and "action_items" in groups
    assert len(groups["meetings"]) == 1
    assert meetings[0].get_absolute_url() in response.text


def test_meetings_still_to_come_come_first_soonest_first_then_the_latest_held(
        client, line_manager, vendor_a, clock):
    with clock(timezone.now() - dt.timedelta(days=21)):
        weekly_cadence(vendor_a, title="Kiwi weekly review")
    now = timezone.now()
    meetings = list(vendor_a.meetings.order_by("starts_at"))
    upcoming = [m.pk for m in meetings if m.ends_at >= now]
    over = [m.pk for m in reversed(meetings) if m.ends_at < now]
    assert len(upcoming) >= 2 and len(over) >= 2
    client.force_login(line_manager)
    _, response = found(client, "kiwi")
    hits = next(g.hits for g in response.context["groups"] if g.key == "meetings")
    assert [int(h.url.rstrip("/").rsplit("/", 1)[1]) for h in hits] == upcoming + over
    assert hits[-1].detail.endswith("days ago")


def test_open_items_come_before_closed_ones(client, line_manager, vendor_a):
    owner = ContactFactory(vendor=vendor_a)
    today = timezone.localdate()
    done = action_item(vendor_a, owner=owner, title="Emu done", due_on=today)
    services.action_item_progress(done, status="done")
    later = action_item(vendor_a, owner=owner, title="Emu later",
                        due_on=today + dt.timedelta(days=9))
    sooner = action_item(vendor_a, owner=owner, title="Emu sooner",
                         due_on=today + dt.timedelta(days=2))
    client.force_login(line_manager)
    groups, _ = found(client, "emu")
    assert groups["action_items"] == [sooner.title, later.title, done.title]


def test_search_costs_one_query_per_kind_of_record_however_much_it_finds(
        client, line_manager, vendor_a):
    client.force_login(line_manager)

    def count(q):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("vendors:search"), {"q": q}).status_code == 200
        return len(queries)

    def grow(n):
        for i in range(n):
            ContactFactory(vendor=vendor_a, name=f"Ibis contact {i}")
            governance_records(vendor_a, f"Ibis {i}")

    grow(1)
    small = count("ibis")
    # One query per kind of record, and the person's vendor assignments once.
    assert small - count("") == len(search.providers()) + 1
    grow(6)
    assert count("ibis") == small
