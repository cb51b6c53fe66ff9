"""The vendor page (its Overview tab, header included) keeps what it rendered in the cache
(vendorgov/freshness.py, vendors/views/vendor.py) and shows every committed write at the
next view, never shows one person's kept page to another, checks on every view that the
person may still open it, and moves on to the next review once the one shown has ended.
These tests commit for real (transaction=True), as production does; a view that reads fewer
queries than the first proves the cache was used."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance import services as gov_services
from governance.choices import Tier
from tests.dashboards.data import owner_item
from tests.dashboards.test_home_freshness import at
from vendors import services as vendor_services
from vendors.models import GuidingPrinciple, VendorAssignment

pytestmark = pytest.mark.django_db(transaction=True)


def _view(client, vendor, **params):
    """The vendor page's response and how many queries it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("vendors:detail", args=[vendor.slug]), params)
    return response, len(queries)


def _page(client, vendor, **params):
    response, queries = _view(client, vendor, **params)
    assert response.status_code == 200
    return response.content.decode(), queries


def _kept_page(client, vendor, **params):
    """Three views: the third must come from the cache (fewer queries than the first; the
    tables read are learned on the first)."""
    _, first = _page(client, vendor, **params)
    _page(client, vendor, **params)
    page, third = _page(client, vendor, **params)
    assert third < first, "the vendor page was not kept in the cache"
    return page, third


def test_kept_vendor_page_shows_an_item_done_through_the_service(client, line_manager,
                                                                  vendor_a):
    item = owner_item(vendor_a, line_manager, days_overdue=2, title="Send the exit plan")
    client.force_login(line_manager)
    page, kept = _kept_page(client, vendor_a)
    assert "Send the exit plan" in page and "overdue by 2 days" in page
    gov_services.action_item_progress(item, by=line_manager, status="done")
    page, queries = _page(client, vendor_a)
    assert "Send the exit plan" not in page and queries > kept  # computed again


def test_kept_vendor_page_shows_the_vendor_renamed_and_archived(client, vendor_manager,
                                                                 vendor_a):
    """The vendor's own row is read before the page (by the access check), not while it is
    computed: it is part of the kept page's key."""
    client.force_login(vendor_manager)
    page, _ = _kept_page(client, vendor_a)
    assert "Acme Outsourcing" in page and "Archived on" not in page
    vendor_services.record_update(vendor_a, name="Acme Global")
    page, _ = _page(client, vendor_a)
    assert "Acme Global" in page and "Acme Outsourcing" not in page
    vendor_services.record_archive(vendor_a)
    assert "Archived on" in _page(client, vendor_a)[0]


def test_a_kept_vendor_page_is_never_shown_to_another_person(client, vendor_manager,
                                                             executive, alice, charlie,
                                                             vendor_a, vendor_b):
    """Kept per person: the vendor manager's page (with its edit buttons and our internal
    blocks) is not what the executive or the vendor's own user get, and a vendor user still
    gets a 404 for another vendor's page that others have kept."""
    client.force_login(vendor_manager)
    page, _ = _kept_page(client, vendor_a)
    assert "Edit vendor" in page and "Quarterly review pack" in page
    client.force_login(executive)
    page, _ = _kept_page(client, vendor_a)
    assert "Edit vendor" not in page and "Quarterly review pack" in page
    client.force_login(alice)
    page, _ = _kept_page(client, vendor_a)
    assert "Edit vendor" not in page and "Quarterly review pack" not in page
    assert "Acme Outsourcing" in page
    assert _view(client, vendor_b)[0].status_code == 404
    client.force_login(charlie)
    assert _view(client, vendor_a)[0].status_code == 404
    page, _ = _page(client, vendor_b)
    assert "Borealis IT" in page and "Acme Outsourcing" not in page


def test_a_person_taken_off_a_vendor_gets_a_404_though_its_page_was_kept(client,
                                                                         line_manager,
                                                                         vendor_a):
    client.force_login(line_manager)
    _kept_page(client, vendor_a)
    vendor_services.assignment_remove(VendorAssignment.objects.get(user=line_manager))
    assert _view(client, vendor_a)[0].status_code == 404


def test_kept_vendor_page_moves_to_the_next_review_once_the_one_shown_has_ended(
        client, vendor_manager, vendor_a):
    """No write: a scheduled review is "next" (header and 360) until it has ended."""
    day = timezone.localdate() + datetime.timedelta(days=2)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
    first, second = (gov_services.meeting_arrange(
        vendor=vendor_a, tier=Tier.HEALTH_CHECK, key=f"hc-{n}", title=f"Review {n}",
        starts_at=start + datetime.timedelta(days=7 * n), duration_minutes=30)
        for n in (0, 1))
    shown = lambda page, meeting: f'href="{meeting.get_absolute_url()}"' in page  # noqa: E731
    with at(start - datetime.timedelta(minutes=30)):  # a session lasts two hours
        client.force_login(vendor_manager)
        page, kept = _kept_page(client, vendor_a)
    assert shown(page, first) and not shown(page, second)
    with at(start + datetime.timedelta(minutes=29)):  # under way, not ended: still kept
        page, queries = _page(client, vendor_a)
    assert shown(page, first) and queries == kept
    with at(start + datetime.timedelta(minutes=31)):
        page, queries = _page(client, vendor_a)
    assert shown(page, second) and not shown(page, first) and queries > kept


def test_kept_vendor_page_with_archived_records_is_kept_apart(client, vendor_manager,
                                                              vendor_a):
    principle = vendor_services.record_create(GuidingPrinciple, vendor=vendor_a,
                                              title="Escalate early",
                                              text="Bad news travels fast.")
    vendor_services.record_archive(principle)
    client.force_login(vendor_manager)
    assert "Escalate early" not in _kept_page(client, vendor_a)[0]
    assert "Escalate early" in _kept_page(client, vendor_a, archived="1")[0]
    assert "Escalate early" not in _page(client, vendor_a)[0]
