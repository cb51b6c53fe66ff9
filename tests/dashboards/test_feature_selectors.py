"""The set-based selectors the dashboards read from the feature apps: each scoped to what
the person sees (vendors.access), and each the same few queries whatever the number of
vendors."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance import selectors as governance
from healthchecks import selectors as healthchecks
from scorecards import selectors as scorecards
from sla import selectors as sla
from sla.rules import add_months, month_start
from tests.dashboards.data import breach, filled_vendor, owner_item
from tests.factories import UserFactory
from tests.governance.factories import action_item
from tests.scorecards.factories import make_scorecard, make_template
from tests.sla.factories import service_level
from vendorgov.roles import Role

pytestmark = pytest.mark.django_db


def _last_month():
    return add_months(month_start(timezone.localdate()), -1)


def test_breaches_and_compliance_are_those_of_the_vendors_the_person_sees(line_manager,
                                                                          vendor_a, vendor_b):
    breach(service_level(vendor_a, name="A uptime"), _last_month())
    breach(service_level(vendor_b, name="B uptime"), _last_month())
    found = sla.breaches_between(line_manager, _last_month(), timezone.localdate())
    assert [e.vendor for e in found] == [vendor_a]
    compliance = sla.compliance_for(line_manager, _last_month(), timezone.localdate())
    assert {vid for vid, _ in compliance} == {vendor_a.pk}
    assert compliance[(vendor_a.pk, _last_month())]["breached"] == 1


def test_open_corrective_actions_leave_out_those_awaiting_verification(line_manager, vendor_a):
    breach(service_level(vendor_a), _last_month())
    (action,) = sla.corrective_actions_open(line_manager)
    assert sla.corrective_actions_to_verify(line_manager) == []
    type(action).objects.filter(pk=action.pk).update(status="done")
    assert sla.corrective_actions_open(line_manager) == []
    assert sla.corrective_actions_to_verify(line_manager) == [action]


def test_windows_closing_count_their_measurements(line_manager, vendor_a, vendor_b):
    service_level(vendor_a, name="Weekly A", window="weekly")
    service_level(vendor_b, name="Weekly B", window="weekly")
    today = timezone.localdate()
    found = sla.windows_closing(line_manager, today, today + datetime.timedelta(days=6))
    assert [(w.service_level_name, w.measurements) for w in found] == [("Weekly A", 0)]


def test_windows_closing_carry_the_links_of_their_service_levels(line_manager, vendor_a):
    """The rows' links are made once per vendor, not reversed per row: each still points
    at its own service level and at its vendor's measurement form."""
    levels = [service_level(vendor_a, name=f"Weekly {n}", window="weekly") for n in (1, 2)]
    today = timezone.localdate()
    found = sla.windows_closing(line_manager, today, today + datetime.timedelta(days=6))
    assert sorted((w.url, w.measurement_url) for w in found) == sorted(
        (reverse("sla:service_level", args=[vendor_a.slug, sl.pk]),
         reverse("sla:measurement_create", args=[vendor_a.slug])) for sl in levels)


def test_action_items_of_an_owner_come_overdue_first_within_scope(line_manager, vendor_a,
                                                                  vendor_b):
    owner_item(vendor_a, line_manager, days_overdue=1, title="One day")
    owner_item(vendor_a, line_manager, days_overdue=5, title="Five days")
    action_item(vendor_b, title="Not mine to see")
    assert [i.title for i in governance.action_items_open(line_manager, owner=line_manager)] == [
        "Five days", "One day"]
    assert [i.title for i in governance.action_items_open(line_manager, side="vendor")] == []


def test_innovation_pipeline_sums_estimated_value_per_stage_and_currency(executive, vendor_a):
    from decimal import Decimal

    from tests.governance.factories import suggestion
    suggestion(vendor_a, title="One", estimated_value=Decimal("100"))
    suggestion(vendor_a, title="Two", estimated_value=Decimal("250"), currency="GBP")
    stages = {s.status: s for s in governance.innovation_pipeline(executive)}
    assert stages["submitted"].count == 2
    assert stages["submitted"].estimated == {"EUR": Decimal("100"), "GBP": Decimal("250")}
    assert stages["implemented"].count == 0


def test_reviews_by_tier_name_the_last_held_and_the_next_meeting(vendor_a):
    from tests.governance.factories import weekly_cadence
    weekly_cadence(vendor_a)
    tiers = {t.tier: t for t in governance.reviews_by_tier(vendor_a)}
    assert tiers["weekly"].next is not None and tiers["weekly"].last is None
    assert tiers["quarterly"].next is None


def test_periods_missing_actuals_count_measures_without_a_counted_actual(line_manager,
                                                                         vendor_a):
    make_scorecard(vendor_a, quarters=1)
    (gap,) = scorecards.periods_missing_actuals(
        line_manager, ended_since=timezone.localdate() - datetime.timedelta(days=120))
    assert gap.expected == 3 and gap.reported == 0 and gap.missing == 3


