"""The API's write check, answered by `vendors.access` like every other check."""

from rest_framework import permissions

from vendors import access


class VendorActionPermission(permissions.BasePermission):
    """Writes need the view's `required_action()` on the record's vendor.

    Reads are already scoped by the view's queryset (out of scope is 404, never 403), so
    this only judges changes: on a record the caller can see, or up front for a create
    when the caller may not do that anywhere.
    """

    message = "You may not make this change."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS or view.detail:
            return True
        return view.may_create()

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return access.may(request.user, view.required_action(), obj)
