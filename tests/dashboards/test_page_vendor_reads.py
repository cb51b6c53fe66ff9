"""Reads made for one page's vendor (the vendor page's 360, the monthly SLA report): they
give what the general reads give, in fewer queries, and what they leave out of a row is
still read correctly if something asks for it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance import selectors as governance
from scorecards import selectors as scorecards
from sla import selectors as sla
from sla.models import Evaluation
from sla.rules import add_months, month_start
from tests.dashboards.data import breach, filled_vendor, owner_item
from tests.governance.factories import action_item, impediment
from tests.sla.factories import service_level

pytestmark = pytest.mark.django_db


def test_the_score_summary_of_a_vendor_is_its_scorecards_summary_in_one_query(vendor_a):
    filled_vendor(1)  # another vendor's scorecard, not to be mixed in
    vendor = filled_vendor(2)
    expected = scorecards.score_summary(scorecards.scorecard_of(vendor))
    with CaptureQueriesContext(connection) as queries:
        found = scorecards.score_summary_of(vendor)
    assert len(queries) == 1
    assert found.scorecard.pk == expected.scorecard.pk
    assert found.period.pk == expected.period.pk
    assert [(p.pk, s.rolled.score) for p, s in found.trend] == [
        (p.pk, s.rolled.score) for p, s in expected.trend]
    assert scorecards.score_summary_of(vendor_a) is None  # no scorecard


def test_open_items_of_the_pages_vendor_are_the_scoped_ones_and_name_it_without_a_query(
        line_manager, vendor_a, vendor_b):
    mine = owner_item(vendor_a, line_manager, days_overdue=2, title="Ours")
    action_item(vendor_b, title="Not this vendor's")
    impediment(vendor_a, title="In the way")
    breach(service_level(vendor_a, name="Uptime"), add_months(month_start(
        timezone.localdate()), -1))
    items = governance.action_items_open(line_manager, vendor=vendor_a)
    blocks = governance.impediments_open(line_manager, vendor=vendor_a)
    actions = sla.corrective_actions_open(line_manager, vendor=vendor_a)
    assert [i.pk for i in items] == [mine.pk]
    assert [i.title for i in blocks] == ["In the way"]
    assert len(actions) == 1
    with CaptureQueriesContext(connection) as queries:
        links = [r.get_absolute_url() for r in (*blocks, *actions)]
        names = {r.vendor.name for r in (*items, *blocks, *actions)}
    assert len(queries) == 0
    assert names == {vendor_a.name} and all(vendor_a.slug in link for link in links)
    # Outside the person's scope, the vendor's rows are not theirs to see.
    assert governance.action_items_open(line_manager, vendor=vendor_b) == []


def test_a_reports_windows_read_their_evaluation_times_only_if_asked(vendor_a):
    last_month = add_months(month_start(timezone.localdate()), -1)
    breach(service_level(vendor_a, name="Uptime"), last_month)
    report = sla.monthly_report(vendor_a, last_month)
    (shown,) = [e for level in report.levels for e in level.this_month]
    stored = Evaluation.objects.get(pk=shown.pk)
    with CaptureQueriesContext(connection) as queries:
        assert (shown.status, shown.value) == (stored.status, stored.value)
    assert len(queries) == 0
    assert shown.evaluated_at == stored.evaluated_at  # deferred: read when asked
    assert shown.first_evaluated_at == stored.first_evaluated_at
