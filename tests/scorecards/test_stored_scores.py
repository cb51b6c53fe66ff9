"""Stored period scores (`ScoredPeriod`): every input of a score changes the stored score in
the same transaction, the portfolio pages read it (and only it), and it always equals the
live scoring of the vendor's page."""

from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scorecards import selectors, services
from scorecards.models import Actual, Measure, Objective, Perspective, ScoredPeriod
from tests.concurrency import at_once
from tests.scorecards.factories import label_of, make_scorecard, measure, period

pytestmark = pytest.mark.django_db


def stored(vendor, quarters_ago=1) -> ScoredPeriod:
    return ScoredPeriod.objects.get(period=period(vendor, quarters_ago))


def live(vendor, quarters_ago=1):
    p = period(vendor, quarters_ago)
    return selectors.live_scores([p])[p.pk]


def assert_current(vendor, quarters_ago=1) -> ScoredPeriod:
    """The stored score of the period is what the live scoring says now."""
    row = stored(vendor, quarters_ago)
    for name, value in selectors.stored_fields(live(vendor, quarters_ago)).items():
        assert getattr(row, name) == value, name
    return row


def approved(vendor, name, value, by, quarters_ago=1, comment="Explained") -> Actual:
    actual = services.actual_record(measure=measure(vendor, name), period=period(
        vendor, quarters_ago), by=by, internal_value=D(value), comment=comment, submit=True)
    return services.actual_approve(actual, by=by)


def heat_map(client, user, **params) -> str:
    client.force_login(user)
    return client.get(reverse("scorecards:portfolio"), params).content.decode()


@pytest.fixture
def card(vendor_a, vendor_manager):
    return make_scorecard(vendor_a, by=vendor_manager)


# -- every period has its stored score, from the start -----------------------------------------


def test_applying_a_template_stores_a_no_data_score_for_every_period(card, vendor_a):
    rows = ScoredPeriod.objects.filter(scorecard=card)
    assert rows.count() == card.periods.count() == 4  # three ended quarters and this one
    assert {(r.score, r.status, r.measures, r.measures_with_data) for r in rows} == {
        (None, "no_data", 3, 0)}
    assert [p["name"] for p in rows.first().perspectives] == [
        "Customer / service quality", "Financial / value"]


# -- each input changes the stored score and the heat map --------------------------------------


def test_an_approved_actual_stores_its_periods_score_and_the_heat_map_shows_it(
        client, card, vendor_a, line_manager, executive):
    assert "84.7" not in heat_map(client, executive)
    approved(vendor_a, "Resolution", "86", line_manager)  # 86 % against 95/90/80: 58.0
    approved(vendor_a, "Availability", "99.9", line_manager)  # at target: 100
    approved(vendor_a, "Cost against budget", "101", line_manager)  # 100-103: 90
    row = assert_current(vendor_a)
    # Customer: (100 x 60 + 58 x 40) / 100 = 83.2; financial 90; overall (83.2 + 90) / 2
    assert (row.score, row.status, row.measures_with_data) == (D("86.6"), "green", 3)
    assert [(p["name"], p["score"]) for p in row.perspectives] == [
        ("Customer / service quality", "83.2"), ("Financial / value", "90.0")]
    page = heat_map(client, executive, period=label_of(1))
    assert "86.6" in page and "83.2" in page and "90.0" in page
    assert stored(vendor_a, 2).score is None  # only the period that changed


def test_a_submitted_actual_counts_and_a_draft_or_one_sent_back_does_not(
        card, vendor_a, line_manager):
    draft = services.actual_record(measure=measure(vendor_a, "Cost against budget"),
                                   period=period(vendor_a), by=line_manager,
                                   internal_value=D("101"), comment="Explained")
    assert stored(vendor_a).score is None  # drafts do not count
    services.actual_submit(draft, by=line_manager)
    assert assert_current(vendor_a).score == D("90.0")
    actual = services.actual_approve(Actual.objects.get(pk=draft.pk), by=line_manager)
    services.actual_send_back(actual, by=line_manager, reason="Wrong month")
    assert assert_current(vendor_a).score is None


def test_a_corrected_value_changes_the_stored_score(card, vendor_a, line_manager):
    approved(vendor_a, "Cost against budget", "101", line_manager)
    assert stored(vendor_a).score == D("90.0")
    services.actual_record(measure=measure(vendor_a, "Cost against budget"),
                           period=period(vendor_a), by=line_manager, internal_value=D("110"),
                           reason="Invoice corrected")
    row = assert_current(vendor_a)
    assert (row.score, row.status, row.red_measures, row.red_perspectives) == (
        D("24.0"), "red", 1, 1)


