from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from vendorgov import views
from vendors.views.home import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("", include("vendors.urls")),
    path("", include("governance.urls")),
    path("", include("sla.urls")),
    path("", include("scorecards.urls")),
    path("", include("healthchecks.urls")),
    path("", include("signs.urls")),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include("vendorgov.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI sets inline styles as it renders; allow those on this one page only.
    path("api/docs/", csp_update({"style-src": ["'unsafe-inline'"]})(
        SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
    path("admin/", admin.site.urls),
    path("status/", views.StatusView.as_view(), name="status"),
    path("healthz/", views.healthz, name="healthz"),
    re_path(r"^healthz/(?P<process>worker|beat)/$", views.healthz_process,
            name="healthz_process"),
]

handler400 = "vendorgov.views.bad_request"
handler403 = "vendorgov.views.permission_denied"
handler404 = "vendorgov.views.page_not_found"
handler500 = "vendorgov.views.server_error"
