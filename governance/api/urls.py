from rest_framework.routers import SimpleRouter

from governance.api import views

router = SimpleRouter()
router.register("cadences", views.CadenceViewSet, basename="cadence")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("attendances", views.AttendanceViewSet, basename="attendance")
router.register("action-items", views.ActionItemViewSet, basename="action-item")
router.register("impediments", views.ImpedimentViewSet, basename="impediment")
router.register("suggestions", views.SuggestionViewSet, basename="suggestion")

urlpatterns = router.urls