def test_an_upheld_dispute_with_a_corrected_value_changes_the_stored_score(
        card, vendor_a, line_manager, alice):
    actual = approved(vendor_a, "Resolution", "86", line_manager)
    assert stored(vendor_a).score == D("58.0")
    dispute = services.dispute_raise(actual=actual, by=alice, reason="It was 95.")
    services.dispute_resolve(dispute, by=line_manager, outcome="upheld",
                             resolution="Tickets on hold excluded", corrected_value=D("95"))
    assert assert_current(vendor_a).score == D("100.0")


def test_a_weight_change_rescores_every_period_of_the_scorecard_and_the_heat_map(
        client, card, vendor_a, line_manager, vendor_manager, executive):
    for quarters_ago in (1, 2):
        approved(vendor_a, "Resolution", "86", line_manager, quarters_ago)
        approved(vendor_a, "Availability", "99.9", line_manager, quarters_ago)
    assert stored(vendor_a).score == stored(vendor_a, 2).score == D("83.2")
    services.part_update(measure(vendor_a, "Resolution"), by=vendor_manager, weight=D(60))
    for quarters_ago in (1, 2):  # (100 x 60 + 58 x 60) / 120
        assert assert_current(vendor_a, quarters_ago).score == D("79.0")
    assert "79.0" in heat_map(client, executive, period=label_of(1))
    perspective = Perspective.objects.get(scorecard=card, name__startswith="Financial")
    services.part_update(perspective, by=vendor_manager, weight=D(0))
    assert assert_current(vendor_a).score == D("79.0")  # the other perspective has no data
    objective = Objective.objects.get(perspective__scorecard=card, name="Reliable services")
    services.part_update(objective, by=vendor_manager, weight=D(2))
    assert_current(vendor_a)


def test_a_threshold_change_rescores_open_periods_and_leaves_locked_ones_as_reviewed(
        card, vendor_a, line_manager, vendor_manager):
    approved(vendor_a, "Resolution", "86", line_manager, 1)
    approved(vendor_a, "Resolution", "86", line_manager, 2)
    services.period_lock(period(vendor_a, 2), by=vendor_manager)
    services.part_update(measure(vendor_a, "Resolution"), by=vendor_manager,
                         amber_threshold=D("85"), red_threshold=D("75"),
                         change_reason="Agreed in the review")
    # 86 against 95/85/75 is 73.0; the locked quarter keeps 95/90/80 (58.0).
    assert assert_current(vendor_a, 1).score == D("73.0")
    assert assert_current(vendor_a, 2).score == D("58.0")


def test_retiring_and_restoring_a_measure_rescores_its_periods(
        card, vendor_a, line_manager, vendor_manager):
    approved(vendor_a, "Resolution", "86", line_manager, 0)
    approved(vendor_a, "Availability", "99.9", line_manager, 0)
    assert stored(vendor_a, 0).score == D("83.2")
    resolution = measure(vendor_a, "Resolution")
    services.part_retire(resolution, by=vendor_manager)  # this quarter ends after today
    row = assert_current(vendor_a, 0)
    assert (row.score, row.measures) == (D("100.0"), 2)
    services.part_restore(Measure.objects.get(pk=resolution.pk), by=vendor_manager)
    assert assert_current(vendor_a, 0).score == D("83.2")


def test_a_measure_added_counts_in_the_stored_scores(card, vendor_a, line_manager,
                                                     vendor_manager):
    approved(vendor_a, "Cost against budget", "101", line_manager, 0)
    objective = measure(vendor_a, "Cost against budget").objective
    services.part_create(Measure, by=vendor_manager, objective=objective, name="Savings",
                         definition="Savings delivered", direction="higher", target=D(10),
                         amber_threshold=D(5), red_threshold=D(2), weight=D(1),
                         data_source="internal", active_from=period(vendor_a, 0).starts_on)
    row = assert_current(vendor_a, 0)
    assert (row.measures, row.measures_with_data, row.score) == (4, 1, D("90.0"))
    approved(vendor_a, "Savings", "2", line_manager, 0)  # at red: 40; (90 + 40) / 2
    assert assert_current(vendor_a, 0).score == D("65.0")


def test_a_new_period_is_stored_when_it_opens(card, vendor_a):
    last = card.periods.last()
    last.delete()  # as if the quarter had not opened yet (its stored row goes with it)
    assert not ScoredPeriod.objects.filter(period_id=last.pk).exists()
    created = services.scorecard_periods_ensure(scorecard=card)
    assert [p.label for p in created] == [label_of(0)]
    assert stored(vendor_a, 0).status == "no_data"


