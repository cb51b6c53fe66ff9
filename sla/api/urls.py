from rest_framework.routers import SimpleRouter

from sla.api import views

router = SimpleRouter()
router.register("slas", views.SLAViewSet, basename="sla")
router.register("sla-service-levels", views.ServiceLevelViewSet, basename="sla-service-level")
router.register("sla-measurements", views.MeasurementViewSet, basename="sla-measurement")
router.register("sla-evaluations", views.EvaluationViewSet, basename="sla-evaluation")
router.register("sla-corrective-actions", views.CorrectiveActionViewSet,
                basename="sla-corrective-action")
router.register("sla-disputes", views.DisputeViewSet, basename="sla-dispute")
router.register("sla-calendars", views.BusinessCalendarViewSet, basename="sla-calendar")

urlpatterns = router.urls
