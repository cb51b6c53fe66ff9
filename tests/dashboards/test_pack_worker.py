"""The portfolio pack asked for on the page is built by a real Celery worker (on Redis, with
this test's PostgreSQL database), and the page then serves the finished PDF."""

import io
import os
import time

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from dashboards.models import PackJob, PackJobStatus
from tests.infra.test_celery import Worker

pytestmark = [pytest.mark.celery, pytest.mark.redis, pytest.mark.postgres,
              pytest.mark.django_db(transaction=True)]

TIMEOUT = 90


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def test_a_real_worker_builds_the_pack_the_page_asked_for(client, executive, vendor_a,
                                                          vendor_b, tmp_path):
    media = tmp_path / "media"
    env = {**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
           "DJANGO_SETTINGS_MODULE": "vendorgov.settings.test", "VAR_DIR": str(tmp_path / "var"),
           "MEDIA_ROOT": str(media), "DATABASE_URL": _database_url()}
    worker = Worker(env, tmp_path / "worker.log")
    try:
        client.force_login(executive)
        with override_settings(MEDIA_ROOT=media):
            client.post(reverse("dashboards:packs"), {"quarter": "2026-Q3"})
            job = PackJob.objects.get()
            deadline = time.monotonic() + TIMEOUT
            while time.monotonic() < deadline:
                job.refresh_from_db()
                if job.is_finished:
                    break
                time.sleep(0.5)
            assert job.status == PackJobStatus.DONE, job.error + worker.log_tail()
            assert (job.done, job.total) == (2, 2)
            download = client.get(reverse("dashboards:pack_job_download", args=[job.pk]))
            text = " ".join(p.extract_text() for p in PdfReader(
                io.BytesIO(b"".join(download.streaming_content))).pages)
        assert vendor_a.name in text.replace("\n", " ") and "2026-Q3" in text
    finally:
        assert worker.stop() == 0, worker.log_tail()
