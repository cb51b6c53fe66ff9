"""The SLA API for vendor account teams: read their SLAs, submit measurements (single and
bulk, idempotent by external id, all or nothing), dispute, report progress."""

from datetime import date, datetime, time
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from sla.choices import EvaluationStatus
from sla.models import CorrectiveAction, Dispute, Evaluation, Measurement
from tests.factories import UserFactory
from tests.sla.factories import clock, measurement, service_level

pytestmark = pytest.mark.django_db
TODAY = date(2025, 8, 15)


@pytest.fixture
def sl(vendor_a):
    return service_level(vendor_a)


def body(sl, start="2025-03-01", value=99.7, **extra):
    return {"service_level": sl.pk, "window_start": start, "value": value, **extra}


def post(client, name, data, today=TODAY, **kwargs):
    with clock(today):
        return client.post(reverse(name, kwargs=kwargs or None), data, format="json")


def test_a_vendor_user_submits_one_measurement_and_resubmitting_it_is_harmless(
        token_client, alice, sl):
    client = token_client(alice)
    created = post(client, "sla-measurement-list", body(sl, external_id="m-1", note="ok"))
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["vendor"], data["service_level"], data["value"], data["source"],
            data["submitted_by"]) == (sl.version.sla.vendor_id, sl.pk, "99.7000", "api",
                                      alice.pk)
    again = post(client, "sla-measurement-list", body(sl, external_id="m-1"))
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert Measurement.objects.count() == 1


def test_bad_single_measurements_get_field_errors(token_client, alice, sl):
    response = post(token_client(alice), "sla-measurement-list",
                    body(sl, start="2025-08-01", value="high"))
    assert response.status_code == 400
    assert set(response.json()) == {"window_start", "value"}
    assert post(token_client(alice), "sla-measurement-list", [1, 2]).status_code == 400


def test_bulk_submission_creates_all_and_a_resubmission_creates_nothing(token_client, alice,
                                                                       sl):
    rows = [body(sl, f"2025-0{m}-01", external_id=f"b-{m}") for m in range(1, 8)]
    first = post(token_client(alice), "sla-measurement-bulk", {"measurements": rows})
    assert first.status_code == 201
    assert first.json() == {"received": 7, "created": 7, "unchanged": 0,
                            "detail": "7 created, 0 unchanged."}
    second = post(token_client(alice), "sla-measurement-bulk", {"measurements": rows})
    assert second.status_code == 200
    assert second.json()["created"] == 0 and second.json()["unchanged"] == 7
    assert "Nothing new" in second.json()["detail"]
    assert Measurement.objects.count() == 7


def test_a_bulk_request_with_bad_rows_is_rejected_whole_with_each_rows_index_and_reason(
        token_client, alice, sl):
    rows = [body(sl, f"2025-0{m}-01") for m in range(1, 8)]
    rows[1]["value"] = "NaN"
    rows[4]["unit"] = "hours"
    rows[6] = body(sl, "2025-01-01")
    response = post(token_client(alice), "sla-measurement-bulk", {"measurements": rows})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [(1, "value"), (4, "unit"),
                                                           (6, "window_start")]
    assert response.json()["detail"] == "Nothing was saved: 3 of 7 rows have errors."
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("payload", [[], {"measurements": "x"}, {"rows": []}, "text", None])
def test_a_malformed_bulk_body_is_a_400_not_a_500(token_client, alice, payload):
    assert post(token_client(alice), "sla-measurement-bulk", payload).status_code == 400


