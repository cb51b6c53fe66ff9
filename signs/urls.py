from django.urls import path

from signs.views import portfolio, thresholds, vendor

app_name = "signs"
V = "vendors/<slug:slug>/warning-signs/"
urlpatterns = [
    path("warning-signs/", portfolio.PortfolioView.as_view(), name="portfolio"),
    path("warning-signs/thresholds/", thresholds.ThresholdsView.as_view(), name="thresholds"),
    path(V, vendor.VendorSignsView.as_view(), name="vendor"),
    path(V + "recompute/", vendor.RefreshView.as_view(), name="refresh"),
    path(V + "<int:pk>/dismiss/", vendor.DismissView.as_view(), name="dismiss"),
]
