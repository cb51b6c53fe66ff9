"""`seed_portfolio` makes a portfolio the product could have made — compared here with what
the product's own evaluator, `template_apply`, sweep and pages make of it — and refuses to
seed over existing data. One small seed (3 vendors x 1 year) for the whole module."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from governance.models import (
    ActionItem,
    Attendance,
    Cadence,
    Escalation,
    Impediment,
    Meeting,
    Suggestion,
)
from healthchecks.choices import CYCLE_OPEN, CycleStatus
from healthchecks.models import Cycle, HealthCheckPlan
from reminders import outbox
from reminders.models import Reminder
from scorecards import services as scorecard_services
from scorecards.models import Actual, Measure, Period, Scorecard
from sla import evaluation, rules
from sla import selectors as sla_selectors
from sla.models import (
    CorrectiveAction,
    Evaluation,
    Measurement,
    MonthlyCompliance,
    ServiceLevel,
)
from vendors import services as vendor_services
from vendors.models import Vendor

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(capsys):
    call_command("seed_portfolio", vendors=3, years=1)
    return capsys.readouterr().out


@pytest.mark.postgres
def test_seeds_every_app_reports_its_rate_and_refuses_a_second_time(seeded):
    assert "rows/s" in seeded and "Seeded 3 vendors" in seeded
    assert Vendor.objects.count() == 3
    # Past reviews held with their people; the ones ahead planned; history beside them.
    past = Meeting.objects.filter(ends_at__lt=timezone.now())
    assert past.exists() and not past.exclude(status="held").exists()
    assert Attendance.objects.filter(meeting__in=past, present=True).count() >= past.count()
    ahead = Meeting.objects.filter(starts_at__gt=timezone.now())
    assert ahead.exists() and not ahead.exclude(status="scheduled").exists()
    assert not Attendance.objects.filter(meeting__in=ahead).exclude(response="pending").exists()
    assert Meeting.history.filter(history_type="+").count() == Meeting.objects.count()
    assert not Meeting.history.filter(id__in=ahead.values("pk"),
                                      history_change_reason="Held").exists()
    assert Meeting.history.filter(id__in=past.values("pk"), history_change_reason="Held") \
        .count() == past.count()
    assert Attendance.history.count() == Attendance.objects.count()
    assert ActionItem.objects.filter(meeting__in=past).count() \
        == ActionItem.history.count() > 0
    # Each cadence with one history row that holds its participants.
    for cadence in Cadence.objects.all():
        record = cadence.history.get()
        ours = {p.user_id for p in record.our_participants.all()}
        theirs = {p.contact_id for p in record.vendor_participants.all()}
        assert ours == set(cadence.our_participants.values_list("pk", flat=True))
        assert theirs == set(cadence.vendor_participants.values_list("pk", flat=True))
        assert ours or theirs
    # Impediments, one escalated and resolved; suggestions.
    assert Impediment.objects.filter(status="resolved", escalation_level=1).count() == 3
    assert Escalation.objects.exclude(outcome="").count() == 3
    assert Suggestion.objects.filter(status="implemented").count() == 3
    with pytest.raises(CommandError, match="holds vendors or people already"):
        call_command("seed_portfolio", vendors=1, years=1)


def _verdicts():
    actions = {}
    for e in Evaluation.objects.filter(corrective_action__isnull=False):
        actions.setdefault(e.corrective_action_id, set()).add(
            (e.service_level_id, e.window_start))
    by_window = {frozenset(windows): CorrectiveAction.objects.get(pk=pk)
                 for pk, windows in actions.items()}
    return (
        {(e.service_level_id, e.window_start): (e.window_end, e.status, e.value,
                                                 e.measurement_id, e.vendor_id, e.sla_id)
         for e in Evaluation.objects.all()},
        {windows: (a.title, a.status, a.due_on, a.owner_id) for windows, a in by_window.items()},
    )


@pytest.mark.postgres
def test_evaluations_are_those_the_hourly_evaluation_makes_of_the_measurements(seeded):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    for sl in ServiceLevel.objects.select_related("version"):
        windows = rules.windows_ending_between(sl.window, sl.version.effective_from, yesterday)
        assert sl.evaluations.count() == len(windows) > 0
        assert sl.evaluated_through == yesterday
    assert not Measurement.objects.filter(needs_evaluation=True).exists()
    assert Evaluation.history.filter(history_type="+").count() == Evaluation.objects.count()
    seeded_verdicts, seeded_actions = _verdicts()
    assert any(status == "breached" for _, status, *_ in seeded_verdicts.values())
    assert seeded_actions
    # Every vendor-month's stored compliance (what the portfolio pages read) is what its
    # evaluations say.
    assert sla_selectors.stored_compliance_differing() == []
    months = {(v, rules.month_start(end)) for v, end in Evaluation.objects.values_list(
        "vendor_id", "window_end")}
    assert MonthlyCompliance.objects.filter(windows__gt=0).count() == len(months) > 0

    # The same measurements through the product's evaluator, from scratch.
    Evaluation.objects.all().delete()
    CorrectiveAction.objects.all().delete()
    Measurement.objects.update(needs_evaluation=True)
    ServiceLevel.objects.update(evaluated_through=None)
    evaluation.evaluations_refresh(today=today)

    assert _verdicts() == (seeded_verdicts, seeded_actions)
    assert sla_selectors.stored_compliance_differing() == []  # stored again as evaluated


@pytest.mark.postgres
def test_scorecards_are_what_template_apply_makes(seeded):
    card = Scorecard.objects.select_related("template", "vendor").first()
    other = vendor_services.vendor_create(by=None, name="Compared", description="",
                                          tier="strategic", criticality="high")
    applied = scorecard_services.template_apply(card.template, vendor=other,
                                                starts_on=card.starts_on)
    scorecard_services.scorecard_periods_ensure(scorecard=applied)

    def shape(scorecard):
        measures = sorted(
            (m.objective.perspective.name, m.objective.perspective.weight,
             m.objective.perspective.position, m.objective.name, m.objective.weight,
             m.objective.position, m.template_measure_id, m.active_from,
             tuple(getattr(m, f) for f in scorecard_services.MEASURE_FIELDS))
            for m in Measure.objects.filter(objective__perspective__scorecard=scorecard)
            .select_related("objective__perspective"))
        periods = list(Period.objects.filter(scorecard=scorecard).order_by("starts_on")
                       .values_list("label", "starts_on", "ends_on"))
        return (scorecard.period_type, scorecard.starts_on, measures, periods)

    assert shape(card) == shape(applied)
    assert len(shape(card)[2]) > 10
    for model in (Scorecard, Measure, Period):
        assert model.history.filter(vendor=card.vendor).count() \
            == model.objects.filter(vendor=card.vendor).count()
    # Approved actuals for every ended period of the measures people report.
    actual = Actual.objects.select_related("measure").first()
    assert actual.status == "approved" and actual.target == actual.measure.target
    assert Actual.history.count() == Actual.objects.count()
    # Every period's stored score is the live scoring of what was loaded (the heat map and
    # the homes read only stored scores); the seeded periods hold real scores.
    from scorecards import selectors as scorecard_selectors
    from scorecards.models import ScoredPeriod
    assert scorecard_selectors.stored_scores_differing() == []
    assert ScoredPeriod.objects.count() == Period.objects.count()
    assert ScoredPeriod.objects.filter(score__isnull=False).exists()


@pytest.mark.postgres
def test_health_checks_and_reminders_are_in_states_the_product_reaches(seeded):
    today = timezone.localdate()
    for vendor in Vendor.objects.all():
        cycles = list(Cycle.objects.filter(vendor=vendor).order_by("due_on"))
        assert cycles
        closed = [c for c in cycles if c.status == CycleStatus.CLOSED]
        assert all(c.closed_on and c.close_reason and c.transitions.count() == 1
                   for c in closed)
        assert len([c for c in cycles if c.status in CYCLE_OPEN]) <= 1
        plan = HealthCheckPlan.objects.get(vendor=vendor)
        assert all(plan.next_due > c.closed_on for c in closed)
        assert all(c.due_on <= today for c in cycles)
    assert Cycle.objects.filter(status=CycleStatus.CLOSED).exists()
    # The reminders are the sweep's own: sweeping again records nothing new.
    assert Reminder.objects.exists()
    assert outbox.sweep().inserted == 0
    assert set(Reminder.objects.values_list("kind", flat=True)) <= set(outbox.kind_configs())


@pytest.mark.postgres
def test_the_pages_show_the_seeded_portfolio(seeded, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="vera"))
    vendor = Vendor.objects.first()
    frozen = (Meeting.objects.filter(vendor=vendor, tier="weekly", status="held")
              .order_by("-starts_at").first())
    assert frozen.agenda_snapshot["sections"]  # the real agenda, frozen
    for url in (vendor.get_absolute_url(), "/slas/", vendor.scorecards.get().get_absolute_url(),
                frozen.get_absolute_url(), Impediment.objects.filter(vendor=vendor).first()
                .get_absolute_url(), "/health-checks/",
                Cycle.objects.filter(vendor=vendor).first().get_absolute_url(), "/reminders/",
                "/reminders/scheduled/"):
        response = client.get(url)
        assert response.status_code == 200, url


def test_refuses_a_database_other_than_postgresql_with_a_clear_message(db):
    from django.db import connection

    if connection.vendor == "postgresql":  # the other tests here seed it
        assert call_command("seed_portfolio", vendors=1, years=1, workers=1) is None
    else:  # the embedded leg: COPY is PostgreSQL's
        with pytest.raises(CommandError, match="runs on PostgreSQL only"):
            call_command("seed_portfolio", vendors=1, years=1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # the workers are other processes: commits needed
def test_two_worker_processes_share_out_the_vendors_and_seed_each_one_fully(capfd):
    call_command("seed_portfolio", vendors=4, years=1, workers=2)
    out = capfd.readouterr().out  # the workers write to the inherited descriptor
    assert "[worker 1/2]" in out and "[worker 2/2]" in out and "Seeded 4 vendors" in out
    yesterday = timezone.localdate() - timedelta(days=1)
    assert Vendor.objects.count() == 4
    for vendor in Vendor.objects.all():
        levels = ServiceLevel.objects.filter(version__sla__vendor=vendor)
        assert levels.count() == 7
        assert all(sl.evaluations.count() == len(rules.windows_ending_between(
            sl.window, sl.version.effective_from, yesterday)) for sl in levels)
        assert Cadence.objects.filter(vendor=vendor).count() == 3
        assert Meeting.objects.filter(vendor=vendor, status="held").exists()
        assert Scorecard.objects.filter(vendor=vendor).count() == 1
        assert Actual.objects.filter(vendor=vendor).exists()
        assert Cycle.objects.filter(vendor=vendor).exists()
    assert not Measurement.objects.filter(needs_evaluation=True).exists()
