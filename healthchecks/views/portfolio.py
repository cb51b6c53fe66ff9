"""Across vendors: last and next health check per vendor, overdue first (and as CSV); and
the printable report of one cycle."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.views.generic import TemplateView

from healthchecks import charts, selectors
from healthchecks.views import HealthPage
from vendorgov.pages import csv_response


class PortfolioView(LoginRequiredMixin, TemplateView):
    template_name = "healthchecks/portfolio.html"

    def get(self, request, *args, **kwargs):
        if request.user.is_vendor_user:
            raise PermissionDenied("The health-check portfolio is ours.")
        self.rows = selectors.portfolio(request.user)
        if request.GET.get("format") == "csv":
            return csv_response("health-checks.csv",
                                ["Vendor", "Interval (months)", "Next due", "Overdue (days)",
                                 "Under way", "Last closed", "Overall score (1-5)", "Trend"],
                                ([r.vendor.name, r.plan.interval_months, r.plan.next_due,
                                  r.overdue_days,
                                  r.current.get_status_display() if r.current else "",
                                  r.last.closed_on if r.last else "",
                                  "" if r.overall is None else r.overall,
                                  "" if r.trend is None else r.trend] for r in self.rows))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(rows=self.rows, section="healthchecks",
                                        overdue=sum(1 for r in self.rows if r.overdue_days),
                                        **kwargs)


class ReportView(HealthPage, TemplateView):
    """The report a vendor manager takes into the review: printable, no navigation."""

    template_name = "healthchecks/report.html"

    def get(self, request, *args, **kwargs):
        if request.user.is_vendor_user and not self.cycle().shared_with_vendor:
            raise PermissionDenied("This report is shared with the vendor after the review.")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.pop("cycle", None)  # the URL's id; the page shows the record
        cycle = self.cycle()
        page = selectors.cycle_page(cycle)
        results = page.results
        return super().get_context_data(
            cycle=cycle, page=page, results=results,
            internal=not self.request.user.is_vendor_user,
            comment_groups=("vendor",) if self.request.user.is_vendor_user else None,
            chart=charts.dimensions_chart(results) if results else "",
            gap_chart=charts.gaps_chart(results) if results else "", **kwargs)
