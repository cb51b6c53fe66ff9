"""Measurements, evaluation, corrective actions, disputes and CSV imports, through the
services."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sla import ingest, services
from sla.choices import CorrectiveActionStatus as CA
from sla.choices import EvaluationStatus, MeasurementSource, Unit, Window
from sla.models import CorrectiveAction, Evaluation, Measurement, MeasurementImport
from tests.factories import VendorFactory
from tests.sla.factories import SLAFactory, VersionFactory, clock, service_level

pytestmark = pytest.mark.django_db
TODAY = date(2025, 8, 15)


@pytest.fixture
def sl(vendor_a, line_manager):
    level = service_level(vendor_a)
    sla = level.version.sla
    sla.owner = line_manager
    sla.save()
    return level


def submit(rows, *, by=None, vendor_ids=None, today=TODAY, **kwargs):
    with clock(today):
        return services.measurements_submit(rows, by=by, source=MeasurementSource.API,
                                            vendor_ids=vendor_ids, evaluate=False, **kwargs)


def row(sl, start="2025-03-01", value=99.7, **extra):
    return {"service_level": sl.pk, "window_start": start, "value": value, **extra}


def reasons(rows, **kwargs) -> dict[int, str]:
    with pytest.raises(ingest.RowsRejected) as rejected:
        submit(rows, **kwargs)
    return {e.index: e.message for e in rejected.value.errors}


# -- measurements ---------------------------------------------------------------------------


def test_a_measurement_for_a_closed_window_is_stored_with_its_source(sl, alice):
    result = submit([row(sl, note="From monitoring", external_id="m-1")], by=alice)
    assert (result.created, result.unchanged) == (1, 0)
    m = Measurement.objects.get()
    assert (m.vendor, m.value, m.window_end, m.source, m.submitted_by, m.external_id) == (
        sl.version.sla.vendor, D("99.7"), date(2025, 3, 31), "api", alice, "m-1")


@pytest.mark.parametrize(("changes", "reason"), [
    ({"window_start": "2025-08-01"}, "has not ended yet"),
    ({"window_start": "2025-03-05"}, "not the first day of a monthly window"),
    ({"window_start": "2024-12-01"}, "Outside the SLA's effective dates"),
    ({"window_start": "5 March"}, "YYYY-MM-DD"),
    ({"window_start": "2025-02-30"}, "is not a date"),
    ({"value": "abc"}, "must be a number"),
    ({"value": float("nan")}, "finite"),
    ({"value": True}, "must be a number"),
    ({"value": 100.5}, "between 0 and 100"),
    ({"value": 1e12}, "too large"),
    ({"unit": "hours"}, "Unit mismatch"),
    ({"service_level": "x"}, "whole number"),
    ({"service_level": 0}, "whole number"),
    ({"external_id": "x" * 101}, "longer than 100"),
    ({"note": 5}, "must be text"),
])
def test_bad_input_is_refused_with_the_reason(sl, changes, reason):
    assert reason in reasons([{**row(sl), **changes}])[0]
    assert not Measurement.objects.exists()


def test_units_may_be_named_by_code_symbol_or_label(sl):
    assert submit([row(sl, unit="%"), row(sl, "2025-04-01", unit="percent")]).created == 2


def test_a_negative_duration_is_refused_but_a_negative_score_is_fine(vendor_a):
    hours = service_level(vendor_a, unit=Unit.HOURS, comparator="lte", target=4,
                          breach_threshold=6)
    score = service_level(vendor_a, unit=Unit.SCORE, target=10, breach_threshold=0)
    assert "cannot be negative" in reasons([row(hours, value=-1)])[0]
    assert submit([row(score, value=-20)]).created == 1


def test_one_bad_row_rejects_the_whole_batch_and_every_bad_row_is_named(sl):
    rows = [row(sl, f"2025-0{m}-01") for m in range(1, 8)]
    rows[2]["value"] = "n/a"
    rows[5]["window_start"] = "2025-09-01"
    found = reasons(rows)
    assert set(found) == {2, 5}
    assert not Measurement.objects.exists()


def test_duplicates_within_one_batch_are_refused(sl):
    found = reasons([row(sl, external_id="a"), row(sl, "2025-04-01", external_id="a"),
                     row(sl, "2025-05-01"), row(sl, "2025-05-01", value=99.9)])
    assert found == {1: "Duplicate external id 'a' (also at index 0).",
                     3: f"A second value for {sl.name}, May 2025 (also at index 2); send one "
                        "value per service level and window."}


def test_resubmitting_the_same_batch_creates_nothing_and_says_so(sl):
    rows = [row(sl, f"2025-0{m}-01", external_id=f"m-{m}") for m in range(1, 6)]
    assert submit(rows).created == 5
    again = submit(rows)
    assert (again.created, again.unchanged) == (0, 5)
    assert Measurement.objects.count() == 5


def test_an_external_id_reused_for_another_value_is_refused(sl):
    submit([row(sl, external_id="m-1")])
    assert "already used for another measurement" in reasons(
        [row(sl, value=98, external_id="m-1")])[0]


def test_a_service_level_the_sender_may_not_submit_to_looks_like_one_that_does_not_exist(
        sl, vendor_b):
    other = service_level(vendor_b)
    mine_only = {sl.version.sla.vendor_id}
    assert (reasons([row(other)], vendor_ids=mine_only)[0].replace(str(other.pk), "N")
            == reasons([row(other, service_level=999_999)], vendor_ids=mine_only)[0].replace(
        "999999", "N"))


def test_archived_slas_take_no_measurements(sl):
    sla = sl.version.sla
    sla.archived_at = timezone.now()
    sla.save()
    assert reasons([row(sl)]) == {0: "This SLA is archived."}


def test_batches_have_a_size_limit_and_must_be_lists(sl):
    with pytest.raises(ingest.RowsRejected, match="Nothing was saved"):
        submit([row(sl)] * (ingest.MAX_BATCH + 1))
    with pytest.raises(ingest.RowsRejected):
        submit({"service_level": sl.pk})
    assert reasons(["not an object"]) == {0: "Each measurement must be an object."}


# -- evaluation -----------------------------------------------------------------------------


def evaluate(today=TODAY):
    with clock(today):
        return services.evaluations_refresh()


def status_of(sl, start):
    return Evaluation.objects.get(service_level=sl, window_start=start)


def test_every_closed_window_is_evaluated_once_and_missing_data_is_no_data(sl):
    submit([row(sl, "2025-01-01", 99.7), row(sl, "2025-02-01", 99.2),
            row(sl, "2025-03-01", 98.1)])
    result = evaluate()
    assert result.created == 7  # January to July; August is still open
    statuses = dict(Evaluation.objects.values_list("window_start", "status"))
    assert statuses[date(2025, 1, 1)] == "met"
    assert statuses[date(2025, 2, 1)] == "at_risk"
    assert statuses[date(2025, 3, 1)] == "breached"
    assert statuses[date(2025, 4, 1)] == "no_data"
    again = evaluate()
    assert (again.created, again.updated) == (0, 0)
    assert Evaluation.objects.count() == 7
    assert evaluate(date(2025, 9, 1)).created == 1  # August has closed


def test_late_data_redoes_the_evaluation_and_keeps_the_history(sl, alice):
    evaluate()
    assert status_of(sl, date(2025, 4, 1)).status == "no_data"
    submit([row(sl, "2025-04-01", 99.9)], by=alice)
    result = evaluate()
    assert result.updated == 1
    evaluation = status_of(sl, date(2025, 4, 1))
    assert (evaluation.status, evaluation.value) == ("met", D("99.9"))
    assert list(evaluation.history.values_list("status", flat=True)) == ["met", "no_data"]


def test_the_newest_measurement_counts(sl):
    submit([row(sl, "2025-05-01", 98)])
    submit([row(sl, "2025-05-01", 99.8)])
    evaluate()
    assert status_of(sl, date(2025, 5, 1)).status == "met"


def test_a_breach_opens_a_corrective_action_for_the_slas_owner(sl, line_manager):
    submit([row(sl, "2025-03-01", 98.1)])
    evaluate()
    action = CorrectiveAction.objects.get()
    assert action.owner == line_manager and action.status == CA.OPEN
    assert action.due_on == TODAY + timedelta(days=30)
    assert action.side_responsible == ""  # not known yet, and not assumed
    assert "98.1% is below the 99% breach threshold" in action.description
    assert status_of(sl, date(2025, 3, 1)).corrective_action == action


def test_consecutive_breaches_join_the_open_action_others_open_their_own(sl):
    submit([row(sl, "2025-02-01", 90), row(sl, "2025-03-01", 91), row(sl, "2025-04-01", 99.9),
            row(sl, "2025-05-01", 92)])
    result = evaluate()
    assert (result.corrective_actions_opened, result.breaches_linked) == (2, 1)
    february = status_of(sl, date(2025, 2, 1)).corrective_action
    assert status_of(sl, date(2025, 3, 1)).corrective_action == february
    assert status_of(sl, date(2025, 5, 1)).corrective_action != february


def test_a_breach_right_after_a_closed_action_opens_a_new_one(sl, line_manager):
    submit([row(sl, "2025-02-01", 90)])
    evaluate(date(2025, 3, 5))
    action = CorrectiveAction.objects.get()
    with clock(date(2025, 3, 20)):
        services.corrective_action_update(
            action, by=line_manager, status=CA.VERIFIED, root_cause="Disk",
            side_responsible="vendor", verification_note="Checked")
    submit([row(sl, "2025-03-01", 90)], today=date(2025, 4, 2))
    evaluate(date(2025, 4, 2))
    assert CorrectiveAction.objects.count() == 2


def test_consecutive_breaches_are_linked_across_a_new_version(vendor_a):
    old = service_level(vendor_a, key="avail")
    old.version.effective_until = date(2025, 3, 31)
    old.version.status = "superseded"
    old.version.save()
    new_version = VersionFactory(sla=old.version.sla, number=2, effective_from=date(2025, 4, 1))
    new = service_level(vendor_a, version=new_version, key="avail")
    submit([row(old, "2025-03-01", 90), row(new, "2025-04-01", 90)])
    evaluate()
    assert (status_of(old, date(2025, 3, 1)).corrective_action
            == status_of(new, date(2025, 4, 1)).corrective_action)


def test_the_task_evaluates(sl):
    from sla.tasks import evaluate_closed_windows
    with clock(TODAY):
        assert "7 windows evaluated" in evaluate_closed_windows()


def test_windows_missing_data_is_the_seam_for_reminders(sl, alice, vendor_b):
    from sla.selectors import windows_missing_data
    service_level(vendor_b)
    submit([row(sl, "2025-01-01")])
    evaluate()
    mine = windows_missing_data(alice)
    assert {e.window_start for e in mine} == {date(2025, m, 1) for m in range(2, 8)}
    assert windows_missing_data().count() == 6 + 7  # a reminder job sees every vendor


# -- corrective actions ---------------------------------------------------------------------


@pytest.fixture
def action(sl, alice):
    submit([row(sl, "2025-03-01", 90)])
    evaluate()
    action = CorrectiveAction.objects.get()
    action.owner = alice
    action.save()
    return action


def test_the_owners_side_reports_progress_but_done_needs_a_root_cause(action, alice):
    with pytest.raises(ValidationError, match="root_cause"):
        services.corrective_action_report_progress(action, by=alice, status=CA.DONE)
    services.corrective_action_report_progress(action, by=alice, status=CA.DONE,
                                               root_cause="Backup window too short",
                                               side_responsible="shared")
    assert action.history.first().history_user == alice
    with pytest.raises(ValidationError, match="verifying"):
        services.corrective_action_report_progress(action, by=alice, status=CA.VERIFIED)


def test_verifying_needs_the_side_and_a_note_and_closes_the_action(action, line_manager):
    action.root_cause = "Backup window too short"
    with pytest.raises(ValidationError) as error:
        services.corrective_action_update(action, by=line_manager, status=CA.VERIFIED)
    assert set(error.value.message_dict) == {"side_responsible", "verification_note"}
    action = CorrectiveAction.objects.get()
    with clock(TODAY):
        services.corrective_action_update(action, by=line_manager, status=CA.VERIFIED,
                                          root_cause="Our change freeze", side_responsible="ours",
                                          verification_note="Three clean weeks")
    assert action.closed_on == TODAY and not action.is_open
    with pytest.raises(ValidationError, match="closed"):
        services.corrective_action_update(action, by=line_manager, status=CA.OPEN)


# -- disputes -------------------------------------------------------------------------------


@pytest.fixture
def breach(action):
    return Evaluation.objects.get(status=EvaluationStatus.BREACHED)


def test_the_vendor_disputes_within_the_window_only(breach, alice):
    deadline = breach.dispute_deadline()
    assert deadline == TODAY + timedelta(days=10)
    with clock(deadline + timedelta(days=1)), pytest.raises(ValidationError, match="closed"):
        services.dispute_raise(breach, by=alice, reason="Monitoring was down")
    with clock(deadline):
        dispute = services.dispute_raise(breach, by=alice, reason="Monitoring was down")
        with pytest.raises(ValidationError, match="already"):
            services.dispute_raise(breach, by=alice, reason="Again")
    assert dispute.status == "open" and dispute.raised_by == alice


def test_a_met_window_cannot_be_disputed(sl, alice):
    submit([row(sl, "2025-06-01", 99.9)])
    evaluate()
    with clock(TODAY), pytest.raises(ValidationError, match="nothing to dispute"):
        services.dispute_raise(status_of(sl, date(2025, 6, 1)), by=alice, reason="Why not")


def test_accepting_with_a_corrected_value_re_evaluates_the_window(breach, alice, line_manager):
    with clock(TODAY):
        dispute = services.dispute_raise(breach, by=alice, reason="Wrong export")
        services.dispute_decide(dispute, by=line_manager, decision="accepted",
                                note="Re-ran the report", corrected_value=D("99.6"))
    breach.refresh_from_db()
    assert (breach.status, breach.value) == ("met", D("99.6"))
    assert Measurement.objects.filter(source="form", submitted_by=line_manager).exists()
    assert list(breach.dispute.history.values_list("status", flat=True)) == ["accepted", "open"]


def test_accepting_without_a_value_excuses_the_window_and_rejecting_changes_nothing(
        breach, alice, line_manager):
    with clock(TODAY):
        dispute = services.dispute_raise(breach, by=alice, reason="Your network change")
        with pytest.raises(ValidationError, match="note"):
            services.dispute_decide(dispute, by=line_manager, decision="accepted", note=" ")
        services.dispute_decide(dispute, by=line_manager, decision="accepted",
                                note="Our change caused it")
        with pytest.raises(ValidationError, match="decided already"):
            services.dispute_decide(dispute, by=line_manager, decision="rejected", note="No")
    breach.refresh_from_db()
    assert breach.status == "breached" and breach.excused and breach.counts_as_met


# -- CSV imports ----------------------------------------------------------------------------

HEADER = "sla,service_level,window_start,value,unit,note,external_id\n"


def csv_for(sl, *lines):
    ref = sl.version.sla.reference
    return HEADER + "".join(f"{ref},{sl.key},{line}\n" for line in lines)


def test_a_preview_stores_nothing_and_the_commit_stores_everything(sl, line_manager):
    vendor = sl.version.sla.vendor
    content = csv_for(sl, "2025-01-01,99.7,%,Desk report,r-1", "2025-02-01,99.2,,,")
    with clock(TODAY):
        csv_import = services.import_preview(vendor=vendor, by=line_manager,
                                             filename="june.csv", content=content)
        assert csv_import.row_count == 2 and not Measurement.objects.exists()
        result = services.import_commit(csv_import, by=line_manager)
        assert result.created == 2
        with pytest.raises(ValidationError, match="committed already"):
            services.import_commit(csv_import, by=line_manager)
    assert set(Measurement.objects.values_list("source", "csv_import")) == {
        ("csv", csv_import.pk)}
    # Imports from the page are evaluated at once.
    assert status_of(sl, date(2025, 2, 1)).status == "at_risk"


def test_an_import_with_bad_rows_names_each_row_and_saves_nothing(sl, line_manager):
    vendor = sl.version.sla.vendor
    content = (csv_for(sl, "2025-01-01,99.7,,,", "2025-02-01,lots,,,", "2025-13-01,99,,,")
               + "NOPE,avail,2025-03-01,99,,,\n")
    with clock(TODAY), pytest.raises(ingest.RowsRejected) as rejected:
        services.import_preview(vendor=vendor, by=line_manager, filename="bad.csv",
                                content=content)
    assert [(e.index, e.field) for e in rejected.value.errors] == [
        (3, "value"), (4, "window_start"), (5, "service_level")]
    assert "No SLA 'NOPE' for this vendor." in rejected.value.errors[2].message
    assert str(rejected.value) == "Nothing was saved: 3 of 4 rows have errors."
    assert not MeasurementImport.objects.exists() and not Measurement.objects.exists()


def test_an_import_needs_the_named_columns(sl, line_manager):
    with clock(TODAY), pytest.raises(ingest.RowsRejected, match="Nothing was saved") as error:
        services.import_preview(vendor=sl.version.sla.vendor, by=line_manager,
                                filename="x.csv", content="a,b\n1,2\n")
    assert "missing: sla, service_level, window_start, value" in error.value.errors[0].message


def test_an_import_cannot_reach_another_vendors_slas(sl, line_manager):
    other = VendorFactory()
    with clock(TODAY), pytest.raises(ingest.RowsRejected):
        services.import_preview(vendor=other, by=line_manager, filename="x.csv",
                                content=csv_for(sl, "2025-01-01,99,,,"))


def test_the_template_lists_each_service_level_in_effect_for_its_last_closed_window(sl):
    SLAFactory(vendor=sl.version.sla.vendor)  # no version in effect: not listed
    with clock(TODAY):
        rows = services.import_template(sl.version.sla.vendor)
    assert rows[1] == [sl.version.sla.reference, sl.key, "2025-07-01", "", "percent", "", ""]
    assert len(rows) == 2


def test_weekly_windows_start_on_mondays(vendor_a):
    weekly = service_level(vendor_a, window=Window.WEEKLY)
    assert submit([row(weekly, "2025-03-03")]).created == 1
    assert "2025-03-03" in reasons([row(weekly, "2025-03-05")])[0]


@pytest.mark.postgres
def test_big_batches_go_by_copy_on_postgresql_and_keep_every_character(sl):
    vendor = sl.version.sla.vendor
    levels = [service_level(vendor, version=sl.version, key=f"w{i}", window=Window.WEEKLY)
              for i in range(40)]
    mondays = [date(2025, 1, 6) + timedelta(weeks=i) for i in range(30)]
    rows = [{"service_level": level.pk, "window_start": day.isoformat(), "value": 99.5,
             "external_id": f"copy\\{level.pk}\t{day}",
             "note": "line one\nline\ttwo \\ end"} for level in levels for day in mondays]
    assert len(rows) >= ingest.COPY_FROM
    result = submit(rows)
    assert result.created == len(rows) and result.measurements == []  # COPY gives no ids
    stored = Measurement.objects.get(external_id=rows[0]["external_id"])
    assert stored.note == "line one\nline\ttwo \\ end" and stored.value == D("99.5")
    assert submit(rows).unchanged == len(rows)
