"""The SLA API for vendor account teams: read their SLAs, submit measurements (single and
bulk, idempotent by external id, all or nothing), dispute, report progress."""

import re
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


def test_an_external_id_with_a_nul_character_is_a_400_on_every_database(token_client, alice,
                                                                         sl):
    """PostgreSQL cannot even look such an id up: it is refused with its row first."""
    for name, payload in (("sla-measurement-list", body(sl, external_id="m\x00-1")),
                          ("sla-measurement-bulk",
                           {"measurements": [body(sl, external_id="m\x00-2")]})):
        response = post(token_client(alice), name, payload)
        assert response.status_code == 400, response.content
    assert not Measurement.objects.exists()


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


def test_executives_read_corrective_actions_but_cannot_report_progress(token_client,
                                                                     executive, breached):
    action = breached.corrective_action
    client = token_client(executive)
    assert client.get(reverse("sla-corrective-action-detail", kwargs={"pk": action.pk})
                      ).status_code == 200  # the whole portfolio, read-only
    assert post(client, "sla-corrective-action-progress", {"status": "in_progress"},
                pk=action.pk).status_code == 403
    action.refresh_from_db()
    assert action.status == "open"


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


# -- found by the schema fuzz (tests/api/test_fuzz.py) ----------------------------------------


def _schema(client, user):
    client.force_login(user)
    return client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()


def test_calendar_hours_are_documented_as_the_local_times_they_are(client, token_client,
                                                                    vendor_manager, vendor_a):
    """`format: time` would promise an RFC 3339 time with an offset; the answer is a wall
    time in the calendar's time zone."""
    from tests.sla.factories import CalendarFactory
    calendar = CalendarFactory(vendor=vendor_a)
    day_starts = _schema(client, vendor_manager)["components"]["schemas"]["SlaCalendar"][
        "properties"]["day_starts"]
    assert "format" not in day_starts
    body = token_client(vendor_manager).get(
        reverse("sla-calendar-detail", kwargs={"pk": calendar.pk})).json()
    assert re.fullmatch(day_starts["pattern"], body["day_starts"])
    assert (body["day_starts"], body["day_ends"]) == ("08:00:00", "18:00:00")


@pytest.mark.parametrize("change", [{"verification_note": 0}, {"title": 5},
                                    {"owner": "line_manager"}])
def test_a_corrective_action_takes_only_the_types_its_schema_names(token_client, line_manager,
                                                                   breached, change):
    """No coercion: 0 is not "0", "7" is not the id 7."""
    action = breached.corrective_action
    if "owner" in change:
        change = {"owner": str(line_manager.pk)}
    with clock(TODAY):
        response = token_client(line_manager).patch(
            reverse("sla-corrective-action-detail", kwargs={"pk": action.pk}), change,
            format="json")
    assert response.status_code == 400
    assert list(response.json()) == list(change)


@pytest.mark.parametrize("change", [{"root_cause": 5}, {"progress_note": 0.5}])
def test_progress_takes_only_the_types_its_schema_names(token_client, alice, breached, change):
    response = post(token_client(alice), "sla-corrective-action-progress",
                    {"status": "in_progress", **change}, pk=breached.corrective_action_id)
    assert response.status_code == 400
    assert list(response.json()) == list(change)


@pytest.mark.parametrize("corrected_value", [95, 95.5, "", " ", "1e2"])
def test_a_corrected_value_is_a_decimal_string_or_null(token_client, line_manager, breached,
                                                       corrected_value):
    """A JSON number would be a binary float, and an empty string is not null."""
    dispute = Dispute.objects.create(vendor=breached.vendor, evaluation=breached, reason="x")
    response = post(token_client(line_manager), "sla-dispute-decide",
                    {"decision": "accepted", "note": "Agreed.",
                     "corrected_value": corrected_value}, pk=dispute.pk)
    assert response.status_code == 400
    assert list(response.json()) == ["corrected_value"]
    dispute.refresh_from_db()
    assert dispute.is_open and not Evaluation.objects.get(pk=breached.pk).excused


def test_a_dispute_decision_and_reason_take_only_strings(token_client, alice, line_manager,
                                                         breached):
    assert post(token_client(alice), "sla-evaluation-dispute", {"reason": 5},
                pk=breached.pk).status_code == 400
    dispute = Dispute.objects.create(vendor=breached.vendor, evaluation=breached, reason="x")
    response = post(token_client(line_manager), "sla-dispute-decide",
                    {"decision": "rejected", "note": 0}, pk=dispute.pk)
    assert response.status_code == 400 and list(response.json()) == ["note"]
    accepted = post(token_client(line_manager), "sla-dispute-decide",
                    {"decision": "accepted", "note": "Agreed.", "corrected_value": None},
                    pk=dispute.pk)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"


