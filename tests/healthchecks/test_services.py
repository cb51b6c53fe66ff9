"""Health-check services: scheduling exactly once, moving a cycle (also from two people at
once), invitations and their removal, closing without responses, findings, actions and
principle revisions through the other apps."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from governance.choices import Tier
from governance.selectors import action_items, timeline
from healthchecks import selectors, services
from healthchecks.choices import Group, RevisionKind, RevisionStatus
from healthchecks.models import Cycle, HealthCheckPlan
from tests.factories import ContactFactory, PrincipleFactory, UserFactory, VendorFactory
from tests.healthchecks.factories import collecting, cycle, respond, with_results
from vendorgov.errors import Conflict
from vendorgov.roles import Role
from vendors.choices import Criticality

pytestmark = pytest.mark.django_db

GOOD, POOR = {"trust": 4, "innovation": 4}, {"trust": 2, "innovation": 5}


def test_the_default_interval_is_six_months_for_critical_vendors_and_twelve_otherwise():
    assert selectors.default_interval(VendorFactory(criticality=Criticality.CRITICAL)) == 6
    assert selectors.default_interval(VendorFactory(criticality=Criticality.LOW)) == 12


@pytest.mark.parametrize("months", [5, 13, 0, "7"])
def test_an_interval_outside_six_to_twelve_months_is_refused(vendor_a, months):
    with pytest.raises(ValidationError) as error:
        services.plan_update(vendor=vendor_a, interval_months=months)
    assert "between 6 and 12" in str(error.value)
    assert not HealthCheckPlan.objects.exists()


def test_a_due_cycle_opens_once_however_often_the_task_runs(vendor_a, vendor_manager):
    services.plan_update(vendor=vendor_a, interval_months=6,
                         next_due=timezone.localdate() - timedelta(days=1))
    first = services.cycles_open_due()
    assert services.cycles_open_due() == []
    assert services.cycles_open_due() == []
    opened = Cycle.objects.get(vendor=vendor_a)
    assert first == [opened.pk]
    assert opened.assignee == vendor_manager
    assert opened.due_on == timezone.localdate() - timedelta(days=1)


def test_a_cycle_not_yet_due_is_not_opened(vendor_a):
    services.plan_update(vendor=vendor_a, interval_months=6,
                         next_due=timezone.localdate() + timedelta(days=1))
    assert services.cycles_open_due() == []


def test_opening_the_same_due_cycle_twice_gives_none_the_second_time(vendor_a):
    day = timezone.localdate()
    assert services.cycle_open(vendor=vendor_a, due_on=day) is not None
    assert services.cycle_open(vendor=vendor_a, due_on=day) is None
    assert services.cycle_open(vendor=vendor_a, due_on=day + timedelta(days=1)) is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
def test_two_schedulers_at_once_open_a_due_cycle_once():
    vendor = VendorFactory(name="Race Ltd", slug="race-ltd")
    services.plan_update(vendor=vendor, interval_months=6, next_due=timezone.localdate())
    barrier, opened = threading.Barrier(2), []

    def run():
        barrier.wait()
        try:
            opened.extend(services.cycles_open_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(opened) == 1
    assert Cycle.objects.filter(vendor=vendor).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_managers_moving_the_same_cycle_at_once_one_wins_the_other_hears_why():
    vendor = VendorFactory(name="Move Ltd", slug="move-ltd")
    vera = UserFactory(username="vera-race", role=Role.VENDOR_MANAGER)
    victor = UserFactory(username="victor-race", role=Role.VENDOR_MANAGER)
    opened = services.cycle_open(vendor=vendor, due_on=timezone.localdate())
    barrier, outcomes = threading.Barrier(2), []

    def move(user, to):
        stale = Cycle.objects.get(pk=opened.pk)  # both read it "planned"
        barrier.wait()
        try:
            services.cycle_move(stale, to=to, by=user, reason="skip" if to != "collecting"
                                else "")
            outcomes.append("moved")
        except Conflict as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(vera, "collecting")),
               threading.Thread(target=move, args=(victor, "assessment"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("moved") == 1
    refused = next(o for o in outcomes if o != "moved")
    assert "meanwhile" in refused and "nothing was changed" in refused
    assert Cycle.objects.get(pk=opened.pk).transitions.count() == 1


def test_a_stale_move_is_refused_with_who_moved_it(vendor_a, vendor_manager):
    opened = cycle(vendor_a)
    stale = Cycle.objects.get(pk=opened.pk)
    services.cycle_move(opened, to="collecting", by=vendor_manager)
    with pytest.raises(Conflict) as error:
        services.cycle_move(stale, to="collecting", by=vendor_manager)
    assert "collecting input" in str(error.value) and str(vendor_manager) in str(error.value)


def test_each_move_is_recorded_with_who_when_and_why(vendor_a, vendor_manager):
    c = cycle(vendor_a)
    services.cycle_move(c, to="collecting", by=vendor_manager)
    services.cycle_move(c, to="review", by=vendor_manager, reason="Assessed in the review")
    steps = list(c.transitions.values_list("from_status", "to_status", "by", "skipped",
                                           "reason"))
    assert steps == [("planned", "collecting", vendor_manager.pk, False, ""),
                     ("collecting", "review", vendor_manager.pk, True,
                      "Assessed in the review")]
    assert c.history.first().history_change_reason == "Assessed in the review"


def test_collection_freezes_the_questions_and_a_principle_question_each(vendor_a):
    PrincipleFactory(vendor=vendor_a, title="Open books")
    c = collecting(vendor_a)
    principles = c.questions.filter(dimension="principles")
    assert [q.text for q in principles] == ["How well did both sides keep to: Open books?"]
    assert c.questions.filter(dimension="trust").exists()
    assert c.collection_ends_on == timezone.localdate() + timedelta(days=21)


def test_a_template_edit_never_changes_a_cycle_that_started(vendor_a):
    c = collecting(vendor_a)
    before = list(c.questions.values_list("text", flat=True))
    template = c.template_version.template
    services.template_revise(template, questions=[{"dimension": "trust",
                                                   "text": "Brand new question?"}])
    assert template.current.number == 2
    c.refresh_from_db()
    assert c.template_version.number == 1
    assert list(c.questions.values_list("text", flat=True)) == before


def test_a_principle_archived_while_collecting_keeps_its_question_and_answers(vendor_a):
    principle = PrincipleFactory(vendor=vendor_a, title="Fair scope")
    c = collecting(vendor_a)
    from vendors import services as vendor_services  # the vendors app archives it

    vendor_services.record_archive(principle)
    respond(c, Group.IT, {"principles": 4})
    question = c.questions.get(principle=principle)
    assert question.text.endswith("Fair scope?")
    assert question.answers.get().score == 4


def test_inviting_while_collecting_mails_a_personal_link(vendor_a,
                                                         django_capture_on_commit_callbacks):
    c = collecting(vendor_a)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_add(cycle=c, group=Group.BUSINESS,
                                             email="Stake.Holder@Example.org")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Stake.Holder@Example.org"]
    assert "/survey/vghc_" in message.body
    assert message.alternatives and "/survey/vghc_" in message.alternatives[0][0]
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_the_same_address_is_invited_once(vendor_a):
    c = cycle(vendor_a)
    services.invitation_add(cycle=c, group=Group.IT, email="a@example.org")
    with pytest.raises(ValidationError):
        services.invitation_add(cycle=c, group=Group.VENDOR, email="A@EXAMPLE.ORG")


def test_a_contact_without_email_cannot_be_invited(vendor_a):
    contact = ContactFactory(vendor=vendor_a, email="")
    with pytest.raises(ValidationError) as error:
        services.invitation_add(cycle=cycle(vendor_a), group=Group.VENDOR, contact=contact)
    assert "no email" in str(error.value)


def test_a_removed_respondent_loses_the_link_and_the_draft_but_a_submission_stays(vendor_a):
    c = collecting(vendor_a)
    draft = respond(c, Group.IT, {"trust": 2}, submit=False)
    done = respond(c, Group.IT, {"trust": 5})
    services.invitation_revoke(draft)
    services.invitation_revoke(done)
    assert not draft.answers.exists()
    assert done.answers.exists()
    assert selectors.response_rates(c)[0].invited == 0  # removed: no longer counted
    assert selectors.submitted_count(c) == 1


def test_nudging_reminds_only_those_who_have_not_submitted(vendor_a,
                                                           django_capture_on_commit_callbacks):
    c = collecting(vendor_a)
    waiting = respond(c, Group.IT, {"trust": 3}, submit=False)
    respond(c, Group.IT, {"trust": 3})
    assert list(selectors.invitations_unanswered(cycle=c)) == [waiting]
    mail.outbox.clear()
    assert services.invitations_nudge(cycle=c) == 1
    assert mail.outbox[0].to == [waiting.email]
    assert mail.outbox[0].subject.startswith("Reminder:")


def test_a_cycle_closes_without_responses_only_with_a_reason(vendor_a, vendor_manager):
    c = collecting(vendor_a)
    services.cycle_move(c, to="assessment", by=vendor_manager)
    services.cycle_move(c, to="review", by=vendor_manager)
    with pytest.raises(ValidationError):
        services.cycle_move(c, to="closed", by=vendor_manager)
    services.cycle_move(c, to="closed", by=vendor_manager, reason="Vendor in exit")
    c.refresh_from_db()
    assert c.closed_without_responses and c.close_reason == "Vendor in exit"
    plan = selectors.plan_for(vendor_a)
    assert plan.next_due > timezone.localdate()


def test_review_arranges_a_health_check_meeting_in_the_governance_calendar(vendor_a):
    c = with_results(vendor_a, ours=GOOD, theirs=POOR)
    c = services.cycle_move(c, to="review", review_on=timezone.localdate() + timedelta(days=3))
    meeting = c.review_meeting
    assert meeting.tier == Tier.HEALTH_CHECK and meeting.vendor == vendor_a
    assert timezone.localtime(meeting.starts_at).date() == timezone.localdate() + timedelta(3)
    from governance.agenda import build  # the governance agenda of that meeting

    sections = build(meeting)
    assert sections[0]["key"] == "health_check_review" and not sections[0]["unavailable"]
    assert any("Perception gap on innovation" in e["text"] for e in sections[0]["entries"])


def test_agreed_actions_become_the_vendors_action_items(vendor_a, line_manager):
    c = with_results(vendor_a, ours=GOOD, theirs=POOR)
    finding = services.finding_add(cycle=c, text="Innovation waits", severity="high")
    link = services.action_agree(cycle=c, by=line_manager, title="Cost two ideas",
                                 due_on=timezone.localdate() + timedelta(days=30),
                                 owner_user=line_manager, finding=finding)
    assert link.action_item in action_items(vendor_a)
    assert link.action_item.title == "Cost two ideas"


def test_an_accepted_revision_writes_the_principles_through_the_vendors_app(vendor_a,
                                                                           vendor_manager):
    principle = PrincipleFactory(vendor=vendor_a, title="Old words", text="old")
    c = with_results(vendor_a, ours=GOOD, theirs=POOR)
    reword = services.revision_propose(cycle=c, kind=RevisionKind.REWORD, principle=principle,
                                       title="New words", text="new", by=vendor_manager)
    new = services.revision_propose(cycle=c, kind=RevisionKind.NEW, title="Fresh",
                                    text="fresh")
    services.revision_decide(reword, accept=True, by=vendor_manager)
    services.revision_decide(new, accept=True, by=vendor_manager)
    principle.refresh_from_db()
    assert (principle.title, principle.version) == ("New words", 2)
    assert "health check" in principle.history.first().history_change_reason.lower()
    new.refresh_from_db()
    assert new.status == RevisionStatus.ACCEPTED and new.principle.title == "Fresh"
    with pytest.raises(Conflict):
        services.revision_decide(reword, accept=False)


def test_cycles_appear_in_the_vendors_timeline(vendor_a, vendor_manager):
    c = cycle(vendor_a)
    services.cycle_move(c, to="collecting", by=vendor_manager)
    events = timeline(vendor_manager, vendor_a).events
    assert any(e.kind == "health_checks" and "collecting input" in e.title for e in events)
