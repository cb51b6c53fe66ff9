"""sla's set-based reads for the warning signs: across vendors, one query each."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sla import selectors
from sla.models import SLAVersion
from tests.factories import VendorFactory
from tests.signs.factories import windows
from tests.sla.factories import ServiceLevelFactory, SLAFactory, service_level

pytestmark = pytest.mark.django_db


def test_latest_windows_are_the_newest_n_of_each_service_level_followed_by_its_key():
    a, b = VendorFactory(), VendorFactory()
    first = service_level(a, key="p1")
    windows(a, "BMBM", sl=first, months_ago=3)
    # the same promise in the SLA's next version keeps its key: one series
    SLAVersion.objects.filter(pk=first.version_id).update(status="superseded")
    later = SLAVersion.objects.create(sla=first.version.sla, number=2, status="effective",
                                      monthly_charge=1, credit_cap_percent=1,
                                      earn_back_windows=1, dispute_window_days=1)
    newer = ServiceLevelFactory(version=later, key="p1")
    windows(a, "BB", sl=newer)
    windows(b, "BB")  # another vendor's
    archived = SLAFactory(vendor=a, archived_at=timezone.now())
    windows(a, "BBBB", sl=ServiceLevelFactory(version__sla=archived))
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.latest_windows([a.pk, b.pk], count=4)
    assert len(queries) == 1
    mine = [e for e in rows if e.vendor_id == a.pk]
    assert [e.status for e in mine] == ["breached", "breached", "breached", "met"]
    assert [e.service_level_id for e in mine] == [newer.pk, newer.pk, first.pk, first.pk]
    assert len([e for e in rows if e.vendor_id == b.pk]) == 2


def test_sla_reviews_overdue_and_corrective_actions_rejected_since():
    v = VendorFactory()
    today = timezone.localdate()
    due = SLAFactory(vendor=v, review_due_on=today.replace(year=today.year - 1))
    SLAFactory(vendor=v, review_due_on=today)  # due today: not overdue
    assert selectors.slas_review_overdue([v.pk], today=today) == [due]
    assert selectors.corrective_actions_rejected([v.pk], since=today) == []
