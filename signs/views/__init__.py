"""The warning-sign pages, one module per resource: `portfolio` (every vendor's signs,
worst first, and as CSV), `vendor` (a vendor's Warning signs tab, and dismissing one) and
`thresholds` (kept by vendor managers). Internal people only: vendor users never see
warning signs (see `signs.selectors`)."""

from django.core.exceptions import PermissionDenied

from vendors.pages import VendorMixin


class InternalOnly:
    """Vendor users never see warning signs, not even their own vendor's."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_vendor_user:
            raise PermissionDenied("Warning signs are our own reading of the relationship.")
        return super().dispatch(request, *args, **kwargs)


class SignPage(VendorMixin, InternalOnly):
    """A page of the vendor's Warning signs tab (the vendor first: 404 outside scope)."""

    tab = "signs"
