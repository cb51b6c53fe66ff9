from django.urls import path, register_converter

from scorecards.views import actuals, disputes, measures, portfolio, scorecard, templates


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
    path("scorecards/", portfolio.PortfolioView.as_view(), name="portfolio"),
    path("scorecards/templates/", templates.TemplateListView.as_view(), name="template_list"),
    path("scorecards/templates/new/", templates.TemplateCreateView.as_view(),
         name="template_create"),
    path("scorecards/templates/<int:pk>/", templates.TemplateDetailView.as_view(),
         name="template_detail"),
    path("scorecards/templates/<int:pk>/edit/", templates.TemplateUpdateView.as_view(),
         name="template_update"),
    path("scorecards/templates/<int:pk>/<part:part>/new/",
         templates.TemplatePartCreateView.as_view(), name="template_part_create"),
    path("scorecards/templates/<int:pk>/<part:part>/<int:part_pk>/edit/",
         templates.TemplatePartUpdateView.as_view(), name="template_part_update"),
    path("scorecards/templates/<int:pk>/<part:part>/<int:part_pk>/retire/",
         templates.TemplatePartRetireView.as_view(), name="template_part_retire"),
    path("scorecards/templates/<int:pk>/<part:part>/<int:part_pk>/restore/",
         templates.TemplatePartRestoreView.as_view(), name="template_part_restore"),
    path(VENDOR, scorecard.VendorScorecardView.as_view(), name="vendor"),
    path(VENDOR + "set-up/", scorecard.ScorecardSetupView.as_view(), name="setup"),
    path(VENDOR + "actuals/", actuals.ActualsEditView.as_view(), name="actuals_edit"),
    path(VENDOR + "actuals/<int:pk>/approve/", actuals.ActualApproveView.as_view(),
         name="actual_approve"),
    path(VENDOR + "actuals/<int:pk>/send-back/", actuals.ActualSendBackView.as_view(),
         name="actual_send_back"),
    path(VENDOR + "actuals/<int:pk>/dispute/", disputes.DisputeCreateView.as_view(),
         name="dispute_create"),
    path(VENDOR + "actuals/<int:pk>/evidence/", actuals.EvidenceView.as_view(),
         name="evidence"),
    path(VENDOR + "disputes/<int:pk>/resolve/", disputes.DisputeResolveView.as_view(),
         name="dispute_resolve"),
    path(VENDOR + "periods/<int:pk>/approve/", actuals.PeriodApproveView.as_view(),
         name="period_approve"),
    path(VENDOR + "periods/<int:pk>/lock/", actuals.PeriodLockView.as_view(),
         name="period_lock"),
    path(VENDOR + "measures/<int:pk>/", measures.MeasureDetailView.as_view(), name="measure"),
    path(VENDOR + "<part:part>/new/", measures.PartCreateView.as_view(), name="part_create"),
    path(VENDOR + "<part:part>/<int:pk>/edit/", measures.PartUpdateView.as_view(),
         name="part_update"),
    path(VENDOR + "<part:part>/<int:pk>/retire/", measures.PartRetireView.as_view(),
         name="part_retire"),
    path(VENDOR + "<part:part>/<int:pk>/restore/", measures.PartRestoreView.as_view(),
         name="part_restore"),
]