def test_an_edit_in_the_admin_rescores_what_it_changed(rf, card, vendor_a, line_manager,
                                                     vendor_manager):
    from django.contrib import admin

    actual = approved(vendor_a, "Cost against budget", "101", line_manager)
    request = rf.post("/")
    request.user = vendor_manager
    actual.internal_value = D("110")
    admin.site._registry[Actual].save_model(request, actual, None, True)
    assert assert_current(vendor_a).score == D("24.0")
    m = measure(vendor_a, "Cost against budget")
    m.active_from = period(vendor_a, 0).starts_on  # no longer counts in the last quarter
    admin.site._registry[Measure].save_model(request, m, None, True)
    row = assert_current(vendor_a)
    assert (row.score, row.measures) == (None, 2)


# -- the pages read the stored score, never score on view ---------------------------------------


def test_the_heat_map_reads_stored_scores_and_rescore_repairs_an_edit_made_behind_the_services(
        client, card, vendor_a, line_manager, executive):
    actual = approved(vendor_a, "Cost against budget", "101", line_manager)
    Actual.objects.filter(pk=actual.pk).update(internal_value=D("110"))  # not a service
    page = heat_map(client, executive, period=label_of(1))
    assert "90.0" in page and "24.0" not in page  # what was stored, not scored on view
    out = StringIO()
    with pytest.raises(CommandError, match="1 stored period scores differ"):
        call_command("rescore", "--check", stdout=out)
    assert f"{label_of(1)} (period {period(vendor_a).pk})" in out.getvalue()
    call_command("rescore", stdout=StringIO())
    call_command("rescore", "--check", stdout=StringIO())
    assert "24.0" in heat_map(client, executive, period=label_of(1))


def test_the_sort_by_score_orders_by_the_stored_scores(client, vendor_a, vendor_b,
                                                       vendor_manager, line_manager,
                                                       executive):
    make_scorecard(vendor_a, by=vendor_manager)
    make_scorecard(vendor_b, by=vendor_manager)
    approved(vendor_a, "Cost against budget", "101", line_manager)  # 90
    approved(vendor_b, "Cost against budget", "106", vendor_manager)  # 52
    worst_first = selectors.portfolio(executive, label_of(1), sort="overall").rows
    assert [r.vendor for r in worst_first] == [vendor_b, vendor_a]
    by_financial = selectors.portfolio(executive, label_of(1), sort="-Financial / value").rows
    assert [r.vendor for r in by_financial] == [vendor_a, vendor_b]
    with CaptureQueriesContext(connection) as queries:
        selectors.portfolio(executive, label_of(1), sort="overall")
    assert not any('"scorecards_actual"' in q["sql"] for q in queries.captured_queries)


def test_the_executive_home_reads_trends_changes_and_red_vendors_from_the_stored_scores(
        client, vendor_a, vendor_b, vendor_manager, line_manager, executive):
    make_scorecard(vendor_a, by=vendor_manager)
    make_scorecard(vendor_b, by=vendor_manager)
    approved(vendor_a, "Cost against budget", "101", line_manager, 2)  # 90, green
    approved(vendor_a, "Cost against budget", "110", line_manager, 1)  # 24, red
    approved(vendor_b, "Cost against budget", "101", vendor_manager, 1)  # 90
    from dashboards import selectors as dashboards
    # Changed behind the services: the home shows what was stored, so it scores nothing.
    Actual.objects.filter(vendor=vendor_b).update(internal_value=D("200"))
    home = dashboards.exec_home(executive)
    assert home.label == label_of(1)
    assert [(c.slug, c.before, c.after) for c in home.changed] == [
        (vendor_a.slug, "green", "red"), (vendor_b.slug, "no_data", "green")]
    assert home.changed.total == 2
    assert (f"{label_of(2)} 90.0, {label_of(1)} 57.0"
            in dict(home.trend_table)["Average overall score"])
    red_only = dashboards.exec_home(executive, only_red=True)
    assert [r.vendor for r in red_only.page.object_list] == [vendor_a]
    assert red_only.page.object_list[0].overall.score == D("24.0")


def test_the_vendor_360_reads_the_stored_scores_and_scores_live_only_without_them(
        client, card, vendor_a, line_manager):
    """The Overview tab's scorecard block (score, trend, chart) shows what was stored and
    reads no measure or actual; a period without a stored score is scored live instead."""
    approved(vendor_a, "Cost against budget", "101", line_manager)  # 90.0
    Actual.objects.filter(vendor=vendor_a).update(internal_value=D("110"))  # not a service
    client.force_login(line_manager)
    url = reverse("vendors:detail", args=[vendor_a.slug])
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    block = page[page.index('id="v360-h"'):page.index("SLA compliance")]
    assert ">90.0</a>" in block and f"{label_of(1)} 90.0" in block
    assert not any(table in q["sql"] for q in queries.captured_queries
                   for table in ('"scorecards_actual"', '"scorecards_measure"'))
    ScoredPeriod.objects.filter(period=period(vendor_a)).delete()
    page = client.get(url).content.decode()
    block = page[page.index('id="v360-h"'):page.index("SLA compliance")]
    assert ">24.0</a>" in block  # scored live: what the actuals say now


