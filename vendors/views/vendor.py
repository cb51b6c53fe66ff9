"""Vendors: the list, the vendor's own tabs, and adding, editing, archiving a vendor."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from vendorgov import freshness
from vendorgov.pages import ConfirmPage, FormPage, ListPage
from vendors import access, forms, header, overview, selectors, services
from vendors.access import Action
from vendors.filtersets import VendorFilterSet
from vendors.models import Vendor
from vendors.pages import VendorMixin


class VendorListView(ListPage):
    template_name = "vendors/vendor_list.html"
    filterset_class = VendorFilterSet
    sort_fields = {"name": "name", "tier": "tier", "status": "status",
                   "criticality": "criticality", "renewal": "next_contract_end",
                   "requests": "open_staffing_requests"}
    default_sort = "name"
    csv_filename = "vendors.csv"
    csv_header = ["Name", "Tier", "Criticality", "Status", "Next contract end",
                  "Open staffing requests", "Archived"]

    def get_queryset(self):
        return selectors.vendor_list(self.request.user)

    def csv_row(self, v):
        return [v.name, v.get_tier_display(), v.get_criticality_display(),
                v.get_status_display(), v.next_contract_end or "", v.open_staffing_requests,
                "yes" if v.is_archived else "no"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(may_create=access.may_create_vendor(self.request.user),
                                        **kwargs)


@dataclass
class Kept:
    """The Overview tab's content, rendered, and until when it holds without a write or a
    new day (None: until a write)."""

    html: str
    holds_until: datetime | None


class VendorTabView(VendorMixin, TemplateView):
    """One of the vendor page's own tabs; each tab has its own template and URL.

    The Overview tab (the vendor page) reads about fifteen small queries across the apps
    (its header's facts, the vendor 360, the vendor's records) on every view, though most
    views come between two writes: its content, header included, is rendered once and kept
    in the cache (vendorgov/freshness.py) until a table it read is written, the date changes
    (overdue, "in 3 days"), or a part's `holds_until` passes (a next review has ended).
    It is kept per person and vendor: what the person may see and do there (their role, the
    vendor they belong to, their rights on this vendor) and the vendor's own row (read before,
    by the access check) are in its key; whether they may open the page is checked on every
    view, before the cache."""

    def get_template_names(self):
        return [f"vendors/tabs/{self.tab}.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.tab == "history":
            context["entries"] = selectors.vendor_history(self.vendor)
            return context
        show_archived = self.request.GET.get("archived") == "1"
        context["show_archived"] = show_archived
        if self.tab == "overview":
            context["body"] = self.overview_body(context, show_archived)
        else:
            context["o"] = selectors.vendor_overview(self.vendor, include_archived=show_archived)
        return context

    def overview_body(self, context: dict, show_archived: bool) -> str:
        user, vendor = self.request.user, self.vendor
        today, now = timezone.localdate(), timezone.now()

        def compute() -> Kept:
            parts = overview.parts()
            html = render_to_string(
                "vendors/tabs/_overview_body.html",
                {**context, "overview_parts": parts,
                 "o": selectors.vendor_overview(vendor, include_archived=show_archived)},
                request=self.request)
            ends = [part.holds_until(vendor) for part in (*header.parts(), *parts)
                    if part.holds_until is not None]
            return Kept(html, min((end for end in ends if end is not None), default=None))

        row = tuple(getattr(vendor, f.attname) for f in vendor._meta.concrete_fields)
        kept = freshness.cached(
            "vendor-overview",
            (user.pk, user.role, user.vendor_id, user.is_superuser, row,
             tuple(sorted(context["rights"].items())), today, show_archived),
            compute, valid=lambda k: k.holds_until is None or now < k.holds_until)
        return kept.html


class VendorCreateView(FormPage):
    form_class = forms.VendorForm
    title = "New vendor"
    show_object = True
    success_message = "Vendor '{object}' created."

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access.may_create_vendor(request.user):
            raise PermissionDenied("Only vendor managers add vendors.")
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form):
        return services.vendor_create(by=self.request.user, **form.cleaned_data)

    def done_url(self):
        return reverse("vendors:list")


class VendorUpdateView(VendorMixin, FormPage):
    vendor_action = Action.MANAGE
    form_class = forms.VendorForm
    success_message = "Vendor '{object}' saved."

    def get_instance(self):
        return self.vendor

    def get_title(self):
        return f"Edit {self.vendor}"

    def perform(self, form):
        data = dict(form.cleaned_data)
        data["slug"] = data["slug"] or services.unique_vendor_slug(data["name"],
                                                                   exclude_pk=self.vendor.pk)
        return services.record_update(Vendor.objects.get(pk=self.vendor.pk),
                                      by=self.request.user, **data)

    def done_url(self):
        return (self.object or self.vendor).get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(history=selectors.record_history(self.vendor),
                                        **kwargs)


class VendorArchiveView(VendorMixin, ConfirmPage):
    vendor_action = Action.MANAGE
    verb = "archive"
    explanation = ("'{target}' will disappear from lists and dashboards. Its records and "
                   "history are kept, and you can restore it later.")

    def target(self):
        return self.vendor

    service = staticmethod(services.record_archive)


class VendorRestoreView(VendorArchiveView):
    verb = "restore"
    button_class = "btn-primary"
    explanation = "'{target}' will appear in lists and dashboards again."

    service = staticmethod(services.record_restore)