def test_submitting_for_another_vendor_is_refused_like_an_unknown_id(token_client, alice,
                                                                     vendor_b):
    other = service_level(vendor_b)
    response = post(token_client(alice), "sla-measurement-bulk",
                    {"measurements": [body(other)]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == (
        f"There is no service level {other.pk} you may submit measurements for.")


def test_people_without_the_right_cannot_submit(token_client, vendor_a, sl):
    from tests.factories import AssignmentFactory
    sam = UserFactory(role="stakeholder")
    AssignmentFactory(user=sam, vendor=vendor_a)
    assert post(token_client(sam), "sla-measurement-bulk",
                {"measurements": [body(sl)]}).status_code == 403


def test_lists_carry_the_vendor_and_show_only_the_callers(token_client, alice, sl, vendor_b):
    service_level(vendor_b)
    client = token_client(alice)
    slas = client.get(reverse("sla-list")).json()["results"]
    assert [s["vendor"] for s in slas] == [sl.version.sla.vendor_id]
    assert slas[0]["current_version"] == 1 and slas[0]["versions"][0]["service_levels"] == [
        sl.pk]
    levels = client.get(reverse("sla-service-level-list"), {"in_force": "true"}).json()
    assert [row["id"] for row in levels["results"]] == [sl.pk]
    assert levels["results"][0]["rule"].startswith("Met at ≥ 99.5%")


@pytest.fixture
def breached(sl, alice):
    m = measurement(sl, date(2025, 3, 1), 90)
    action = CorrectiveAction.objects.create(vendor=sl.version.sla.vendor, sla=sl.version.sla,
                                             title="Breach", description="x",
                                             due_on=date(2025, 9, 1), owner=alice)
    return Evaluation.objects.create(
        vendor=sl.version.sla.vendor, sla=sl.version.sla, service_level=sl,
        window_start=date(2025, 3, 1), window_end=date(2025, 3, 31),
        status=EvaluationStatus.BREACHED, value=D("90"), measurement=m,
        corrective_action=action,
        evaluated_at=timezone.make_aware(datetime.combine(TODAY, time(9))))


def test_the_vendor_disputes_an_evaluation_and_operations_decide(token_client, alice,
                                                                 line_manager, breached):
    url = {"pk": breached.pk}
    evaluation = token_client(alice).get(reverse("sla-evaluation-detail", kwargs=url)).json()
    assert evaluation["status"] == "breached" and evaluation["rule"]
    raised = post(token_client(alice), "sla-evaluation-dispute", {"reason": "Probe failure"},
                  **url)
    assert raised.status_code == 201 and raised.json()["status"] == "open"
    dispute = Dispute.objects.get()
    assert post(token_client(alice), "sla-dispute-decide",
                {"decision": "accepted", "note": "me"}, pk=dispute.pk).status_code == 403
    decided = post(token_client(line_manager), "sla-dispute-decide",
                   {"decision": "rejected", "note": "The probe was fine."}, pk=dispute.pk)
    assert decided.status_code == 200 and decided.json()["status"] == "rejected"
    assert post(token_client(line_manager), "sla-evaluation-dispute", {"reason": "x"},
                **url).status_code == 403  # disputes come from the vendor


def test_the_owners_side_reports_progress_and_only_we_verify(token_client, alice, line_manager,
                                                             breached):
    action = breached.corrective_action
    url = {"pk": action.pk}
    done = post(token_client(alice), "sla-corrective-action-progress",
                {"status": "done", "root_cause": "Expired certificate"}, **url)
    assert done.status_code == 200 and done.json()["status"] == "done"
    verify = post(token_client(alice), "sla-corrective-action-progress",
                  {"status": "verified"}, **url)
    assert verify.status_code == 400
    with clock(TODAY):
        patched = token_client(line_manager).patch(
            reverse("sla-corrective-action-detail", kwargs=url),
            {"status": "verified", "side_responsible": "vendor", "verification_note": "Renewed"},
            format="json")
    assert patched.status_code == 200 and patched.json()["closed_on"] == str(TODAY)
    assert token_client(alice).patch(reverse("sla-corrective-action-detail", kwargs=url),
                                     {"title": "x"}, format="json").status_code == 403


def test_a_vendor_user_cannot_report_on_an_action_our_side_owns(token_client, alice,
                                                                line_manager, breached):
    action = breached.corrective_action
    action.owner = line_manager
    action.save()
    assert post(token_client(alice), "sla-corrective-action-progress", {"status": "done"},
                pk=action.pk).status_code == 403


def test_another_vendors_records_are_404(token_client, charlie, breached):
    client = token_client(charlie)
    for name, pk in [("sla-evaluation-detail", breached.pk),
                     ("sla-corrective-action-detail", breached.corrective_action_id),
                     ("sla-detail", breached.sla_id),
                     ("sla-measurement-detail", breached.measurement_id)]:
        assert client.get(reverse(name, kwargs={"pk": pk})).status_code == 404
    assert post(client, "sla-evaluation-dispute", {"reason": "x"},
                pk=breached.pk).status_code == 404


def test_the_api_is_in_the_schema(client, line_manager):
    client.force_login(line_manager)
    paths = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()["paths"]
    for path in ["/api/v1/slas/", "/api/v1/sla-measurements/bulk/",
                 "/api/v1/sla-evaluations/{id}/dispute/",
                 "/api/v1/sla-corrective-actions/{id}/progress/",
                 "/api/v1/sla-disputes/{id}/decide/"]:
        assert path in paths


def test_external_ids_belong_to_each_vendor(token_client, vendor_manager, sl, vendor_b):
    other = service_level(vendor_b)
    client = token_client(vendor_manager)
    for level in (sl, other):
        assert post(client, "sla-measurement-list",
                    body(level, external_id="same")).status_code == 201
    again = post(client, "sla-measurement-list", body(other, external_id="same"))
    assert again.status_code == 200 and again.json()["vendor"] == vendor_b.pk
