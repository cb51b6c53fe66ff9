"""SLAs across the portfolio, and one vendor's SLA tab."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.views.generic import TemplateView

from sla import rules, selectors
from sla.views import SlaPage
from vendorgov import charts
from vendorgov.pages import csv_response


class PortfolioView(LoginRequiredMixin, TemplateView):
    """Where do SLAs need me? Breaches this month, corrective actions overdue, disputes and
    reviews waiting; then each vendor's compliance rate month by month."""

    template_name = "sla/portfolio.html"

    def get(self, request, *args, **kwargs):
        self.months = 24 if request.GET.get("months") == "24" else 12
        csv = request.GET.get("format") == "csv"
        self.data = selectors.portfolio(request.user, months=self.months,
                                        page=request.GET.get("page"),
                                        per_page=None if csv else selectors.PORTFOLIO_PAGE)
        if csv:
            header = ["Vendor"] + [f"{m:%b %Y}" for m in self.data.months]
            return csv_response("sla-compliance.csv", header, (
                [row.vendor.name] + ["" if r is None else r for r in row.rates]
                for row in self.data.compliance))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        labels = rules.axis_labels("monthly", self.data.months)
        chart = charts.line_chart(
            labels, [charts.Series(_short(row.vendor.name), row.rates)
                     for row in self.data.compliance],
            low=0, high=100, unit="%", title="Compliance rate per vendor, by month",
        ) if self.data.compliance else ""
        # A page over the vendor count only (no query): the shared pagination links.
        page = Paginator(range(self.data.count), selectors.PORTFOLIO_PAGE).page(self.data.page)
        return super().get_context_data(p=self.data, months=self.months, chart=chart, page=page,
                                        section="sla", **kwargs)


def _short(name: str) -> str:
    """A vendor's name short enough for a chart legend (the table beside it has it whole)."""
    return name if len(name) <= 18 else name.split(" ")[0][:18]


class VendorSlaView(SlaPage, TemplateView):
    template_name = "sla/vendor.html"

    def get_context_data(self, **kwargs):
        show_archived = self.request.GET.get("archived") == "1"
        data = selectors.vendor_slas(self.vendor, include_archived=show_archived)
        return super().get_context_data(o=data, show_archived=show_archived,
                                        report_month=selectors.default_report_month(data.today),
                                        **kwargs)
