"""The health-check API for the vendor's account team: their cycles (results and findings
once shared), their own survey answered through the API, nothing of another vendor and
never our people's answers or comments."""

import pytest

from healthchecks import services
from healthchecks.choices import Group
from tests.healthchecks.factories import collecting, invite, respond

pytestmark = pytest.mark.django_db

OURS, THEIRS = {"trust": 2}, {"trust": 5}


@pytest.fixture
def shared(vendor_a):
    cycle = collecting(vendor_a)
    for _ in range(3):
        respond(cycle, Group.IT, OURS, comment="OURCOMMENT")
        respond(cycle, Group.BUSINESS, OURS)
        respond(cycle, Group.VENDOR, THEIRS, comment="their comment")
    services.cycle_move(cycle, to="assessment")
    services.finding_add(cycle=cycle, text="Trust differs")
    return cycle


def test_the_vendor_reads_its_cycles_with_results_only_once_shared(token_client, alice, shared):
    api = token_client(alice)
    row = api.get("/api/v1/health-checks/").json()["results"][0]
    assert row["vendor"] == alice.vendor_id and row["status"] == "assessment"
    assert row["results"] is None and row["findings"] is None
    services.cycle_share(shared, shared=True)
    body = api.get(f"/api/v1/health-checks/{shared.pk}/").json()
    trust = next(d for d in body["results"]["dimensions"] if d["dimension"] == "trust")
    assert trust["groups"]["vendor"]["mean"] == 5.0
    assert body["results"]["gaps"][0]["gap"] == -3.0
    assert set(trust["comments"]) == {"vendor"}
    assert set(trust["comments"]["vendor"]) == {"their comment"}
    assert "OURCOMMENT" not in str(body)
    assert body["findings"][0]["text"] == "Trust differs"


def test_our_people_see_every_groups_comments(token_client, vendor_manager, shared):
    body = token_client(vendor_manager).get(f"/api/v1/health-checks/{shared.pk}/").json()
    trust = next(d for d in body["results"]["dimensions"] if d["dimension"] == "trust")
    assert set(trust["comments"]) == {"it", "vendor"}


def test_another_vendors_cycle_is_404(token_client, charlie, shared):
    assert token_client(charlie).get(f"/api/v1/health-checks/{shared.pk}/").status_code == 404
    assert token_client(charlie).get("/api/v1/health-checks/").json()["count"] == 0


def test_a_vendor_user_answers_their_survey_through_the_api(token_client, alice, vendor_a):
    cycle = collecting(vendor_a)
    mine = invite(cycle, Group.VENDOR, email=alice.email)
    someone = invite(cycle, Group.IT)
    api = token_client(alice)
    listed = api.get("/api/v1/health-check-surveys/").json()["results"]
    assert [s["id"] for s in listed] == [mine.pk]
    assert api.get(f"/api/v1/health-check-surveys/{someone.pk}/").status_code == 404
    question = cycle.questions.first()
    out_of_range = api.post(f"/api/v1/health-check-surveys/{mine.pk}/answers/",
                            {"answers": [{"question": question.pk, "score": 6}]}, format="json")
    assert out_of_range.status_code == 400
    saved = api.post(f"/api/v1/health-check-surveys/{mine.pk}/answers/",
                     {"answers": [{"question": question.pk, "score": 4, "comment": "ok"}],
                      "submit": True}, format="json")
    assert saved.status_code == 200 and saved.json()["state"] == "submitted"
    again = api.post(f"/api/v1/health-check-surveys/{mine.pk}/answers/",
                     {"answers": [{"question": question.pk, "score": 1}], "submit": True},
                     format="json")
    assert again.status_code == 409
    assert mine.answers.get().score == 4


def test_a_question_of_another_survey_is_refused(token_client, alice, vendor_a, vendor_b):
    mine = invite(collecting(vendor_a), Group.VENDOR, email=alice.email)
    other = collecting(vendor_b).questions.first()
    response = token_client(alice).post(
        f"/api/v1/health-check-surveys/{mine.pk}/answers/",
        {"answers": [{"question": other.pk, "score": 3}]}, format="json")
    assert response.status_code == 400
    assert not other.answers.exists()
