"""Costs that must not grow with the data: evaluating a portfolio, ingesting a batch, and
the SLA pages and lists. Each is measured at two sizes and the query counts must be equal.

SQLite caps the parameters of one statement, so Django splits big inserts into several; the
sizes here stay under one batch so the counts compare what the code does, not the driver.
(On PostgreSQL inserts are never split; bench/sla_ingest.py measures 10,000-row batches.)
"""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sla import services
from sla.choices import MeasurementSource, Window
from tests.factories import AssignmentFactory, UserFactory, VendorFactory
from tests.sla.factories import clock, service_level

pytestmark = pytest.mark.django_db
TODAY = date(2025, 8, 15)
MONTHS = ["2025-03-01", "2025-04-01", "2025-05-01", "2025-06-01"]


def portfolio(vendors: int, operations=None):
    """`vendors` vendors, each with a monthly and a quarterly service level and four months of
    data, two months breached in a row (so corrective actions are opened and joined)."""
    made = []
    for i in range(vendors):
        vendor = VendorFactory()
        if operations is not None:
            AssignmentFactory(user=operations, vendor=vendor)
        monthly = service_level(vendor, key="avail")
        quarterly = service_level(vendor, version=monthly.version, key="changes",
                                  window=Window.QUARTERLY)
        rows = [{"service_level": monthly.pk, "window_start": m, "value": 90 if m in MONTHS[1:3]
                 else 99.9, "external_id": f"{i}-{m}"} for m in MONTHS]
        rows.append({"service_level": quarterly.pk, "window_start": "2025-04-01", "value": 80})
        with clock(TODAY):
            services.measurements_submit(rows, by=None, source=MeasurementSource.API,
                                         vendor_ids=None, evaluate=False)
        made.append(vendor)
    return made


def count(action) -> int:
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries.captured_queries)


def refresh(today):
    def run():
        with clock(today):
            services.evaluations_refresh()
    return run


def test_evaluating_a_portfolio_costs_the_same_queries_at_any_size(db):
    """The first run evaluates every closed window and opens corrective actions; a later
    run picks up newly closed windows and late data."""
    portfolio(1)
    first_small = count(refresh(date(2025, 7, 2)))
    later_small = count(refresh(TODAY))
    portfolio(2)
    first_large = count(refresh(date(2025, 7, 2)))
    later_large = count(refresh(TODAY))
    assert first_small == first_large
    assert later_small == later_large


def test_ingesting_a_batch_costs_the_same_queries_at_any_size(vendor_a):
    sl = service_level(vendor_a)
    weekly = [date.fromordinal(date(2024, 12, 30).toordinal() + 7 * i) for i in range(60)]
    level = service_level(vendor_a, version=sl.version, key="weekly", window=Window.WEEKLY)

    def batch(n, tag):
        rows = [{"service_level": level.pk, "window_start": day.isoformat(), "value": 99.9,
                 "external_id": f"{tag}-{day}"} for day in weekly[:n]]

        def run():
            with clock(TODAY):
                services.measurements_submit(rows, by=None, source=MeasurementSource.API,
                                             vendor_ids={vendor_a.pk}, evaluate=False)
        return run

    assert count(batch(3, "a")) == count(batch(30, "b"))


@pytest.mark.parametrize("page", ["sla:vendor", "sla:report", "sla:corrective_actions",
                                  "sla:portfolio"])
def test_pages_cost_the_same_queries_at_any_size(client, page):
    olga = UserFactory(username="olga", role="operations")
    client.force_login(olga)
    vendor = portfolio(1, olga)[0]
    refresh(TODAY)()

    def visit():
        args = [] if page == "sla:portfolio" else [vendor.slug]
        with clock(TODAY):
            assert client.get(reverse(page, args=args), {"month": "2025-05"}).status_code == 200

    small = count(visit)
    for _ in range(2):  # more service levels, windows, breaches and vendors
        sl = service_level(vendor, key=f"extra-{_}")
        with clock(TODAY):
            services.measurements_submit(
                [{"service_level": sl.pk, "window_start": m, "value": 50} for m in MONTHS],
                by=None, source=MeasurementSource.API, vendor_ids=None, evaluate=False)
    portfolio(2, olga)
    refresh(TODAY)()
    assert count(visit) == small


@pytest.mark.parametrize("name", ["sla-list", "sla-service-level-list", "sla-measurement-list",
                                  "sla-evaluation-list", "sla-corrective-action-list",
                                  "sla-dispute-list", "sla-calendar-list"])
def test_api_lists_cost_the_same_queries_at_any_size(token_client, name):
    olga = UserFactory(username="olga", role="operations")
    client = token_client(olga)
    portfolio(1, olga)
    refresh(TODAY)()

    def visit():
        assert client.get(reverse(name)).status_code == 200

    visit()  # the token records its first use once
    small = count(visit)
    portfolio(2, olga)
    refresh(TODAY)()
    assert count(visit) == small


def test_the_portfolio_shows_one_page_of_vendors_and_caps_each_list(client, monkeypatch):
    """At 1,000 vendors: a page of the compliance table (and of the chart), and each "where
    SLAs need you" list cut at its limit, saying there are more; the CSV has every vendor."""
    monkeypatch.setattr("sla.selectors.PORTFOLIO_PAGE", 2)
    monkeypatch.setattr("sla.selectors.LIST_LIMIT", 1)
    olga = UserFactory(username="olga", role="operations")
    vendors = sorted(portfolio(3, olga), key=lambda v: v.name)
    refresh(TODAY)()
    client.force_login(olga)
    with clock(TODAY):
        first = client.get(reverse("sla:portfolio"))
        second = client.get(reverse("sla:portfolio"), {"page": 2})
        past_the_end = client.get(reverse("sla:portfolio"), {"page": 9})
        csv = client.get(reverse("sla:portfolio"), {"format": "csv"}).content.decode()
    p = first.context["p"]
    assert [row.vendor for row in p.compliance] == vendors[:2]
    assert [row.vendor for row in second.context["p"].compliance] == vendors[2:]
    # The vendors and their count come in one query; a page past the end shows the last.
    assert (p.count, second.context["p"].count) == (3, 3)
    assert [row.vendor for row in past_the_end.context["p"].compliance] == vendors[2:]
    assert past_the_end.context["p"].page == 2
    assert len(p.missing_data) == 1 and p.more["missing_data"]
    assert "Closed windows without data (1+)" in first.content.decode()
    assert all(v.name in csv for v in vendors)
