from django.core.exceptions import PermissionDenied


class VendorManagersOnly:
    """The reminder log and settings are the vendor managers' (UX.md: Administration)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_vendor_manager:
            raise PermissionDenied("Only vendor managers see the reminder log.")
        return super().dispatch(request, *args, **kwargs)
