"""The portfolio: every vendor × perspective for one period, and overall scores over time."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from scorecards import selectors
from scorecards.templatetags.scorecards import heat_map_cells, trend_cells
from scorecards.views.scorecard import RAG_BANDS, _blank
from vendorgov import charts
from vendorgov.pages import SortMixin, csv_response


class PortfolioView(LoginRequiredMixin, SortMixin, TemplateView):
    """Executives' view: every vendor × perspective for one period, worst first on request,
    and each vendor's overall score over time."""

    template_name = "scorecards/portfolio.html"
    default_sort = "vendor"

    def get(self, request, *args, **kwargs):
        # The columns (perspective names) are known only from the data: read them first
        # with the sort left to the selector, which scores only what it must.
        csv = request.GET.get("format") == "csv"
        self.data = selectors.portfolio(request.user, request.GET.get("period"),
                                        trend_length=1 if csv else selectors.TREND_PERIODS,
                                        sort=self._sort_for_selector(request),
                                        page=request.GET.get("page"),
                                        per_page=None if csv else selectors.PORTFOLIO_PAGE,
                                        names=self.names)
        self.rows = self.data.rows
        if csv:
            return self.csv()
        return super().get(request, *args, **kwargs)

    def _sort_for_selector(self, request) -> str:
        """`?sort=` as the selector takes it: vendor, overall or a perspective's name."""
        self.names = names = selectors.portfolio_perspective_names(request.user)
        self.sort_fields = {"vendor": "vendor", "overall": "overall",
                            **{f"p{i}": name for i, name in enumerate(names, start=1)}}
        sort = self.current_sort()
        return ("-" if sort.startswith("-") else "") + self.sort_fields[sort.lstrip("-")]

    def csv(self):
        names = self.data.perspective_names
        header = ["Vendor", "Period", "Overall score", "Overall status", "Coverage (%)"]
        for name in names:
            header += [f"{name} score", f"{name} status"]
        rows = []
        for row in self.rows:
            overall = row.score.rolled if row.score else None
            line = [row.vendor.name, self.data.label or "",
                    _blank(overall and overall.score),
                    overall.status.label if overall else "No scorecard period",
                    f"{overall.coverage * 100:.0f}" if overall else ""]
            for name in names:
                cell = row.cell(name)
                line += [_blank(cell and cell.score),
                         cell.status.label if cell else "Not on this scorecard"]
            rows.append(line)
        return csv_response(f"scorecards-{self.data.label or 'none'}.csv", header, rows)

    def get_context_data(self, **kwargs):
        data = self.data
        # One reverse() for the page: a row's link differs only by the vendor's slug.
        url = reverse("scorecards:vendor", args=["slug-here"])
        names = data.perspective_names
        for row in self.rows:
            row.url = url.replace("slug-here", row.vendor.slug)
            row.cells = heat_map_cells(row, names, row.url, data.label)
            row.trend_cells = trend_cells(row)
        columns = [(f"p{i}", name) for i, name in enumerate(names, start=1)]
        # Small multiples: one chart per vendor reads better than many crossing lines.
        # Only the page's vendors: a chart for each vendor of the portfolio would be megabytes.
        # Their axes, bands and labels are drawn once for the page (charts.small_multiples).
        trend_background, trend_charts = "", []
        if data.trend_labels:
            trend_background, svgs = charts.small_multiples(
                [*data.trend_labels, ""], [
                    (f"Overall score of {row.vendor}, by period",
                     charts.Series("Overall score", [None if v is None else float(v)
                                                     for v in row.trend]))
                    for row in self.rows],
                symbol_id="score-trend-axes", low=0, high=100, bands=RAG_BANDS, width=360,
                height=170)
            # charts.py escapes every text it draws.
            trend_background = mark_safe(trend_background)  # noqa: S308
            trend_charts = list(zip(self.rows, map(mark_safe, svgs), strict=True))
        query = self.request.GET.copy()
        query.pop("format", None)
        # A page over the row count only (no query): the shared pagination links.
        page = Paginator(range(data.count), selectors.PORTFOLIO_PAGE).page(data.page)
        return super().get_context_data(
            data=data, rows=self.rows, page=page, columns=columns, sort=self.current_sort(),
            trend_charts=trend_charts, trend_background=trend_background,
            query=query.urlencode(),
            approvals=selectors.approvals_waiting(self.request.user),
            disputes=list(selectors.open_disputes(self.request.user)[:10]), **kwargs)
