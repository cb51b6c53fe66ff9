"""Every API route under /api/v1/, from each app's api/urls.py."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("vendors.api.urls")),
    path("", include("governance.api.urls")),
    path("", include("sla.api.urls")),
    path("", include("scorecards.api.urls")),
    path("", include("healthchecks.api.urls")),
    path("", include("signs.api.urls")),
]
