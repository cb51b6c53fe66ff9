"""The vendor header says when the next review is, on every vendor page."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance import services
from tests.governance.factories import monthly_cadence, weekly_cadence

pytestmark = pytest.mark.django_db

PAGES = ["vendors:detail", "vendors:people", "vendors:history", "governance:vendor",
         "governance:items"]


def header(client, vendor, url_name="vendors:detail"):
    response = client.get(reverse(url_name, args=[vendor.slug]))
    assert response.status_code == 200
    text = response.text
    return text[:text.index('<ul class="nav nav-tabs')]


def test_the_header_shows_the_next_review_with_its_tier_time_and_link(client, line_manager,
                                                                      vendor_a):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    cadence = weekly_cadence(vendor_a, title="Service sync", weekday=tomorrow.weekday(),
                             at=dt.time(10, 0), time_zone="Asia/Tokyo")
    first = cadence.meetings.order_by("starts_at").first()
    client.force_login(line_manager)
    for url_name in PAGES:
        top = header(client, vendor_a, url_name)
        assert "Next review:" in top, url_name
        assert f'href="{first.get_absolute_url()}">Service sync</a> (weekly review)' in top
        assert f"{first.local_start:%a} {first.local_start.day} {first.local_start:%b %Y}, " \
               f"10:00–11:00" in top
        assert "tomorrow" in top


def test_a_title_that_names_the_tier_is_not_repeated(client, line_manager, vendor_a):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    weekly_cadence(vendor_a, title="Weekly review", weekday=tomorrow.weekday())
    client.force_login(line_manager)
    top = header(client, vendor_a)
    assert "Weekly review</a> ·" in top and "(weekly review)" not in top


def test_the_next_review_skips_cancelled_and_other_vendors_meetings(client, alice, vendor_a,
                                                                   vendor_b):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    weekly_cadence(vendor_b, title="Borealis weekly", weekday=timezone.localdate().weekday(),
                   at=dt.time(23, 59))
    cadence = weekly_cadence(vendor_a, weekday=tomorrow.weekday())
    first, second = cadence.meetings.order_by("starts_at")[:2]
    services.meeting_cancel(first, reason="Public holiday")
    client.force_login(alice)
    top = header(client, vendor_a)
    assert second.get_absolute_url() in top and first.get_absolute_url() not in top
    assert "Borealis" not in top


def test_without_a_review_to_come_the_header_says_nothing_about_it(client, line_manager,
                                                                  vendor_a):
    client.force_login(line_manager)
    assert "Next review" not in header(client, vendor_a)
    assert "Next review" not in header(client, vendor_a, "governance:vendor")


def test_the_next_review_costs_one_query_however_many_meetings(client, line_manager,
                                                               vendor_a):
    client.force_login(line_manager)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert "Next review" in header(client, vendor_a)
        return len(queries)

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    weekly_cadence(vendor_a, weekday=tomorrow.weekday())
    small = count()
    monthly_cadence(vendor_a)
    weekly_cadence(vendor_a, title="Second weekly", weekday=(tomorrow.weekday() + 2) % 7)
    assert count() == small
