"""The vendor's Scorecard tab (and its CSV), and setting a scorecard up from a template."""

from django.shortcuts import redirect
from django.views.generic import TemplateView

from scorecards import forms, selectors, services
from scorecards.views import ScorecardPage
from vendorgov import charts
from vendorgov.pages import FormPage, csv_response
from vendors import access
from vendors.access import Action


class VendorScorecardView(ScorecardPage, TemplateView):
    """Where does this vendor stand this period? Perspectives as sections, each measure
    with its target, actual, status, trend and a link to its details."""

    template_name = "scorecards/vendor.html"
    needs_scorecard = False

    def get(self, request, *args, **kwargs):
        if self.scorecard is not None:
            self.page = selectors.scorecard_page(self.scorecard, request.GET.get("period"))
            if request.GET.get("format") == "csv":
                return scorecard_csv(self.vendor, self.page)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.scorecard is None:
            context["may_set_up"] = access.may(self.request.user, Action.MANAGE, self.vendor)
            return context
        page = self.page
        context.update(page=page, s=page.current, period=page.period,
                       trend_chart=_overall_chart(page))
        return context


RAG_BANDS = [(70, 100, "green"), (40, 70, "amber"), (0, 40, "red")]


def score_chart(labels: list[str], values: list, title: str, **size) -> str:
    """A vendor's overall score by period on the green/amber/red bands. The empty last
    label leaves room for the last period's label at the right edge."""
    series = [charts.Series("Overall score", [None if v is None else float(v)
                                              for v in values])]
    return charts.line_chart([*labels, ""], series, low=0, high=100, title=title,
                             bands=RAG_BANDS, **size)


def _overall_chart(page) -> str:
    return score_chart([p.label for p, _ in page.trend], page.overall_trend_values,
                       f"Overall score of {page.scorecard.vendor}, by period", height=180)


def scorecard_csv(vendor, page):
    period = page.period
    header = ["Period", "Level", "Perspective", "Objective", "Measure", "Unit", "Direction",
              "Target", "Amber threshold", "Red threshold", "Weight", "Share of group (%)",
              "Vendor reported", "We measured", "Scored value", "Score", "Status",
              "Workflow", "Comment", "Evidence link", "Reported by", "Approved by"]

    def pct(share):
        return "" if share is None else f"{share * 100:.1f}"

    def rolled_row(level, perspective, objective, rolled):
        return [period.label if period else "", level, perspective, objective, "", "", "", "",
                "", "", getattr(rolled, "weight", ""), pct(rolled.share), "", "", "",
                rolled.score if rolled.score is not None else "", rolled.status.label, "",
                f"{rolled.measures_with_data} of {rolled.measures} measures with data", "",
                "", ""]

    def rows():
        s = page.current
        yield rolled_row("Vendor", "", "", s.rolled)
        for p in s.perspectives:
            yield rolled_row("Perspective", p.perspective.name, "", p.rolled)
            for o in p.objectives:
                yield rolled_row("Objective", p.perspective.name, o.objective.name, o.rolled)
                for line in o.lines:
                    m, a = line.measure, line.actual
                    yield [period.label if period else "", "Measure", p.perspective.name,
                           o.objective.name, m.name, m.unit, m.get_direction_display(),
                           a.target if a else m.target,
                           a.amber_threshold if a else m.amber_threshold,
                           a.red_threshold if a else m.red_threshold, m.weight,
                           pct(line.rolled.share),
                           _blank(a and a.vendor_value), _blank(a and a.internal_value),
                           _blank(a and a.counts and a.value), _blank(line.score),
                           line.status.label, a.get_status_display() if a else "",
                           a.comment if a else "", a.evidence_url if a else "",
                           _reporter(a, m),
                           str(a.approved_by or "") if a else ""]

    label = period.label if period else "no-period"
    return csv_response(f"scorecard-{vendor.slug}-{label}.csv", header, rows())


def _reporter(actual, measure) -> str:
    if actual is None:
        return ""
    if actual.is_derived:
        return f"SLA {measure.feed}" if measure.feed else "SLA"
    return str(actual.reported_by or "")


def _blank(value):
    return "" if value is None or value is False else value


class ScorecardSetupView(ScorecardPage, FormPage):
    """Give the vendor a scorecard by applying a template."""

    vendor_action = Action.MANAGE
    needs_scorecard = False
    form_class = forms.ApplyTemplateForm
    success_message = "Scorecard set up from the template. Its periods are open."
    submit_label = "Set up scorecard"
    intro = ("The template's perspectives, objectives and measures are copied; you can then "
             "add, retire and re-weight measures for this vendor without changing the "
             "template.")

    def get(self, request, *args, **kwargs):
        if self.scorecard is not None:
            return redirect(self.tab_url())
        return super().get(request, *args, **kwargs)

    def get_title(self):
        return f"Set up a scorecard for {self.vendor}"

    def perform(self, form):
        return services.template_apply(form.cleaned_data["template"], vendor=self.vendor,
                                       starts_on=form.cleaned_data["starts_on"],
                                       by=self.request.user)
