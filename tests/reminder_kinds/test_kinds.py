"""The reminder kinds of sla, scorecards, vendors and health checks: each due at its moment
(not before), reading in the same number of queries at two portfolio sizes, silent for
archived vendors, and stale once what it is about was dealt with."""

import datetime
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from healthchecks import reminders as healthcheck_reminders
from healthchecks import services as healthcheck_services
from healthchecks.models import HealthCheckPlan
from reminders import registry
from scorecards.models import Actual
from sla.choices import EvaluationStatus
from sla.models import CorrectiveAction, Evaluation
from tests.factories import (
    AssignmentFactory,
    ContactFactory,
    ContractFactory,
    UserFactory,
    VendorFactory,
)
from tests.healthchecks.factories import collecting, invite
from tests.kinds import find_queries, outbox
from tests.scorecards.factories import make_scorecard, period
from tests.sla.factories import service_level
from vendorgov.roles import Role
from vendors import reminding
from vendors.choices import AssignmentRole, ContactRole

LONDON = ZoneInfo("Europe/London")


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), LONDON).astimezone(UTC)


def _people(vendor):
    manager = UserFactory(role=Role.LINE_MANAGER)
    AssignmentFactory(vendor=vendor, user=manager, role=AssignmentRole.LINE_MANAGER)
    ops = UserFactory(role=Role.OPERATIONS)
    AssignmentFactory(vendor=vendor, user=ops, role=AssignmentRole.OPERATIONS)
    ContactFactory(vendor=vendor, role=ContactRole.ACCOUNT_EXECUTIVE)
    return manager, ops


def build_sla(vendor):
    manager, ops = _people(vendor)
    sl = service_level(vendor)
    sla = sl.version.sla
    sla.owner, sla.review_due_on = ops, datetime.date(2027, 2, 10)
    sla.save()
    Evaluation.objects.create(vendor=vendor, sla=sla, service_level=sl,
                              window_start=datetime.date(2027, 1, 1),
                              window_end=datetime.date(2027, 1, 31),
                              status=EvaluationStatus.NO_DATA)
    for due in (datetime.date(2027, 2, 5), datetime.date(2027, 1, 20)):
        CorrectiveAction.objects.create(vendor=vendor, sla=sla, title=f"Fix it by {due}",
                                        description="Breach.", owner=ops, due_on=due)


def build_contract(vendor):
    _people(vendor)
    ContractFactory(vendor=vendor, end_date=datetime.date(2027, 6, 30), renewal_notice_days=90)


def build_plan(vendor):
    _people(vendor)
    HealthCheckPlan.objects.create(vendor=vendor, interval_months=12,
                                   next_due=datetime.date(2027, 2, 10))


SLA_NOW = at(datetime.date(2027, 2, 3))
FIXED = {  # kind: (builder, now)
    "sla.measurements_missing": (build_sla, SLA_NOW),
    "sla.corrective_action_due": (build_sla, SLA_NOW),
    "sla.corrective_action_overdue": (build_sla, SLA_NOW),
    "sla.corrective_action_escalation": (build_sla, SLA_NOW),
    "sla.review_due": (build_sla, SLA_NOW),
    "vendors.contract_renewal": (build_contract, at(datetime.date(2027, 3, 3))),
    "healthchecks.health_check_due": (build_plan, SLA_NOW),
}


def build_scorecard(vendor):
    _people(vendor)
    make_scorecard(vendor, quarters=2)
    ended = period(vendor, 1)
    return reminding.day_after(ended.ends_on, timedelta(days=5)) + timedelta(hours=1)


def build_survey(vendor):
    _people(vendor)
    cycle = collecting(vendor)
    invite(cycle)
    healthcheck_services.invitations_send(cycle_id=cycle.pk)
    return timezone.now() + timedelta(days=6)


LIVE = {"scorecards.actuals_missing": build_scorecard,
        "healthchecks.survey_unanswered": build_survey}


def _build(key, vendor):
    if key in FIXED:
        builder, now = FIXED[key]
        builder(vendor)
        return now
    return LIVE[key](vendor)


@pytest.mark.parametrize("key", [*FIXED, *LIVE])
def test_each_kind_is_due_at_its_moment_and_reads_in_the_same_queries_at_two_sizes(key, db):
    now = None
    for _ in range(2):
        now = _build(key, VendorFactory())
    with outbox():
        small, found_small = find_queries(key, now)
        for _ in range(4):
            _build(key, VendorFactory())
        large, found_large = find_queries(key, now)
    assert found_small and len(found_large) == 3 * len(found_small)
    assert small == large
    assert all(d.due_at <= now for d in found_large)
    first = min(d.due_at for d in found_large)
    assert list(registry.get(key).find(first - timedelta(seconds=1),
                                       registry.get(key).default_offset)) == []


@pytest.mark.parametrize("key", [*FIXED, *LIVE])
def test_an_archived_vendor_yields_nothing(key, db):
    vendor = VendorFactory()
    now = _build(key, vendor)
    vendor.archived_at = timezone.now()
    vendor.save()
    assert list(registry.get(key).find(now, registry.get(key).default_offset)) == []


