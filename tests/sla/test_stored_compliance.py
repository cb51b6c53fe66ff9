"""Stored monthly compliance (`MonthlyCompliance`): every write that changes a month's
evaluations stores its compliance again in the same transaction, the portfolio reads
(`compliance_by_month`, `compliance_trend`) read it and not the evaluations, and it always
equals what the evaluations say (`stored_compliance_differing`)."""

import importlib
import threading
import time
from datetime import date
from decimal import Decimal as D
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sla import compliance, selectors, services
from sla.choices import MeasurementSource
from sla.models import Evaluation, MonthlyCompliance
from tests.factories import UserFactory
from tests.sla.factories import VersionFactory, clock, service_level
from vendorgov.roles import Role
from vendors import services as vendor_services

pytestmark = pytest.mark.django_db

TODAY = date(2025, 8, 15)
MAR, APR, JUN = date(2025, 3, 1), date(2025, 4, 1), date(2025, 6, 1)


@pytest.fixture
def sl(vendor_a, line_manager):
    level = service_level(vendor_a, key="avail", weight=30)
    level.version.sla.owner = line_manager
    level.version.sla.save()
    return level


def submit(sl, start, value, *, on=TODAY, note="", by=None):
    with clock(on):
        return services.measurements_submit(
            [{"service_level": sl.pk, "window_start": start.isoformat(), "value": value,
              "note": note}], by=by, source=MeasurementSource.API, vendor_ids=None,
            evaluate=True, text_values=True)


def evaluate(on=TODAY):
    with clock(on):
        return services.evaluations_refresh()


def stored(vendor, month) -> dict:
    return selectors.compliance_by_month([vendor.pk], month, month).get((vendor.pk, month))


def assert_current():
    assert selectors.stored_compliance_differing() == []


def test_every_window_evaluated_stores_its_months_compliance(sl, vendor_a):
    submit(sl, MAR, "98.1")  # breached
    submit(sl, APR, "99.7")  # met
    evaluate()  # the other closed months: no data
    assert stored(vendor_a, MAR) == {"rate": 0.0, "windows": 1, "breached": 1, "no_data": 0}
    assert stored(vendor_a, APR) == {"rate": 100.0, "windows": 1, "breached": 0, "no_data": 0}
    assert stored(vendor_a, JUN) == {"rate": None, "windows": 1, "breached": 0, "no_data": 1}
    assert MonthlyCompliance.objects.filter(vendor=vendor_a).count() == 7  # Jan to July
    assert_current()


def test_late_data_and_a_correction_after_the_deadline_store_the_month_again(
        sl, vendor_a, line_manager):
    evaluate()
    assert stored(vendor_a, MAR)["no_data"] == 1
    submit(sl, MAR, "98.1")  # late data: re-evaluated as breached
    assert stored(vendor_a, MAR) == {"rate": 0.0, "windows": 1, "breached": 1, "no_data": 0}
    # Long after the dispute window, our correction with its reason.
    submit(sl, MAR, "99.8", on=date(2025, 11, 3), note="Monitoring double-counted",
           by=line_manager)
    assert Evaluation.objects.get(service_level=sl, window_start=MAR).status == "met"
    assert stored(vendor_a, MAR)["rate"] == 100.0
    assert_current()


def test_a_dispute_accepted_excused_or_corrected_stores_the_month_again(
        sl, vendor_a, alice, line_manager):
    submit(sl, MAR, "98.1")
    submit(sl, APR, "98.2")
    with clock(TODAY):
        for start, corrected in ((MAR, None), (APR, D("99.6"))):
            evaluation = Evaluation.objects.get(service_level=sl, window_start=start)
            dispute = services.dispute_raise(evaluation, by=alice, reason="Your change")
            services.dispute_decide(dispute, by=line_manager, decision="accepted",
                                    note="Agreed", corrected_value=corrected)
    # Excused: still breached, counts as met; corrected: met.
    assert stored(vendor_a, MAR) == {"rate": 100.0, "windows": 1, "breached": 0, "no_data": 0}
    assert stored(vendor_a, APR) == {"rate": 100.0, "windows": 1, "breached": 0, "no_data": 0}
    assert_current()


def test_a_csv_import_stores_the_months_it_evaluates(sl, vendor_a, line_manager):
    content = ("sla,service_level,window_start,value,unit,note,external_id\n"
               f"{sl.version.sla.reference},avail,2025-03-01,98.5,%,,\n")
    with clock(TODAY):
        csv_import = services.import_preview(vendor=vendor_a, by=line_manager,
                                             filename="march.csv", content=content)
        services.import_commit(csv_import, by=line_manager)
    assert stored(vendor_a, MAR) == {"rate": 0.0, "windows": 1, "breached": 1, "no_data": 0}
    assert_current()


