"""healthchecks' set-based read for the warning signs: who is overdue, in two queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from healthchecks import selectors
from healthchecks.models import HealthCheckPlan
from tests.factories import VendorFactory
from tests.healthchecks.factories import cycle

pytestmark = pytest.mark.django_db


def test_overdue_by_vendor_reads_plans_defaults_and_cycles_under_way():
    today = timezone.localdate()
    long_ago = timezone.now() - datetime.timedelta(days=800)
    default_overdue, new, planned, running = (VendorFactory() for _ in range(4))
    type(default_overdue).objects.filter(pk__in=[default_overdue.pk, running.pk]).update(
        created_at=long_ago)
    HealthCheckPlan.objects.create(vendor=planned, interval_months=6,
                                   next_due=today - datetime.timedelta(days=1))
    cycle(running)
    vendors = list(type(new).objects.filter(pk__in=[default_overdue.pk, new.pk, planned.pk,
                                                    running.pk]))
    with CaptureQueriesContext(connection) as queries:
        overdue = selectors.overdue_by_vendor(vendors, today=today)
    assert len(queries) == 2
    assert set(overdue) == {default_overdue.pk, planned.pk}
    assert overdue[planned.pk] == today - datetime.timedelta(days=1)