def test_the_scorecard_page_scores_its_period_live_and_reads_the_trend_before_it_stored(
        client, card, vendor_a, line_manager):
    approved(vendor_a, "Cost against budget", "101", line_manager, quarters_ago=2)  # 90.0
    approved(vendor_a, "Cost against budget", "101", line_manager)  # 90.0
    Actual.objects.filter(vendor=vendor_a).update(internal_value=D("110"))  # not a service
    client.force_login(line_manager)
    page = client.get(reverse("scorecards:vendor", args=[vendor_a.slug]),
                      {"period": label_of(1)}).context["page"]
    assert [s.rolled.score for _, s in page.trend][-2:] == [D("90.0"), D("24.0")]
    assert page.current.rolled.score == D("24.0")  # the period shown: its lines, live


# -- SLA-derived actuals -------------------------------------------------------------------------


def test_an_actual_derived_from_the_sla_changes_the_stored_score(vendor_a):
    from tests.scorecards.test_sla_feed import FEB, JAN, MAR, TODAY, evaluated, fed
    from tests.sla.factories import clock, service_level

    with clock(TODAY):
        make_scorecard(vendor_a, quarters=2)
        sl = service_level(vendor_a, key="uptime", name="Uptime")
        evaluated(sl, {JAN: "99.9", FEB: "98.5", MAR: "99.8"})
        fed(vendor_a, sl)  # linking derives at once: 98.5 is far below 99.5/99.2/99: 0
        q1 = ScoredPeriod.objects.get(scorecard__vendor=vendor_a, label="2025-Q1")
        assert (q1.score, q1.status) == (D("0.0"), "red")
        evaluated(sl, {FEB: "99.6"})  # a corrected measurement
        services.actuals_derive_from_sla()
        q1.refresh_from_db()
        assert (q1.score, q1.status) == (D("100.0"), "green")
        assert selectors.stored_scores_differing() == []


# -- concurrency ---------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_actuals_reported_at_once_for_one_period_both_count_in_its_stored_score(
        vendor_a, vendor_manager, line_manager):
    """Two people report two measures of the same period at the same moment (two threads,
    two connections): without the lock on the stored row each would store the score it saw
    (its own actual, not the other's uncommitted one) and the last to commit would win.
    (Approving a submitted actual leaves its score as it is — submitted actuals count
    already — and runs the same refresh.)"""
    make_scorecard(vendor_a, by=vendor_manager, quarters=4)
    for quarters_ago in (1, 2, 3, 4):  # a few rounds: a lucky interleaving cannot hide it
        target = period(vendor_a, quarters_ago)
        calls = [(lambda name=name, value=value, target=target: services.actual_record(
            measure=measure(vendor_a, name), period=target, by=line_manager,
            internal_value=D(value), comment="Explained", submit=True))
            for name, value in (("Availability", "99.9"), ("Resolution", "86"))]
        outcomes = at_once(*calls)
        assert [o.error for o in outcomes] == [None, None]
        # Availability alone would be 100.0, resolution alone 58.0; both: 83.2.
        assert assert_current(vendor_a, quarters_ago).score == D("83.2")
        approvals = at_once(*[(lambda a=o.value: services.actual_approve(a, by=line_manager))
                              for o in outcomes])
        assert [o.error for o in approvals] == [None, None]
        assert assert_current(vendor_a, quarters_ago).score == D("83.2")


def test_the_seed_and_the_backfill_store_many_scorecards_chunk_by_chunk(
        monkeypatch, vendor_a, vendor_b, vendor_manager, line_manager):
    make_scorecard(vendor_a, by=vendor_manager)
    make_scorecard(vendor_b, by=vendor_manager)
    approved(vendor_a, "Cost against budget", "101", line_manager)
    ScoredPeriod.objects.all().delete()  # as after a bulk load behind the services
    monkeypatch.setattr(services, "REFRESH_CHUNK", 1)
    cards = [period(vendor).scorecard_id for vendor in (vendor_a, vendor_b)]
    assert services.period_scores_refresh(scorecard_ids=cards) == 8
    assert stored(vendor_a).score == D("90.0")
    assert selectors.stored_scores_differing() == []
