from rest_framework.routers import SimpleRouter

from signs.api import views

router = SimpleRouter()
router.register("signs", views.SignViewSet, basename="sign")

urlpatterns = router.urls
