"""The demo portfolio's SLA history: a year of it, told through the services."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from sla.choices import MeasurementSource
from sla.models import (
    SLA,
    CorrectiveAction,
    Dispute,
    Evaluation,
    Measurement,
    MeasurementImport,
    SLAReview,
)

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_year_of_sla_history_with_breaches_and_what_followed(db):
    call_command("load_demo", stdout=StringIO())
    today = timezone.localdate()
    slas = SLA.objects.all()
    assert {s.vendor.slug.split("-")[0] for s in slas} == {"meridian", "kestrel", "brightdesk"}
    for sla in slas:
        levels = sla.versions.filter(status="effective").get().service_levels.count()
        assert levels >= 4
        first = sla.versions.order_by("number").first().effective_from
        assert first <= today - timedelta(days=365)
        # Every closed window of every service level is evaluated.
        months = Evaluation.objects.filter(sla=sla, service_level__window="monthly").dates(
            "window_start", "month")
        assert len(months) >= 12
    # The sources of data, and one window left without data.
    assert set(Measurement.objects.values_list("source", flat=True)) == set(MeasurementSource)
    assert MeasurementImport.objects.filter(status="committed").count() >= 12
    statuses = dict(Evaluation.objects.values_list("status").annotate(n=Count("id")))
    assert statuses["breached"] >= 5 and statuses["at_risk"] >= 5 and statuses["no_data"] >= 1
    # Corrective actions in various states; consecutive breaches share one; our side too.
    actions = CorrectiveAction.objects.annotate(breaches=Count("evaluations"))
    assert {a.status for a in actions} >= {"open", "in_progress", "verified", "withdrawn"}
    assert any(a.breaches == 2 for a in actions)
    assert actions.filter(side_responsible="ours").exists()
    assert any(a.overdue_days(today) for a in actions)
    # One dispute, accepted; one SLA superseded by a newer version after a review; one due.
    dispute = Dispute.objects.get()
    assert dispute.status == "accepted" and dispute.evaluation.excused
    assert SLAReview.objects.filter(outcome="amended").exists()
    assert slas.filter(versions__status="superseded").exists()
    assert slas.filter(review_due_on__lte=today + timedelta(days=30)).exists()
    # Written by the people who did it.
    assert not CorrectiveAction.history.filter(history_type="~", history_user__isnull=True
                                               ).exists()
    assert Dispute.history.earliest("history_date").history_user.username == "charlie"
