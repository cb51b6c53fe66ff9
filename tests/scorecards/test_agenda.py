"""The scorecard sections of review agendas: the weekly "results since last time" and the
quarterly balanced scorecard, built from live data at the same cost whatever the history."""

from datetime import date, time
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance import agenda
from scorecards import services
from scorecards.models import Measure, Period
from sla import services as sla_services
from tests.governance.factories import quarterly_cadence, weekly_cadence
from tests.scorecards.factories import make_scorecard, measure
from tests.sla.factories import clock, measurement, service_level

pytestmark = pytest.mark.django_db

# A Wednesday: the weekly review is tomorrow (Thursday 9 April); the quarterly one on 20
# April reviews 2026-Q1, which has just ended.
TODAY = date(2026, 4, 8)


@pytest.fixture(autouse=True)
def today():
    with clock(TODAY):
        yield TODAY


@pytest.fixture
def setup(vendor_a, alice):
    card = make_scorecard(vendor_a, quarters=2)  # 2025-Q4, 2026-Q1, 2026-Q2 (in progress)
    q1 = Period.objects.get(vendor=vendor_a, label="2026-Q1")
    availability, resolution = measure(vendor_a, "Availability"), measure(vendor_a,
                                                                          "Resolution")
    # Self-reported green, measured red, and disputed.
    services.actual_record(measure=availability, period=q1, by=alice,
                           vendor_value=D("99.95"), submit=True)
    red = services.actual_record(measure=availability, period=q1, by=None,
                                 internal_value=D("98.9"), comment="Two outages.")
    services.dispute_raise(actual=red, by=alice, reason="The outage was planned.")
    services.actual_record(measure=resolution, period=q1, by=None, internal_value=D("85"),
                           comment="Backlog after the storage incident.", submit=True)
    # A draft of the quarter in progress is not a result yet.
    services.actual_record(measure=availability, period=Period.objects.get(
        vendor=vendor_a, label="2026-Q2"), by=alice, vendor_value=D("99.9"))
    # A measure fed from the SLA.
    sl = service_level(vendor_a, key="uptime", name="Uptime")
    for month, value in ((1, "99.9"), (2, "99.7"), (3, "99.8")):
        measurement(sl, date(2026, month, 1), value)
    sla_services.evaluate_windows({(sl.pk, date(2026, m, 1)) for m in (1, 2, 3)})
    services.part_create(Measure, objective=availability.objective, name="Uptime (SLA)",
                         definition="Worst month", unit="%", direction="higher",
                         target=D("99.5"), amber_threshold=D("99.2"), red_threshold=D("99"),
                         weight=D(1), data_source="sla", service_level=sl,
                         active_from=card.starts_on)
    weekly = weekly_cadence(vendor_a, weekday=3, at=time(10, 0))
    quarterly = quarterly_cadence(vendor_a, day_of_month=20, quarter_month=1)
    return (card, sl, weekly.meetings.order_by("starts_at")[:2],
            quarterly.meetings.order_by("starts_at").first())


def built(meeting, key) -> dict:
    return next(s for s in agenda.build(meeting) if s["key"] == key)


def test_the_weekly_review_sees_the_results_reported_since_the_last_one(setup):
    _, _, (first, second), _ = setup
    assert first.local_start.date() == date(2026, 4, 9)
    section = built(first, "scorecard_actuals_since")
    assert not section["unavailable"]
    by_text = {e["text"]: e for e in section["entries"]}
    assert set(by_text) == {"Availability · 2026-Q1: 98.9 %", "Resolution · 2026-Q1: 85 %",
                            "Uptime (SLA) · 2026-Q1: 99.7 %"}  # the draft waits
    availability = by_text["Availability · 2026-Q1: 98.9 %"]
    assert (availability["status"], availability["status_label"]) == ("rag_red", "Red")
    assert availability["flag"].startswith("Self-reported better than measured: the vendor "
                                           "reported 99.95 % (green), we measured 98.9 % (red)")
    assert "derived from the SLA's evaluations" in by_text[
        "Uptime (SLA) · 2026-Q1: 99.7 %"]["detail"]
    assert section["note"] == "2 of these await approval."
    # The next weekly looks only at what came after this one.
    later = built(second, "scorecard_actuals_since")
    assert later["entries"] == [] and later["empty"].startswith(
        "No scorecard actual was submitted, approved or derived since Thu 9 Apr 2026")


