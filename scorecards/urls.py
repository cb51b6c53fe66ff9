from django.urls import path, register_converter

from scorecards import views


class PartConverter:
    """The parts of a scorecard or template: perspectives, objectives, measures."""

    regex = "perspectives|objectives|measures"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(PartConverter, "part")

app_name = "scorecards"
VENDOR = "vendors/<slug:slug>/scorecard/"
urlpatterns = [
    path("scorecards/", views.PortfolioView.as_view(), name="portfolio"),
    path("scorecards/templates/", views.TemplateListView.as_view(), name="template_list"),
    path("scorecards/templates/new/", views.TemplateCreateView.as_view(),
         name="template_create"),
    path("scorecards/templates/<int:pk>/", views.TemplateDetailView.as_view(),
         name="template_detail"),
    path("scorecards/templates/<int:pk>/edit/", views.TemplateUpdateView.as_view(),
         name="template_update"),
    path("scorecards/templates/<int:pk>/<part:part>/new/",
         views.TemplatePartCreateView.as_view(), name="template_part_create"),
    path("scorecards/templates/<int:pk>/<part:part>/<int:part_pk>/edit/",
         views.TemplatePartUpdateView.as_view(), name="template_part_update"),
    path("scorecards/templates/<int:pk>/<part:part>/<int:part_pk>/retire/",
         views.TemplatePartRetireView.as_view(), name="template_part_retire"),
    path("scorecards/templates/<int:pk>/<part:part>/<int:part_pk>/restore/",
         views.TemplatePartRestoreView.as_view(), name="template_part_restore"),
    path(VENDOR, views.VendorScorecardView.as_view(), name="vendor"),
    path(VENDOR + "set-up/", views.ScorecardSetupView.as_view(), name="setup"),
    path(VENDOR + "actuals/", views.ActualsEditView.as_view(), name="actuals_edit"),
    path(VENDOR + "actuals/<int:pk>/approve/", views.ActualApproveView.as_view(),
         name="actual_approve"),
    path(VENDOR + "actuals/<int:pk>/send-back/", views.ActualSendBackView.as_view(),
         name="actual_send_back"),
    path(VENDOR + "actuals/<int:pk>/dispute/", views.DisputeCreateView.as_view(),
         name="dispute_create"),
    path(VENDOR + "actuals/<int:pk>/evidence/", views.EvidenceView.as_view(),
         name="evidence"),
    path(VENDOR + "disputes/<int:pk>/resolve/", views.DisputeResolveView.as_view(),
         name="dispute_resolve"),
    path(VENDOR + "periods/<int:pk>/approve/", views.PeriodApproveView.as_view(),
         name="period_approve"),
    path(VENDOR + "periods/<int:pk>/lock/", views.PeriodLockView.as_view(),
         name="period_lock"),
    path(VENDOR + "measures/<int:pk>/", views.MeasureDetailView.as_view(), name="measure"),
    path(VENDOR + "<part:part>/new/", views.PartCreateView.as_view(), name="part_create"),
    path(VENDOR + "<part:part>/<int:pk>/edit/", views.PartUpdateView.as_view(),
         name="part_update"),
    path(VENDOR + "<part:part>/<int:pk>/retire/", views.PartRetireView.as_view(),
         name="part_retire"),
    path(VENDOR + "<part:part>/<int:pk>/restore/", views.PartRestoreView.as_view(),
         name="part_restore"),
]
