"""A meeting page, the timeline and the impediment list cost the same number of queries
however much history a vendor has."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance import services
from tests.factories import ContactFactory, StaffingChangeFactory, VendorFactory
from tests.governance.factories import action_item, impediment, suggestion, weekly_cadence

pytestmark = pytest.mark.django_db


def add_history(vendor, owner, meetings, n):
    """n more of everything: impediments with updates and escalations, action items,
    suggestions, staffing changes, decisions and held meetings."""
    contact = ContactFactory(vendor=vendor)
    for i in range(n):
        blocker = impediment(vendor, title=f"Blocker {i}", owner_contact=contact)
        services.impediment_add_update(blocker, by=owner, text="Progress")
        services.impediment_escalate(blocker, by=owner, note="Chased", to_user=owner)
        action_item(vendor, owner=contact, meeting=meetings[0], title=f"Action {i}")
        action_item(vendor, owner=owner, title=f"Loose action {i}")
        idea = suggestion(vendor, title=f"Idea {i}")
        services.suggestion_transition(idea, status="accepted", rationale="Good")
        StaffingChangeFactory(vendor=vendor, reason=f"Change {i}")
        services.decision_record(meeting=meetings[0], text=f"Decision {i}")
        services.agenda_item_add(meeting=meetings[1], title=f"Point {i}")


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def setup(vendor_a, line_manager, outsourced_lead, clock):
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    with clock(midnight):
        cadence = weekly_cadence(vendor_a, ours=[line_manager], theirs=[outsourced_lead],
                                 at=dt.time(0, 5))
    meetings = list(cadence.meetings.all())
    services.meeting_hold(meetings[0], by=line_manager)
    return vendor_a, line_manager, meetings


@pytest.mark.parametrize("page", ["live meeting", "held meeting", "timeline", "items"])
def test_pages_cost_the_same_at_two_sizes(client, setup, page):
    vendor, owner, meetings = setup
    client.force_login(owner)
    url = {"live meeting": meetings[1].get_absolute_url(),
           "held meeting": meetings[0].get_absolute_url(),
           "timeline": reverse("governance:timeline", args=[vendor.slug]),
           "items": reverse("governance:items", args=[vendor.slug]) + "?impediments=all"}[page]
    add_history(vendor, owner, meetings, 2)
    small = count(client, url)
    add_history(vendor, owner, meetings, 12)
    assert count(client, url) == small


def test_the_impediment_api_costs_the_same_at_two_sizes(token_client, setup):
    vendor, owner, meetings = setup
    api = token_client(owner)
    url = reverse("impediment-list")
    add_history(vendor, owner, meetings, 2)
    api.get(url)  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as small:
        assert api.get(url).status_code == 200
    add_history(vendor, owner, meetings, 12)
    with CaptureQueriesContext(connection) as large:
        assert api.get(url).json()["count"] == 14
    assert len(large) == len(small)


def test_the_reviews_portfolio_caps_each_list_and_says_there_are_more(client, executive,
                                                                      monkeypatch):
    """At 1,000 vendors two weeks hold 2,000 weekly reviews: the page lists the first ones
    and points to the filters, instead of all of them."""
    monkeypatch.setattr("governance.selectors.PORTFOLIO_LIMIT", 1)
    for name in ("First", "Second"):
        weekly_cadence(VendorFactory(name=name))
    client.force_login(executive)
    response = client.get(reverse("governance:portfolio"))
    p = response.context["p"]
    assert len(p.upcoming) == 1 and p.more["upcoming"]
    assert "choose a vendor or tier above for the rest" in response.content.decode()


def test_the_reviews_portfolio_flags_impediments_past_their_vendors_limit_oldest_first(
        client, executive, clock, monkeypatch):
    """Each vendor's plan says how long an impediment may stay open: the page lists those
    past it, the longest open first, at most a page of them. On PostgreSQL the limit, the
    order and the cap are applied in SQL, in the one query that reads the impediments, so the
    page reads no more than a page of them however many are open across the portfolio."""
    monkeypatch.setattr("governance.selectors.PORTFOLIO_LIMIT", 2)
    strict, lenient = VendorFactory(name="Strict"), VendorFactory(name="Lenient")
    services.plan_update(vendor=strict, escalate_after_days=3)
    now = timezone.now()
    for days, vendor, title in ((10, strict, "Ten days at Strict"),
                                (10, lenient, "Ten days at Lenient"),  # within 14 days
                                (5, strict, "Five days at Strict"),
                                (2, strict, "Two days at Strict"),  # within 3 days
                                (30, lenient, "Thirty days at Lenient")):
        with clock(now - dt.timedelta(days=days)):
            impediment(vendor, title=title)
    client.force_login(executive)
    with CaptureQueriesContext(connection) as queries:
        p = client.get(reverse("governance:portfolio")).context["p"]
    assert [i.title for i in p.flagged_impediments] == ["Thirty days at Lenient",
                                                        "Ten days at Strict"]
    assert [i.limit for i in p.flagged_impediments] == [14, 3] and p.more["flagged_impediments"]
    read = [q["sql"] for q in queries.captured_queries if "governance_impediment" in q["sql"]]
    assert len(read) == 1
    assert not any('FROM "governance_governanceplan"' in q["sql"] and q["sql"] not in read
                   for q in queries.captured_queries)  # the limit is a subquery of it
    if connection.vendor == "postgresql":
        assert read[0].endswith("LIMIT 3")
