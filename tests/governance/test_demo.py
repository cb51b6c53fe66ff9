"""The governance part of the demo portfolio tells a believable story (one load)."""

import io

import pytest
from django.core.management import call_command

from governance.choices import RECURRING_TIERS, MeetingStatus, SuggestionStatus, Tier
from governance.models import (
    ActionItem,
    Cadence,
    Decision,
    Escalation,
    Impediment,
    Meeting,
    Suggestion,
)

pytestmark = pytest.mark.django_db
MAIN = ["meridian-infrastructure-services", "kestrel-application-management",
        "brightdesk-service-desk"]


def test_the_demo_has_a_history_of_reviews_items_and_suggestions(db):
    call_command("load_demo", stdout=io.StringIO())
    for slug in MAIN:
        # Every recurring tier; a health-check review cadence too where a health check has
        # reached its review.
        assert set(Cadence.objects.filter(vendor__slug=slug).values_list("tier", flat=True)) >= (
            set(RECURRING_TIERS)), slug
        held = Meeting.objects.filter(vendor__slug=slug, status=MeetingStatus.HELD)
        assert held.filter(tier=Tier.WEEKLY).count() >= 8, slug
        assert all(m.agenda_snapshot and m.minutes for m in held), slug
        assert Meeting.objects.upcoming().filter(vendor__slug=slug).exists(), slug
    # Minutes, decisions, action items: most done, some carried over, a few overdue.
    assert Decision.objects.count() >= 10
    items = ActionItem.objects.all()
    assert items.filter(status="done").count() > items.open().count() > 0
    assert any(a.days_overdue for a in items.open())
    carried = [a for a in items.filter(status="done") if a.completed_on
               and (a.completed_on - a.created_at.date()).days > 7]
    assert carried, "some items were carried over to later meetings before they were done"
    # Held meetings have their attendance, and one over is still waiting for its minutes.
    assert Meeting.objects.filter(status=MeetingStatus.HELD,
                                  attendances__present=False).exists()
    assert Meeting.objects.awaiting_minutes().filter(vendor__slug=MAIN[2]).exists()
    assert Meeting.objects.filter(moved=True).exists()
    assert Meeting.objects.filter(status=MeetingStatus.CANCELLED).exists()
    # Impediments with escalations: a trust issue, and one where we were at fault.
    trust = Impediment.objects.get(kind="relationship")
    assert trust.is_open and trust.escalation_level >= 3
    assert trust.escalations.exclude(outcome="").exists()
    assert Impediment.objects.filter(responsible_side="ours", status="resolved").exists()
    assert Escalation.objects.count() >= 4
    # Suggestions in every state of their workflow, with realised value for some.
    assert set(Suggestion.objects.values_list("status", flat=True)) == set(
        SuggestionStatus.values)
    assert Suggestion.objects.filter(realised_value__gt=0).count() >= 3
    # Everything was written by people, on the day it happened.
    assert not Meeting.history.filter(history_change_reason="Held",
                                      history_user__isnull=True).exists()
    first = Meeting.objects.filter(status=MeetingStatus.HELD).earliest("starts_at")
    assert first.held_at.date() > first.starts_at.date()
