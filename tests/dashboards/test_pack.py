"""The quarterly review pack: the print page, the PDF (WeasyPrint), each table as CSV, and
the portfolio pack built in the background for the person who asked for it only."""

import csv
import io

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from dashboards import quarters, services
from dashboards.models import PackJob, PackJobStatus
from tests.dashboards.data import filled_vendor
from tests.factories import UserFactory
from vendorgov.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(executive):
    return filled_vendor(1)


def _quarter():
    return quarters.last_complete(timezone.localdate())


def test_the_pack_page_holds_every_section_for_the_quarter(client, executive, filled):
    client.force_login(executive)
    q = _quarter()
    page = client.get(reverse("dashboards:pack", args=[filled.slug]),
                      {"quarter": q.label}).content.decode()
    assert f"Quarterly review pack · {filled.name} · {q.label}" in page
    for section in ("Balanced scorecard", "SLA summary", "Incentives and service credits",
                    "Corrective actions", "Innovations assessed and value created",
                    "Health check", "Decisions needed", "Open action items"):
        assert section in page, section
    assert "Vendor side item 1" in page  # an open action item
    assert 'href="/static/css/pack.css"' in page  # the print stylesheet
    assert "Download PDF" in page


def test_a_quarter_that_names_nothing_falls_back_to_the_last_complete_one(client, executive,
                                                                          filled):
    client.force_login(executive)
    page = client.get(reverse("dashboards:pack", args=[filled.slug]),
                      {"quarter": "2026-Q9"}).content.decode()
    assert f"· {_quarter().label}</h1>" in page


def test_the_pdf_first_page_carries_the_vendor_and_the_quarter(client, executive, filled):
    client.force_login(executive)
    q = _quarter()
    response = client.get(reverse("dashboards:pack_pdf", args=[filled.slug]),
                          {"quarter": q.label})
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{filled.slug}-{q.label}-review-pack.pdf"' in response[
        "Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    first = reader.pages[0].extract_text()
    assert filled.name in first.replace("\n", " ") and q.label in first
    assert len(reader.pages) >= 2


def test_each_table_downloads_as_csv(client, executive, filled):
    client.force_login(executive)
    response = client.get(reverse("dashboards:pack_csv", args=[filled.slug, "action-items"]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Title", "Owner", "Side"]
    assert [r[0] for r in rows[1:]] == ["Vendor side item 1"]
    scorecard = client.get(reverse("dashboards:pack_csv", args=[filled.slug, "scorecard"]))
    assert "Availability" in scorecard.content.decode()


def test_vendor_users_may_not_open_the_pack_of_their_own_vendor(client, alice, vendor_a):
    client.force_login(alice)
    assert client.get(reverse("dashboards:pack", args=[vendor_a.slug])).status_code == 403
    assert client.get(reverse("dashboards:pack_pdf", args=[vendor_a.slug])).status_code == 403


def test_a_line_manager_gets_404_for_the_pack_of_a_vendor_not_theirs(client, line_manager,
                                                                     vendor_b):
    client.force_login(line_manager)
    assert client.get(reverse("dashboards:pack", args=[vendor_b.slug])).status_code == 404


@pytest.fixture
def media(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        yield tmp_path


def test_the_portfolio_pack_is_built_with_progress_and_served_to_its_requester_only(
        client, executive, filled, vendor_a, media, django_capture_on_commit_callbacks):
    client.force_login(executive)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverse("dashboards:packs"), {"quarter": _quarter().label})
    job = PackJob.objects.get()
    assert response["Location"] == reverse("dashboards:pack_job", args=[job.pk])
    assert len(queued) == 1  # queued after the commit, for the worker
    assert job.status == PackJobStatus.QUEUED and job.total == 2
    waiting = client.get(reverse("dashboards:pack_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in waiting.content.decode()

    assert "2 vendors" in services.pack_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == PackJobStatus.DONE and job.done == 2 and job.percent == 100
    done = client.get(reverse("dashboards:pack_job", args=[job.pk]),
                      HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and "Download the PDF" in done
    download = client.get(reverse("dashboards:pack_job_download", args=[job.pk]))
    pdf = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    text = " ".join(page.extract_text() for page in pdf.pages).replace("\n", " ")
    assert filled.name in text and vendor_a.name in text
    # Run twice (a redelivered task): nothing is built again.
    assert "nothing to do" in services.pack_job_run(job.pk)

    other = UserFactory(role=Role.EXECUTIVE)
    client.force_login(other)
    assert client.get(reverse("dashboards:pack_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("dashboards:pack_job_download",
                              args=[job.pk])).status_code == 404


def test_a_pack_the_worker_left_half_done_is_built_again(executive, vendor_a, media):
    job = PackJob.objects.create(requested_by=executive, quarter="2026-Q3",
                                 status=PackJobStatus.RUNNING, done=1, total=1)
    services.pack_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == PackJobStatus.DONE and (media / job.file).is_file()
    assert not list(media.rglob("*.part"))
