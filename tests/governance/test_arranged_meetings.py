"""Meetings arranged one at a time (the health-check review tier): in the vendor's
calendar like any other, never generated, moved or archived by the cadence machinery, and
not a tier people set up by hand."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from governance import services
from governance.choices import RECURRING_TIERS, Tier
from governance.forms import CadenceForm

pytestmark = pytest.mark.django_db


def _arrange(vendor, key="hc-1", days=5):
    return services.meeting_arrange(vendor=vendor, tier=Tier.HEALTH_CHECK, key=key,
                                    title="Health-check review",
                                    starts_at=timezone.now() + timedelta(days=days))


def test_an_arranged_meeting_survives_the_horizon_run_untouched(vendor_a):
    meeting = _arrange(vendor_a)
    services.meetings_extend_horizon()
    meeting.refresh_from_db()
    assert meeting.archived_at is None and meeting.cadence.meetings.count() == 1


def test_arranging_the_same_key_twice_gives_the_same_meeting(vendor_a):
    assert _arrange(vendor_a) == _arrange(vendor_a, days=9)
    assert _arrange(vendor_a, key="hc-2") != _arrange(vendor_a)


def test_recurring_tiers_are_not_arranged_by_hand(vendor_a):
    with pytest.raises(ValidationError):
        services.meeting_arrange(vendor=vendor_a, tier=Tier.WEEKLY, key="x", title="x",
                                 starts_at=timezone.now())


def test_the_cadence_form_offers_only_recurring_tiers(vendor_a):
    offered = {value for value, _ in CadenceForm(vendor=vendor_a).fields["tier"].choices}
    assert offered == set(RECURRING_TIERS)


def test_proposing_the_defaults_never_adds_a_health_check_cadence(vendor_a):
    tiers = {c.tier for c in services.cadence_propose_defaults(vendor=vendor_a)}
    assert tiers == set(RECURRING_TIERS)
