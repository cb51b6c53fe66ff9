"""The operations team's monthly SLA report for one vendor: page, print and CSV."""

from datetime import date

from django.utils import timezone
from django.views.generic import TemplateView

from sla import rules, selectors
from sla.views import SlaPage
from sla.views.service_levels import trend_chart
from vendorgov.pages import csv_response


def _month(value: str, default: date) -> date:
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except (ValueError, AttributeError):
        return default


class ReportView(SlaPage, TemplateView):
    """The operations team's monthly SLA review for one vendor (?month=YYYY-MM)."""

    template_name = "sla/report.html"

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        default = selectors.default_report_month(today)
        month = _month(request.GET.get("month", ""), default)
        if month > rules.month_start(today) or month.year < 2000:
            month = default
        self.report = selectors.monthly_report(self.vendor, month, today=today)
        if request.GET.get("format") == "csv":
            return self.csv()
        return super().get(request, *args, **kwargs)

    def csv(self):
        r = self.report
        credit_of = {c.outcome.evaluation_id: c for m in r.money.values() for c in m.credits}
        bonus_of = {b.outcome.evaluation_id: b for m in r.money.values() for b in m.bonuses}
        rows = []
        for level in r.levels:
            sl = level.row.service_level
            for e in level.this_month:
                credit, bonus = credit_of.get(e.pk), bonus_of.get(e.pk)
                rows.append([level.sla.reference, sl.name, e.label, e.window_start, e.window_end,
                             "" if e.value is None else rules.number(e.value), sl.unit,
                             sl.rule, e.get_status_display() + (" (excused)" if e.excused
                                                                else ""),
                             bonus.points if bonus else 0,
                             rules.number(credit.applied_percent) if credit else "0",
                             credit.amount if credit else "0.00",
                             credit.currency if credit else "",
                             credit.earn_back_note if credit else "",
                             e.corrective_action.title if e.corrective_action else ""])
        return csv_response(
            f"{self.vendor.slug}-sla-report-{r.month:%Y-%m}.csv",
            ["SLA", "Service level", "Window", "Window start", "Window end", "Value", "Unit",
             "Rule", "Status", "Bonus points", "Credit % of monthly charge", "Credit amount",
             "Currency", "Earn-back", "Corrective action"], rows)

    def get_context_data(self, **kwargs):
        r = self.report
        trend = []
        for level in r.levels:
            sl = level.row.service_level
            trend.append((level, trend_chart(sl, rules.axis_labels(sl.window, level.row.starts),
                                             level.row.values)))
        today = timezone.localdate()
        months = [rules.add_months(rules.month_start(today), -i) for i in range(0, 13)]
        return super().get_context_data(r=r, trend=trend, months=months,
                                        previous=rules.add_months(r.month, -1),
                                        following=rules.add_months(r.month, 1)
                                        if r.month < rules.month_start(today) else None,
                                        **kwargs)


class ReportPrintView(ReportView):
    template_name = "sla/report_print.html"
