"""The scorecard page and the portfolio heat map cost the same number of queries whatever
the number of vendors, measures and periods."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scorecards import services
from scorecards.models import Measure, Objective
from tests.factories import VendorFactory, VendorUserFactory
from tests.scorecards.factories import make_scorecard, measure, period

pytestmark = pytest.mark.django_db


def grow(vendor, *, quarters, extra_measures, reporter):
    """A scorecard with data in every ended period, approvals and a dispute."""
    card = make_scorecard(vendor, quarters=quarters, tag=vendor.slug)
    objective = Objective.objects.filter(vendor=vendor).first()
    for i in range(extra_measures):
        services.part_create(Measure, objective=objective, name=f"Extra {i}", definition="x",
                             direction="higher", target=D(10), amber_threshold=D(8),
                             red_threshold=D(5), weight=D(1), active_from=card.starts_on)
    for p in card.periods.all():
        if not p.has_ended:
            continue
        for m in Measure.objects.filter(vendor=vendor, data_source="vendor"):
            actual = services.actual_record(measure=m, period=p, by=reporter,
                                            vendor_value=m.target, submit=True)
            services.actual_approve(actual, by=None)
    ours = services.actual_record(measure=measure(vendor, "Resolution"),
                                  period=period(vendor, 1), by=None, internal_value=D(96),
                                  submit=True)
    services.dispute_raise(actual=ours, by=reporter, reason="Should be higher")
    services.actual_record(measure=measure(vendor, "Cost against budget"),
                           period=period(vendor, 1), by=None, internal_value=D(101),
                           vendor_value=D(99))
    return card


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_scorecard_page_does_not_grow_with_measures_or_periods(client, line_manager):
    small, large = VendorFactory(name="Small"), VendorFactory(name="Large")
    for vendor in (small, large):
        line_manager.assignments.create(vendor=vendor, role="line_manager")
    grow(small, quarters=1, extra_measures=0, reporter=VendorUserFactory(vendor=small))
    grow(large, quarters=9, extra_measures=12, reporter=VendorUserFactory(vendor=large))
    client.force_login(line_manager)
    counts = [count_queries(client, reverse("scorecards:vendor", args=[v.slug]))
              for v in (small, large)]
    assert counts[0] == counts[1], counts
    details = [count_queries(client, reverse("scorecards:measure", args=[
        v.slug, measure(v, "Availability").pk])) for v in (small, large)]
    assert details[0] == details[1], details
    forms = [count_queries(client, reverse("scorecards:actuals_edit", args=[v.slug]))
             for v in (small, large)]
    assert forms[0] == forms[1], forms


def test_the_portfolio_heat_map_does_not_grow_with_vendors(client, executive):
    first = VendorFactory(name="First")
    grow(first, quarters=2, extra_measures=0, reporter=VendorUserFactory(vendor=first))
    client.force_login(executive)
    few = count_queries(client, reverse("scorecards:portfolio"))
    for i in range(4):
        vendor = VendorFactory(name=f"More {i}")
        grow(vendor, quarters=6, extra_measures=5, reporter=VendorUserFactory(vendor=vendor))
    many = count_queries(client, reverse("scorecards:portfolio"))
    assert few == many, (few, many)
    assert count_queries(client, reverse("scorecards:portfolio") + "?format=csv") <= many


def test_the_api_scores_do_not_grow_either(token_client, executive):
    small, large = VendorFactory(name="Small"), VendorFactory(name="Large")
    cards = [grow(small, quarters=1, extra_measures=0, reporter=VendorUserFactory(vendor=small)),
             grow(large, quarters=7, extra_measures=9, reporter=VendorUserFactory(vendor=large))]
    client = token_client(executive)
    client.get("/api/v1/me/")  # the token's first use of the minute is recorded once
    counts = []
    for card in cards:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/scorecards/{card.pk}/scores/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    lists = []
    for page_size in (3, 40):
        with CaptureQueriesContext(connection) as queries:
            client.get("/api/v1/scorecard-actuals/", {"page_size": page_size})
        lists.append(len(queries))
    assert lists[0] == lists[1], lists


def test_the_heat_map_shows_one_page_of_vendors_with_charts_only_for_them(
        client, executive, monkeypatch):
    """At 1,000 vendors the page would be megabytes: one page of rows, and a trend chart
    only for the vendors on it; ordered by score across every vendor, not within a page."""
    monkeypatch.setattr("scorecards.selectors.PORTFOLIO_PAGE", 2)
    reporter = None
    # Alpha on target, Bravo red everywhere, Charlie amber.
    for name, value in (("Alpha", lambda m: m.target), ("Bravo", lambda m: m.red_threshold),
                        ("Charlie", lambda m: m.amber_threshold)):
        vendor = VendorFactory(name=name)
        card = grow(vendor, quarters=2, extra_measures=0,
                    reporter=(reporter := VendorUserFactory(vendor=vendor)))
        for m in Measure.objects.filter(vendor=vendor, data_source="vendor"):
            for p in card.periods.all():
                if p.has_ended:
                    actual = m.actuals.get(period=p)
                    services.actual_send_back(actual, by=None, reason="again")
                    again = services.actual_record(measure=m, period=p, by=reporter,
                                                   vendor_value=value(m), submit=True,
                                                   comment="Explained in the review")
                    services.actual_approve(again, by=None)
    # A scorecard begun this quarter has no period with the selected label: it goes last.
    make_scorecard(VendorFactory(name="Delta"), quarters=0, tag="delta")
    client.force_login(executive)
    url = reverse("scorecards:portfolio")
    first = client.get(url)
    assert [r.vendor.name for r in first.context["rows"]] == ["Alpha", "Bravo"]
    assert len(first.context["trend_charts"]) == 2
    # Their axes, bands and labels are drawn once for the page, and used by each chart.
    content = first.content.decode()
    assert content.count('<symbol id="score-trend-axes"') == 1
    assert content.count('<use href="#score-trend-axes"') == 2
    assert b"Page 1 of 2" in first.content
    second = client.get(url, {"page": 2})
    assert [r.vendor.name for r in second.context["rows"]] == ["Charlie", "Delta"]
    worst_first = client.get(url, {"sort": "overall"})
    scores = [r.score.rolled.score for r in worst_first.context["rows"]]
    assert scores == sorted(scores) and worst_first.context["rows"][0].vendor.name == "Bravo"
    assert [r.vendor.name for r in client.get(url, {"sort": "-overall", "page": 2})
            .context["rows"]] == ["Bravo", "Delta"]
    everything = client.get(url, {"format": "csv"}).content.decode()
    assert all(name in everything for name in ("Alpha", "Bravo", "Charlie"))
