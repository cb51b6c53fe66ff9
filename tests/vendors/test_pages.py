"""The vendor pages, as the people who use them see them."""

import pytest
from django.urls import reverse

from tests.factories import (
    AssignmentFactory,
    ContactFactory,
    ContractFactory,
    PrincipleFactory,
    ServiceFactory,
    StaffingChangeFactory,
    StaffMemberFactory,
    VendorFactory,
)
from vendors.choices import Side, StaffingChangeKind, StaffingChangeStatus
from vendors.models import Contract, GuidingPrinciple, StaffingChange, Vendor

pytestmark = pytest.mark.django_db


def test_pages_need_a_signed_in_person(client, vendor_a):
    for url in (reverse("home"), reverse("vendors:list"), vendor_a.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_line_manager_sees_only_assigned_vendors_in_the_list(client, line_manager, vendor_a,
                                                            vendor_b):
    client.force_login(line_manager)
    response = client.get(reverse("vendors:list"))
    assert response.status_code == 200
    assert "Acme Outsourcing" in response.text
    assert "Borealis IT" not in response.text
    assert client.get(vendor_b.get_absolute_url()).status_code == 404


def test_vendor_list_searches_and_filters(client, vendor_manager):
    VendorFactory(name="Northwind Cloud", tier="strategic", status="active")
    VendorFactory(name="Southwind Desk", tier="operational", status="onboarding")
    client.force_login(vendor_manager)
    names = lambda r: [v.name for v in r.context["page"]]  # noqa: E731
    assert names(client.get(reverse("vendors:list"), {"q": "north"})) == ["Northwind Cloud"]
    assert names(client.get(reverse("vendors:list"), {"tier": "operational"})) == [
        "Southwind Desk"]
    assert names(client.get(reverse("vendors:list"), {"status": "active"})) == [
        "Northwind Cloud"]


def test_vendor_list_sorts_by_an_allowed_column_and_ignores_others(client, vendor_manager):
    VendorFactory(name="Beta", tier="strategic")
    VendorFactory(name="Alpha", tier="operational")
    client.force_login(vendor_manager)
    by_name_desc = client.get(reverse("vendors:list"), {"sort": "-name"})
    assert [v.name for v in by_name_desc.context["page"]] == ["Beta", "Alpha"]
    bogus = client.get(reverse("vendors:list"), {"sort": "password"})
    assert bogus.status_code == 200
    assert [v.name for v in bogus.context["page"]] == ["Alpha", "Beta"]


def test_vendor_list_exports_exactly_what_is_filtered_as_csv(client, vendor_manager):
    VendorFactory(name="Northwind Cloud")
    VendorFactory(name="=cmd|' /C calc'!A0")
    client.force_login(vendor_manager)
    response = client.get(reverse("vendors:list"), {"q": "wind", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().strip().splitlines()
    assert lines[0].startswith("Name,Tier")
    assert len(lines) == 2 and lines[1].startswith("Northwind Cloud")
    formula = client.get(reverse("vendors:list"), {"q": "cmd", "format": "csv"})
    assert "'=cmd" in formula.content.decode()


def test_archived_vendors_leave_the_default_list_but_keep_their_page(client, vendor_manager):
    vendor = VendorFactory(name="Old Partner")
    client.force_login(vendor_manager)
    response = client.post(reverse("vendors:archive", args=[vendor.slug]))
    assert response.status_code == 302
    vendor.refresh_from_db()
    assert vendor.archived_at is not None
    listed = lambda **q: [v.name for v in client.get(reverse("vendors:list"), q).context["page"]]  # noqa: E731
    assert listed() == []
    assert listed(archived="only") == ["Old Partner"]
    page = client.get(vendor.get_absolute_url())
    assert page.status_code == 200 and "Archived on" in page.text
    history = client.get(reverse("vendors:history", args=[vendor.slug])).text
    assert "Archived" in history and str(vendor_manager) in history
    client.post(reverse("vendors:restore", args=[vendor.slug]))
    vendor.refresh_from_db()
    assert vendor.archived_at is None


def test_vendor_manager_creates_a_vendor_and_gets_a_slug(client, vendor_manager):
    client.force_login(vendor_manager)
    response = client.post(reverse("vendors:create"), {
        "name": "Helix Networks", "slug": "", "tier": "strategic", "criticality": "high",
        "status": "onboarding", "website": "", "description": "",
        "suggestion_quota_per_quarter": 2})
    vendor = Vendor.objects.get(name="Helix Networks")
    assert response.status_code == 302 and response["Location"] == vendor.get_absolute_url()
    assert vendor.slug == "helix-networks"
    assert vendor.history.first().history_user == vendor_manager


def test_duplicate_vendor_names_get_a_clear_message_not_an_error(client, vendor_manager,
                                                                 vendor_a):
    client.force_login(vendor_manager)
    response = client.post(reverse("vendors:create"), {
        "name": "ACME outsourcing", "slug": "", "tier": "strategic", "criticality": "high",
        "status": "active", "suggestion_quota_per_quarter": 0})
    assert response.status_code == 200
    assert "A vendor with this name exists." in response.text
    taken_slug = client.post(reverse("vendors:create"), {
        "name": "Different", "slug": vendor_a.slug, "tier": "strategic", "criticality": "high",
        "status": "active", "suggestion_quota_per_quarter": 0})
    assert taken_slug.status_code == 200
    assert "already exists" in taken_slug.text
    assert Vendor.objects.count() == 1


def test_line_manager_may_not_create_or_edit_vendors(client, line_manager, vendor_a):
    client.force_login(line_manager)
    assert client.get(reverse("vendors:create")).status_code == 403
    assert client.post(reverse("vendors:update", args=[vendor_a.slug]), {}).status_code == 403
    assert client.post(reverse("vendors:archive", args=[vendor_a.slug])).status_code == 403


def test_contract_with_end_before_start_shows_a_field_error(client, vendor_manager, vendor_a):
    client.force_login(vendor_manager)
    url = reverse("vendors:record_create", args=[vendor_a.slug, "contracts"])
    response = client.post(url, {"reference": "X-1", "title": "T", "start_date": "2026-05-01",
                                 "end_date": "2026-01-01", "value": "100", "currency": "EUR",
                                 "renewal_notice_days": 30})
    assert response.status_code == 200
    assert "The end date must not be before the start date." in response.text
    assert not Contract.objects.exists()


def test_duplicate_contract_reference_for_a_vendor_is_a_field_error(client, vendor_manager,
                                                                    vendor_a):
    ContractFactory(vendor=vendor_a, reference="MSA-1")
    client.force_login(vendor_manager)
    url = reverse("vendors:record_create", args=[vendor_a.slug, "contracts"])
    response = client.post(url, {"reference": "msa-1", "title": "T", "start_date": "2026-01-01",
                                 "end_date": "2026-12-31", "value": "100", "currency": "EUR",
                                 "renewal_notice_days": 30})
    assert response.status_code == 200
    assert "already has a contract with this reference" in response.text


def test_assigned_line_manager_adds_a_contact_with_history(client, line_manager, vendor_a):
    client.force_login(line_manager)
    url = reverse("vendors:record_create", args=[vendor_a.slug, "contacts"])
    response = client.post(url, {"name": "Pat Jones", "role": "account_executive",
                                 "email": "pat@acme.example", "phone": "",
                                 "escalation_level": 1, "notes": ""})
    assert response.status_code == 302
    contact = vendor_a.contacts.get()
    assert contact.history.get().history_user == line_manager
    overview = client.get(vendor_a.get_absolute_url()).text
    assert "Pat Jones" in overview  # on the escalation ladder


def test_vendor_page_shows_the_relationship_at_a_glance(client, line_manager, vendor_a):
    ServiceFactory(vendor=vendor_a, name="Service desk")
    ContractFactory(vendor=vendor_a, reference="ACME-MSA")
    ContactFactory(vendor=vendor_a, name="Dana Account")
    PrincipleFactory(vendor=vendor_a, title="No surprises")
    StaffMemberFactory(vendor=vendor_a, name="Sam Engineer", allocation_percent=50)
    StaffingChangeFactory(vendor=vendor_a)
    client.force_login(line_manager)
    overview = client.get(vendor_a.get_absolute_url()).text
    for text in ("Service desk", "ACME-MSA", "Dana Account", "No surprises",
                 "Open staffing requests", "0.5 full-time equivalent"):
        assert text in overview
    people = client.get(reverse("vendors:people", args=[vendor_a.slug])).text
    assert "Sam Engineer" in people and "A. Newcomer" in people


def test_vendor_page_runs_the_same_number_of_queries_whatever_its_size(
        client, line_manager, vendor_a, django_assert_max_num_queries):
    client.force_login(line_manager)

    def grow(n):
        for _ in range(n):
            ContactFactory(vendor=vendor_a)
            StaffMemberFactory(vendor=vendor_a)
            StaffingChangeFactory(vendor=vendor_a)
            PrincipleFactory(vendor=vendor_a)
            ContractFactory(vendor=vendor_a)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(vendor_a.get_absolute_url()).status_code == 200
            assert client.get(reverse("vendors:people", args=[vendor_a.slug])).status_code == 200
            assert client.get(reverse("vendors:history", args=[vendor_a.slug])).status_code == 200
        return len(ctx)

    grow(1)
    small = count()
    grow(10)
    assert count() == small


def test_principle_revision_keeps_the_old_text_with_who_and_why(client, vendor_manager,
                                                                vendor_a):
    principle = PrincipleFactory(vendor=vendor_a, title="Openness", text="Old words.")
    client.force_login(vendor_manager)
    url = reverse("vendors:record_update", args=[vendor_a.slug, "principles", principle.pk])
    client.post(url, {"title": "Openness", "text": "New words.", "position": 0,
                      "change_reason": "Health check 2026"})
    principle.refresh_from_db()
    assert principle.version == 2 and principle.text == "New words."
    page = client.get(reverse("vendors:principle", args=[vendor_a.slug, principle.pk])).text
    assert "Old words." in page and "New words." in page and "Health check 2026" in page
    assert GuidingPrinciple.history.filter(id=principle.pk, text="Old words.").exists()


def test_vendor_user_requests_a_staffing_change_for_their_own_vendor(client, alice, vendor_a):
    member = StaffMemberFactory(vendor=vendor_a, name="Leaving Person")
    client.force_login(alice)
    url = reverse("vendors:staffing_change_create", args=[vendor_a.slug])
    response = client.post(url, {"kind": "replace", "staff_member": member.pk,
                                 "new_person_name": "", "new_person_role": "",
                                 "reason": "Moves to another client.", "needed_by": ""})
    assert response.status_code == 302
    change = StaffingChange.objects.get()
    assert (change.vendor, change.requested_by_side, change.requested_by) == (
        vendor_a, Side.VENDOR, alice)


def test_replace_without_naming_who_leaves_is_a_field_error(client, line_manager, vendor_a):
    client.force_login(line_manager)
    url = reverse("vendors:staffing_change_create", args=[vendor_a.slug])
    response = client.post(url, {"kind": "replace", "requested_by_side": "ours",
                                 "reason": "Underperforming."})
    assert response.status_code == 200
    assert "Choose the person who leaves or is replaced." in response.text


def test_done_replacement_updates_the_roster(client, line_manager, vendor_a):
    member = StaffMemberFactory(vendor=vendor_a, name="Old Hand", role="DBA")
    change = StaffingChangeFactory(vendor=vendor_a, kind=StaffingChangeKind.REPLACE,
                                   staff_member=member, new_person_name="",
                                   new_person_role="")
    client.force_login(line_manager)
    url = reverse("vendors:staffing_change_resolve", args=[vendor_a.slug, change.pk])
    response = client.post(url, {"status": "done", "new_person_name": "New Hand", "note": "ok"})
    assert response.status_code == 302
    change.refresh_from_db()
    member.refresh_from_db()
    assert change.status == StaffingChangeStatus.DONE and change.resolved_on is not None
    assert member.ended_on is not None
    assert vendor_a.staff.get(name="New Hand").role == "DBA"
    again = client.post(url, {"status": "declined"})
    assert again.status_code == 200 and "already done" in again.text


def test_vendor_manager_assigns_and_removes_a_person(client, vendor_manager, vendor_a):
    from tests.factories import UserFactory
    olga = UserFactory(username="olga", role="operations")
    client.force_login(vendor_manager)
    url = reverse("vendors:record_create", args=[vendor_a.slug, "assignments"])
    assert client.post(url, {"user": olga.pk, "role": "operations"}).status_code == 302
    assignment = vendor_a.assignments.get()
    duplicate = client.post(url, {"user": olga.pk, "role": "line_manager"})
    assert "already assigned" in duplicate.text
    client.post(reverse("vendors:assignment_remove", args=[vendor_a.slug, assignment.pk]))
    assert not vendor_a.assignments.exists()
    assert assignment.history.model.objects.filter(id=assignment.pk, history_type="-",
                                                   history_user=vendor_manager).exists()


def test_archived_records_can_be_shown_again(client, line_manager, vendor_a):
    contact = ContactFactory(vendor=vendor_a, name="Gone Person")
    client.force_login(line_manager)
    client.post(reverse("vendors:record_archive", args=[vendor_a.slug, "contacts", contact.pk]))
    people = reverse("vendors:people", args=[vendor_a.slug])
    names = lambda **q: [c.name for c in client.get(people, q).context["o"].contacts]  # noqa: E731
    assert names() == []
    assert names(archived="1") == ["Gone Person"]


def test_unknown_record_kind_is_not_a_route(client, vendor_manager, vendor_a):
    client.force_login(vendor_manager)
    assert client.get(f"/vendors/{vendor_a.slug}/passwords/new/").status_code == 404


def test_search_finds_only_what_the_person_may_see(client, line_manager, vendor_a, vendor_b):
    ContactFactory(vendor=vendor_a, name="Robin Visible")
    ContactFactory(vendor=vendor_b, name="Robin Hidden")
    client.force_login(line_manager)
    page = client.get(reverse("vendors:search"), {"q": "robin"}).text
    assert "Robin Visible" in page and "Robin Hidden" not in page


def test_home_lists_renewals_and_stale_requests_of_my_vendors(client, line_manager, vendor_a,
                                                              vendor_b):
    import datetime

    from django.utils import timezone
    today = timezone.localdate()
    ContractFactory(vendor=vendor_a, reference="SOON-1", end_date=today + datetime.timedelta(60),
                    renewal_notice_days=30)
    ContractFactory(vendor=vendor_b, reference="OTHER-1",
                    end_date=today + datetime.timedelta(60), renewal_notice_days=30)
    StaffingChangeFactory(vendor=vendor_a, requested_on=today - datetime.timedelta(45),
                          reason="Stale ask")
    AssignmentFactory  # noqa: B018 (the fixture already assigns vendor A)
    client.force_login(line_manager)
    page = client.get(reverse("home")).text
    assert "SOON-1" in page and "OTHER-1" not in page
    assert "open 45 days" in page


def test_vendor_user_home_is_their_sides_open_items_with_a_link_to_their_vendor(
        client, alice, vendor_a):
    client.force_login(alice)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert f'href="{vendor_a.get_absolute_url()}"' in response.content.decode()


def test_a_long_reason_for_a_principle_revision_is_kept_whole(client, vendor_manager, vendor_a):
    principle = PrincipleFactory(vendor=vendor_a, title="Openness", text="Old words.")
    reason = "Agreed with the vendor's executive sponsor in the H2 health check, after two " \
             "incidents that reached the business before they reached us."
    client.force_login(vendor_manager)
    client.post(reverse("vendors:record_update", args=[vendor_a.slug, "principles", principle.pk]),
                {"title": "Openness", "text": "New words.", "position": 0,
                 "change_reason": reason})
    assert principle.history.first().history_change_reason == reason


@pytest.mark.parametrize("url_name", ["home", "vendors:list"])
def test_portfolio_pages_run_the_same_number_of_queries_for_more_vendors(client, vendor_manager,
                                                                         url_name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def grow(n):
        for _ in range(n):
            vendor = VendorFactory()
            ContractFactory(vendor=vendor)
            StaffingChangeFactory(vendor=vendor)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(url_name)).status_code == 200
        return len(ctx)

    client.force_login(vendor_manager)
    grow(2)
    small = count()
    grow(20)
    assert count() == small


def test_moving_a_principle_is_saved_without_a_new_version(client, vendor_manager, vendor_a):
    principle = PrincipleFactory(vendor=vendor_a, title="Openness", text="Words.", position=1)
    client.force_login(vendor_manager)
    client.post(reverse("vendors:record_update", args=[vendor_a.slug, "principles", principle.pk]),
                {"title": "Openness", "text": "Words.", "position": 5, "change_reason": ""})
    principle.refresh_from_db()
    assert (principle.position, principle.version) == (5, 1)
