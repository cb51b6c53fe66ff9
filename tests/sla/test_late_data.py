"""Late data is never lost: "this window needs evaluating" is stored with the measurement
and cleared only by the evaluation that used it; an API write queues one evaluation of just
the windows it touched; tasks call services, never the reverse."""

import ast
from datetime import date, timedelta
from pathlib import Path

import pytest
from celery.signals import task_prerun

from sla import services, tasks
from sla.models import Evaluation, Measurement
from tests.sla.factories import clock, service_level
from vendorgov.celery import app as celery_app

pytestmark = pytest.mark.django_db

TODAY = date(2025, 8, 15)
APRIL = date(2025, 4, 1)


@pytest.fixture
def sl(vendor_a):
    return service_level(vendor_a, name="Availability", key="avail")


def status(sl, start):
    return Evaluation.objects.get(service_level=sl, window_start=start).status


def test_a_late_value_is_evaluated_however_long_evaluation_was_stopped(sl, alice,
                                                                       token_client):
    """The worker is away for a week of simulated time: the API stores the value and its
    queued evaluation never runs (in a test transaction nothing after the commit runs, as
    with a broker that is down). The first run after the outage evaluates it."""
    with clock(TODAY):
        tasks.evaluate_closed_windows()
    assert status(sl, APRIL) == "no_data"
    with clock(TODAY + timedelta(days=1)):
        response = token_client(alice).post("/api/v1/sla-measurements/", {
            "service_level": sl.pk, "window_start": APRIL.isoformat(), "value": 99.9},
            format="json")
    assert response.status_code == 201
    for day in range(2, 9):  # a week without any evaluation
        with clock(TODAY + timedelta(days=day)):
            assert status(sl, APRIL) == "no_data"
    with clock(TODAY + timedelta(days=8)):
        result = tasks.evaluate_closed_windows()
    assert status(sl, APRIL) == "met"
    assert "1 re-evaluated" in result
    assert not Measurement.objects.filter(needs_evaluation=True).exists()


def test_the_evaluation_clears_only_the_data_it_read(sl):
    """A value stored after an evaluation read its window stays marked for the next run."""
    with clock(TODAY):
        services.measurements_submit(
            [{"service_level": sl.pk, "window_start": APRIL.isoformat(), "value": 97}],
            source="api", vendor_ids=None, evaluate=False)
        services.evaluations_refresh()
        read = Measurement.objects.get()
        later = Measurement.objects.create(
            vendor_id=read.vendor_id, service_level=sl, window_start=APRIL,
            window_end=read.window_end, value=99.9, source="api")
    assert not Measurement.objects.get(pk=read.pk).needs_evaluation
    assert Measurement.objects.get(pk=later.pk).needs_evaluation  # never read: still marked
    with clock(TODAY):
        services.evaluations_refresh()
    assert status(sl, APRIL) == "met"


@pytest.fixture
def eager_tasks():
    """Run queued tasks in-process, and record which ran."""
    ran = []

    def record(sender=None, args=None, **kwargs):
        ran.append((sender.name, list(args)))

    task_prerun.connect(record)
    celery_app.conf.task_always_eager = True
    yield ran
    celery_app.conf.task_always_eager = False
    task_prerun.disconnect(record)


def test_an_api_write_queues_one_evaluation_of_just_the_windows_it_touched(
        sl, vendor_a, alice, token_client, django_capture_on_commit_callbacks, eager_tasks):
    other = service_level(vendor_a, version=sl.version, key="resp", name="Response")
    untouched = service_level(vendor_a, version=sl.version, key="idle", name="Idle")
    rows = [{"service_level": sl.pk, "window_start": "2025-03-01", "value": 99.9,
             "external_id": "a-mar"},
            {"service_level": sl.pk, "window_start": "2025-04-01", "value": 98,
             "external_id": "a-apr"},
            {"service_level": other.pk, "window_start": "2025-03-01", "value": 99.9,
             "external_id": "r-mar"}]
    with clock(TODAY), django_capture_on_commit_callbacks(execute=True):
        response = token_client(alice).post("/api/v1/sla-measurements/bulk/",
                                            {"measurements": rows}, format="json")
    assert response.status_code == 201
    assert eager_tasks == [("sla.tasks.evaluate_new_data", [[sl.pk, other.pk]])]
    # Those three windows, not the portfolio (Jan to Jul of three service levels).
    assert set(Evaluation.objects.values_list("service_level_id", "window_start")) == {
        (sl.pk, date(2025, 3, 1)), (sl.pk, APRIL), (other.pk, date(2025, 3, 1))}
    assert not Evaluation.objects.filter(service_level=untouched).exists()
    # Resending it stores nothing and queues nothing.
    with clock(TODAY), django_capture_on_commit_callbacks(execute=True):
        again = token_client(alice).post("/api/v1/sla-measurements/bulk/",
                                         {"measurements": rows}, format="json")
    assert again.status_code == 200 and len(eager_tasks) == 1


def test_sla_services_never_import_the_tasks():
    """The arrow points from tasks to services: no module the services are made of imports
    `sla.tasks`, not even inside a function."""
    root = Path(__file__).resolve().parents[2] / "sla"
    for name in ("services.py", "evaluation.py", "ingest.py", "selectors.py"):
        tree = ast.parse((root / name).read_text())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                     for alias in node.names}
        assert "sla.tasks" not in imported, name
        assert not any(isinstance(node, ast.ImportFrom) and node.module == "sla"
                       and any(a.name == "tasks" for a in node.names)
                       for node in ast.walk(tree)), name