def test_a_new_versions_weights_count_for_the_windows_it_governs(vendor_a):
    """Weights change only by a new version (a version in force cannot be edited): its
    windows count with its weights, the earlier ones with theirs."""
    old = service_level(vendor_a, key="avail", weight=10, window="weekly")
    other = service_level(vendor_a, key="desk", weight=10, version=old.version)
    old.version.status, old.version.effective_until = "superseded", date(2025, 3, 31)
    old.version.save()
    version = VersionFactory(sla=old.version.sla, number=2, effective_from=APR)
    new = service_level(vendor_a, key="avail", weight=40, version=version, window="weekly")
    service_level(vendor_a, key="desk", weight=10, version=version)
    submit(old, date(2025, 3, 3), "99.7")  # met, weight 10
    submit(other, MAR, "98")  # breached, weight 10
    submit(new, date(2025, 4, 7), "99.7")  # met, weight 40
    evaluate()
    april = Evaluation.objects.filter(vendor=vendor_a, window_end__month=4)
    assert set(april.values_list("service_level__version__number", flat=True)) == {2}
    assert stored(vendor_a, MAR)["rate"] == round(100 * 10 / 20, 1)
    assert stored(vendor_a, APR)["rate"] == 100.0  # the other weeks and desk: no data
    assert MonthlyCompliance.objects.get(vendor=vendor_a, month=APR).weight == 40
    assert_current()


def test_archiving_changes_no_stored_row_and_the_pages_leave_archived_vendors_out(
        sl, vendor_a, vendor_manager, executive):
    submit(sl, MAR, "98.1")
    before = list(MonthlyCompliance.objects.values_list("month", "weight", "ok_weight"))
    vendor_services.record_archive(sl.version.sla, by=vendor_manager)
    assert_current()  # an archived SLA's windows count, as they did when read live
    vendor_services.record_archive(vendor_a, by=vendor_manager)
    assert list(MonthlyCompliance.objects.values_list("month", "weight", "ok_weight")) == before
    with clock(TODAY):
        assert selectors.compliance_trend(executive, MAR, TODAY) == {}
        assert selectors.compliance_for(executive, MAR, TODAY) == {}
    vendor_services.record_restore(vendor_a, by=vendor_manager)
    with clock(TODAY):
        assert selectors.compliance_trend(executive, MAR, TODAY) == {MAR: 0.0}


def test_a_weight_repaired_in_the_admin_stores_the_months_of_its_windows_again(
        client, sl, vendor_a):
    submit(sl, MAR, "99.7")  # met, weight 30
    other = service_level(vendor_a, key="desk", weight=10, version=sl.version)
    submit(other, MAR, "90")  # breached, weight 10
    assert stored(vendor_a, MAR)["rate"] == 75.0
    admin = UserFactory(username="root", role=Role.VENDOR_MANAGER, is_staff=True,
                        is_superuser=True)
    client.force_login(admin)
    data = {name: "" if value is None else value
            for name, value in model_to_dict(other, exclude=["id"]).items()}
    data["weight"] = 30
    response = client.post(reverse("admin:sla_servicelevel_change", args=[other.pk]), data)
    assert response.status_code == 302
    assert stored(vendor_a, MAR)["rate"] == 50.0
    assert_current()


# -- the reads use the stored rows ---------------------------------------------------------


def test_the_portfolio_reads_and_the_trend_read_the_stored_rows_not_the_evaluations(
        client, sl, vendor_a, vendor_b, executive):
    other = service_level(vendor_b, key="avail", weight=10)
    submit(sl, MAR, "98.1")  # vendor a: weight 30, breached
    submit(other, MAR, "99.9")  # vendor b: weight 10, met
    with clock(TODAY), CaptureQueriesContext(connection) as queries:
        trend = selectors.compliance_trend(executive, MAR, TODAY)
        by_month = selectors.compliance_for(executive, MAR, TODAY)
    assert trend[MAR] == 25.0  # 10 of 40
    assert by_month[(vendor_b.pk, MAR)]["rate"] == 100.0
    assert len(queries) == 2
    assert not any("sla_evaluation" in q["sql"] for q in queries.captured_queries)
    # Changed behind the services: the pages show what was stored.
    Evaluation.objects.filter(vendor=vendor_a).update(status="met")
    client.force_login(executive)
    with clock(TODAY):
        rows = client.get(reverse("sla:portfolio"), {"format": "csv"}).content.decode()
        assert selectors.compliance_trend(executive, MAR, TODAY)[MAR] == 25.0
    header, *lines = [line.split(",") for line in rows.strip().splitlines()]
    march = header.index("Mar 2025")
    assert {line[0]: line[march] for line in lines} == {vendor_a.name: "0.0",
                                                        vendor_b.name: "100.0"}
    assert selectors.stored_compliance_differing() != []


