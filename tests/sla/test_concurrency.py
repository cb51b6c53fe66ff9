"""Two at once, for real: concurrent requests and evaluations on PostgreSQL, each in its own
thread with its own database connection. No function is replaced: where a race needs a
precise interleaving, the test holds a real lock (a table or row lock in its own
transaction), waits until the racers are blocked on the database, then lets go."""

import threading
import time
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
import requests
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from sla import ingest, services
from sla.choices import MeasurementSource, Window
from sla.models import CorrectiveAction, Evaluation, Measurement, ServiceLevel
from tests.factories import ApiTokenFactory
from tests.sla.factories import clock, service_level

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TODAY = date(2025, 8, 15)
JULY, MARCH = date(2025, 7, 1), date(2025, 3, 1)


class Racer(threading.Thread):
    """Runs `work()` on its own database connection; keeps its result or its error."""

    def __init__(self, work):
        super().__init__(daemon=True)
        self.work, self.result, self.error = work, None, None
        self.start()

    def run(self):
        try:
            self.result = self.work()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.error = error
        finally:
            connection.close()

    def outcome(self, timeout=60):
        self.join(timeout)
        assert not self.is_alive(), "still blocked"
        if self.error is not None:
            raise self.error
        return self.result


def wait_until_blocked(count: int, timeout: float = 30) -> None:
    """Until `count` other sessions of this database wait for a lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                           "current_database() AND wait_event_type = 'Lock' AND pid <> "
                           "pg_backend_pid()")
            if cursor.fetchone()[0] >= count:
                return
            assert time.monotonic() < deadline, f"{count} sessions never blocked"
            time.sleep(0.05)


@pytest.fixture
def sl(vendor_a, line_manager):
    level = service_level(vendor_a, name="Availability", key="avail")
    level.version.sla.owner = line_manager
    level.version.sla.save()
    return level


# -- the same bulk batch twice ---------------------------------------------------------------


def test_a_bulk_batch_resent_while_the_first_is_being_stored_answers_unchanged_not_500(
        live_server, sl, alice):
    """The classic resend after a timeout, with a batch big enough to go by COPY: both
    requests have checked their rows (nothing stored yet) before either writes, so the
    second meets the first's rows at the unique external ids. It answers like any
    resubmission: nothing created, every row unchanged."""
    vendor = sl.version.sla.vendor
    levels = [service_level(vendor, version=sl.version, key=f"w{i}", window=Window.WEEKLY)
              for i in range(40)]
    mondays = [date(2025, 1, 6) + timedelta(weeks=i) for i in range(30)]
    rows = [{"service_level": level.pk, "window_start": day.isoformat(), "value": 99.5,
             "external_id": f"{level.pk}-{day}"} for level in levels for day in mondays]
    assert len(rows) >= ingest.COPY_FROM
    _, raw = ApiTokenFactory.with_raw(alice)

    def post():
        return requests.post(f"{live_server.url}/api/v1/sla-measurements/bulk/",
                             json={"measurements": rows}, timeout=120,
                             headers={"Authorization": f"Bearer {raw}"})

    with clock(TODAY):
        with transaction.atomic():
            # Writers wait here, readers do not: both requests check, then queue to write.
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {Measurement._meta.db_table} "
                               "IN SHARE ROW EXCLUSIVE MODE")
            first, second = Racer(post), Racer(post)
            wait_until_blocked(2)
        answers = sorted((r.outcome() for r in (first, second)), key=lambda r: r.status_code)
    assert [a.status_code for a in answers] == [200, 201], [a.text[:300] for a in answers]
    unchanged, created = (a.json() for a in answers)
    assert (created["created"], created["unchanged"]) == (len(rows), 0)
    assert (unchanged["created"], unchanged["unchanged"]) == (0, len(rows))
    assert Measurement.objects.count() == len(rows)


# -- pages racing the hourly evaluation ------------------------------------------------------


def test_evaluation_is_safe_to_run_twice_at_once(sl):
    """Two hourly runs overlap: the second waits for the first's new rows, then finds them
    and changes nothing; nothing is evaluated or opened twice."""
    with clock(TODAY):
        services.measurements_submit(
            [{"service_level": sl.pk, "window_start": MARCH.isoformat(), "value": "98"}],
            source=MeasurementSource.API, vendor_ids=None, text_values=True, evaluate=False)
        with transaction.atomic():
            ServiceLevel.objects.select_for_update().get(pk=sl.pk)
            first = Racer(services.evaluations_refresh)
            wait_until_blocked(1)
            second = Racer(services.evaluations_refresh)
            wait_until_blocked(2)
        results = [first.outcome(), second.outcome()]
    assert sorted(r.created for r in results) == [0, 7]
    assert Evaluation.objects.filter(service_level=sl).count() == 7
    assert Evaluation.history.filter(service_level_id=sl.pk).count() == 7
    assert CorrectiveAction.objects.count() == 1
    assert not Measurement.objects.filter(needs_evaluation=True).exists()


def test_a_value_stored_during_an_evaluation_is_left_for_the_next_run(sl):
    """The vendor's value is being stored while the run evaluates its window: the run does
    not see it, so it must not clear it; the next run evaluates it."""
    stored, commit = threading.Event(), threading.Event()

    def store_slowly():
        with transaction.atomic():
            services.measurements_submit(
                [{"service_level": sl.pk, "window_start": JULY.isoformat(), "value": "99.9"}],
                source=MeasurementSource.API, vendor_ids=None, text_values=True,
                evaluate=False)
            stored.set()
            assert commit.wait(30)

    with clock(TODAY):
        vendor = Racer(store_slowly)
        assert stored.wait(30)
        services.evaluations_refresh()  # runs while the value is not committed
        commit.set()
        vendor.outcome()
        assert Evaluation.objects.get(service_level=sl, window_start=JULY).status == "no_data"
        assert Measurement.objects.get().needs_evaluation
        services.evaluations_refresh()
    assert Evaluation.objects.get(service_level=sl, window_start=JULY).status == "met"


@pytest.mark.parametrize("path", ["measurement form", "CSV commit"])
def test_a_page_survives_the_hourly_run_evaluating_the_same_window(
        path, sl, vendor_a, line_manager):
    """The hourly run inserts July's evaluation (no data yet) and is still running when an
    operations user saves July's value on the form, or commits a CSV import with it: the
    page's evaluation waits for the run, loses the insert, and evaluates again with the
    run's row. The page answers, the value is stored and it is what July's evaluation says."""
    page = Client()
    page.force_login(line_manager)
    if path == "measurement form":
        url = reverse("sla:measurement_create", args=[vendor_a.slug])
        data = {"service_level": sl.pk, "window_start": JULY.isoformat(), "value": "99.9",
                "note": "From monitoring"}
    else:
        with clock(TODAY):
            csv_import = services.import_preview(
                vendor=vendor_a, by=line_manager, filename="july.csv",
                content="sla,service_level,window_start,value,note\n"
                        f"{sl.version.sla.reference},{sl.key},{JULY},99.9,From monitoring\n")
        url = reverse("sla:import_preview", args=[vendor_a.slug, csv_import.pk])
        data = {}

    def save_on_the_form():
        return page.post(url, data)

    with clock(TODAY):
        with transaction.atomic():
            # The run stops before its last step (moving the service level's cursor),
            # with its evaluations inserted and not committed.
            ServiceLevel.objects.select_for_update().get(pk=sl.pk)
            run = Racer(services.evaluations_refresh)
            wait_until_blocked(1)
            form = Racer(save_on_the_form)
            wait_until_blocked(2)
        response = form.outcome()
        assert not run.outcome().skipped
    assert response.status_code == 302
    july = Evaluation.objects.get(service_level=sl, window_start=JULY)
    assert (july.status, july.value) == ("met", D("99.9"))
    assert july.measurement.note == "From monitoring"
    assert Evaluation.objects.filter(service_level=sl).count() == 7  # January to July, once


def test_a_dispute_decision_during_the_hourly_run_keeps_the_runs_newer_result(
        sl, alice, line_manager):
    """The run re-evaluates a disputed breach with the vendor's newer value while operations
    accept the dispute: the decision waits for the run and excuses the window as the run
    left it, instead of writing back the value it read before."""
    with clock(TODAY):
        services.measurements_submit(
            [{"service_level": sl.pk, "window_start": MARCH.isoformat(), "value": "98.1"}],
            source=MeasurementSource.API, vendor_ids=None, text_values=True)
        breach = Evaluation.objects.get(service_level=sl, window_start=MARCH)
        dispute = services.dispute_raise(breach, by=alice, reason="Monitoring gap")
        services.measurements_submit(  # the vendor's newer value, inside the dispute window
            [{"service_level": sl.pk, "window_start": MARCH.isoformat(), "value": "99.2"}],
            by=alice, source=MeasurementSource.API, vendor_ids=None, text_values=True,
            evaluate=False)

        def decide():
            return services.dispute_decide(dispute, by=line_manager, decision="accepted",
                                           note="Agreed")

        with transaction.atomic():
            ServiceLevel.objects.select_for_update().get(pk=sl.pk)
            run = Racer(services.evaluations_refresh)
            wait_until_blocked(1)
            decision = Racer(decide)
            wait_until_blocked(2)
        decision.outcome()
        assert run.outcome().updated == 1
    breach.refresh_from_db()
    assert (breach.status, breach.value, breach.excused) == ("at_risk", D("99.2"), True)


def test_a_late_value_for_one_window_waits_for_no_evaluation_of_another(sl, line_manager):
    """Only the windows being evaluated are locked: while another transaction holds
    January's evaluation, a late value for February is stored and evaluated at once."""
    with clock(TODAY):
        services.evaluations_refresh()

        def late_february():
            return services.measurements_submit(
                [{"service_level": sl.pk, "window_start": "2025-02-01", "value": "99.9",
                  "note": "Late export"}], by=line_manager, source=MeasurementSource.FORM,
                vendor_ids=None, text_values=True)

        with transaction.atomic():
            Evaluation.objects.select_for_update().get(service_level=sl,
                                                       window_start=date(2025, 1, 1))
            late = Racer(late_february)
            late.join(20)
            assert not late.is_alive(), "February waited for January's lock"
        assert late.outcome().created == 1
    assert Evaluation.objects.get(service_level=sl, window_start=date(2025, 2, 1)).status \
        == "met"
