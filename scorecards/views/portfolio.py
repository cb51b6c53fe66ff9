"""The portfolio: every vendor × perspective for one period, and overall scores over time."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from scorecards import selectors
from scorecards.views.scorecard import _blank, score_chart
from vendorgov.pages import SortMixin, csv_response


class PortfolioView(LoginRequiredMixin, SortMixin, TemplateView):
    """Executives' view: every vendor × perspective for one period, worst first on request,
    and each vendor's overall score over time."""

    template_name = "scorecards/portfolio.html"
    default_sort = "vendor"

    def get(self, request, *args, **kwargs):
        self.data = selectors.portfolio(request.user, request.GET.get("period"))
        names = self.data.perspective_names
        self.sort_fields = {"vendor": "vendor", "overall": "overall",
                            **{f"p{i}": name for i, name in enumerate(names, start=1)}}
        self.rows = self._sorted(self.data.rows)
        if request.GET.get("format") == "csv":
            return self.csv()
        return super().get(request, *args, **kwargs)

    def _sorted(self, rows):
        sort = self.current_sort()
        key = sort.lstrip("-")
        reverse_ = sort.startswith("-")
        if key == "vendor":
            return sorted(rows, key=lambda r: r.vendor.name.lower(), reverse=reverse_)

        def score(row):
            rolled = (row.score.rolled if row.score else None) if key == "overall" \
                else row.cell(self.sort_fields[key])
            return None if rolled is None else rolled.score

        # Rows without data go last, whichever way the column is sorted.
        known = [r for r in rows if score(r) is not None]
        unknown = [r for r in rows if score(r) is None]
        return sorted(known, key=score, reverse=reverse_) + unknown

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
        columns = [(f"p{i}", name) for i, name in enumerate(data.perspective_names, start=1)]
        # Small multiples: one chart per vendor reads better than many crossing lines.
        trend_charts = [(row, score_chart(data.trend_labels, row.trend,
                                          f"Overall score of {row.vendor}, by period",
                                          width=360, height=170))
                        for row in self.rows] if data.trend_labels else []
        query = self.request.GET.copy()
        query.pop("format", None)
        return super().get_context_data(
            data=data, rows=self.rows, columns=columns, sort=self.current_sort(),
            trend_charts=trend_charts, query=query.urlencode(),
            approvals=selectors.approvals_waiting(self.request.user),
            disputes=list(selectors.open_disputes(self.request.user)[:10]), **kwargs)
