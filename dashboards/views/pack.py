"""The quarterly review pack of one vendor: a print-ready page, a PDF, each table as CSV."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.generic import TemplateView, View

from dashboards import csv_tables, pdf, quarters, selectors
from vendors import selectors as vendor_selectors
from vendors.pages import VendorMixin


class PackMixin(VendorMixin):
    """A vendor the person may see, and a quarter from `?quarter=` (by default the last one
    that ended). The pack is our internal view: vendor users are refused."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.may_see_pack(request.user):
            vendor_selectors.vendor_get(request.user, kwargs["slug"])  # 404 before 403
            raise PermissionDenied("The quarterly review pack is for our side only.")
        return super().dispatch(request, *args, **kwargs)

    @property
    def quarter(self) -> quarters.Quarter:
        return selectors.pack_quarter(self.request.GET.get("quarter"))


class PackView(PackMixin, TemplateView):
    template_name = "dashboards/pack.html"

    def get_context_data(self, **kwargs):
        quarter = self.quarter
        return super().get_context_data(
            p=selectors.pack(self.request.user, self.vendor, quarter),
            quarter_choices=[q.label for q in quarters.recent(timezone.localdate(), 8)],
            tables=csv_tables.TABLES, **kwargs)


class PackPdfView(PackMixin, View):
    def get(self, request, *args, **kwargs):
        quarter = self.quarter
        response = HttpResponse(pdf.pack_pdf(request.user, self.vendor, quarter),
                                content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="{self.vendor.slug}-{quarter.label}-review-pack.pdf"')
        return response


class PackCsvView(PackMixin, View):
    def get(self, request, *args, **kwargs):
        table = csv_tables.TABLES.get(kwargs["table"])
        if table is None:
            raise Http404("No such table in the pack.")
        quarter = self.quarter
        p = selectors.pack(request.user, self.vendor, quarter)
        return table.response(p, f"{self.vendor.slug}-{quarter.label}-{kwargs['table']}.csv")
