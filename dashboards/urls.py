from django.urls import path, register_converter

from dashboards import csv_tables
from dashboards.views import jobs, pack


class TableConverter:
    """Only the pack's tables match, so each is an explicit route."""

    regex = "|".join(csv_tables.TABLES)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TableConverter, "table")

app_name = "dashboards"
urlpatterns = [
    path("vendors/<slug:slug>/pack/", pack.PackView.as_view(), name="pack"),
    path("vendors/<slug:slug>/pack.pdf", pack.PackPdfView.as_view(), name="pack_pdf"),
    path("vendors/<slug:slug>/pack/<table:table>.csv", pack.PackCsvView.as_view(),
         name="pack_csv"),
    path("reports/packs/", jobs.PortfolioPackView.as_view(), name="packs"),
    path("reports/packs/<int:pk>/", jobs.PackJobView.as_view(), name="pack_job"),
    path("reports/packs/<int:pk>/download/", jobs.PackJobDownloadView.as_view(),
         name="pack_job_download"),
]
