"""A signed-in respondent answers their own health-check surveys without the email: listed
on their home page, opened by id, the same survey its link opens; nobody else's."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from healthchecks import selectors, services
from healthchecks.choices import Group
from healthchecks.models import Cycle, Invitation
from tests.factories import UserFactory, VendorFactory, VendorUserFactory
from tests.healthchecks.factories import collecting, invite
from vendorgov.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(db):
    return UserFactory(username="sam", role=Role.STAKEHOLDER, email="Sam@Example.org")


def url(invitation):
    return reverse("healthchecks:my_survey", args=[invitation.pk])


def scores(invitation, value="4"):
    return {f"q{q.pk}": value for q in invitation.cycle.questions.all()}


def test_a_survey_sent_to_my_address_is_mine_whatever_its_case(sam, vendor_a, vendor_b):
    asked = invite(collecting(vendor_a), Group.IT, email="sam@example.org")
    invite(collecting(vendor_b), Group.IT, email="someone@example.org")
    assert list(selectors.surveys_waiting(sam)) == [asked]


def test_a_submitted_withdrawn_or_closed_survey_is_no_longer_waiting(sam, vendor_a, vendor_b):
    submitted = invite(collecting(vendor_a), Group.IT, email=sam.email)
    services.survey_save(submitted, answers={q.pk: (4, "") for q in
                                             submitted.cycle.questions.all()}, submit=True)
    withdrawn = invite(collecting(vendor_b), Group.IT, email=sam.email)
    services.invitation_revoke(withdrawn)
    assert list(selectors.surveys_waiting(sam)) == []
    open_one = invite(collecting(VendorFactory()), Group.IT, email=sam.email)
    assert list(selectors.surveys_waiting(sam)) == [open_one]
    Cycle.objects.filter(pk=open_one.cycle_id).update(
        collection_ends_on=timezone.localdate() - timedelta(days=1))
    assert list(selectors.surveys_waiting(sam)) == []


def test_my_survey_opens_signed_in_and_saves_my_answers(client, sam, vendor_a):
    invitation = invite(collecting(vendor_a), Group.IT, email=sam.email)
    client.force_login(sam)
    page = client.get(url(invitation))
    assert page.status_code == 200
    assert f"How is the relationship with {vendor_a.name} going?" in page.text
    assert page["Cache-Control"].startswith("max-age=0")
    done = client.post(url(invitation), {**scores(invitation, "5"), "submit": "1"},
                       follow=True)
    assert "your answers are submitted" in done.text
    invitation.refresh_from_db()
    assert invitation.submitted_at is not None
    assert {a.score for a in invitation.answers.all()} == {5}
    again = client.get(url(invitation))
    assert "Your answers are submitted" in again.text  # and no form to change them
    assert "<form" not in again.text.split("<main", 1)[-1]


def test_someone_elses_survey_is_not_found(client, sam, vendor_a):
    theirs = invite(collecting(vendor_a), Group.IT, email="other@example.org")
    client.force_login(sam)
    assert client.get(url(theirs)).status_code == 404
    assert client.post(url(theirs), {**scores(theirs), "submit": "1"}).status_code == 404
    assert not Invitation.objects.get(pk=theirs.pk).answers.exists()


def test_a_vendor_user_sees_only_their_own_vendors_surveys(client, vendor_a, vendor_b):
    alice = VendorUserFactory(username="alice", vendor=vendor_a, email="alice@acme.example")
    ours = invite(collecting(vendor_a), Group.VENDOR, email=alice.email)
    elsewhere = invite(collecting(vendor_b), Group.VENDOR, email=alice.email)
    assert list(selectors.surveys_waiting(alice)) == [ours]
    client.force_login(alice)
    assert client.get(url(elsewhere)).status_code == 404


def test_signing_in_is_asked_first(client, sam, vendor_a):
    invitation = invite(collecting(vendor_a), Group.IT, email=sam.email)
    answer = client.get(url(invitation))
    assert answer.status_code == 302 and reverse("login") in answer["Location"]


@pytest.mark.parametrize("role", [Role.STAKEHOLDER, Role.OPERATIONS, Role.EXECUTIVE])
def test_the_home_page_lists_my_open_surveys_with_their_link(client, vendor_a, role):
    person = UserFactory(role=role, email="asked@example.org")
    invitation = invite(collecting(vendor_a), Group.BUSINESS, email=person.email)
    client.force_login(person)
    home = client.get(reverse("home"))
    assert "survey waiting for your answer" in home.text
    assert f'href="{url(invitation)}"' in home.text
    services.survey_save(invitation, answers={q.pk: (3, "") for q in
                                              invitation.cycle.questions.all()}, submit=True)
    assert "waiting for your answer" not in client.get(reverse("home")).text
