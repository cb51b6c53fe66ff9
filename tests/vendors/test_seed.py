"""`seed_portfolio` makes a portfolio the product could have made, and refuses to seed over
existing data."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from governance.models import ActionItem, Attendance, Meeting
from scorecards.models import Actual
from sla import rules
from sla.models import Evaluation, Measurement, ServiceLevel
from vendors.models import Vendor

pytestmark = pytest.mark.django_db


def test_seeds_every_app_through_its_rules_and_refuses_a_second_time(capsys):
    call_command("seed_portfolio", vendors=2, years=1)
    out = capsys.readouterr().out
    assert "rows/s" in out and "Seeded 2 vendors" in out
    assert Vendor.objects.count() == 2
    yesterday = timezone.localdate() - timedelta(days=1)
    # Every closed window of every service level evaluated, as the hourly job would have.
    for sl in ServiceLevel.objects.select_related("version"):
        windows = rules.windows_ending_between(sl.window, sl.version.effective_from, yesterday)
        assert sl.evaluations.count() == len(windows) > 0
        assert sl.evaluated_through == yesterday
    assert not Measurement.objects.filter(needs_evaluation=True).exists()
    assert Evaluation.objects.filter(measurement__isnull=True, status="no_data").count() \
        == Evaluation.objects.filter(measurement__isnull=True).count()
    # Past reviews held with their people; the ones ahead planned; history beside them.
    past = Meeting.objects.filter(ends_at__lt=timezone.now())
    assert past.exists() and not past.exclude(status="held").exists()
    assert Attendance.objects.filter(meeting__in=past, present=True).count() >= past.count()
    assert Meeting.objects.filter(starts_at__gt=timezone.now(), status="scheduled").exists()
    assert Meeting.history.filter(history_type="+").count() >= past.count()
    assert ActionItem.objects.filter(meeting__in=past).exists()
    # Actuals approved with their measure's rule copied in.
    actual = Actual.objects.select_related("measure").first()
    assert actual.status == "approved" and actual.target == actual.measure.target
    with pytest.raises(CommandError, match="holds vendors or people already"):
        call_command("seed_portfolio", vendors=1, years=1)
