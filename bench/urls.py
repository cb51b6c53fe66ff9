"""The site's URLs, and /bench/bare/<entry>/: the bare Django view bench/portfolio.py
measures beside each page and API list (100 rows of the same table with `.values()`)."""

from django.http import JsonResponse
from django.urls import include, path

from bench.portfolio import bare_rows


def bare(request, key):
    return JsonResponse({"results": bare_rows(key)})


urlpatterns = [
    path("bench/bare/<str:key>/", bare),
    path("", include("vendorgov.urls")),
]
