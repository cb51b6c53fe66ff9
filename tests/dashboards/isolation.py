"""The dashboards part of the isolation table (tests/test_isolation.py): the pack of vendor
B is a 404 to Alice (vendor A), and the portfolio pack is our side's only."""

from dashboards.models import PackJob
from tests.factories import UserFactory
from vendorgov.roles import Role


def records(vendor, tag) -> dict:
    packer = UserFactory(username=f"packer-{tag.lower()}", role=Role.EXECUTIVE)
    return {"pack_job": PackJob.objects.create(requested_by=packer, quarter="2026-Q3")}


def slug(w):
    return [{"slug": w.b.slug}]


def tables(w):
    return [{"slug": w.b.slug, "table": "scorecard"}, {"slug": w.b.slug, "table": "action-items"}]


def job(w):
    return [{"pk": w.b_records["pack_job"].pk}]


def none(w):
    return [{}]


ROUTES = {
    "dashboards:pack": ("b", slug),
    "dashboards:pack_pdf": ("b", slug),
    "dashboards:pack_csv": ("b", tables),
    "dashboards:packs": ("denied", none),
    "dashboards:pack_job": ("denied", job),
    "dashboards:pack_job_download": ("denied", job),
}
