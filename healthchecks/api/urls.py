from rest_framework.routers import SimpleRouter

from healthchecks.api import views

router = SimpleRouter()
router.register("health-checks", views.CycleViewSet, basename="health-check")
router.register("health-check-surveys", views.SurveyViewSet, basename="health-check-survey")

urlpatterns = router.urls