def test_health_by_vendor_scores_the_last_closed_cycles_in_four_queries(executive):
    template = make_template("Shared")
    filled_vendor(1, template=template)
    with CaptureQueriesContext(connection) as small:
        one = healthchecks.health_by_vendor(executive)
    filled_vendor(2, template=template)
    filled_vendor(3, template=template)
    with CaptureQueriesContext(connection) as large:
        three = healthchecks.health_by_vendor(executive)
    assert len(small) == len(large) == 4  # vendors, plans, cycles, answers
    assert len(one) == 1 and len(three) == 3
    assert all(h.last is not None and h.next_due for h in three.values())


def test_health_by_vendor_shows_nothing_of_vendors_outside_scope(vendor_b):
    filled_vendor(1)
    outsider = UserFactory(role=Role.LINE_MANAGER)
    assert healthchecks.health_by_vendor(outsider) == {}


def test_a_vendor_user_sees_health_check_scores_only_once_shared(alice, vendor_a):
    from healthchecks import services as hc_services
    from healthchecks.models import Cycle
    from tests.healthchecks.factories import with_results
    cycle = with_results(vendor_a, ours={"trust": 4}, theirs={"trust": 3})
    hc_services.cycle_move(cycle, to="closed", reason="Enough for the test.")
    assert healthchecks.health_by_vendor(alice)[vendor_a.pk].last is None
    Cycle.objects.filter(pk=cycle.pk).update(shared_with_vendor=True)
    assert healthchecks.health_by_vendor(alice)[vendor_a.pk].last is not None


def test_reviews_by_tier_read_the_last_held_and_next_of_every_tier_in_one_query(vendor_a):
    from governance.choices import MeetingStatus
    from governance.models import Meeting
    from tests.governance.factories import monthly_cadence, weekly_cadence
    weekly_cadence(vendor_a)
    monthly_cadence(vendor_a)
    weekly = list(Meeting.objects.filter(vendor=vendor_a, tier="weekly").order_by("starts_at"))
    # The first two weekly meetings were held, three and two weeks ago.
    for meeting, weeks in ((weekly[0], 3), (weekly[1], 2)):
        shift = datetime.timedelta(weeks=weeks) + (meeting.starts_at - timezone.now())
        Meeting.objects.filter(pk=meeting.pk).update(
            status=MeetingStatus.HELD, starts_at=meeting.starts_at - shift,
            ends_at=meeting.ends_at - shift)
    monthly = Meeting.objects.filter(vendor=vendor_a, tier="monthly").order_by("starts_at")
    with CaptureQueriesContext(connection) as queries:
        tiers = {t.tier: t for t in governance.reviews_by_tier(vendor_a)}
    assert len(queries) == 1
    assert tiers["weekly"].last.pk == weekly[1].pk and tiers["weekly"].next.pk == weekly[2].pk
    assert tiers["monthly"].last is None and tiers["monthly"].next.pk == monthly.first().pk
    assert tiers["quarterly"].last is None and tiers["quarterly"].next is None
    # The header's next review is the earliest of them, from the same read.
    with CaptureQueriesContext(connection) as again:
        nxt = governance.next_review(vendor_a)
    assert len(again) == 0
    assert nxt.pk == min((weekly[2], monthly.first()), key=lambda m: m.starts_at).pk


def test_health_of_the_pages_vendor_reuses_the_headers_reads_and_hides_unshared_results(
        executive):
    from healthchecks.models import Cycle
    from tests.factories import VendorUserFactory
    from vendors.models import Vendor
    filled_vendor(1)
    vendor = Vendor.objects.get()
    healthchecks.next_due(vendor)  # the header reads the plan and the cycles
    with CaptureQueriesContext(connection) as queries:
        mine = healthchecks.health_by_vendor(executive, vendor=vendor)[vendor.pk]
    assert len(queries) == 1  # the answers only: no scoping, plan or cycle read again
    scoped = healthchecks.health_by_vendor(executive, vendor_ids=[vendor.pk])[vendor.pk]
    assert (mine.next_due, mine.current, mine.scores) == (
        scoped.next_due, scoped.current, scoped.scores) and mine.last is not None
    with CaptureQueriesContext(connection) as links:
        assert mine.last_cycle.get_absolute_url()
    assert len(links) == 0
    # The vendor's people see results only once they are shared.
    Cycle.objects.filter(vendor=vendor).update(shared_with_vendor=False)
    theirs = Vendor.objects.get()
    person = VendorUserFactory(vendor=theirs)
    assert healthchecks.health_by_vendor(person, vendor=theirs)[theirs.pk].scores == []
