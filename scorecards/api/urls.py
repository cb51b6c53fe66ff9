from rest_framework.routers import SimpleRouter

from scorecards.api import views

router = SimpleRouter()
router.register("scorecards", views.ScorecardViewSet, basename="scorecard")
router.register("scorecard-measures", views.MeasureViewSet, basename="scorecard-measure")
router.register("scorecard-periods", views.PeriodViewSet, basename="scorecard-period")
router.register("scorecard-actuals", views.ActualViewSet, basename="scorecard-actual")
router.register("scorecard-disputes", views.DisputeViewSet, basename="scorecard-dispute")

urlpatterns = router.urls