@pytest.mark.parametrize(("field", "value"), [("service_level", "id as text"),
                                              ("window_start", " 2025-03-01"),
                                              ("window_start", "2025-03-01\n")])
def test_a_measurement_sent_through_the_api_has_the_types_the_schema_names(
        token_client, alice, sl, field, value):
    """The schema says an integer id and a date; text is read leniently only from CSV files
    and forms."""
    row = body(sl, **{field: str(sl.pk) if value == "id as text" else value})
    single = post(token_client(alice), "sla-measurement-list", row)
    assert single.status_code == 400 and list(single.json()) == [field]
    bulk = post(token_client(alice), "sla-measurement-bulk", {"measurements": [row]})
    assert bulk.status_code == 400
    assert [(e["index"], e["field"]) for e in bulk.json()["errors"]] == [(0, field)]
    assert not Measurement.objects.exists()


def test_text_filters_take_any_text_the_schema_allows(client, token_client, vendor_manager,
                                                     sl):
    """A long key or external id finds nothing, like any other that matches nothing; a NUL
    character is refused, and the schema says so."""
    api = token_client(vendor_manager)
    for name, param in [("sla-service-level-list", "key"),
                        ("sla-measurement-list", "external_id")]:
        found = api.get(reverse(name), {param: "x" * 101})
        assert found.status_code == 200 and found.json()["count"] == 0
        assert list(api.get(reverse(name), {param: "a\x00b"}).json()) == [param]
    parameters = _schema(client, vendor_manager)["paths"]["/api/v1/sla-service-levels/"][
        "get"]["parameters"]
    key = next(p for p in parameters if p["name"] == "key")
    assert key["schema"] == {"type": "string", "pattern": "^[^\\x00]*$"}


def test_a_measurements_texts_document_that_a_nul_character_is_refused(client, token_client,
                                                                      alice, vendor_manager,
                                                                      sl):
    response = post(token_client(alice), "sla-measurement-list", body(sl, note="a\x00b"))
    assert response.status_code == 400 and list(response.json()) == ["note"]
    properties = _schema(client, vendor_manager)["components"]["schemas"][
        "SlaMeasurementInputRequest"]["properties"]
    for name in ("note", "external_id", "unit"):
        assert properties[name]["pattern"] == "^[^\\x00]*$", name


@pytest.mark.parametrize("value", [-1.7976931348623157e+308, 1e25, 12345678901234567890123456])
def test_a_value_far_out_of_range_is_a_400_not_a_500(token_client, alice, sl, value):
    single = post(token_client(alice), "sla-measurement-list", body(sl, value=value))
    assert single.status_code == 400
    assert single.json() == {"value": ["The value is too large."]}
    bulk = post(token_client(alice), "sla-measurement-bulk",
                {"measurements": [body(sl, value=value)]})
    assert bulk.status_code == 400
    assert [(e["field"], e["message"]) for e in bulk.json()["errors"]] == [
        ("value", "The value is too large.")]


@pytest.mark.parametrize("version", ["1.5", "1e0", "2.25"])
def test_a_version_filter_is_a_whole_number_as_documented(token_client, vendor_manager, sl,
                                                          version):
    response = token_client(vendor_manager).get(reverse("sla-service-level-list"),
                                                {"version": version})
    assert response.status_code == 400 and list(response.json()) == ["version"]
    found = token_client(vendor_manager).get(reverse("sla-service-level-list"),
                                             {"version": "1"})
    assert [row["id"] for row in found.json()["results"]] == [sl.pk]


@pytest.mark.parametrize("day", ["31/03/2025", "2025-3-31"])
def test_a_date_filter_takes_the_form_the_schema_names(token_client, alice, breached, day):
    """YYYY-MM-DD; Django would also read the site's local forms such as 31/03/2025."""
    api = token_client(alice)
    refused = api.get(reverse("sla-evaluation-list"), {"closed_from": day})
    assert refused.status_code == 400 and list(refused.json()) == ["closed_from"]
    found = api.get(reverse("sla-evaluation-list"), {"closed_from": "2025-03-31"})
    assert [e["id"] for e in found.json()["results"]] == [breached.pk]
