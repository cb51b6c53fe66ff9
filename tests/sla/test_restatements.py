"""Closed windows stay closed: a vendor's value for an evaluated window counts while its
dispute window is open, and after that only a decision by our side (a correction with its
reason, an accepted dispute) changes it. A breach revised away withdraws the corrective
action it opened."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse

from sla import services
from sla.choices import MeasurementSource
from sla.models import CorrectiveAction, Evaluation, Measurement
from tests.sla.factories import clock, service_level

pytestmark = pytest.mark.django_db

EVALUATED = date(2025, 8, 15)  # March was evaluated (breached) that day
DEADLINE = EVALUATED + timedelta(days=10)  # the version's dispute window: 10 days
MAR, FEB = date(2025, 3, 1), date(2025, 2, 1)


@pytest.fixture
def sl(vendor_a, line_manager):
    level = service_level(vendor_a, name="Availability", key="avail")
    level.version.sla.owner = line_manager
    level.version.sla.save()
    return level


def submit(sl, start, value, *, by=None, on, note="", evaluate=False, vendor_ids=None):
    with clock(on):
        return services.measurements_submit(
            [{"service_level": sl.pk, "window_start": start.isoformat(), "value": value,
              "note": note}], by=by, source=MeasurementSource.API, vendor_ids=vendor_ids,
            evaluate=evaluate, text_values=True)


@pytest.fixture
def breach(sl):
    """March breached (98.1 % against a 99 % threshold), evaluated on EVALUATED, with the
    corrective action it opened."""
    submit(sl, MAR, "98.1", on=EVALUATED, evaluate=True)
    evaluation = Evaluation.objects.get(service_level=sl, window_start=MAR)
    assert evaluation.status == "breached" and evaluation.corrective_action.is_open
    return evaluation


def post_measurement(token_client, user, sl, on, value=99.8):
    with clock(on):
        return token_client(user).post("/api/v1/sla-measurements/", {
            "service_level": sl.pk, "window_start": MAR.isoformat(), "value": value},
            format="json")


def test_a_vendors_value_within_the_dispute_window_is_re_evaluated_as_any_day(
        breach, sl, alice, token_client):
    """The policy's other half (as before): up to the deadline, late data just counts."""
    response = post_measurement(token_client, alice, sl, DEADLINE)
    assert response.status_code == 201, response.json()
    with clock(DEADLINE):
        services.evaluations_refresh()
    breach.refresh_from_db()
    assert (breach.status, breach.value) == ("met", D("99.8"))


def test_after_the_dispute_window_a_vendors_value_is_refused_and_points_to_the_way_on(
        breach, sl, alice, token_client):
    """Nothing about a closed, past-deadline window changes without our decision."""
    response = post_measurement(token_client, alice, sl, DEADLINE + timedelta(days=1))
    assert response.status_code == 400
    message = response.json()["window_start"][0]
    assert "dispute window closed on 25 Aug 2025" in message
    assert "Only operations can correct it now" in message
    assert f"/api/v1/sla-evaluations/{breach.pk}/dispute/" in message
    assert "sla-disputes" in message
    with clock(DEADLINE + timedelta(days=1)):
        bulk = token_client(alice).post("/api/v1/sla-measurements/bulk/", {"measurements": [
            {"service_level": sl.pk, "window_start": MAR.isoformat(), "value": 99.8}]},
            format="json")
        services.evaluations_refresh()
    assert bulk.status_code == 400 and "dispute window closed" in bulk.json()["errors"][0][
        "message"]
    assert Measurement.objects.count() == 1
    breach.refresh_from_db()
    assert breach.status == "breached" and breach.corrective_action.is_open


def test_a_vendor_can_neither_keep_a_window_open_by_resending_nor_reopen_our_correction(
        breach, sl, alice, line_manager, token_client):
    """The time for late values runs from the window's first evaluation, not its latest."""
    resent = post_measurement(token_client, alice, sl, EVALUATED + timedelta(days=9), 98.5)
    assert resent.status_code == 201
    with clock(EVALUATED + timedelta(days=9)):
        services.evaluations_refresh()  # re-evaluated on day 9
    again = post_measurement(token_client, alice, sl, EVALUATED + timedelta(days=12))
    assert again.status_code == 400 and "closed on 25 Aug 2025" in again.json()[
        "window_start"][0]
    submit(sl, MAR, "98.9", by=line_manager, on=EVALUATED + timedelta(days=40),
           note="Agreed in the monthly review", evaluate=True)
    after_ours = post_measurement(token_client, alice, sl, EVALUATED + timedelta(days=41))
    assert after_ours.status_code == 400
    breach.refresh_from_db()
    assert breach.value == D("98.9")


