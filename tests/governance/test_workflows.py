"""Action items, impediments and escalation, innovation suggestions, the agenda built for
each tier, and the calendar feed."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from governance import agenda, selectors, services
from governance.choices import (
    EscalationStep,
    ImpedimentKind,
    ResponsibleSide,
    SuggestionStatus,
    Tier,
    Weekday,
)
from governance.models import ActionItem, Impediment
from tests.factories import (
    ContactFactory,
    StaffingChangeFactory,
    UserFactory,
)
from tests.governance.factories import (
    action_item,
    impediment,
    monthly_cadence,
    quarterly_cadence,
    suggestion,
    weekly_cadence,
)
from vendorgov.roles import Role

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(year, month, day, hour=9):
    return dt.datetime(year, month, day, hour, tzinfo=LONDON)


def section(sections, key):
    return next(s for s in sections if s["key"] == key)


# -- action items ------------------------------------------------------------------------------

def test_an_action_item_has_one_owner_in_the_relationship(vendor_a, vendor_b, line_manager,
                                                          alice):
    stranger = UserFactory(role=Role.LINE_MANAGER)
    due = timezone.localdate()
    for owner, field in ((stranger, "owner_user"), (alice, "owner_user"),
                         (ContactFactory(vendor=vendor_b), "owner_contact")):
        with pytest.raises(ValidationError) as error:
            action_item(vendor_a, owner=owner, due_on=due)
        assert field in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.action_item_create(vendor=vendor_a, title="x", due_on=due)
    assert "Choose who owns this" in error.value.message_dict["owner_user"][0]
    with pytest.raises(ValidationError) as error:
        action_item(vendor_a, owner=line_manager, due_on=due - dt.timedelta(days=1))
    assert "due_on" in error.value.message_dict
    ours = action_item(vendor_a, owner=line_manager)
    theirs = action_item(vendor_a, owner=ContactFactory(vendor=vendor_a))
    assert (ours.side, theirs.side) == ("ours", "vendor")
    executive = UserFactory(role=Role.EXECUTIVE)  # the whole portfolio is in every relationship
    assert action_item(vendor_a, owner=executive).owner_user == executive


def test_changing_the_owner_changes_the_side_and_done_items_remember_when(vendor_a,
                                                                          line_manager):
    item = action_item(vendor_a, owner=line_manager)
    contact = ContactFactory(vendor=vendor_a)
    item = services.action_item_update(item, owner_contact=contact, owner_user=None)
    assert item.side == "vendor" and item.owner_user is None
    item = services.action_item_progress(item, status="done", notes="Sent on Monday.")
    assert item.completed_on == timezone.localdate() and not item.is_open
    item = services.action_item_progress(item, status="in_progress")
    assert item.completed_on is None and item.notes == "Sent on Monday."


def test_open_action_items_are_carried_to_the_next_meeting(vendor_a, line_manager, clock):
    with clock(at(2026, 3, 2)):
        first, second = list(weekly_cadence(vendor_a, weekday=Weekday.MONDAY)
                             .meetings.all())[:2]
        carried = action_item(vendor_a, owner=line_manager, meeting=first, title="Carried")
        done = action_item(vendor_a, owner=line_manager, meeting=first, title="Done soon")
        services.meeting_hold(first)
        services.action_item_progress(done, status="done")
        entries = section(agenda.build(second), "action_items")["entries"]
    assert [e["text"] for e in entries] == ["Carried"]
    assert "raised at weekly review of Mon 2 Mar 2026" in entries[0]["detail"]
    # Not on the agenda of the meeting it was raised in: it is listed there as raised.
    assert section(agenda.build(first), "action_items")["entries"] == []
    assert carried.is_open


def test_monthly_and_quarterly_reviews_carry_their_own_items(vendor_a, line_manager, clock):
    with clock(at(2026, 3, 2)):
        weekly = weekly_cadence(vendor_a, weekday=Weekday.MONDAY).meetings.first()
        months = list(monthly_cadence(vendor_a, day_of_month=3).meetings.all())
        action_item(vendor_a, owner=line_manager, meeting=weekly, title="Weekly thing")
        action_item(vendor_a, owner=line_manager, meeting=months[0], title="Monthly thing")
        entries = section(agenda.build(months[1]), "action_items")["entries"]
    assert [e["text"] for e in entries] == ["Monthly thing"]


# -- agenda ------------------------------------------------------------------------------------

def test_each_tier_gets_its_sections(vendor_a, clock):
    with clock(at(2026, 3, 2)):
        keys = {
            tier: [s["key"] for s in agenda.build(cadence.meetings.first())]
            for tier, cadence in ((Tier.WEEKLY, weekly_cadence(vendor_a)),
                                  (Tier.MONTHLY, monthly_cadence(vendor_a)),
                                  (Tier.QUARTERLY, quarterly_cadence(vendor_a)))}
    assert keys[Tier.WEEKLY] == ["impediments", "staffing_changes", "scorecard_actuals_since",
                                 "sla_evaluations_since", "suggestions", "action_items"]
    assert keys[Tier.MONTHLY] == ["sla_results_and_breaches", "impediments",
                                  "corrective_actions", "action_items"]
    assert keys[Tier.QUARTERLY] == ["balanced_scorecard", "strategy", "value_created",
                                    "process_improvements", "innovations_assessed",
                                    "suggestions_to_assess", "action_items"]


def test_sections_nobody_provides_say_so_and_invent_nothing(vendor_a, monkeypatch):
    monkeypatch.setattr(agenda, "_PROVIDED", {})  # as before a capability registers its own
    meeting = monthly_cadence(vendor_a).meetings.first()
    sla = section(agenda.build(meeting), "sla_results_and_breaches")
    assert sla["unavailable"] and sla["entries"] == []
    assert "SLA capability" in sla["empty"]


def test_a_provided_builder_replaces_the_placeholder(vendor_a, monkeypatch):
    monkeypatch.setattr(agenda, "_PROVIDED", {})
    agenda.provide("corrective_actions", lambda ctx: agenda.section(
        "corrective_actions", "Corrective actions", [agenda.entry("Fix backups")], empty=""))
    meeting = monthly_cadence(vendor_a).meetings.first()
    assert section(agenda.build(meeting), "corrective_actions")["entries"][0]["text"] == (
        "Fix backups")


def test_weekly_agenda_shows_impediments_with_age_and_staffing_changes(vendor_a, clock):
    with clock(at(2026, 3, 2)):
        cadence = weekly_cadence(vendor_a, weekday=Weekday.MONDAY)
    with clock(at(2026, 2, 1)):
        old = impediment(vendor_a, title="Old blocker")
    with clock(at(2026, 3, 10)):
        StaffingChangeFactory(vendor=vendor_a, requested_on=dt.date(2026, 3, 10),
                              reason="Add a DBA")
        StaffingChangeFactory(vendor=vendor_a, requested_on=dt.date(2026, 1, 5),
                              status="done", resolved_on=dt.date(2026, 1, 20))
        second = cadence.meetings.all()[1]
        sections = agenda.build(second)
    blocker = section(sections, "impediments")["entries"][0]
    assert blocker["text"] == old.title and "open 37 days" in blocker["detail"]
    assert blocker["flag"] == "Flagged for escalation: open 37 days (over 14)"
    staffing = section(sections, "staffing_changes")["entries"]
    assert len(staffing) == 1 and "requested" in staffing[0]["detail"]


def test_quarterly_agenda_assesses_suggestions_and_counts_value(vendor_a, line_manager, clock):
    with clock(at(2026, 1, 5)):
        cadence = quarterly_cadence(vendor_a, day_of_month=20, quarter_month=1)
        services.plan_update(vendor=vendor_a, strategy_notes="Move to outcome-based pricing.")
        pending = suggestion(vendor_a, title="Pending idea")
        done = suggestion(vendor_a, title="Realised idea", estimated_value=Decimal("50000"))
    with clock(at(2026, 2, 10)):
        for status in ("accepted", "implemented"):
            services.suggestion_transition(done, by=line_manager, status=status,
                                           rationale="Cheap and safe.")
    with clock(at(2026, 3, 30)):
        services.suggestion_transition(done, status="outcome_reviewed",
                                       realised_value=Decimal("42000"), lessons="Worth it.")
    with clock(at(2026, 4, 10)):
        meeting = cadence.meetings.get(period="2026-Q2")
        sections = agenda.build(meeting)
    assert [e["text"] for e in section(sections, "suggestions_to_assess")["entries"]] == [
        pending.title]
    assert section(sections, "strategy")["entries"][0]["text"] == (
        "Move to outcome-based pricing.")
    assert section(sections, "value_created")["note"] == "Realised this period: EUR 42,000"
    assessed = section(sections, "innovations_assessed")
    assert [e["text"] for e in assessed["entries"]] == ["Realised idea"]


# -- impediments and the ladder --------------------------------------------------------------

def test_impediments_climb_the_ladder_step_by_step(vendor_a, line_manager, ladder,
                                                   vendor_manager):
    blocker = impediment(vendor_a, by=line_manager, kind=ImpedimentKind.RELATIONSHIP,
                         responsible_side=ResponsibleSide.SHARED)
    assert blocker.raised_by_side == "ours"
    first = services.impediment_escalate(blocker, by=line_manager, note="Raised it with Liam")
    assert (first.level, first.to_user) == (EscalationStep.LINE_MANAGER, line_manager)
    second = services.impediment_escalate(blocker, by=line_manager, note="Frank talk")
    assert second.to_contact == ladder[1]
    with pytest.raises(services.Conflict):
        services.impediment_escalate(blocker, by=line_manager, note="Again", level=2)
    top = services.impediment_escalate(blocker, by=vendor_manager, note="Sponsors",
                                       level=EscalationStep.EXECUTIVE_SPONSORS)
    assert top.to_contact == ladder[3] and blocker.escalation_level == 4
    assert blocker.next_step is None
    services.escalation_record_outcome(top, outcome="Joint recovery plan agreed.")
    assert Impediment.objects.get(pk=blocker.pk).escalations.count() == 3


def test_a_resolved_impediment_cannot_be_escalated_or_updated(vendor_a, line_manager):
    blocker = impediment(vendor_a)
    with pytest.raises(ValidationError) as error:
        services.impediment_set_status(blocker, status="resolved")
    assert "resolution" in error.value.message_dict
    services.impediment_set_status(blocker, status="resolved", resolution="Fixed at source.")
    with pytest.raises(ValidationError) as error:
        services.impediment_escalate(blocker, note="Too late", to_user=line_manager)
    assert "nothing to escalate" in error.value.message_dict["status"][0]
    with pytest.raises(ValidationError):
        services.impediment_add_update(blocker, text="More")
    reopened = services.impediment_set_status(blocker, status="open")
    assert reopened.resolved_on is None


def test_escalation_needs_someone_on_the_step(vendor_a):
    blocker = impediment(vendor_a)
    with pytest.raises(ValidationError) as error:
        services.impediment_escalate(blocker, note="Who?")
    assert "Nobody is on step 1" in error.value.message_dict["to_contact"][0]


def test_impediments_are_flagged_beyond_the_plans_age(vendor_a, clock):
    with clock(at(2026, 3, 1)):
        blocker = impediment(vendor_a)
    with clock(at(2026, 3, 10)):
        assert not blocker.flagged_for_escalation(selectors.plan_for(vendor_a)
                                                  .escalate_after_days)
        services.plan_update(vendor=vendor_a, escalate_after_days=7)
        assert blocker.flagged_for_escalation(selectors.plan_for(vendor_a)
                                              .escalate_after_days)


def test_vendor_users_raise_impediments_from_their_side(vendor_a, alice):
    blocker = impediment(vendor_a, by=alice, responsible_side=ResponsibleSide.OURS)
    note = services.impediment_add_update(blocker, by=alice, text="Still waiting for access.")
    assert blocker.raised_by_side == note.side == "vendor"


# -- suggestions -------------------------------------------------------------------------------

def test_a_suggestion_goes_through_its_workflow(vendor_a, line_manager, alice):
    idea = suggestion(vendor_a, by=alice, side=None, estimated_value=Decimal("10000"))
    assert idea.source_side == "vendor" and idea.owner_side == "vendor"
    idea = services.suggestion_update(idea, by=alice, title="Automate patch reports")
    with pytest.raises(ValidationError) as error:
        services.suggestion_transition(idea, status="implemented")
    assert "can move to under review, accepted, declined only" in (
        error.value.message_dict["status"][0])
    services.suggestion_transition(idea, by=line_manager, status="under_review")
    with pytest.raises(ValidationError) as error:
        services.suggestion_transition(idea, status="accepted")
    assert "rationale" in error.value.message_dict
    services.suggestion_transition(idea, by=line_manager, status="accepted",
                                   rationale="Saves two days a month.")
    assert idea.decided_by == line_manager and idea.is_assessed
    with pytest.raises(ValidationError):
        services.suggestion_update(idea, title="Changed after the decision")
    services.suggestion_transition(idea, status="implemented")
    with pytest.raises(ValidationError) as error:
        services.suggestion_transition(idea, status="outcome_reviewed",
                                       realised_value=Decimal("-1"))
    assert set(error.value.message_dict) == {"realised_value", "lessons"}
    services.suggestion_transition(idea, status="outcome_reviewed",
                                   realised_value=Decimal("8000"), lessons="Worked.")
    assert idea.status == SuggestionStatus.OUTCOME_REVIEWED
    with pytest.raises(ValidationError) as error:
        services.suggestion_transition(idea, status="declined", rationale="No")
    assert "end of its workflow" in error.value.message_dict["status"][0]


def test_the_quota_counts_the_vendors_submissions_per_quarter(vendor_a, clock):
    vendor_a.suggestion_quota_per_quarter = 2
    vendor_a.save()
    for day in (dt.date(2026, 8, 3), dt.date(2026, 10, 2), dt.date(2026, 11, 2)):
        with clock(at(day.year, day.month, day.day)):
            suggestion(vendor_a)
    with clock(at(2026, 11, 20)):
        suggestion(vendor_a, side="ours")  # our own ideas do not count
        quota = selectors.suggestion_quota(vendor_a)
    assert [(q.quarter, q.submitted, q.met) for q in quota] == [
        ("2026-Q1", 0, False), ("2026-Q2", 0, False), ("2026-Q3", 1, False),
        ("2026-Q4", 2, True)]


# -- calendar --------------------------------------------------------------------------------

def test_a_calendar_feed_is_secret_revocable_and_lists_my_meetings(vendor_a, line_manager):
    cadence = weekly_cadence(vendor_a, ours=[line_manager])
    weekly_cadence(vendor_a, title="Not mine")
    feed, raw = services.calendar_feed_create(user=line_manager)
    assert raw.startswith("vgcal_") and raw not in (feed.key_hash, feed.prefix)
    assert selectors.calendar_feed_find(raw) == feed
    tampered = raw[:-1] + ("y" if raw.endswith("x") else "x")  # one character changed
    assert selectors.calendar_feed_find(tampered) is None
    assert {m.cadence_id for m in selectors.calendar_meetings(line_manager)} == {cadence.pk}
    newer, newer_raw = services.calendar_feed_create(user=line_manager)
    assert selectors.calendar_feed_find(raw) is None
    services.calendar_feed_revoke(user=line_manager)
    assert selectors.calendar_feed_find(newer_raw) is None


def test_a_vendor_users_feed_has_their_vendors_meetings(vendor_a, vendor_b, alice):
    weekly_cadence(vendor_a)
    weekly_cadence(vendor_b)
    assert {m.vendor for m in selectors.calendar_meetings(alice)} == {vendor_a}


def test_ics_events_are_in_the_meetings_own_zone_and_follow_changes(vendor_a):
    from governance import ical

    meeting = weekly_cadence(vendor_a, time_zone="Europe/Warsaw").meetings.first()
    services.meeting_cancel(meeting, reason="Public holiday")
    calendar = icalendar.Calendar.from_ical(ical.calendar([meeting], name="Reviews"))
    event = calendar.walk("VEVENT")[0]
    assert event["UID"].startswith(f"meeting-{meeting.pk}@")
    assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1
    assert event.decoded("DTSTART").tzinfo.key == "Europe/Warsaw"
    assert event.decoded("DTSTART") == meeting.starts_at
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Warsaw"]
    assert "Public holiday" in event["DESCRIPTION"]


def test_action_items_of_a_vendor_user_side(vendor_a, alice):
    item = action_item(vendor_a)
    mine = selectors.my_work(alice)
    assert mine.vendor_side_items == [item]
    assert ActionItem.objects.count() == 1
