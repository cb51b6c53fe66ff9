"""Periodic jobs handle each record on its own: one genuinely bad record (a cadence whose
time zone no longer exists, a scorecard whose period type is corrupt, a measure that cannot
be derived) is logged and shown to vendor managers, and every other record proceeds."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from governance import tasks as governance_tasks
from governance.models import Cadence
from scorecards import services as scorecard_services
from scorecards import tasks as scorecard_tasks
from scorecards.choices import DataSource
from scorecards.models import Actual, Measure, Period, Scorecard
from sla import services as sla_services
from tests.governance.factories import weekly_cadence
from tests.scorecards.factories import make_scorecard, measure
from tests.sla.factories import clock, measurement, service_level
from vendorgov.models import JobFailure

pytestmark = pytest.mark.django_db


def test_a_cadence_that_cannot_be_planned_does_not_stop_the_others(
        vendor_a, vendor_b, vendor_manager, line_manager, client, caplog):
    good = weekly_cadence(vendor_a, title="Weekly with A")
    bad = weekly_cadence(vendor_b, title="Weekly with B")
    good.meetings.all().delete()
    bad.meetings.all().delete()
    # A zone that no longer exists (renamed, or written around the form): the work raises.
    Cadence.objects.filter(pk=bad.pk).update(time_zone="Atlantis/Poseidonia")

    created = governance_tasks.extend_meeting_horizon()

    assert created == good.meetings.count() > 0 and bad.meetings.count() == 0
    failure = JobFailure.objects.get()
    assert (failure.job, failure.record_type, failure.record_id) == (
        "Plan review meetings ahead", "governance.cadence", bad.pk)
    assert "Atlantis/Poseidonia" in failure.error and failure.is_open
    assert f"governance.cadence #{bad.pk}" in caplog.text  # logged with the record
    # Vendor managers see it on their home page; others do not.
    client.force_login(vendor_manager)
    home = client.get(reverse("home")).content.decode()
    assert "Periodic job problems" in home and "Plan review meetings ahead" in home
    assert "Atlantis/Poseidonia" in home
    client.force_login(line_manager)
    assert "Periodic job problems" not in client.get(reverse("home")).content.decode()

    # The next run fails again and counts up; once the record is fixed, it is resolved.
    governance_tasks.extend_meeting_horizon()
    assert JobFailure.objects.get().failures == 2
    Cadence.objects.filter(pk=bad.pk).update(time_zone="Europe/London")
    assert governance_tasks.extend_meeting_horizon() == bad.meetings.count() > 0
    assert not JobFailure.objects.get().is_open
    client.force_login(vendor_manager)
    assert "Periodic job problems" not in client.get(reverse("home")).content.decode()


def test_a_corrupt_scorecard_does_not_stop_the_others_periods_opening(vendor_a, vendor_b):
    good, bad = make_scorecard(vendor_a), make_scorecard(vendor_b)
    for card in (good, bad):
        card.periods.order_by("-starts_on").first().delete()
    Scorecard.objects.filter(pk=bad.pk).update(period_type="weekly")

    assert scorecard_tasks.open_due_periods() == 1
    assert Period.objects.filter(scorecard=good).count() == 4
    assert Period.objects.filter(scorecard=bad).count() == 3
    failure = JobFailure.objects.get()
    assert (failure.job, failure.record_id) == ("Open scorecard periods", bad.pk)
    assert "Unknown period type 'weekly'" in failure.error


def test_a_measure_that_cannot_be_derived_does_not_stop_the_others(vendor_a, vendor_b):
    with clock(date(2025, 7, 10)):
        fed = []
        for vendor in (vendor_a, vendor_b):
            make_scorecard(vendor, quarters=2)
            sl = service_level(vendor, key="uptime", name="Uptime")
            for start in (date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)):
                measurement(sl, start, "99.9")
            sla_services.evaluate_windows({(sl.pk, date(2025, m, 1)) for m in (1, 2, 3)})
            fed.append(scorecard_services.part_create(
                Measure, objective=measure(vendor, "Availability").objective,
                name="Uptime from the SLA", definition="The SLA's worst month.", unit="%",
                direction="higher", target=D("99.5"), amber_threshold=D("99.2"),
                red_threshold=D("99"), weight=D(1), data_source=DataSource.SLA,
                service_level=sl, active_from=date(2025, 1, 1)))
        Actual.objects.filter(measure__in=fed).delete()
        bad, good = fed
        Measure.objects.filter(pk=bad.pk).update(direction="sideways")

        result = scorecard_tasks.derive_actuals_from_sla()

    assert Actual.objects.filter(measure=good, period__label="2025-Q1").exists()
    assert not Actual.objects.filter(measure=bad).exists()
    assert "Failed on 1 measure(s)" in result
    failure = JobFailure.objects.get()
    assert (failure.job, failure.record_type, failure.record_id) == (
        "Derive scorecard actuals from SLAs", "scorecards.measure", bad.pk)
    assert "sideways" in failure.error