def test_operations_correct_a_closed_window_only_with_a_reason_kept_in_history(
        client, breach, sl, line_manager, vendor_a):
    """On the measurement form the refusal shows next to the note; with a reason, the
    window is re-evaluated at once and the reason is in the evaluation's history."""
    client.force_login(line_manager)
    url = reverse("sla:measurement_create", args=[vendor_a.slug])
    late = DEADLINE + timedelta(days=30)
    with clock(late):
        refused = client.post(url, {"service_level": sl.pk, "window_start": "2025-03-01",
                                    "value": "99.7"})
        assert refused.status_code == 200
        assert "a correction needs its reason in the note" in refused.content.decode()
        done = client.post(url, {"service_level": sl.pk, "window_start": "2025-03-01",
                                 "value": "99.7", "note": "Monitoring double-counted"})
    assert done.status_code == 302
    breach.refresh_from_db()
    assert (breach.status, breach.value) == ("met", D("99.7"))
    assert breach.history.first().history_change_reason == (
        "Corrected after the dispute window: Monitoring double-counted")
    assert breach.history.first().history_user == line_manager


def test_a_breach_revised_away_withdraws_its_corrective_action_with_the_reason(
        client, breach, sl, line_manager):
    action = breach.corrective_action
    submit(sl, MAR, "99.6", by=line_manager, on=DEADLINE + timedelta(days=3),
           note="Re-ran the availability report", evaluate=True)
    action.refresh_from_db()
    assert action.status == "withdrawn" and not action.is_open
    assert action.closed_on == DEADLINE + timedelta(days=3)
    assert "Availability Mar 2025 no longer breached" in action.verification_note
    assert "Re-ran the availability report" in action.verification_note
    latest = action.history.first()
    assert latest.status == "withdrawn" and latest.history_user == line_manager
    assert latest.history_change_reason.startswith("Withdrawn: Availability Mar 2025")
    client.force_login(line_manager)
    page = client.get(action.get_absolute_url()).content.decode()
    assert "bi-arrow-counterclockwise" in page and "Withdrawn (breach revised)" in page


def test_a_revised_breach_only_unlinks_an_action_that_other_breaches_hold_open(
        sl, line_manager):
    submit(sl, FEB, "97", on=EVALUATED)
    submit(sl, MAR, "98.1", on=EVALUATED)
    with clock(EVALUATED):
        services.evaluations_refresh()
    feb, mar = (Evaluation.objects.get(service_level=sl, window_start=d) for d in (FEB, MAR))
    assert feb.corrective_action == mar.corrective_action  # consecutive: one action
    action = feb.corrective_action
    submit(sl, MAR, "99.9", on=EVALUATED + timedelta(days=2), evaluate=True)
    mar.refresh_from_db()
    action.refresh_from_db()
    assert mar.corrective_action is None and action.is_open
    assert list(action.evaluations.all()) == [feb]
    assert action.history.first().history_change_reason.startswith(
        "Unlinked from Availability Mar 2025")
    submit(sl, FEB, "99.9", on=EVALUATED + timedelta(days=3), evaluate=True)
    action.refresh_from_db()
    assert action.status == "withdrawn"


def test_an_accepted_dispute_withdraws_the_action_whether_excused_or_corrected(
        sl, breach, alice, line_manager):
    with clock(EVALUATED + timedelta(days=2)):
        dispute = services.dispute_raise(breach, by=alice, reason="Planned outage")
        services.dispute_decide(dispute, by=line_manager, decision="accepted",
                                note="It was planned")
    action = CorrectiveAction.objects.get(pk=breach.corrective_action_id)
    assert action.status == "withdrawn"
    assert "Dispute" in action.verification_note and "accepted" in action.verification_note

    april = date(2025, 4, 1)
    submit(sl, april, "97", on=EVALUATED, evaluate=True)
    second = Evaluation.objects.get(service_level=sl, window_start=april)
    with clock(EVALUATED + timedelta(days=2)):
        dispute = services.dispute_raise(second, by=alice, reason="Wrong export")
    # Decided after the dispute window: our decision, so the corrected value counts.
    with clock(DEADLINE + timedelta(days=20)):
        services.dispute_decide(dispute, by=line_manager, decision="accepted",
                                note="Re-ran it", corrected_value=D("99.6"))
    second.refresh_from_db()
    assert second.status == "met"
    assert second.corrective_action.status == "withdrawn"
    assert second.history.first().history_change_reason.startswith(
        "Corrected after the dispute window")
