"""The homes keep what they computed in the cache (vendorgov/freshness.py) and show every
committed write at the next view: a change through a service, a bulk UPDATE, a write by
another connection that commits while a view is being computed, and the clock for the
upcoming reviews (the vendor user's: one starting, one coming within four weeks). A kept
home is never another person's. These tests commit for real (transaction=True), as
production does; a second view that reads fewer queries than the first proves the cache
was used."""

import datetime
import threading
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards import selectors
from governance import selectors as governance
from governance import services as gov_services
from governance.choices import Tier
from governance.models import ActionItem
from tests.dashboards.data import owner_item
from tests.governance.factories import action_item, quarterly_cadence
from vendors import services as vendor_services
from vendors.choices import AssignmentRole
from vendors.models import Vendor, VendorAssignment

pytestmark = pytest.mark.django_db(transaction=True)


def _view(client):
    """The home page's text and how many queries it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def _cached_view(client):
    """Two views: the second must come from the cache (fewer queries than the first)."""
    _, first = _view(client)
    _, second = _view(client)  # the tables read are learned on the first
    page, third = _view(client)
    assert third < first, "the home was not kept in the cache"
    return page, third


def test_line_managers_home_kept_in_the_cache_shows_an_item_done_through_the_service(
        client, line_manager, vendor_a):
    item = owner_item(vendor_a, line_manager, days_overdue=3, title="Send the exit plan")
    client.force_login(line_manager)
    page, cached = _cached_view(client)
    assert "Send the exit plan" in page and "overdue by 3 days" in page
    gov_services.action_item_progress(item, by=line_manager, status="done")
    page, queries = _view(client)
    assert "Send the exit plan" not in page and queries > cached  # computed again
    assert "1 overdue action item" not in page


def test_line_managers_home_kept_in_the_cache_shows_a_bulk_update_at_once(
        client, line_manager, vendor_a):
    owner_item(vendor_a, line_manager, days_overdue=2, title="Renew the certificate")
    client.force_login(line_manager)
    page, _ = _cached_view(client)
    assert "Renew the certificate" in page
    # A queryset UPDATE: no save(), no signal; the statement itself renews the tokens.
    ActionItem.objects.filter(vendor=vendor_a).update(title="Renew the TLS certificate")
    assert "Renew the TLS certificate" in _view(client)[0]


def test_executives_home_kept_in_the_cache_shows_a_renamed_vendor(client, executive,
                                                                  vendor_a):
    client.force_login(executive)
    page, _ = _cached_view(client)
    assert "Acme Outsourcing" in page
    vendor_services.record_update(vendor_a, name="Acme Global")
    page, _ = _view(client)
    assert "Acme Global" in page and "Acme Outsourcing" not in page


def test_a_vendor_assigned_to_a_line_manager_appears_on_their_cached_home(
        client, line_manager, vendor_a, vendor_b):
    client.force_login(line_manager)
    page, _ = _cached_view(client)
    assert "Borealis IT" not in page
    vendor_services.record_create(VendorAssignment, vendor=vendor_b, user=line_manager,
                                  role=AssignmentRole.LINE_MANAGER)
    assert "Borealis IT" in _view(client)[0]


@pytest.mark.postgres
def test_a_write_committed_while_the_home_is_computed_shows_at_the_next_view(
        client, line_manager, vendor_a):
    """Another connection's write, not committed yet while this view reads (it sees the old
    item and keeps that), committed before the next view: the next view shows it."""
    item = owner_item(vendor_a, line_manager, days_overdue=1, title="Book the review room")
    client.force_login(line_manager)
    assert "Book the review room" in _cached_view(client)[0]
    written, release, failure = threading.Event(), threading.Event(), []

    def writer():
        try:
            with transaction.atomic():
                gov_services.action_item_progress(ActionItem.objects.get(pk=item.pk),
                                                  status="done")
                written.set()
                assert release.wait(30)
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            failure.append(error)
            written.set()
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    assert written.wait(30)
    during, _ = _view(client)  # the write is not committed: the old item, read and kept
    release.set()
    thread.join(30)
    assert not thread.is_alive() and not failure
    assert "Book the review room" in during
    assert "Book the review room" not in _view(client)[0]


@contextmanager
def at(moment):
    """The clock reads `moment` (and today is its date) for the page and its selectors."""
    with (mock.patch("django.utils.timezone.now", lambda: moment),
          mock.patch("django.utils.timezone.localdate",
                     lambda *args, **kwargs: timezone.localtime(moment).date())):
        yield


def test_executives_kept_home_drops_an_upcoming_review_once_it_starts(client, executive,
                                                                      vendor_a):
    quarterly_cadence(vendor_a, day_of_month=timezone.localdate().day)
    review = governance.meetings_between_counted(
        executive, timezone.now(), timezone.now() + selectors.REVIEWS_AHEAD,
        tier="quarterly", limit=1)[0][0]
    link = f'href="{review.get_absolute_url()}"'
    with at(review.starts_at - datetime.timedelta(hours=1)):  # the session lasts 2 hours
        client.force_login(executive)
        page, cached = _cached_view(client)
    assert link in page
    with at(review.starts_at - datetime.timedelta(minutes=1)):
        page, queries = _view(client)
    assert link in page and queries == cached  # no write, not started: still kept
    with at(review.starts_at + datetime.timedelta(minutes=1)):
        page, queries = _view(client)
    assert link not in page and queries > cached  # started: read again


def test_nothing_is_kept_while_the_transaction_has_uncommitted_writes(client, line_manager,
                                                                      vendor_a):
    """A request that writes and then reads (or a test in one transaction) computes: what it
    sees is not committed, so nobody else may be given it."""
    client.force_login(line_manager)
    _cached_view(client)
    with transaction.atomic():
        Vendor.objects.filter(pk=vendor_a.pk).update(name="Acme Uncommitted")
        with CaptureQueriesContext(connection) as queries:
            selectors.line_home(line_manager)
        assert len(queries) > 5  # computed, not read from the cache
        transaction.set_rollback(True)
    page, _ = _view(client)
    assert "Acme Uncommitted" not in page and "Acme Outsourcing" in page


def test_operations_home_kept_in_the_cache_shows_a_new_service_level_and_a_measurement(
        client, vendor_a):
    from sla import rules
    from tests.factories import AssignmentFactory, UserFactory
    from tests.sla.factories import measurement, service_level
    from vendorgov.roles import Role

    olga = UserFactory(username="olga", role=Role.OPERATIONS)
    AssignmentFactory(user=olga, vendor=vendor_a)
    client.force_login(olga)
    page, _ = _cached_view(client)
    assert "Weekly uptime" not in page
    level = service_level(vendor_a, name="Weekly uptime", window="weekly")
    page, _ = _cached_view(client)
    assert "Weekly uptime" in page and "no measurement yet" in page
    measurement(level, rules.window_start("weekly", timezone.localdate()), 99.9)  # this week
    page = _view(client)[0]
    assert "no measurement yet" not in page and "1 measurement so far" in page


def test_vendor_users_kept_home_shows_an_item_done_and_never_another_vendors(
        client, alice, charlie, vendor_a, vendor_b):
    """Kept per person and vendor: each vendor user's kept home shows their vendor's items
    only, a write shows at the next view, and one moved to another vendor sees that one
    (its name in the title and the navigation, renamed at once)."""
    item = action_item(vendor_a, title="Send the Acme capacity plan")
    action_item(vendor_b, title="Send the Borealis capacity plan")
    client.force_login(alice)
    page, kept = _cached_view(client)
    assert "Send the Acme capacity plan" in page and "Borealis" not in page
    client.force_login(charlie)
    page, _ = _cached_view(client)
    assert "Send the Borealis capacity plan" in page and "Acme" not in page
    client.force_login(alice)
    gov_services.action_item_progress(item, status="done")
    page, queries = _view(client)
    assert "Send the Acme capacity plan" not in page and queries > kept
    alice.vendor = vendor_b
    alice.save(update_fields=["vendor"])
    page, _ = _view(client)
    assert "Send the Borealis capacity plan" in page and "Acme" not in page
    assert _view(client)[1] == kept  # kept again
    vendor_services.record_update(vendor_b, name="Borealis Cloud")  # title and navigation
    page, _ = _view(client)
    assert page.count("Borealis Cloud") >= 3 and "Borealis IT" not in page


def test_vendor_users_kept_home_drops_a_review_once_it_starts_and_lists_one_within_four_weeks(
        client, alice, vendor_a):
    """No write: the home lists the reviews of the next four weeks, so the clock alone
    changes it when the first starts and when a later one comes within the four weeks."""
    day = timezone.localdate() + datetime.timedelta(days=2)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
    soon, later = (gov_services.meeting_arrange(
        vendor=vendor_a, tier=Tier.HEALTH_CHECK, key=key, title=title, starts_at=starts_at,
        duration_minutes=30) for key, title, starts_at in (
            ("hc-1", "Review soon", start),
            ("hc-2", "Review later", start + selectors.VENDOR_REVIEWS_AHEAD
             + datetime.timedelta(hours=1))))
    shown = lambda page, meeting: f'href="{meeting.get_absolute_url()}"' in page  # noqa: E731
    with at(start - datetime.timedelta(minutes=30)):  # a session lasts two hours
        client.force_login(alice)
        page, kept = _cached_view(client)
    assert shown(page, soon) and not shown(page, later)
    with at(start - datetime.timedelta(minutes=1)):
        page, queries = _view(client)
    assert shown(page, soon) and queries == kept  # no write, not started: still kept
    with at(start + datetime.timedelta(minutes=1)):
        page, queries = _view(client)
    assert not shown(page, soon) and not shown(page, later) and queries > kept
    with at(start + datetime.timedelta(minutes=59)):
        page, queries = _view(client)
    assert not shown(page, later) and queries == kept
    with at(start + datetime.timedelta(minutes=61)):  # four weeks before the later one
        page, queries = _view(client)
    assert shown(page, later) and queries > kept


def test_a_sweep_that_records_nothing_new_keeps_the_vendor_managers_home(
        client, vendor_manager, line_manager, vendor_a):
    """The reminder sweep runs every minute; most runs record nothing, though their
    statements are writes (an UPDATE that finds no row, an INSERT … ON CONFLICT DO NOTHING,
    the one statement of the SQL kinds naming the items it reads). Such a run must not drop
    the kept homes, or nothing would be kept for more than a minute."""
    from reminders import outbox
    from reminders.models import Reminder

    owner_item(vendor_a, line_manager, days_overdue=9, title="Send the exit plan")
    outbox.sweep()
    assert Reminder.objects.filter(kind__startswith="governance.action_item").exists()
    client.force_login(vendor_manager)
    _, cached = _cached_view(client)
    outbox.sweep()  # the steady sweep: nothing new
    assert _view(client)[1] == cached  # kept
    # What a sweep records, and a write that changes rows, still count.
    Vendor.objects.filter(pk=vendor_a.pk).update(name="Acme Global")
    page, queries = _view(client)
    assert queries > cached and "Acme Global" in page
