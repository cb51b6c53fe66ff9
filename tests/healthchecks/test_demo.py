"""The demo's health checks: two past ones for Meridian (a comparison and a principle
revision to see), one collecting input now."""

from io import StringIO

import pytest
from django.core.management import call_command

from healthchecks import selectors
from healthchecks.choices import CycleStatus, RevisionStatus
from healthchecks.models import Cycle, PrincipleRevision

pytestmark = pytest.mark.django_db


def test_the_demo_has_past_health_checks_with_a_comparison_a_revision_and_one_collecting(db):
    call_command("load_demo", stdout=StringIO())
    meridian = Cycle.objects.filter(vendor__slug__startswith="meridian",
                                    status=CycleStatus.CLOSED).order_by("due_on")
    assert meridian.count() == 2
    latest = selectors.results(meridian.last())
    assert latest.overall is not None
    assert any(d.change is not None for d in latest.dimensions), "no comparison"
    assert latest.gaps, "no perception gap"
    assert PrincipleRevision.objects.filter(status=RevisionStatus.ACCEPTED,
                                            principle__isnull=False).exists()
    collecting = Cycle.objects.get(status=CycleStatus.COLLECTING)
    assert collecting.vendor.slug.startswith("kestrel")
    assert collecting.links_work
    assert selectors.submitted_count(collecting) > 0
    assert meridian.last().review_meeting.tier == "health"
