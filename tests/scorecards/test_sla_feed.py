"""Measures fed from an SLA service level: the link, the derived actuals and how they follow
the SLA's evaluations (and its versions)."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import model_to_dict
from django.urls import reverse

from scorecards import forms, selectors, services, sla_feed, tasks
from scorecards.choices import ActualSource, ActualStatus, DataSource
from scorecards.models import Actual, Measure, Objective, Period, TemplateMeasure
from sla import rules
from sla import services as sla_services
from sla.choices import Window
from tests.factories import ContractFactory
from tests.scorecards.factories import make_scorecard, make_template, measure
from tests.sla.factories import VersionFactory, clock, measurement, service_level

pytestmark = pytest.mark.django_db

# Today, in these tests: 2025-Q1 and 2025-Q2 have ended, 2025-Q3 is in progress.
TODAY = date(2025, 7, 10)


@pytest.fixture(autouse=True)
def today():
    with clock(TODAY):
        yield TODAY


@pytest.fixture
def card(vendor_a):
    return make_scorecard(vendor_a, quarters=2)  # periods 2025-Q1 to 2025-Q3


@pytest.fixture
def sl(vendor_a):
    """Monthly availability, met at ≥ 99.5 %, breached below 99 %, in effect since 2025."""
    return service_level(vendor_a, key="uptime", name="Uptime")


def fed(vendor, sl, **fields) -> Measure:
    objective = measure(vendor, "Availability").objective
    values = {"name": "Uptime from the SLA", "definition": "The SLA's worst month.",
              "unit": "%", "direction": "higher", "target": D("99.5"),
              "amber_threshold": D("99.2"), "red_threshold": D("99"), "weight": D(1),
              "data_source": DataSource.SLA, "service_level": sl,
              "active_from": date(2025, 1, 1), **fields}
    return services.part_create(Measure, objective=objective, **values)


def evaluated(sl, values: dict):
    """Measure and evaluate windows {start: value or None (no data)} of `sl`."""
    for start, value in values.items():
        if value is not None:
            measurement(sl, start, value)
    sla_services.evaluate_windows({(sl.pk, start) for start in values})


def actual(m, label) -> Actual | None:
    return Actual.objects.filter(measure=m, period__label=label).first()


JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)
APR, MAY, JUN = date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1)


# -- the link ----------------------------------------------------------------------------------

def test_a_measure_fed_from_an_sla_needs_its_service_level(card, vendor_a):
    with pytest.raises(ValidationError) as error:
        fed(vendor_a, None)
    assert error.value.message_dict["service_level"] == [
        "A measure fed from an SLA needs its service level: pick one of this vendor's SLA "
        "service levels."]


def test_the_service_level_must_be_the_measures_own_vendors(card, vendor_a, vendor_b):
    theirs = service_level(vendor_b)
    with pytest.raises(ValidationError) as error:
        fed(vendor_a, theirs)
    assert error.value.message_dict["service_level"] == [
        "This service level belongs to another vendor's SLA."]
    assert not Measure.objects.filter(name="Uptime from the SLA").exists()


def test_only_a_measure_fed_from_an_sla_links_a_service_level(card, vendor_a, sl):
    with pytest.raises(ValidationError) as error:
        fed(vendor_a, sl, data_source=DataSource.INTERNAL)
    assert "Only a measure fed from an SLA links a service level" in \
        error.value.message_dict["service_level"][0]


def test_a_drafts_service_level_cannot_feed_a_measure(card, vendor_a):
    draft = service_level(vendor_a, version=VersionFactory(
        sla=service_level(vendor_a).version.sla, number=2, status="draft",
        effective_from=None))
    with pytest.raises(ValidationError) as error:
        fed(vendor_a, draft)
    assert "is still draft: link a service level of the version in effect" in \
        error.value.message_dict["service_level"][0]


def test_the_direction_follows_the_slas_rule(card, vendor_a, sl):
    with pytest.raises(ValidationError) as error:
        fed(vendor_a, sl, direction="lower", amber_threshold=D("99.7"), red_threshold=D("99.9"))
    assert "is judged 'higher is better'" in error.value.message_dict["direction"][0]


def test_the_link_errors_come_with_the_measures_other_errors(card, vendor_a, sl):
    with pytest.raises(ValidationError) as error:
        fed(vendor_a, sl, name="", direction="lower", amber_threshold=D("99.7"),
            red_threshold=D("99.9"))
    assert set(error.value.message_dict) == {"name", "direction"}


def test_the_admin_checks_a_measures_sla_link_too(card, vendor_a, sl, rf, vendor_manager):
    m = fed(vendor_a, sl)
    request = rf.get("/")
    request.user = vendor_manager
    form_class = admin.site._registry[Measure].get_form(request, m)
    form = form_class(data={**model_to_dict(m), "service_level": ""}, instance=m)
    assert not form.is_valid()
    assert form.errors["service_level"] == [
        "A measure fed from an SLA needs its service level: pick one of this vendor's SLA "
        "service levels."]


def test_templates_are_shared_so_they_are_never_fed_from_an_sla(vendor_a):
    objective = make_template().perspectives.first().objectives.first()
    with pytest.raises(ValidationError) as error:
        services.part_create(TemplateMeasure, objective=objective, name="x", definition="x",
                             direction="higher", target=D(3), amber_threshold=D(2),
                             red_threshold=D(1), data_source=DataSource.SLA)
    assert "link the service level on the vendor's scorecard" in \
        error.value.message_dict["data_source"][0]


# -- deriving the actual -----------------------------------------------------------------------

def test_the_actual_is_the_worst_window_of_the_period(card, vendor_a, sl, vendor_manager):
    evaluated(sl, {JAN: "99.9", FEB: "99.1", MAR: "99.7", APR: "99.8"})
    m = fed(vendor_a, sl)  # linking derives at once
    q1 = actual(m, "2025-Q1")
    assert (q1.internal_value, q1.value, q1.rag) == (D("99.1"), D("99.1"), "amber")
    assert (q1.source, q1.status, q1.reported_by) == (ActualSource.SLA, ActualStatus.APPROVED,
                                                      None)
    assert q1.comment == (f"Worst of 3 windows of {sl.version.sla.reference} · Uptime: "
                          f"Jan 2025 99.9% met; Feb 2025 99.1% at risk; Mar 2025 99.7% met.")
    assert q1.history.first().history_change_reason == "Derived from the SLA's evaluations"
    # The period in progress has a provisional actual from the windows closed so far.
    assert actual(m, "2025-Q2").value == D("99.8")
    assert actual(m, "2025-Q3") is None


def test_no_evaluations_means_no_data_not_zero(card, vendor_a, sl):
    m = fed(vendor_a, sl)
    assert not m.actuals.exists()
    evaluated(sl, {JAN: None, FEB: None})  # evaluated, but nobody sent data
    assert services.actuals_derive_from_sla().created == 0
    page = selectors.scorecard_page(card, "2025-Q1")
    [line] = [x for x in page.current.lines if x.measure == m]
    assert line.status == "no_data" and line.score is None


def test_windows_without_data_are_left_out_and_named(card, vendor_a, sl):
    evaluated(sl, {JAN: "99.9", FEB: None, MAR: "99.6"})
    q1 = actual(fed(vendor_a, sl), "2025-Q1")
    assert q1.value == D("99.6")
    assert q1.comment.endswith("No data for Feb 2025: not counted.")


def test_an_excused_breach_counts_as_met(card, vendor_a, sl):
    evaluated(sl, {JAN: "99.9", FEB: "97", MAR: "99.8"})
    m = fed(vendor_a, sl)
    assert actual(m, "2025-Q1").rag == "red"
    feb = sl.evaluations.get(window_start=FEB)
    dispute = sla_services.dispute_raise(feb, reason="A planned outage.")
    sla_services.dispute_decide(dispute, decision="accepted", note="Agreed: planned.")
    services.actuals_derive_from_sla()
    q1 = actual(m, "2025-Q1")
    assert q1.value == D("99.5")  # counted at the target
    assert "Feb 2025 97% breached, excused" in q1.comment


def test_a_window_spanning_two_periods_counts_in_the_one_it_ends_in(card, vendor_a):
    weekly = service_level(vendor_a, window=Window.WEEKLY)
    q2_start = date(2025, 4, 1)  # a Tuesday: its week began in 2025-Q1
    spanning = rules.window_start(Window.WEEKLY, q2_start)
    assert spanning < q2_start
    before = rules.previous_window(Window.WEEKLY, spanning)
    evaluated(weekly, {before: "99.9", spanning: "98"})
    m = fed(vendor_a, weekly)
    assert actual(m, "2025-Q1").value == D("99.9")
    assert actual(m, "2025-Q2").value == D("98")
    assert "w/c 31 Mar 2025" in actual(m, "2025-Q2").comment


def test_the_link_follows_its_service_level_into_a_new_version(card, vendor_a, vendor_manager):
    """v1 (≥ 99.5 %) until April, v2 (≥ 99.8 %, breached below 99.5 %) from May: a measure
    linked before the new version finds the windows of both, each judged by its own."""
    with clock(date(2025, 1, 1)):
        contract = ContractFactory(vendor=vendor_a, start_date=date(2025, 1, 1),
                                   end_date=date(2027, 12, 31))
        sla = sla_services.sla_create(vendor=vendor_a, by=vendor_manager, contract=contract,
                                      reference="ACME-SLA", name="Hosting",
                                      monthly_charge=D("1000"))
        v1 = sla.versions.get()
        old = sla_services.service_level_create(
            v1, key="uptime", name="Uptime", measured="Monitoring", unit="percent",
            comparator="gte", target=D("99.5"), breach_threshold=D("99"))
        sla_services.version_mark_reviewed(v1, by=vendor_manager)
        sla_services.version_make_effective(v1, by=vendor_manager,
                                            effective_from=date(2025, 1, 1))
    with clock(APR + timedelta(days=10)):
        evaluated(old, {JAN: "99.7", FEB: "99.6", MAR: "99.9"})
        m = fed(vendor_a, old)
        v2 = sla_services.version_draft(sla, by=vendor_manager, summary="Tighter")
        new = v2.service_levels.get(key="uptime")
        sla_services.service_level_update(new, by=vendor_manager, target=D("99.8"),
                                          breach_threshold=D("99.5"))
        sla_services.version_mark_reviewed(v2, by=vendor_manager)
        sla_services.version_make_effective(v2, by=vendor_manager, effective_from=MAY)
    evaluated(old, {APR: "99.6"})  # April is still governed by v1
    evaluated(new, {MAY: "99.7", JUN: "99.9"})
    assert services.actuals_derive_from_sla().created == 1
    q2 = actual(m, "2025-Q2")
    assert q2.value == D("99.6")  # April under v1; May's 99.7 is at risk under v2
    assert q2.comment == ("Worst of 3 windows of ACME-SLA · Uptime: Apr 2025 99.6% met; "
                          "May 2025 99.7% at risk; Jun 2025 99.9% met.")
    # Linking the new version's service level reads the old windows just the same.
    again = fed(vendor_a, new, name="Uptime, linked to v2")
    assert [actual(again, q).value for q in ("2025-Q1", "2025-Q2")] == [D("99.6"), D("99.6")]
    assert m.service_level_id == old.pk  # the link itself never moves
    # Pages name it as it reads today, and its form offers today's service level only.
    assert str(selectors.measure_get(vendor_a, m.pk).feed) == "ACME-SLA · Uptime"
    assert selectors.measure_get(vendor_a, m.pk).feed.rule.startswith("Met at ≥ 99.8%")
    form = forms.SCORECARD_PART_FORMS["measures"](instance=m, vendor=vendor_a,
                                                  parents=Objective.objects.none())
    assert list(form.fields["service_level"].queryset) == [new]
    assert form.initial["service_level"] == new.pk


def test_a_changed_evaluation_refreshes_the_actual_with_history(card, vendor_a, sl):
    evaluated(sl, {JAN: "99.9", FEB: "98.5", MAR: "99.8"})
    m = fed(vendor_a, sl)
    assert actual(m, "2025-Q1").rag == "red"
    evaluated(sl, {FEB: "99.6"})  # a corrected measurement re-evaluates February
    result = tasks.derive_actuals_from_sla()
    assert result == "0 actuals derived from SLAs, 1 re-derived, 0 unchanged."
    q1 = actual(m, "2025-Q1")
    assert (q1.value, q1.rag) == (D("99.6"), "green")
    assert [h.internal_value for h in q1.history.all()] == [D("99.6"), D("98.5")]
    # Safe to run twice: nothing changed, nothing written.
    assert services.actuals_derive_from_sla().updated == 0
    assert q1.history.count() == 2


def test_a_locked_period_keeps_its_reviewed_figure_and_records_the_restatement_beside_it(
        client, card, vendor_a, sl, vendor_manager):
    """A locked period never changes under its reviewers: a later correction of a window
    behind it is recorded as "restated after lock" for the next review, not applied."""
    evaluated(sl, {JAN: "99.9", FEB: "98.5", MAR: "99.8"})
    m = fed(vendor_a, sl)
    services.period_lock(Period.objects.get(vendor=vendor_a, label="2025-Q1"),
                         by=vendor_manager)
    reviewed = actual(m, "2025-Q1")
    services.part_update(m, target=D("99.7"), amber_threshold=D("99.4"))
    evaluated(sl, {FEB: "99.6"})
    result = services.actuals_derive_from_sla()
    q1 = actual(m, "2025-Q1")
    assert (q1.value, q1.comment, q1.target) == (D("98.5"), reviewed.comment, D("99.5"))
    assert result.restated == 1 and q1.restated_after_lock
    assert q1.restated_value == D("99.6") and "Feb 2025 99.6%" in q1.restated_comment
    assert q1.history.first().history_change_reason.startswith("Restated after lock")
    assert selectors.actuals_restated_after_lock(vendor_a) == [q1]
    client.force_login(vendor_manager)
    page = client.get(reverse("scorecards:measure", args=[vendor_a.slug, m.pk]))
    assert ("Restated after lock, 10 Jul 2025: the SLA now gives 99.6 %; the locked period "
            "keeps the reviewed value.") in page.content.decode()
    # Safe to run twice; and back at the reviewed figure, the flag goes.
    assert services.actuals_derive_from_sla().restated == 0
    evaluated(sl, {FEB: "98.5"})
    services.actuals_derive_from_sla()
    q1.refresh_from_db()
    assert not q1.restated_after_lock and q1.value == D("98.5")
    assert selectors.actuals_restated_after_lock(vendor_a) == []


def test_a_locked_period_gets_no_actual_added_when_its_first_window_is_evaluated_late(
        card, vendor_a, sl, vendor_manager):
    m = fed(vendor_a, sl)
    services.period_lock(Period.objects.get(vendor=vendor_a, label="2025-Q1"),
                         by=vendor_manager)
    evaluated(sl, {JAN: "99.9"})
    services.actuals_derive_from_sla()
    assert actual(m, "2025-Q1") is None


def test_derived_actuals_are_not_entered_sent_back_or_disputed_here(card, vendor_a, sl, alice,
                                                                     vendor_manager):
    evaluated(sl, {JAN: "99.9"})
    m = fed(vendor_a, sl)
    q1 = actual(m, "2025-Q1")
    with pytest.raises(ValidationError) as error:
        services.actual_record(measure=m, period=q1.period, by=vendor_manager,
                               internal_value=D("100"))
    assert error.value.message_dict["measure"] == [
        "'Uptime from the SLA' is fed from an SLA service level, not entered."]
    with pytest.raises(ValidationError) as error:
        services.actual_send_back(q1, by=vendor_manager, reason="Wrong")
    assert "derived from the SLA's evaluations" in error.value.message_dict["status"][0]
    with pytest.raises(ValidationError) as error:
        services.dispute_raise(actual=q1, by=alice, reason="Wrong")
    assert "dispute the evaluation of the window on the SLA" in \
        error.value.message_dict["actual"][0]


def test_feeding_a_measure_from_the_sla_and_back(card, vendor_a, sl, vendor_manager):
    availability = measure(vendor_a, "Availability")
    q2 = Period.objects.get(vendor=vendor_a, label="2025-Q2")
    entered = services.actual_record(measure=availability, period=q2, by=vendor_manager,
                                     vendor_value=D("99.99"), submit=True)
    evaluated(sl, {APR: "99.3"})
    services.part_update(availability, data_source=DataSource.SLA, service_level=sl,
                         change_reason="Measured by the SLA from now on")
    entered.refresh_from_db()
    assert (entered.source, entered.value, entered.vendor_value) == (
        ActualSource.SLA, D("99.3"), D("99.99"))  # ours is scored; theirs stays visible
    assert entered.history.first().history_change_reason == \
        "Fed from the SLA from now on: derived from its evaluations"
    services.part_update(availability, data_source=DataSource.INTERNAL)
    availability.refresh_from_db()
    assert availability.service_level is None  # the link goes with the source
    corrected = services.actual_record(measure=availability, period=q2, by=vendor_manager,
                                       internal_value=D("99.4"), reason="Our own count")
    assert corrected.source == ActualSource.ENTERED


@pytest.mark.parametrize(("comparator", "values", "expected"), [
    ("gte", ["99.9", "99.1", "99.7"], "99.1"),
    ("lte", ["3.1", "7.5", "2.2"], "7.5"),
])
def test_worst_means_worst_by_the_slas_rule(comparator, values, expected):
    from sla.selectors import FeedWindow
    windows = [FeedWindow(date(2025, i + 1, 1), date(2025, i + 1, 28), f"M{i}", "met",
                          D(v), False, comparator, D("4"), "hours", 1)
               for i, v in enumerate(values)]
    derived = sla_feed.derive(windows, comparator=comparator, unit="hours", source="S")
    assert derived.value == D(expected)
    assert sla_feed.derive([], comparator=comparator, unit="hours", source="S").value is None


def test_windows_measured_under_other_terms_are_left_out():
    from sla.selectors import FeedWindow
    windows = [FeedWindow(date(2025, 1, 1), date(2025, 1, 31), "Jan", "met", D("30"), False,
                          "lte", D("60"), "minutes", 1),
               FeedWindow(date(2025, 2, 1), date(2025, 2, 28), "Feb", "met", D("2"), False,
                          "lte", D("4"), "hours", 2)]
    derived = sla_feed.derive(windows, comparator="lte", unit="minutes", source="S")
    assert derived.value == D("30")
    assert derived.comment.endswith("Measured under other terms, so left out: Feb (version 2).")


# -- pages and API -----------------------------------------------------------------------------

def test_the_scorecard_and_measure_pages_say_where_the_value_comes_from(client, card, vendor_a,
                                                                        sl, line_manager):
    evaluated(sl, {JAN: "99.9", FEB: "99.1", MAR: "99.7"})
    m = fed(vendor_a, sl)
    client.force_login(line_manager)
    tab = client.get(reverse("scorecards:vendor", args=[vendor_a.slug]) + "?period=2025-Q1")
    assert f"from SLA <a href=\"{reverse('sla:service_level', args=[vendor_a.slug, sl.pk])}\">" \
           f"{sl.version.sla.reference} · Uptime</a>" in tab.text
    assert "From the SLA" in tab.text and "Measures fed from an SLA" in tab.text
    csv = client.get(reverse("scorecards:vendor", args=[vendor_a.slug]),
                     {"period": "2025-Q1", "format": "csv"}).content.decode()
    assert f"SLA {sl.version.sla.reference} · Uptime" in csv
    page = client.get(reverse("scorecards:measure", args=[vendor_a.slug, m.pk]))
    assert "Fed from SLA" in page.text and "Feb 2025 99.1% at risk" in page.text
    form = client.get(reverse("scorecards:actuals_edit", args=[vendor_a.slug]) +
                      "?period=2025-Q1")
    assert "Uptime from the SLA" not in form.text  # derived, never entered


def test_the_measure_form_offers_only_the_vendors_service_levels_in_effect(
        client, card, vendor_a, vendor_b, sl, vendor_manager):
    theirs = service_level(vendor_b, name="Borealis uptime")
    draft = service_level(vendor_a, name="Draft uptime", version=VersionFactory(
        sla=sl.version.sla, number=2, status="draft", effective_from=None))
    client.force_login(vendor_manager)
    url = reverse("scorecards:part_create", args=[vendor_a.slug, "measures"])
    offered = list(client.get(url).context["form"].fields["service_level"].queryset)
    assert offered == [sl] and theirs not in offered and draft not in offered
    data = {"objective": measure(vendor_a, "Availability").objective_id,
            "name": "Uptime from the SLA", "definition": "Worst month", "unit": "%",
            "direction": "higher", "target": "99.5", "amber_threshold": "99.2",
            "red_threshold": "99", "weight": "1", "data_source": "sla", "frequency": "quarterly",
            "position": "4", "active_from": "2025-01-01"}
    missing = client.post(url, data)
    assert "needs its service level" in missing.context["form"].errors["service_level"][0]
    other = client.post(url, {**data, "service_level": theirs.pk})
    assert "service_level" in other.context["form"].errors  # not a choice here
    assert client.post(url, {**data, "service_level": sl.pk}).status_code == 302
    assert Measure.objects.get(name="Uptime from the SLA").service_level == sl


def test_the_api_shows_and_validates_the_link(token_client, card, vendor_a, vendor_b, sl,
                                              vendor_manager, alice):
    evaluated(sl, {JAN: "99.9"})
    m = fed(vendor_a, sl)
    api = token_client(vendor_manager)
    body = api.get(f"/api/v1/scorecard-measures/{m.pk}/").json()
    assert (body["data_source"], body["service_level"]) == ("sla", sl.pk)
    new = {"vendor": vendor_a.pk, "objective": m.objective_id, "name": "Uptime again",
           "definition": "Worst month", "unit": "%", "direction": "higher", "target": "99.5",
           "amber_threshold": "99.2", "red_threshold": "99", "weight": "1",
           "data_source": "sla", "active_from": "2025-01-01"}
    theirs = service_level(vendor_b)
    wrong = api.post("/api/v1/scorecard-measures/", {**new, "service_level": theirs.pk},
                     format="json")
    assert wrong.status_code == 400
    assert wrong.json()["service_level"] == ["This service level belongs to another vendor's "
                                             "SLA."]
    assert token_client(alice).get(f"/api/v1/scorecard-measures/{m.pk}/").json()[
        "service_level"] == sl.pk
    created = api.post("/api/v1/scorecard-measures/", {**new, "service_level": sl.pk},
                       format="json")
    assert created.status_code == 201 and created.json()["service_level"] == sl.pk
    assert Actual.objects.get(measure_id=created.json()["id"]).value == D("99.9")
    q3 = Period.objects.get(vendor=vendor_a, label="2025-Q3")
    entered = api.post("/api/v1/scorecard-actuals/", {
        "measure": m.pk, "period": q3.pk, "internal_value": "100"}, format="json")
    assert entered.status_code == 400
    assert entered.json()["measure"] == ["'Uptime from the SLA' is fed from an SLA service "
                                         "level, not entered."]
    switched = api.patch(f"/api/v1/scorecard-measures/{m.pk}/", {"data_source": "internal"},
                         format="json")
    assert switched.status_code == 200 and switched.json()["service_level"] is None


def test_the_hourly_run_rederives_only_the_periods_holding_a_window_evaluated_since_it_last_ran(
        card, vendor_a, sl):
    """Periodic work scales with what changed: between daily full runs, a late value for
    February re-derives 2025-Q1 of the measure it feeds, and reads nothing else."""
    from unittest import mock

    from django.core.cache import cache
    from django.utils import timezone

    def at(hours):
        moment = timezone.make_aware(timezone.datetime(2025, 7, 10, 9)) \
            + timedelta(hours=hours)
        return mock.patch("django.utils.timezone.now", lambda: moment)

    cache.delete_many([tasks.DERIVE_CURSOR, tasks.DERIVE_FULL_CURSOR])
    with at(-1):
        evaluated(sl, {JAN: "99.9", FEB: "98.5", MAR: "99.8", APR: "99.9", MAY: "99.9",
                       JUN: "99.9"})
        m = fed(vendor_a, sl)
    with at(0):  # no cursor yet: a full run, which reads both ended quarters
        assert tasks.derive_actuals_from_sla() == \
            "0 actuals derived from SLAs, 0 re-derived, 2 unchanged."
    with at(1):
        evaluated(sl, {FEB: "99.6"})  # a late value for February
    with at(2):
        assert tasks.derive_actuals_from_sla() == \
            "0 actuals derived from SLAs, 1 re-derived, 0 unchanged."
    assert actual(m, "2025-Q1").value == D("99.6")
    with at(3):  # nothing evaluated since the last run (beyond its overlap): nothing read
        assert tasks.derive_actuals_from_sla() == \
            "0 actuals derived from SLAs, 0 re-derived, 0 unchanged."
    with at(25):  # a day after the full run: the full run again
        assert tasks.derive_actuals_from_sla() == \
            "0 actuals derived from SLAs, 0 re-derived, 2 unchanged."