def test_the_quarterly_review_sees_the_balanced_scorecard_of_the_quarter(setup):
    _, sl, _, quarterly = setup
    assert quarterly.local_start.date() == date(2026, 4, 20)
    section = built(quarterly, "balanced_scorecard")
    texts = [e["text"] for e in section["entries"]]
    # (60 × 32 for availability + 40 × 55 for resolution + 1 × 100 for uptime) / 101
    assert texts[:2] == ["Customer / service quality: 41.8", "Financial / value: no data"]
    assert texts[2:] == ["Availability: 98.9 % (target 99.9 %)",
                         "Resolution: 85 % (target 95 %)",
                         "Cost against budget: no data",
                         "Dispute: Availability · 2026-Q1"]
    entries = dict(zip(texts, section["entries"], strict=True))
    assert entries["Availability: 98.9 % (target 99.9 %)"]["status"] == "rag_red"
    assert entries["Resolution: 85 % (target 95 %)"]["status"] == "rag_amber"
    assert entries["Cost against budget: no data"]["detail"] == "Financial / value · not reported"
    assert entries["Dispute: Availability · 2026-Q1"]["status_label"] == "Open"
    assert section["note"].startswith("2026-Q1 (1 Jan – 31 Mar 2026): overall 41.8 (amber)")
    assert "3 of 4 measures with data · 1 red, 1 amber · not locked yet" in section["note"]


def test_the_quarterly_review_sees_a_locked_figure_restated_after_the_lock(setup,
                                                                           vendor_manager):
    """A correction behind a locked period is not applied to it; the next review is told."""
    _, sl, _, quarterly = setup
    q1 = Period.objects.get(vendor=sl.version.sla.vendor, label="2026-Q1")
    services.period_lock(q1, by=vendor_manager)
    measurement(sl, date(2026, 2, 1), "98.2")  # operations corrected February
    sla_services.evaluate_windows({(sl.pk, date(2026, 2, 1))})
    services.actuals_derive_from_sla()
    section = built(quarterly, "balanced_scorecard")
    restated = next(e for e in section["entries"] if e["text"].startswith("Restated"))
    assert restated["text"] == "Restated after lock: Uptime (SLA) · 2026-Q1"
    assert restated["detail"].startswith("reviewed as 99.7 %; the SLA now gives 98.2 %")
    assert restated["status"] == "rag_green"  # as reviewed: the locked period is unchanged


def test_without_a_scorecard_the_sections_say_so(vendor_b):
    weekly = weekly_cadence(vendor_b, weekday=3).meetings.first()
    assert built(weekly, "scorecard_actuals_since")["entries"] == []
    quarterly = quarterly_cadence(vendor_b).meetings.first()
    section = built(quarterly, "balanced_scorecard")
    assert section["entries"] == [] and "has no scorecard yet" in section["empty"]


def add_history(vendor, sl, alice, n):
    """n more measures with results in every ended quarter, disputes and SLA windows."""
    objective = measure(vendor, "Resolution").objective
    start = len(Measure.objects.filter(vendor=vendor, name__startswith="Extra"))
    for i in range(start, start + n):
        m = services.part_create(Measure, objective=objective, name=f"Extra {i}",
                                 definition="x", direction="higher", target=D(10),
                                 amber_threshold=D(8), red_threshold=D(5), weight=D(1),
                                 data_source="vendor", active_from=date(2025, 10, 1))
        for label, value in (("2025-Q4", "9"), ("2026-Q1", "4")):
            p = Period.objects.get(vendor=vendor, label=label)
            services.actual_record(measure=m, period=p, by=alice, vendor_value=D(value),
                                   comment="Explained.", submit=True)
            ours = services.actual_record(measure=m, period=p, by=None,
                                          internal_value=D(value) - 1)
            services.dispute_raise(actual=ours, by=alice, reason=f"Disputed {i}")
    for month in range(10, 13):
        if not sl.evaluations.filter(window_start=date(2025, month, 1)).exists():
            measurement(sl, date(2025, month, 1), "99.6")
            sla_services.evaluate_windows({(sl.pk, date(2025, month, 1))})
    services.actuals_derive_from_sla()


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("tier", ["weekly", "quarterly"])
def test_a_meeting_page_costs_the_same_however_much_scorecard_history(client, setup, alice,
                                                                      line_manager, tier):
    card, sl, (weekly, _), quarterly = setup
    meeting = weekly if tier == "weekly" else quarterly
    client.force_login(line_manager)
    url = meeting.get_absolute_url()
    add_history(card.vendor, sl, alice, 1)
    small = count(client, url)
    section = "scorecard_actuals_since" if tier == "weekly" else "balanced_scorecard"
    few = len(built(meeting, section)["entries"])
    add_history(card.vendor, sl, alice, 8)
    assert count(client, url) == small
    assert len(built(meeting, section)["entries"]) > few  # the history did reach the agenda
