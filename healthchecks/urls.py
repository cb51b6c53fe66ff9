from django.urls import path

from healthchecks.views import (
    cycles,
    portfolio,
    questionnaires,
    respondents,
    review,
    survey,
)

app_name = "healthchecks"
V = "vendors/<slug:slug>/health-checks/"
C = V + "<int:cycle>/"
urlpatterns = [
    path("health-checks/", portfolio.PortfolioView.as_view(), name="portfolio"),
    path("health-checks/questionnaires/", questionnaires.TemplateListView.as_view(),
         name="templates"),
    path("health-checks/questionnaires/new/", questionnaires.TemplateCreateView.as_view(),
         name="template_create"),
    path("health-checks/questionnaires/<int:pk>/", questionnaires.TemplateDetailView.as_view(),
         name="template"),
    path("health-checks/questionnaires/<int:pk>/edit/",
         questionnaires.TemplateUpdateView.as_view(), name="template_update"),
    path("survey/<str:token>/", survey.SurveyView.as_view(), name="survey"),
    path("health-checks/surveys/<int:invitation>/", survey.MySurveyView.as_view(),
         name="my_survey"),
    path(V, cycles.VendorTabView.as_view(), name="vendor"),
    path(V + "plan/", cycles.PlanUpdateView.as_view(), name="plan_update"),
    path(V + "open/", cycles.CycleOpenView.as_view(), name="cycle_open"),
    path(C, cycles.CycleView.as_view(), name="cycle"),
    path(C + "move/", cycles.CycleMoveView.as_view(), name="cycle_move"),
    path(C + "share/", cycles.ShareView.as_view(), name="cycle_share"),
    path(C + "report/", portfolio.ReportView.as_view(), name="report"),
    path(C + "invite/", respondents.InviteView.as_view(), name="invite"),
    path(C + "nudge/", respondents.NudgeView.as_view(), name="nudge"),
    path(C + "invitations/<int:invitation>/remove/",
         respondents.InvitationRevokeView.as_view(), name="invitation_revoke"),
    path(C + "findings/new/", review.FindingAddView.as_view(), name="finding_add"),
    path(C + "findings/<int:finding>/archive/", review.FindingArchiveView.as_view(),
         name="finding_archive"),
    path(C + "actions/new/", review.ActionAgreeView.as_view(), name="action_agree"),
    path(C + "revisions/new/", review.RevisionProposeView.as_view(), name="revision_propose"),
    path(C + "revisions/<int:revision>/decide/", review.RevisionDecideView.as_view(),
         name="revision_decide"),
]
