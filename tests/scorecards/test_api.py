"""The scorecard API, as a vendor's account team and our people use it."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from scorecards import services
from scorecards.models import Actual, Dispute, Measure
from tests.scorecards.factories import label_of, make_scorecard, measure, period
from vendors.access import Action

pytestmark = pytest.mark.django_db

ACTUALS = "/api/v1/scorecard-actuals/"


@pytest.fixture
def cards(vendor_a, vendor_b):
    return make_scorecard(vendor_a), make_scorecard(vendor_b, tag="Other")


def test_vendor_user_reads_only_their_own_scorecard(token_client, alice, cards, vendor_a):
    client = token_client(alice)
    mine, theirs = cards
    body = client.get("/api/v1/scorecards/").json()
    assert [s["id"] for s in body["results"]] == [mine.pk]
    assert body["results"][0]["vendor"] == vendor_a.pk
    perspectives = body["results"][0]["perspectives"]
    assert {p["name"] for p in perspectives} == {"Customer / service quality",
                                                 "Financial / value"}
    assert client.get(f"/api/v1/scorecards/{theirs.pk}/").status_code == 404
    for resource in ("scorecard-measures", "scorecard-periods"):
        items = client.get(f"/api/v1/{resource}/", {"page_size": 100}).json()["results"]
        assert items and {item["vendor"] for item in items} == {vendor_a.pk}


def test_vendor_user_reports_a_draft_and_submits_it(token_client, alice, cards, vendor_a):
    client = token_client(alice)
    availability, q = measure(vendor_a, "Availability"), period(vendor_a, 1)
    created = client.post(ACTUALS, {"measure": availability.pk, "period": q.pk,
                                    "vendor_value": "99.95", "comment": "From monitoring",
                                    "evidence_url": "https://acme.example/report.pdf"})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["vendor"] == vendor_a.pk and body["status"] == "draft"
    assert body["reported_side"] == "vendor" and body["rag"] == "green"
    changed = client.patch(f"{ACTUALS}{body['id']}/", {"vendor_value": "99.2",
                                                       "comment": "Two outages"})
    assert changed.status_code == 200 and changed.json()["rag"] == "amber"
    submitted = client.post(f"{ACTUALS}{body['id']}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    again = client.patch(f"{ACTUALS}{body['id']}/", {"vendor_value": "99.9"})
    assert again.status_code == 400
    assert "only drafts can be changed" in again.json()["status"][0]


def test_a_second_actual_for_the_same_measure_and_period_is_a_409_naming_the_first(
        token_client, alice, cards, vendor_a):
    client = token_client(alice)
    data = {"measure": measure(vendor_a, "Availability").pk, "period": period(vendor_a, 1).pk,
            "vendor_value": "99.95"}
    first = client.post(ACTUALS, data).json()
    second = client.post(ACTUALS, data)
    assert second.status_code == 409
    assert f"PATCH /api/v1/scorecard-actuals/{first['id']}/" in second.json()["detail"]
    assert Actual.objects.count() == 1


@pytest.mark.parametrize(("value", "field", "words"), [
    ("ninety-nine", "vendor_value", "valid number"),
    ("NaN", "vendor_value", "valid number"),
    ("Infinity", "vendor_value", "valid number"),
    ("1e400", "vendor_value", "valid number"),
    ("99.123456", "vendor_value", "valid number"),
    ("123456789012", "vendor_value", "valid number"),
    ("100.5", "vendor_value", "out of range"),
    ("-1", "vendor_value", "out of range"),
])
def test_bad_values_are_clear_400s(token_client, alice, cards, vendor_a, value, field, words):
    response = token_client(alice).post(ACTUALS, {
        "measure": measure(vendor_a, "Availability").pk, "period": period(vendor_a, 1).pk,
        "vendor_value": value})
    assert response.status_code == 400
    assert words in " ".join(response.json()[field])


def test_retired_measures_and_locked_periods_are_clear_400s(token_client, alice, cards,
                                                           vendor_a):
    client = token_client(alice)
    availability = measure(vendor_a, "Availability")
    services.period_lock(period(vendor_a, 2))
    locked = client.post(ACTUALS, {"measure": availability.pk,
                                   "period": period(vendor_a, 2).pk, "vendor_value": "99.9"})
    assert locked.status_code == 400 and "is locked" in locked.json()["period"][0]
    services.part_retire(availability)
    retired = client.post(ACTUALS, {"measure": availability.pk,
                                    "period": period(vendor_a, 1).pk, "vendor_value": "99.9"})
    assert retired.status_code == 400 and "retired" in retired.json()["measure"][0]


def test_the_vendor_cannot_write_our_measurement_or_approve(token_client, alice, cards,
                                                            vendor_a):
    client = token_client(alice)
    response = client.post(ACTUALS, {"measure": measure(vendor_a, "Availability").pk,
                                      "period": period(vendor_a, 1).pk,
                                      "internal_value": "99"})
    assert response.status_code == 400 and "internal_value" in response.json()
    actual = client.post(ACTUALS, {"measure": measure(vendor_a, "Availability").pk,
                                    "period": period(vendor_a, 1).pk,
                                    "vendor_value": "99.95"}).json()
    client.post(f"{ACTUALS}{actual['id']}/submit/")
    assert client.post(f"{ACTUALS}{actual['id']}/approve/").status_code == 403
    assert Actual.objects.get(pk=actual["id"]).status == "submitted"


def test_another_vendors_records_are_404_and_never_written(token_client, alice, cards,
                                                           vendor_b):
    client = token_client(alice)
    theirs = measure(vendor_b, "Availability")
    response = client.post(ACTUALS, {"measure": theirs.pk, "period": period(vendor_b, 1).pk,
                                     "vendor_value": "1"})
    assert response.status_code == 400
    assert "Invalid pk" in response.json()["measure"][0]  # the same as an id that is nowhere
    their_actual = services.actual_record(measure=theirs, period=period(vendor_b, 1), by=None,
                                          vendor_value=D("99.95"))
    for method in ("get", "patch"):
        assert getattr(client, method)(f"{ACTUALS}{their_actual.pk}/").status_code == 404
    assert client.post(f"{ACTUALS}{their_actual.pk}/submit/").status_code == 404
    their_actual.refresh_from_db()
    assert their_actual.status == "draft"


def test_our_owner_approves_sends_back_and_resolves_disputes(token_client, alice, line_manager,
                                                             cards, vendor_a):
    ours, theirs = token_client(line_manager), token_client(alice)
    resolution = measure(vendor_a, "Resolution")
    created = ours.post(ACTUALS, {"measure": resolution.pk, "period": period(vendor_a, 1).pk,
                                  "internal_value": "86", "comment": "Storage backlog"})
    assert created.status_code == 201 and created.json()["reported_side"] == "ours"
    actual_id = created.json()["id"]
    assert ours.post(f"{ACTUALS}{actual_id}/submit/").status_code == 200
    sent_back = ours.post(f"{ACTUALS}{actual_id}/send-back/", {})
    assert sent_back.status_code == 400 and "reason" in sent_back.json()
    ours.post(f"{ACTUALS}{actual_id}/submit/")
    approved = ours.post(f"{ACTUALS}{actual_id}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    change = ours.patch(f"{ACTUALS}{actual_id}/", {"internal_value": "88"})
    assert change.status_code == 400 and "reason" in change.json()

    dispute = theirs.post("/api/v1/scorecard-disputes/", {"actual": actual_id,
                                                          "reason": "Should be 91"})
    assert dispute.status_code == 201 and dispute.json()["vendor"] == vendor_a.pk
    dispute_id = dispute.json()["id"]
    assert theirs.post(f"/api/v1/scorecard-disputes/{dispute_id}/resolve/", {
        "outcome": "upheld", "resolution": "self-approved"}).status_code == 403
    resolved = ours.post(f"/api/v1/scorecard-disputes/{dispute_id}/resolve/", {
        "outcome": "upheld", "resolution": "Agreed", "corrected_value": "91"})
    assert resolved.status_code == 200 and resolved.json()["status"] == "upheld"
    assert ours.get(f"{ACTUALS}{actual_id}/").json()["internal_value"] == "91.0000"
    # Our people do not raise disputes against themselves.
    assert ours.post("/api/v1/scorecard-disputes/", {"actual": actual_id,
                                                      "reason": "x"}).status_code == 403


def test_scores_roll_up_a_period(token_client, alice, cards, vendor_a):
    services.actual_record(measure=measure(vendor_a, "Availability"),
                           period=period(vendor_a, 1), by=alice, vendor_value=D("99.7"),
                           submit=True)
    mine, _ = cards
    response = token_client(alice).get(f"/api/v1/scorecards/{mine.pk}/scores/",
                                       {"period": label_of(1)})
    assert response.status_code == 200
    body = response.json()
    assert body["vendor"] == vendor_a.pk and body["period_label"] == label_of(1)
    customer = next(p for p in body["perspectives"]
                    if p["name"] == "Customer / service quality")
    assert customer["score"] == "85.0" and customer["rag"] == "green"
    assert customer["coverage"] == "0.6000"
    reliable = customer["objectives"][0]
    assert [(m["name"], m["rag"]) for m in reliable["measures"]] == [
        ("Availability", "green"), ("Resolution", "no_data")]
    assert reliable["measures"][1]["value"] is None and reliable["measures"][1]["score"] is None
    financial = next(p for p in body["perspectives"] if p["name"] == "Financial / value")
    assert financial["score"] is None and financial["rag"] == "no_data"
    assert body["score"] == "85.0"  # missing data is left out, never counted as zero


@pytest.mark.parametrize("label", ["2026-Q9", "nonsense", "2026-13", "2026-Q1\x00"])
def test_scores_of_a_malformed_period_are_a_400(token_client, alice, cards, label):
    mine, _ = cards
    response = token_client(alice).get(f"/api/v1/scorecards/{mine.pk}/scores/",
                                       {"period": label})
    assert response.status_code == 400 and "period" in response.json()


def test_scores_of_a_period_the_scorecard_does_not_have_are_a_404(token_client, alice, cards):
    mine, _ = cards
    client = token_client(alice)
    response = client.get(f"/api/v1/scorecards/{mine.pk}/scores/", {"period": "1999-Q1"})
    assert response.status_code == 404 and "no period 1999-Q1" in response.json()["detail"]
    default = client.get(f"/api/v1/scorecards/{mine.pk}/scores/", {"period": ""})
    assert default.status_code == 200 and default.json()["period_label"] == label_of(1)


def test_measures_with_thresholds_in_the_wrong_order_are_a_400(token_client, vendor_manager,
                                                               cards, vendor_a):
    client = token_client(vendor_manager)
    availability = measure(vendor_a, "Availability")
    response = client.patch(f"/api/v1/scorecard-measures/{availability.pk}/",
                            {"red_threshold": "99.8"})
    assert response.status_code == 400
    assert "below the amber threshold" in response.json()["red_threshold"][0]
    created = client.post("/api/v1/scorecard-measures/", {
        "vendor": vendor_a.pk, "objective": availability.objective_id, "name": "MTTR",
        "definition": "Mean time to restore", "unit": "h", "direction": "lower",
        "target": "4", "amber_threshold": "3", "red_threshold": "8", "weight": "1"})
    assert created.status_code == 400 and "amber_threshold" in created.json()
    sla = client.post("/api/v1/scorecard-measures/", {
        "vendor": vendor_a.pk, "objective": availability.objective_id, "name": "MTTR",
        "definition": "Mean time to restore", "unit": "h", "direction": "lower",
        "target": "4", "amber_threshold": "6", "red_threshold": "8", "weight": "1",
        "data_source": "sla"})
    assert sla.status_code == 400
    assert "needs its service level" in sla.json()["service_level"][0]
    ok = client.post("/api/v1/scorecard-measures/", {
        "vendor": vendor_a.pk, "objective": availability.objective_id, "name": "MTTR",
        "definition": "Mean time to restore", "unit": "h", "direction": "lower",
        "target": "4", "amber_threshold": "6", "red_threshold": "8", "weight": "1"})
    assert ok.status_code == 201 and ok.json()["vendor"] == vendor_a.pk
    retired = client.post(f"/api/v1/scorecard-measures/{ok.json()['id']}/archive/")
    assert retired.status_code == 200 and retired.json()["archived_at"]
    assert Measure.objects.get(pk=ok.json()["id"]).history.first().history_change_reason == \
        "Retired"


def test_measures_belong_under_their_vendors_objectives(token_client, vendor_manager, cards,
                                                        vendor_a, vendor_b):
    response = token_client(vendor_manager).post("/api/v1/scorecard-measures/", {
        "vendor": vendor_a.pk, "objective": measure(vendor_b, "Availability").objective_id,
        "name": "x", "definition": "x", "direction": "higher", "target": "3",
        "amber_threshold": "2", "red_threshold": "1"})
    assert response.status_code == 400 and "objective" in response.json()


def test_internal_readers_see_what_they_may_and_change_nothing(token_client, executive,
                                                               cards):
    client = token_client(executive)
    assert client.get("/api/v1/scorecards/").json()["count"] == 2
    first = Measure.objects.first()
    response = client.post(ACTUALS, {"measure": first.pk, "period": first.vendor_id})
    assert response.status_code == 403
    assert not Actual.objects.exists()


def test_periods_lock_through_the_api_for_vendor_managers_only(token_client, vendor_manager,
                                                               line_manager, cards, vendor_a):
    q = period(vendor_a, 1)
    assert token_client(line_manager).post(
        f"/api/v1/scorecard-periods/{q.pk}/lock/", {}).status_code == 403
    response = token_client(vendor_manager).post(f"/api/v1/scorecard-periods/{q.pk}/lock/",
                                                 {"note": "Reviewed"})
    assert response.status_code == 200 and response.json()["is_locked"]
    current = period(vendor_a, 0)
    early = token_client(vendor_manager).post(f"/api/v1/scorecard-periods/{current.pk}/lock/")
    assert early.status_code == 400


def test_filters_narrow_the_lists(token_client, alice, cards, vendor_a):
    client = token_client(alice)
    services.actual_record(measure=measure(vendor_a, "Availability"),
                           period=period(vendor_a, 1), by=alice, vendor_value=D("99.9"))
    assert client.get(ACTUALS, {"period_label": label_of(1)}).json()["count"] == 1
    assert client.get(ACTUALS, {"period_label": label_of(2)}).json()["count"] == 0
    assert client.get(ACTUALS, {"status": "nonsense"}).status_code == 400
    assert client.get("/api/v1/scorecard-periods/", {"label": label_of(1)}).json()["count"] == 1
    assert client.get("/api/v1/scorecard-disputes/", {"status": "open"}).json()["count"] == 0
    assert Dispute.objects.count() == 0


def test_the_rights_come_from_the_access_module(alice, line_manager, executive, vendor_a):
    from vendors import access
    assert access.may(alice, Action.SUBMIT_ACTUALS, vendor_a)
    assert not access.may(executive, Action.SUBMIT_ACTUALS, vendor_a)
    assert reverse("scorecard-actual-send-back", args=[1]) == f"{ACTUALS}1/send-back/"


# -- found by the schema fuzz (tests/api/test_fuzz.py) ----------------------------------------

@pytest.mark.parametrize("blank", ["", "  "])
def test_an_empty_string_is_not_a_null_decimal(token_client, vendor_manager, cards, vendor_a,
                                               blank):
    """The schema's decimal pattern takes no empty string; null clears a value."""
    availability = measure(vendor_a, "Availability")
    client = token_client(vendor_manager)
    response = client.patch(f"/api/v1/scorecard-measures/{availability.pk}/",
                            {"min_value": blank})
    assert response.status_code == 400 and list(response.json()) == ["min_value"]
    availability.refresh_from_db()
    assert availability.min_value == D("0")
    cleared = client.patch(f"/api/v1/scorecard-measures/{availability.pk}/",
                           {"min_value": None})
    assert cleared.status_code == 200 and cleared.json()["min_value"] is None


def test_a_period_label_filter_documents_that_it_refuses_nul(client, token_client,
                                                             vendor_manager, cards):
    assert token_client(vendor_manager).get("/api/v1/scorecard-periods/",
                                            {"label": "a\x00b"}).status_code == 400
    client.force_login(vendor_manager)
    paths = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()["paths"]
    for path, name in [("/api/v1/scorecard-periods/", "label"),
                       ("/api/v1/scorecard-actuals/", "period_label")]:
        parameter = next(p for p in paths[path]["get"]["parameters"] if p["name"] == name)
        assert parameter["schema"]["pattern"] == "^[^\\x00]*$"