# -- rebuild, check, migration, seed --------------------------------------------------------


def test_recompliance_check_names_the_stale_months_and_recompliance_repairs_them(
        sl, vendor_a):
    submit(sl, MAR, "98.1")
    call_command("recompliance", "--check", stdout=StringIO())
    Evaluation.objects.filter(vendor=vendor_a).update(status="met")  # behind the services
    MonthlyCompliance.objects.filter(month=APR).delete()
    out = StringIO()
    with pytest.raises(CommandError, match="1 stored monthly compliance rows differ"):
        call_command("recompliance", "--check", stdout=out)
    assert f"stale: vendor {vendor_a.pk} 2025-03" in out.getvalue()
    call_command("recompliance", stdout=StringIO())
    assert stored(vendor_a, MAR)["rate"] == 100.0
    assert_current()


def test_the_migration_fills_the_stored_rows_from_the_evaluations(sl, vendor_a, vendor_b):
    submit(sl, MAR, "98.1")
    evaluate()
    service_level(vendor_b, key="avail")
    evaluate()
    expected = sorted(MonthlyCompliance.objects.values_list(
        "vendor_id", "month", "weight", "ok_weight", "windows", "breached", "no_data"))
    MonthlyCompliance.objects.all().delete()  # as before the migration
    importlib.import_module("sla.migrations.0008_fill_monthly_compliance").fill(apps, None)
    assert sorted(MonthlyCompliance.objects.values_list(
        "vendor_id", "month", "weight", "ok_weight", "windows", "breached", "no_data")) == expected
    assert len(expected) == 14
    assert_current()


# -- concurrency -----------------------------------------------------------------------------


def _waiting_on_a_lock(pid: int) -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else read once per transaction
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_windows_of_one_month_re_evaluated_at_once_both_count_in_its_stored_compliance(
        vendor_a, monkeypatch):
    """Two late values for two weeks of the same month, evaluated at the same time by two
    threads (two connections). The first pauses right after it has read the month's
    evaluations, until the second is blocked (or done): without the lock on the stored row
    the second reads them too, without the first's uncommitted window, and one of the two
    stores sums that miss the other's window."""
    first = service_level(vendor_a, key="week-1", window="weekly", weight=10)
    weeks = [first, service_level(vendor_a, key="week-2", window="weekly", weight=10,
                                  version=first.version)]
    for week in weeks:
        submit(week, date(2025, 3, 3), "10")  # both breached (>= 99.5 wanted)
    assert stored(vendor_a, MAR)["rate"] == 0.0
    read, second_done, pids, errors = threading.Event(), threading.Event(), {}, []
    sums = selectors.compliance_sums

    def sums_then_pause(*args, **kwargs):
        result = sums(*args, **kwargs)
        if threading.current_thread().name == "first":
            read.set()
            deadline = time.monotonic() + 30
            while not second_done.is_set() and not _waiting_on_a_lock(pids["second"]):
                assert time.monotonic() < deadline, "the second neither waited nor ended"
                time.sleep(0.05)
        return result

    monkeypatch.setattr(selectors, "compliance_sums", sums_then_pause)

    def late_value(week):
        name = threading.current_thread().name
        try:
            with transaction.atomic():
                pids[name] = connection.connection.info.backend_pid
                if name == "second":
                    read.wait(30)
                services.measurements_submit(
                    [{"service_level": week.pk, "window_start": "2025-03-03",
                      "value": "99.9"}], source=MeasurementSource.API, vendor_ids=None,
                    text_values=True, evaluate=True)
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            errors.append(error)
        finally:
            if name == "second":
                second_done.set()
            connection.close()

    with clock(TODAY):  # patched for both threads (a patch is global)
        threads = [threading.Thread(target=late_value, args=(week,), name=name)
                   for week, name in zip(weeks, ("first", "second"), strict=True)]
        threads[1].start()
        while "second" not in pids:
            time.sleep(0.01)
        threads[0].start()
        for thread in threads:
            thread.join(60)
            assert not thread.is_alive()
    assert errors == []
    assert stored(vendor_a, MAR) == {"rate": 100.0, "windows": 2, "breached": 0, "no_data": 0}
    assert_current()


def test_the_rebuild_stores_many_vendors_chunk_by_chunk(monkeypatch, sl, vendor_a, vendor_b):
    service_level(vendor_b, key="avail")
    evaluate()
    MonthlyCompliance.objects.all().delete()  # as after a bulk load behind the services
    monkeypatch.setattr(compliance, "REBUILD_CHUNK", 1)
    assert compliance.compliance_rebuild() == 14
    assert_current()
