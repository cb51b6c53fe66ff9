"""Changes through the API: who may make them, how bad input is answered, and that
nothing is ever hard-deleted."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    ContactFactory,
    ContractFactory,
    PrincipleFactory,
    ServiceFactory,
    StaffingChangeFactory,
    StaffMemberFactory,
    VendorFactory,
)
from vendors.choices import StaffingChangeKind
from vendors.models import Service, StaffingChange, StaffMember, Vendor


def url(name, *args):
    return reverse(name, args=args)


def contract_body(vendor, **overrides):
    return {"vendor": vendor.pk, "reference": "C-1", "title": "Managed services",
            "start_date": "2026-01-01", "end_date": "2027-12-31", "value": "100000.00",
            "currency": "EUR", **overrides}


def staffing_change_body(vendor, **overrides):
    return {"vendor": vendor.pk, "kind": "add", "new_person_name": "Ada",
            "new_person_role": "Tester", "reason": "More testing before the release.",
            **overrides}


# --- vendors -------------------------------------------------------------------------------

def test_vendor_manager_creates_a_vendor_and_its_slug_is_made_from_the_name(
        token_client, vendor_manager):
    response = token_client(vendor_manager).post(url("vendor-list"), {
        "name": "Cobalt Services", "tier": "strategic", "criticality": "high"})
    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "cobalt-services"
    assert body["archived_at"] is None
    assert response["Location"] == body["url"]
    assert Vendor.objects.get(pk=body["id"]).history.first().history_user == vendor_manager


def test_duplicate_vendor_name_in_other_case_is_400_on_name(token_client, vendor_manager,
                                                            vendor_a):
    response = token_client(vendor_manager).post(url("vendor-list"),
                                                 {"name": vendor_a.name.upper()})
    assert response.status_code == 400
    assert response.json()["name"] == ["A vendor with this name already exists."]


def test_renaming_a_vendor_to_an_existing_name_is_400(token_client, vendor_manager, vendor_a,
                                                      vendor_b):
    response = token_client(vendor_manager).patch(url("vendor-detail", vendor_b.pk),
                                                  {"name": vendor_a.name.lower()})
    assert response.status_code == 400
    assert "name" in response.json()
    ok = token_client(vendor_manager).patch(url("vendor-detail", vendor_b.pk),
                                            {"name": vendor_b.name.upper()})
    assert ok.status_code == 200


def test_duplicate_vendor_slug_is_400_on_slug(token_client, vendor_manager, vendor_a):
    response = token_client(vendor_manager).post(url("vendor-list"),
                                                 {"name": "Other", "slug": vendor_a.slug})
    assert response.status_code == 400
    assert "slug" in response.json()


@pytest.mark.parametrize("body", [
    {"name": ""}, {"name": "x" * 121}, {"name": "Ok", "tier": "platinum"},
    {"name": "Ok", "suggestion_quota_per_quarter": -1},
    {"name": "Ok", "suggestion_quota_per_quarter": "many"},
    {"name": "Ok", "website": "not a url"}, {"name": "Ok", "slug": "no spaces allowed"},
    {"name": "Ok\x00"}, {"name": ["Ok"]},
])
def test_bad_vendor_input_is_400_with_field_errors(token_client, vendor_manager, body):
    response = token_client(vendor_manager).post(url("vendor-list"), body)
    assert response.status_code == 400
    assert set(response.json()) <= {"name", "tier", "suggestion_quota_per_quarter", "website",
                                    "slug"}


@pytest.mark.parametrize("body", [
    {"name": 5}, {"name": "Ok", "description": 0}, {"name": "Ok", "description": 1.5},
    {"name": "Ok", "suggestion_quota_per_quarter": "3"},
    {"name": "Ok", "suggestion_quota_per_quarter": 3.0},
    {"name": "Ok", "suggestion_quota_per_quarter": True},
    {"name": "Ok", "suggestion_quota_per_quarter": 32768},
    {"name": " "}, {"name": "\u3000"}, {"name": "\n" + "x" * 120},
    {"name": "Ok", "website": "https://example.a"}, {"name": "Ok", "website": "ftp://example.com"},
    {"name": "Ok", "website": " https://example.com"}, {"name": "Ok", "website": 5},
])
def test_a_value_of_another_type_or_form_than_the_schema_says_is_400(token_client,
                                                                     vendor_manager, body):
    """No coercion: the schema says string, integer (at most what a smallint holds on every
    database), or a web address of the form it documents."""
    response = token_client(vendor_manager).post(url("vendor-list"), body)
    assert response.status_code == 400
    assert list(response.json()) == [list(body)[-1]]


@pytest.mark.parametrize("overrides", [
    {"value": 100000}, {"value": "1e3"}, {"value": " 5"}, {"value": "+5"}, {"value": "1_000"},
    {"value": ""}, {"value": "-0"}, {"vendor": "1"}, {"currency": 1},
])
def test_contract_values_are_plain_decimal_strings_and_ids_integers(token_client,
                                                                    vendor_manager, vendor_a,
                                                                    overrides):
    body = contract_body(vendor_a)
    body.update({k: (str(vendor_a.pk) if k == "vendor" else v) for k, v in overrides.items()})
    response = token_client(vendor_manager).post(url("contract-list"), body)
    assert response.status_code == 400
    assert set(response.json()) == set(overrides)


@pytest.mark.parametrize("email", ["a@b", "a@b.c0m", "a@b.c", '"a b"@example.com', " a@b.co",
                                   "a@-b.co", "a@bü.co"])
def test_an_email_address_has_the_documented_form(token_client, vendor_manager, vendor_a,
                                                  email):
    response = token_client(vendor_manager).post(url("contact-list"), {
        "vendor": vendor_a.pk, "name": "Ann", "role": "other", "email": email})
    assert response.status_code == 400
    assert list(response.json()) == ["email"]


def test_an_integer_choice_is_an_integer(token_client, vendor_manager, vendor_a):
    client = token_client(vendor_manager)
    body = {"vendor": vendor_a.pk, "name": "Ann", "role": "other"}
    assert client.post(url("contact-list"), {**body, "escalation_level": "1"}).status_code == 400
    assert client.post(url("contact-list"), {**body, "escalation_level": 1}).status_code == 201


def test_the_schema_documents_what_strict_fields_take(client, vendor_manager):
    client.force_login(vendor_manager)
    components = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()[
        "components"]["schemas"]
    vendor, contract = components["VendorRequest"], components["ContractRequest"]
    assert vendor["properties"]["suggestion_quota_per_quarter"]["maximum"] == 32767
    assert "format" not in vendor["properties"]["website"]
    assert vendor["properties"]["name"]["pattern"].startswith("^[^\\x00]*")
    assert contract["properties"]["value"]["pattern"] == "^[0-9]{1,12}(?:\\.[0-9]{1,2})?$"
    assert contract["properties"]["vendor"]["minimum"] == 1


def test_a_body_that_is_not_an_object_is_400(token_client, vendor_manager):
    client = token_client(vendor_manager)
    assert client.post(url("vendor-list"), ["x"]).status_code == 400
    broken = client.post(url("vendor-list"), "{not json", content_type="application/json")
    assert broken.status_code == 400
    assert "detail" in broken.json()


def test_unknown_fields_are_ignored(token_client, vendor_manager):
    response = token_client(vendor_manager).post(url("vendor-list"), {
        "name": "Delta", "archived_at": "2020-01-01T00:00:00Z", "colour": "blue", "id": 999})
    assert response.status_code == 201
    assert response.json()["archived_at"] is None
    assert response.json()["id"] != 999


@pytest.mark.parametrize("user", ["line_manager", "executive", "alice"])
def test_only_vendor_managers_create_vendors(token_client, request, user):
    response = token_client(request.getfixturevalue(user)).post(url("vendor-list"),
                                                                {"name": "Nope"})
    assert response.status_code == 403
    assert "detail" in response.json()
    assert not Vendor.objects.filter(name="Nope").exists()


def test_line_manager_may_not_change_their_vendor(token_client, line_manager, vendor_a):
    response = token_client(line_manager).patch(url("vendor-detail", vendor_a.pk),
                                                {"description": "x"})
    assert response.status_code == 403


def test_line_manager_changing_an_unassigned_vendor_gets_404(token_client, line_manager,
                                                             vendor_b):
    response = token_client(line_manager).patch(url("vendor-detail", vendor_b.pk),
                                                {"description": "x"})
    assert response.status_code == 404


# --- archiving ------------------------------------------------------------------------------

def test_archive_hides_a_record_from_lists_and_restore_brings_it_back(token_client,
                                                                      vendor_manager):
    vendor = VendorFactory()
    client = token_client(vendor_manager)
    response = client.post(url("vendor-archive", vendor.pk))
    assert response.status_code == 200
    assert response.json()["archived_at"] is not None

    def listed(**params):
        return {v["id"] for v in client.get(url("vendor-list"), params).json()["results"]}

    assert vendor.pk not in listed()
    assert vendor.pk in listed(archived="true")
    assert vendor.pk in listed(archived="all")
    assert vendor.pk not in listed(archived="false")
    assert client.get(url("vendor-detail", vendor.pk)).status_code == 200

    again = client.post(url("vendor-archive", vendor.pk))
    assert again.json()["archived_at"] == response.json()["archived_at"]

    restored = client.post(url("vendor-restore", vendor.pk))
    assert restored.status_code == 200 and restored.json()["archived_at"] is None
    assert vendor.pk in listed()
    assert Vendor.objects.filter(pk=vendor.pk).exists()


def test_archive_needs_the_write_right(token_client, line_manager, stakeholder, vendor_a):
    contract = ContractFactory(vendor=vendor_a)
    service = ServiceFactory(vendor=vendor_a)
    assert token_client(line_manager).post(
        url("contract-archive", contract.pk)).status_code == 403
    assert token_client(stakeholder).post(url("service-archive", service.pk)).status_code == 403
    assert token_client(line_manager).post(url("service-archive", service.pk)).status_code == 200


def test_archiving_another_vendors_record_is_404(token_client, alice, line_manager, vendor_b):
    service = ServiceFactory(vendor=vendor_b)
    assert token_client(line_manager).post(url("service-archive", service.pk)).status_code == 404
    assert token_client(alice).post(url("service-restore", service.pk)).status_code == 404


# --- vendor-scoped records ------------------------------------------------------------------

def test_line_manager_creates_a_service_for_their_vendor(token_client, line_manager, vendor_a):
    response = token_client(line_manager).post(url("service-list"),
                                               {"vendor": vendor_a.pk, "name": "Service desk"})
    assert response.status_code == 201
    assert response.json()["vendor"] == vendor_a.pk


def test_naming_an_unseen_vendor_is_400_exactly_like_a_missing_one(token_client, line_manager,
                                                                   vendor_b):
    client = token_client(line_manager)
    missing_pk = vendor_b.pk + 1000
    hidden = client.post(url("service-list"), {"vendor": vendor_b.pk, "name": "X"})
    missing = client.post(url("service-list"), {"vendor": missing_pk, "name": "X"})
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["vendor"] == [f'Invalid pk "{vendor_b.pk}" - object does not exist.']
    assert missing.json()["vendor"] == [f'Invalid pk "{missing_pk}" - object does not exist.']
    assert not Service.objects.exists()


@pytest.mark.parametrize("vendor", ["abc", None, True, 99999999999999999999999, {"id": 1}])
def test_bad_vendor_reference_is_400(token_client, line_manager, vendor):
    response = token_client(line_manager).post(url("service-list"),
                                               {"vendor": vendor, "name": "X"})
    assert response.status_code == 400
    assert "vendor" in response.json()


def test_duplicate_service_name_for_a_vendor_is_400(token_client, line_manager, vendor_a):
    ServiceFactory(vendor=vendor_a, name="Service desk")
    response = token_client(line_manager).post(url("service-list"),
                                               {"vendor": vendor_a.pk, "name": "service DESK"})
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == [
        "This vendor already has a service with this name."]


def test_records_cannot_move_to_another_vendor(token_client, vendor_manager, vendor_a,
                                               vendor_b):
    contact = ContactFactory(vendor=vendor_a)
    response = token_client(vendor_manager).patch(url("contact-detail", contact.pk),
                                                  {"vendor": vendor_b.pk})
    assert response.status_code == 400
    assert "vendor" in response.json()


def test_stakeholder_may_read_but_not_edit(token_client, stakeholder, vendor_a):
    contact = ContactFactory(vendor=vendor_a)
    client = token_client(stakeholder)
    assert client.get(url("contact-detail", contact.pk)).status_code == 200
    assert client.patch(url("contact-detail", contact.pk), {"name": "X"}).status_code == 403
    assert client.post(url("contact-list"), {"vendor": vendor_a.pk, "name": "X",
                                             "role": "other"}).status_code == 403


def test_executive_may_read_everything_but_change_nothing(token_client, executive, vendor_a):
    contract = ContractFactory(vendor=vendor_a)
    client = token_client(executive)
    assert client.patch(url("contract-detail", contract.pk), {"title": "X"}).status_code == 403
    assert client.post(url("contract-list"), contract_body(vendor_a)).status_code == 403


def test_operations_edit_contacts_only_of_their_vendor(token_client, operations, vendor_a,
                                                       vendor_b):
    own, other = ContactFactory(vendor=vendor_b), ContactFactory(vendor=vendor_a)
    client = token_client(operations)
    assert client.patch(url("contact-detail", own.pk), {"phone": "+44 1"}).status_code == 200
    assert client.patch(url("contact-detail", other.pk), {"phone": "+44 1"}).status_code == 404


def test_vendor_manager_creates_a_contract(token_client, vendor_manager, vendor_a):
    response = token_client(vendor_manager).post(url("contract-list"), contract_body(vendor_a))
    assert response.status_code == 201
    assert response.json()["renewal_notice_date"] == "2027-10-02"


def test_line_manager_may_not_create_contracts(token_client, line_manager, vendor_a):
    response = token_client(line_manager).post(url("contract-list"), contract_body(vendor_a))
    assert response.status_code == 403


def test_contract_ending_before_it_starts_is_400_on_end_date(token_client, vendor_manager,
                                                             vendor_a):
    client = token_client(vendor_manager)
    response = client.post(url("contract-list"), contract_body(vendor_a, end_date="2025-12-31"))
    assert response.status_code == 400
    assert list(response.json()) == ["end_date"]

    contract = ContractFactory(vendor=vendor_a)
    response = client.patch(url("contract-detail", contract.pk), {"end_date": "2020-01-01"})
    assert response.status_code == 400
    assert "end_date" in response.json()


@pytest.mark.parametrize("overrides", [{"value": "-1"}, {"value": "1" * 20},
                                       {"start_date": "2026-02-30"}, {"currency": "XXX"},
                                       {"renewal_notice_days": 99999}, {"start_date": 5}])
def test_bad_contract_fields_are_400(token_client, vendor_manager, vendor_a, overrides):
    response = token_client(vendor_manager).post(url("contract-list"),
                                                 contract_body(vendor_a, **overrides))
    assert response.status_code == 400
    assert set(response.json()) <= set(overrides)


def test_staff_member_leaving_before_starting_is_400(token_client, line_manager, vendor_a):
    response = token_client(line_manager).post(url("staff-list"), {
        "vendor": vendor_a.pk, "name": "Bo", "role": "Dev", "started_on": "2026-03-01",
        "ended_on": "2026-02-01"})
    assert response.status_code == 400
    assert list(response.json()) == ["ended_on"]


# --- guiding principles ---------------------------------------------------------------------

def test_revising_a_principle_keeps_every_version(token_client, vendor_manager, alice,
                                                  vendor_a):
    principle = PrincipleFactory(vendor=vendor_a, title="Openness", text="Share bad news.")
    client = token_client(vendor_manager)
    response = client.patch(url("guiding-principle-detail", principle.pk),
                            {"text": "Share bad news early.", "reason": "Health check 2026"})
    assert response.status_code == 200
    assert response.json()["version"] == 2

    body = token_client(alice).get(url("guiding-principle-detail", principle.pk)).json()
    revisions = body["revisions"]
    assert [r["version"] for r in revisions] == [1, 2]
    assert [r["text"] for r in revisions] == ["Share bad news.", "Share bad news early."]
    assert revisions[1]["changed_by"] == str(vendor_manager)
    assert revisions[1]["reason"] == "Health check 2026"
    assert "reason" not in body


def test_unchanged_principle_text_is_not_a_new_version(token_client, vendor_manager, vendor_a):
    principle = PrincipleFactory(vendor=vendor_a)
    response = token_client(vendor_manager).patch(url("guiding-principle-detail", principle.pk),
                                                  {"title": principle.title, "position": 3})
    assert response.json()["version"] == 1
    assert response.json()["position"] == 3


def test_principle_list_shows_revisions(token_client, vendor_manager, vendor_a):
    PrincipleFactory(vendor=vendor_a)
    item = token_client(vendor_manager).get(url("guiding-principle-list")).json()["results"][0]
    assert [r["version"] for r in item["revisions"]] == [1]


def test_line_manager_may_not_revise_principles(token_client, line_manager, vendor_a):
    principle = PrincipleFactory(vendor=vendor_a)
    response = token_client(line_manager).patch(url("guiding-principle-detail", principle.pk),
                                                {"text": "Mine now."})
    assert response.status_code == 403


# --- staffing changes -----------------------------------------------------------------------

def test_vendor_user_may_request_a_staffing_change_for_their_own_vendor(token_client, alice,
                                                                        vendor_a):
    response = token_client(alice).post(url("staffing-change-list"), staffing_change_body(
        vendor_a, requested_by_side="ours", status="done"))
    assert response.status_code == 201
    body = response.json()
    assert body["requested_by_side"] == "vendor"
    assert body["status"] == "requested"
    assert body["requested_by"] == alice.pk
    assert body["vendor"] == vendor_a.pk


def test_vendor_user_gets_400_not_403_naming_another_vendor(token_client, alice, vendor_b):
    response = token_client(alice).post(url("staffing-change-list"),
                                        staffing_change_body(vendor_b))
    assert response.status_code == 400
    assert response.json()["vendor"] == [f'Invalid pk "{vendor_b.pk}" - object does not exist.']
    assert not StaffingChange.objects.exists()


def test_vendor_user_cannot_name_another_vendors_staff_member(token_client, alice, vendor_a,
                                                              vendor_b):
    theirs = StaffMemberFactory(vendor=vendor_b)
    response = token_client(alice).post(url("staffing-change-list"), staffing_change_body(
        vendor_a, kind="remove", staff_member=theirs.pk))
    assert response.status_code == 400
    assert response.json()["staff_member"] == [
        f'Invalid pk "{theirs.pk}" - object does not exist.']


def test_staffing_change_rules_are_400(token_client, line_manager, vendor_a):
    response = token_client(line_manager).post(url("staffing-change-list"),
                                               staffing_change_body(vendor_a, kind="remove"))
    assert response.status_code == 400
    assert "staff_member" in response.json()


def test_needed_by_before_the_request_is_400(token_client, line_manager, vendor_a):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = token_client(line_manager).post(url("staffing-change-list"), staffing_change_body(
        vendor_a, needed_by=yesterday.isoformat()))
    assert response.status_code == 400
    assert list(response.json()) == ["needed_by"]


@pytest.mark.parametrize("change", [{"status": "done"}, {"reason": "Changed my mind"}])
def test_vendor_user_may_not_change_or_resolve_a_request(token_client, alice, vendor_a,
                                                          change):
    request = StaffingChangeFactory(vendor=vendor_a)
    client = token_client(alice)
    if "status" in change:
        response = client.post(url("staffing-change-resolve", request.pk), change)
    else:
        response = client.patch(url("staffing-change-detail", request.pk), change)
    assert response.status_code == 403


def test_vendor_user_may_not_write_other_records_of_their_vendor(token_client, alice,
                                                                 vendor_a):
    client = token_client(alice)
    assert client.post(url("contact-list"), {"vendor": vendor_a.pk, "name": "X",
                                             "role": "other"}).status_code == 403
    assert client.post(url("staff-list"), {"vendor": vendor_a.pk, "name": "X",
                                           "role": "Dev"}).status_code == 403


def test_executive_may_not_request_staffing_changes(token_client, executive, vendor_a):
    response = token_client(executive).post(url("staffing-change-list"),
                                            staffing_change_body(vendor_a))
    assert response.status_code == 403


def test_resolving_a_replacement_as_done_updates_the_roster(token_client, line_manager,
                                                            vendor_a):
    leaving = StaffMemberFactory(vendor=vendor_a, name="Weak Link", role="Developer")
    change = StaffingChangeFactory(vendor=vendor_a, kind=StaffingChangeKind.REPLACE,
                                   staff_member=leaving, new_person_name="")
    client = token_client(line_manager)
    response = client.post(url("staffing-change-resolve", change.pk),
                           {"status": "done", "note": "Swapped", "new_person_name": "Strong"})
    assert response.status_code == 200
    assert response.json()["status"] == "done"
    assert response.json()["resolution_note"] == "Swapped"
    leaving.refresh_from_db()
    assert leaving.ended_on == timezone.localdate()
    assert StaffMember.objects.filter(vendor=vendor_a, name="Strong").exists()

    again = client.post(url("staffing-change-resolve", change.pk), {"status": "declined"})
    assert again.status_code == 400
    assert "status" in again.json()


@pytest.mark.parametrize("body", [{}, {"status": "requested"}, {"status": "maybe"}])
def test_resolve_needs_a_final_status(token_client, line_manager, vendor_a, body):
    change = StaffingChangeFactory(vendor=vendor_a)
    response = token_client(line_manager).post(url("staffing-change-resolve", change.pk), body)
    assert response.status_code == 400
    assert "status" in response.json()


def test_done_addition_needs_the_new_persons_name(token_client, line_manager, vendor_a):
    change = StaffingChangeFactory(vendor=vendor_a, new_person_name="")
    response = token_client(line_manager).post(url("staffing-change-resolve", change.pk),
                                               {"status": "done"})
    assert response.status_code == 400
    assert "new_person_name" in response.json()
    change.refresh_from_db()
    assert change.is_open


def test_resolving_another_vendors_request_is_404(token_client, line_manager, vendor_b):
    change = StaffingChangeFactory(vendor=vendor_b)
    response = token_client(line_manager).post(url("staffing-change-resolve", change.pk),
                                               {"status": "agreed"})
    assert response.status_code == 404


def test_kind_of_a_request_is_fixed(token_client, line_manager, vendor_a):
    change = StaffingChangeFactory(vendor=vendor_a)
    response = token_client(line_manager).patch(url("staffing-change-detail", change.pk),
                                                {"kind": "remove", "reason": "x"})
    assert response.status_code == 400
    assert "kind" in response.json()
    ok = token_client(line_manager).patch(url("staffing-change-detail", change.pk),
                                          {"reason": "Sharper reason."})
    assert ok.status_code == 200 and ok.json()["reason"] == "Sharper reason."


# --- found while fuzzing the feature apps' API (tests/api/test_fuzz.py) ---------------------

@pytest.mark.parametrize("start_date", ["20260101", "2026-1-1", "2026-W01-4"])
def test_a_date_is_written_as_yyyy_mm_dd_as_the_schema_says(token_client, vendor_manager,
                                                            vendor_a, start_date):
    response = token_client(vendor_manager).post(url("contract-list"), contract_body(
        vendor_a, start_date=start_date))
    assert response.status_code == 400
    assert list(response.json()) == ["start_date"]
