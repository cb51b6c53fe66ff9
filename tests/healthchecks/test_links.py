"""Survey links: they open one survey without signing in, save and resume until submitted,
and say plainly when they are expired, withdrawn, already used or unknown; they are stored
hashed and never reach logs or history."""

import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from healthchecks import services
from healthchecks.choices import Group
from healthchecks.links import RedactSurveyLinks
from healthchecks.models import Cycle, Invitation
from tests.healthchecks.factories import collecting, invite, link

pytestmark = pytest.mark.django_db


def url(raw):
    return reverse("healthchecks:survey", args=[raw])


def scores(invitation, value="4"):
    return {f"q{q.pk}": value for q in invitation.cycle.questions.all()}


def test_a_link_opens_its_survey_without_signing_in(client, vendor_a):
    invitation = invite(collecting(vendor_a), Group.BUSINESS)
    response = client.get(url(link(invitation)))
    assert response.status_code == 200
    assert f"How is the relationship with {vendor_a} going?" in response.text
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_answers_are_saved_and_resumed_until_submitted(client, vendor_a):
    invitation = invite(collecting(vendor_a))
    raw = link(invitation)
    first = invitation.cycle.questions.first()
    client.post(url(raw), {f"q{first.pk}": "2", f"c{first.pk}": "Slow", "save": "1"})
    page = client.get(url(raw))
    assert 'value="2" checked' in page.text.replace('checked=""', "checked") or \
        page.context["form"][f"q{first.pk}"].value() == "2"
    assert "Slow" in page.text
    response = client.post(url(raw), {**scores(invitation), "submit": "1"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.submitted_at is not None
    assert invitation.answers.get(question=first).score == 4


def test_a_used_link_says_the_answers_are_submitted_and_changes_nothing(client, vendor_a):
    invitation = invite(collecting(vendor_a))
    raw = link(invitation)
    client.post(url(raw), {**scores(invitation), "submit": "1"})
    again = client.post(url(raw), {**scores(invitation, "1"), "submit": "1"})
    assert again.status_code == 200 and "Your answers are submitted" in again.text
    assert set(invitation.answers.values_list("score", flat=True)) == {4}


def test_submitting_twice_from_two_tabs_submits_once(vendor_a):
    invitation = invite(collecting(vendor_a))
    question = invitation.cycle.questions.first()
    tab_one = Invitation.objects.get(pk=invitation.pk)
    tab_two = Invitation.objects.get(pk=invitation.pk)
    services.survey_save(tab_one, answers={question.pk: (5, "")}, submit=True)
    from vendorgov.errors import Conflict  # the refusal the second tab gets

    with pytest.raises(Conflict, match="already submitted"):
        services.survey_save(tab_two, answers={question.pk: (1, "")}, submit=True)
    assert invitation.answers.get().score == 5


def test_an_expired_link_says_collection_has_closed(client, vendor_a):
    cycle = collecting(vendor_a)
    invitation = invite(cycle)
    raw = link(invitation)
    Cycle.objects.filter(pk=cycle.pk).update(
        collection_ends_on=timezone.localdate() - timedelta(days=1))
    response = client.get(url(raw))
    assert response.status_code == 200 and "This survey has closed" in response.text
    assert "form" not in response.context or response.context.get("form") is None


def test_a_link_expires_when_the_collection_phase_ends(client, vendor_a):
    cycle = collecting(vendor_a)
    raw = link(invite(cycle))
    services.cycle_move(cycle, to="assessment")
    assert "This survey has closed" in client.get(url(raw)).text


def test_a_revoked_link_says_it_was_withdrawn(client, vendor_a):
    invitation = invite(collecting(vendor_a))
    raw = link(invitation)
    services.invitation_revoke(invitation)
    response = client.post(url(raw), {**scores(invitation), "submit": "1"})
    assert response.status_code == 200 and "This link was withdrawn" in response.text
    assert not invitation.answers.exists()


def test_a_new_link_replaces_the_old_one(client, vendor_a):
    invitation = invite(collecting(vendor_a))
    old = link(invitation)
    new = link(invitation)
    assert "This link does not open a survey" in client.get(url(old)).text
    assert client.get(url(new)).status_code == 200


@pytest.mark.parametrize("raw", ["vghc_00000000_nothing", "nonsense", "vghc_zz_x",
                                 "vg_00000000_api-token-shape"])
def test_a_made_up_link_opens_nothing_and_never_errs(client, vendor_a, raw):
    invite(collecting(vendor_a))
    response = client.get(url(raw))
    assert response.status_code == 200
    assert "This link does not open a survey" in response.text
    assert str(vendor_a) not in response.text


def test_a_link_opens_only_its_own_survey(client, vendor_a, vendor_b):
    mine = invite(collecting(vendor_a))
    other = invite(collecting(vendor_b), Group.VENDOR)
    raw = link(mine)
    foreign = {f"q{q.pk}": "1" for q in other.cycle.questions.all()}
    response = client.post(url(raw), {**foreign, "submit": "1"})
    assert str(vendor_b) not in client.get(url(raw)).text
    assert not other.answers.exists()
    assert response.status_code in (200, 302)


def test_only_the_digest_is_stored_and_history_never_holds_the_link(vendor_a):
    invitation = invite(collecting(vendor_a))
    raw = link(invitation)
    invitation.refresh_from_db()
    assert raw not in str(Invitation.objects.filter(pk=invitation.pk).values().get())
    history = invitation.history.all()
    assert history.exists()
    for row in history.values():
        assert "key_hash" not in row and "prefix" not in row
        assert raw not in str(row)


def test_request_logs_blank_survey_links(vendor_a):
    raw = "vghc_0123abcd_SecretSecretSecret-_"
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1,
                               '"GET /survey/%s/ HTTP/1.1" 200', (raw,), None)
    RedactSurveyLinks().filter(record)
    assert raw not in record.getMessage()
    access = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(r)s",
                               ({"r": f"GET /survey/{raw}/ HTTP/1.1"},), None)
    RedactSurveyLinks().filter(access)
    assert raw not in access.getMessage()
    assert any(isinstance(f, RedactSurveyLinks)
               for f in logging.getLogger("django.request").filters)
