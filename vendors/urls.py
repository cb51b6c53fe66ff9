from django.urls import path, register_converter

from vendors import views


class RecordKindConverter:
    """Only the kinds in views.RECORD_KINDS match, so each is an explicit, testable route."""

    regex = "|".join(views.RECORD_KINDS)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(RecordKindConverter, "kind")

app_name = "vendors"
urlpatterns = [
    path("vendors/", views.VendorListView.as_view(), name="list"),
    path("vendors/new/", views.VendorCreateView.as_view(), name="create"),
    path("vendors/<slug:slug>/", views.VendorTabView.as_view(tab="overview"), name="detail"),
    path("vendors/<slug:slug>/people/", views.VendorTabView.as_view(tab="people"),
         name="people"),
    path("vendors/<slug:slug>/contracts/", views.VendorTabView.as_view(tab="contracts"),
         name="contracts"),
    path("vendors/<slug:slug>/history/", views.VendorTabView.as_view(tab="history"),
         name="history"),
    path("vendors/<slug:slug>/edit/", views.VendorUpdateView.as_view(), name="update"),
    path("vendors/<slug:slug>/archive/", views.VendorArchiveView.as_view(), name="archive"),
    path("vendors/<slug:slug>/restore/", views.VendorRestoreView.as_view(), name="restore"),
    path("vendors/<slug:slug>/principles/<int:pk>/", views.PrincipleDetailView.as_view(),
         name="principle"),
    path("vendors/<slug:slug>/staffing-changes/new/", views.StaffingChangeCreateView.as_view(),
         name="staffing_change_create"),
    path("vendors/<slug:slug>/staffing-changes/<int:pk>/resolve/",
         views.StaffingChangeResolveView.as_view(), name="staffing_change_resolve"),
    path("vendors/<slug:slug>/assignments/<int:pk>/remove/",
         views.AssignmentRemoveView.as_view(), name="assignment_remove"),
    path("vendors/<slug:slug>/<kind:kind>/new/", views.RecordCreateView.as_view(),
         name="record_create"),
    path("vendors/<slug:slug>/<kind:kind>/<int:pk>/edit/", views.RecordUpdateView.as_view(),
         name="record_update"),
    path("vendors/<slug:slug>/<kind:kind>/<int:pk>/archive/", views.RecordArchiveView.as_view(),
         name="record_archive"),
    path("vendors/<slug:slug>/<kind:kind>/<int:pk>/restore/", views.RecordRestoreView.as_view(),
         name="record_restore"),
    path("search/", views.SearchView.as_view(), name="search"),
]
