"""The vendor layer of the generic page views (`vendorgov.pages`): every page about one
vendor puts `VendorMixin` in front of a generic view.

    class SlaUpdateView(SlaPage, FormPage): ...   # SlaPage = VendorMixin with tab = "slas"

It lives here, not in `vendorgov`, because it loads the vendor through `vendors.access`
and `vendorgov` imports no app. Feature apps import it; `vendors` imports none of them.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse

from vendors import access, header, selectors, tabs
from vendors.access import Action


class VendorMixin(LoginRequiredMixin):
    """Loads `self.vendor` from the URL's slug: 404 outside the user's scope (never 403),
    403 when they may see the vendor but not do `vendor_action` on it.

    `tab` names the vendor-page tab the page belongs to (`vendors.tabs`): it is highlighted,
    and it is where the page returns when it is done, unless the page says otherwise."""

    vendor_action = Action.VIEW
    tab = "overview"
    form_takes_vendor = False  # the form's choices depend on the vendor

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.vendor = selectors.vendor_get(request.user, kwargs["slug"])
        if not access.may(request.user, self.vendor_action, self.vendor):
            raise PermissionDenied("You may look at this vendor but not change this.")
        return super().dispatch(request, *args, **kwargs)

    def record(self, model_or_queryset, pk=None, **lookups):
        """One of this vendor's records by the URL's `pk` (or `pk`); 404 for any other."""
        queryset = getattr(model_or_queryset, "objects", model_or_queryset)
        return get_object_or_404(queryset.filter(vendor=self.vendor, **lookups),
                                 pk=pk or self.kwargs["pk"])

    def require(self, action: Action, obj) -> None:
        if not access.may(self.request.user, action, obj):
            raise PermissionDenied("You may look at this but not change it.")

    def tab_url(self) -> str:
        return reverse(tabs.get(self.tab).url_name, args=[self.vendor.slug])

    def done_url(self) -> str:
        return self.tab_url()

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.form_takes_vendor:
            kwargs["vendor"] = self.vendor
        return kwargs

    def get_context_data(self, **kwargs):
        # Inside a vendor's pages the top navigation shows "Vendors".
        kwargs.setdefault("tab", self.tab)
        return super().get_context_data(vendor=self.vendor, section="vendors",
                                        rights=access.rights(self.request.user, self.vendor),
                                        vendor_tabs=tabs.tabs(),
                                        vendor_header_parts=header.parts(), **kwargs)
