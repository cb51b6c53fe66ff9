from django.urls import path, register_converter

from vendors.views import home, records, staffing, vendor


class RecordKindConverter:
    """Only the kinds in records.RECORD_KINDS match, so each is an explicit, testable route."""

    regex = "|".join(records.RECORD_KINDS)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(RecordKindConverter, "kind")

app_name = "vendors"
urlpatterns = [
    path("vendors/", vendor.VendorListView.as_view(), name="list"),
    path("vendors/new/", vendor.VendorCreateView.as_view(), name="create"),
    path("vendors/<slug:slug>/", vendor.VendorTabView.as_view(tab="overview"), name="detail"),
    path("vendors/<slug:slug>/people/", vendor.VendorTabView.as_view(tab="people"),
         name="people"),
    path("vendors/<slug:slug>/contracts/", vendor.VendorTabView.as_view(tab="contracts"),
         name="contracts"),
    path("vendors/<slug:slug>/history/", vendor.VendorTabView.as_view(tab="history"),
         name="history"),
    path("vendors/<slug:slug>/edit/", vendor.VendorUpdateView.as_view(), name="update"),
    path("vendors/<slug:slug>/archive/", vendor.VendorArchiveView.as_view(), name="archive"),
    path("vendors/<slug:slug>/restore/", vendor.VendorRestoreView.as_view(), name="restore"),
    path("vendors/<slug:slug>/principles/<int:pk>/", records.PrincipleDetailView.as_view(),
         name="principle"),
    path("vendors/<slug:slug>/staffing-changes/new/", staffing.StaffingChangeCreateView.as_view(),
         name="staffing_change_create"),
    path("vendors/<slug:slug>/staffing-changes/<int:pk>/resolve/",
         staffing.StaffingChangeResolveView.as_view(), name="staffing_change_resolve"),
    path("vendors/<slug:slug>/assignments/<int:pk>/remove/",
         records.AssignmentRemoveView.as_view(), name="assignment_remove"),
    path("vendors/<slug:slug>/<kind:kind>/new/", records.RecordCreateView.as_view(),
         name="record_create"),
    path("vendors/<slug:slug>/<kind:kind>/<int:pk>/edit/", records.RecordUpdateView.as_view(),
         name="record_update"),
    path("vendors/<slug:slug>/<kind:kind>/<int:pk>/archive/", records.RecordArchiveView.as_view(),
         name="record_archive"),
    path("vendors/<slug:slug>/<kind:kind>/<int:pk>/restore/", records.RecordRestoreView.as_view(),
         name="record_restore"),
    path("search/", home.SearchView.as_view(), name="search"),
]