def test_missing_measurements_go_to_the_account_team_and_operations_until_data_arrives(db):
    vendor = VendorFactory()
    build_sla(vendor)
    kind = registry.get("sla.measurements_missing")
    assert list(kind.find(at(datetime.date(2027, 2, 3), 8), kind.default_offset)) == []
    found = list(kind.find(SLA_NOW, kind.default_offset))
    assert sorted(d.recipient.vendor_side for d in found) == [False, True]
    assert found[0].context["service_levels"] and found[0].due_at == at(
        datetime.date(2027, 2, 3), 9)
    occasion = found[0].occasion
    assert kind.still_current([occasion]) == {occasion}
    Evaluation.objects.filter(vendor=vendor).update(status=EvaluationStatus.MET)
    assert kind.still_current([occasion]) == set()


def test_a_corrective_action_escalates_to_the_line_manager_and_goes_stale_when_done(db):
    vendor = VendorFactory()
    build_sla(vendor)
    manager = vendor.assignments.get(role=AssignmentRole.LINE_MANAGER).user
    kind = registry.get("sla.corrective_action_escalation")
    (due,) = kind.find(SLA_NOW, kind.default_offset)
    assert due.recipient.user_id == manager.pk
    CorrectiveAction.objects.filter(vendor=vendor).update(status="done")
    assert kind.still_current([due.occasion]) == set()


def test_missing_scorecard_actuals_go_to_each_side_for_its_own_measures(db):
    vendor = VendorFactory()
    now = build_scorecard(vendor)
    kind = registry.get("scorecards.actuals_missing")
    found = list(kind.find(now, kind.default_offset))
    by_side = {d.recipient.vendor_side: d.context["measures"] for d in found}
    assert by_side[True] == ["Availability"]
    assert sorted(by_side[False]) == ["Cost against budget", "Resolution"]
    ended = period(vendor, 1)
    occasion = f"period:{ended.pk}:actuals"
    assert occasion in {d.occasion for d in found}
    assert kind.still_current([occasion]) == {occasion}
    for measure_id in vendor.scorecard_measures.values_list("pk", flat=True):
        Actual.objects.create(vendor=vendor, measure_id=measure_id, period=ended,
                              vendor_value=1, status="submitted", reported_side="vendor",
                              direction="higher", target=1, amber_threshold=1, red_threshold=1)
    assert kind.still_current([occasion]) == set()


def test_survey_nudges_never_exceed_the_limit_and_carry_no_new_link(db):
    vendor = VendorFactory()
    now = build_survey(vendor)
    invitation = vendor.health_checks.get().invitations.get()
    key_hash = invitation.key_hash
    with outbox() as box:
        for day in range(0, 40):
            box.sweep(now - timedelta(days=6) + timedelta(days=day),
                      {"healthchecks.survey_unanswered"})
    assert sorted(o for (_, o, _) in box.rows) == [
        f"invitation:{invitation.pk}:nudge:{n}"
        for n in range(1, healthcheck_reminders.SURVEY_NUDGES + 1)]
    invitation.refresh_from_db()
    assert invitation.key_hash == key_hash  # the link in the first email still works
    assert all("vghc" not in str(d.context) for d in box.rows.values())


def test_a_sweep_back_after_an_outage_sends_one_nudge_not_a_burst(db):
    now = build_survey(VendorFactory())
    with outbox() as box:
        box.sweep(now + timedelta(days=30), {"healthchecks.survey_unanswered"})
    assert [o.rsplit(":", 1)[1] for (_, o, _) in box.rows] == [
        str(healthcheck_reminders.SURVEY_NUDGES)]


def test_a_health_check_already_open_is_not_announced_as_due(db):
    vendor = VendorFactory()
    build_plan(vendor)
    kind = registry.get("healthchecks.health_check_due")
    (due, *_) = kind.find(SLA_NOW, kind.default_offset)
    healthcheck_services.cycle_open(vendor=vendor, due_on=datetime.date(2027, 2, 10))
    assert list(kind.find(SLA_NOW, kind.default_offset)) == []
    assert kind.still_current([due.occasion]) == set()


def test_a_contract_renewal_goes_to_our_side_only_and_a_new_end_date_is_a_new_occasion(db):
    vendor = VendorFactory()
    build_contract(vendor)
    kind = registry.get("vendors.contract_renewal")
    (due,) = kind.find(at(datetime.date(2027, 3, 3)), kind.default_offset)
    assert not due.recipient.vendor_side
    assert due.occasion.endswith(":notice:2027-04-01")
    vendor.contracts.update(end_date=datetime.date(2027, 9, 30))
    assert kind.still_current([due.occasion]) == set()


def test_a_grace_period_of_zero_and_one_longer_than_a_window_are_handled(db):
    vendor = VendorFactory()
    build_sla(vendor)
    kind = registry.get("sla.measurements_missing")
    assert list(kind.find(at(datetime.date(2027, 2, 1), 9), timedelta(0)))
    # A grace longer than the window (a monthly window chased 45 days on): once it comes.
    assert list(kind.find(at(datetime.date(2027, 3, 17), 8), timedelta(days=45))) == []
    assert list(kind.find(at(datetime.date(2027, 3, 18), 9), timedelta(days=45)))
