"""The health endpoints and the status page tell the truth about each process and job."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils import timezone

from vendorgov import health
from vendorgov.schedule import beat_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_signs_of_life():
    keys = [health.PROCESS_KEY.format(p) for p in health.PROCESSES]
    keys += [health.JOB_KEY.format(e["task"]) for e in beat_schedule().values()]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


def test_the_web_health_endpoint_answers_ok_with_no_sign_in(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "problems": []}
    assert response["Cache-Control"] == "no-store"


def test_a_worker_never_seen_is_a_503(client):
    response = client.get("/healthz/worker/")
    assert response.status_code == 503
    assert response.json()["status"] == "fail"


def test_a_worker_seen_just_now_is_ok_and_a_stale_one_is_not(client):
    health.record_alive("worker")
    assert client.get("/healthz/worker/").status_code == 200
    stale = timezone.now() - health.stale_after() - timedelta(seconds=1)
    cache.set(health.PROCESS_KEY.format("worker"), stale)
    assert client.get("/healthz/worker/").status_code == 503


def test_only_worker_and_beat_have_health_endpoints(client):
    assert client.get("/healthz/gunicorn/").status_code == 404


def test_a_job_that_failed_after_its_last_success_is_failing():
    task = beat_schedule()["sla-evaluate-closed-windows"]["task"]
    health.record_job(task, ok=True)
    health.record_job(task, ok=False, error="OperationalError: the database went away")
    job = next(j for j in health.jobs(beat_schedule()) if j.task == task)
    assert job.failing and "went away" in job.error
    health.record_job(task, ok=True)
    job = next(j for j in health.jobs(beat_schedule()) if j.task == task)
    assert not job.failing and not job.late


def test_the_status_page_shows_a_stale_beat_as_a_problem(client, vendor_manager):
    health.record_alive("worker")
    client.force_login(vendor_manager)
    page = client.get("/status/").content.decode()
    assert "Something needs attention" in page
    assert "No sign of life" in page  # beat was never seen
    assert "Every hour" not in page and "1 hour" in page


def test_the_status_page_is_for_vendor_managers_only(client, line_manager):
    client.force_login(line_manager)
    assert client.get("/status/").status_code == 403


def test_the_health_command_fails_for_a_process_never_seen_and_passes_once_it_is():
    with pytest.raises(CommandError, match="beat: no sign of life"):
        call_command("health", "beat")
    health.record_alive("beat")
    out = StringIO()
    call_command("health", "beat", stdout=out)
    assert "beat: ok" in out.getvalue()
    call_command("health", "web", stdout=out)
