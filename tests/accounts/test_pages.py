"""Signing in, the profile with API tokens, and people administration by vendor managers."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import ApiToken, User
from tests.factories import ApiTokenFactory, UserFactory, VendorFactory
from vendorgov.roles import Role

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def test_a_person_signs_in_and_out(client, line_manager):
    response = client.post(reverse("login"), {"username": "liam", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_says_so_without_saying_which_part(client, line_manager):
    response = client.post(reverse("login"), {"username": "liam", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text


def test_password_reset_sends_a_link_that_sets_a_new_password(client, line_manager):
    client.post(reverse("password_reset"), {"email": line_manager.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"new_password1": "a much better passphrase 42",
                                      "new_password2": "a much better passphrase 42"})
    assert response.status_code == 302
    assert client.login(username="liam", password="a much better passphrase 42")


def test_password_change_needs_the_old_password(client, line_manager):
    client.force_login(line_manager)
    response = client.post(reverse("password_change"), {
        "old_password": "wrong", "new_password1": "another good passphrase 7",
        "new_password2": "another good passphrase 7"})
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.text


def test_profile_creates_a_token_shown_once_and_stored_hashed(client, line_manager):
    client.force_login(line_manager)
    response = client.post(reverse("accounts:token_create"), {"name": "SLA feed",
                                                              "expires_in_days": 90})
    raw = response.context["new_token"]
    assert raw.startswith("vg_") and raw in response.text
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=line_manager)
    assert raw not in (token.key_hash, token.prefix) and ApiToken.find(raw) == token
    assert raw not in client.get(reverse("accounts:profile")).text


def test_token_without_a_name_is_a_field_error(client, line_manager):
    client.force_login(line_manager)
    response = client.post(reverse("accounts:token_create"), {"name": "",
                                                              "expires_in_days": 90})
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not ApiToken.objects.exists()


def test_a_person_revokes_only_their_own_tokens(client, line_manager, vendor_manager):
    mine, _ = ApiTokenFactory.with_raw(line_manager)
    theirs, _ = ApiTokenFactory.with_raw(vendor_manager)
    client.force_login(line_manager)
    assert client.post(reverse("accounts:token_revoke", args=[theirs.pk])).status_code == 404
    client.post(reverse("accounts:token_revoke", args=[mine.pk]))
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None


def test_only_vendor_managers_administer_people(client, line_manager, executive, alice):
    for person in (line_manager, executive, alice):
        client.force_login(person)
        assert client.get(reverse("accounts:user_list")).status_code == 403
        assert client.get(reverse("accounts:user_create")).status_code == 403


def test_vendor_manager_adds_an_internal_person_with_assignments_and_an_invite(
        client, vendor_manager, vendor_a, vendor_b, django_capture_on_commit_callbacks):
    client.force_login(vendor_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:user_create"), {
            "username": "nina", "first_name": "Nina", "last_name": "Ops",
            "email": "nina@example.org", "job_title": "", "role": Role.OPERATIONS,
            "vendor": "", "assign_vendors": [vendor_a.pk, vendor_b.pk],
            "assignment_role": "operations"})
    nina = User.objects.get(username="nina")
    assert response.status_code == 302
    assert not nina.has_usable_password()
    assert set(nina.assignments.values_list("vendor", flat=True)) == {vendor_a.pk, vendor_b.pk}
    assert len(mail.outbox) == 1 and "choose a password" in mail.outbox[0].subject
    assert mail.outbox[0].to == ["nina@example.org"]
    assert "/accounts/reset/" in mail.outbox[0].body


def test_vendor_user_must_belong_to_exactly_one_vendor(client, vendor_manager, vendor_a):
    client.force_login(vendor_manager)
    base = {"username": "vic", "first_name": "Vic", "last_name": "V", "email": "v@x.org",
            "job_title": "", "role": Role.VENDOR_USER, "assignment_role": ""}
    no_vendor = client.post(reverse("accounts:user_create"), {**base, "vendor": ""})
    assert "A vendor user must belong to a vendor" in no_vendor.text
    assigned = client.post(reverse("accounts:user_create"), {
        **base, "vendor": vendor_a.pk, "assign_vendors": [vendor_a.pk],
        "assignment_role": "operations"})
    assert "Vendor users are not assigned to vendors." in assigned.text
    internal = client.post(reverse("accounts:user_create"), {**base, "role": Role.EXECUTIVE,
                                                             "vendor": vendor_a.pk})
    assert "Only vendor users belong to a vendor" in internal.text
    assert not User.objects.filter(username="vic").exists()


def test_deactivating_a_person_stops_sign_in_and_tokens(client, vendor_manager, line_manager,
                                                        token_client):
    api = token_client(line_manager)
    client.force_login(vendor_manager)
    client.post(reverse("accounts:user_active", args=[line_manager.pk]), {"active": "0"})
    line_manager.refresh_from_db()
    assert not line_manager.is_active
    assert api.get("/api/v1/me/").status_code == 401
    assert not client.login(username="liam", password=PASSWORD)
    history = client.get(reverse("accounts:user_detail", args=[line_manager.pk])).text
    assert str(vendor_manager) in history


def test_vendor_manager_cannot_deactivate_themselves(client, vendor_manager):
    client.force_login(vendor_manager)
    client.post(reverse("accounts:user_active", args=[vendor_manager.pk]), {"active": "0"})
    vendor_manager.refresh_from_db()
    assert vendor_manager.is_active


def test_people_list_filters_by_role_and_exports_csv(client, vendor_manager):
    UserFactory(username="ed", role=Role.EXECUTIVE)
    UserFactory(username="op", role=Role.OPERATIONS)
    client.force_login(vendor_manager)
    listed = client.get(reverse("accounts:user_list"), {"role": Role.EXECUTIVE})
    assert [u.username for u in listed.context["page"]] == ["ed"]
    csv = client.get(reverse("accounts:user_list"), {"role": Role.OPERATIONS, "format": "csv"})
    assert csv.content.decode().count("\n") == 2 and "op," in csv.content.decode()


def test_changing_a_person_to_vendor_user_drops_their_assignments(client, vendor_manager,
                                                                  line_manager, vendor_a):
    client.force_login(vendor_manager)
    other = VendorFactory()
    client.post(reverse("accounts:user_update", args=[line_manager.pk]), {
        "username": "liam", "first_name": "L", "last_name": "M", "email": "l@x.org",
        "job_title": "", "role": Role.VENDOR_USER, "vendor": other.pk})
    line_manager.refresh_from_db()
    assert line_manager.vendor == other and not line_manager.assignments.exists()


@pytest.mark.parametrize("garbage", ["vg_\x00\x00\x00\x00\x00\x00\x00\x00_x", "vg__", "vg_zz_",
                                     "vg_" + "a" * 500, "Token abc"])
def test_malformed_tokens_are_refused_with_401(api_client, garbage):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {garbage}")
    assert api_client.get("/api/v1/me/").status_code == 401
