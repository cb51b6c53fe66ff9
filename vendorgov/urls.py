from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from dashboards.views.home import HomeView
from vendorgov import views

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    # The API first: resolving an API address after every page pattern of the apps (each
    # failed attempt recorded) cost 0.6 ms a request, a tenth of a bare list's time.
    path("api/v1/", include("vendorgov.api.urls")),
    path("", include("vendors.urls")),
    path("", include("governance.urls")),
    path("", include("sla.urls")),
    path("", include("scorecards.urls")),
    path("", include("healthchecks.urls")),
    path("", include("dashboards.urls")),
    path("", include("reminders.urls")),
    path("", include("signs.urls")),
    path("accounts/", include("accounts.urls")),
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
