"""One measure's details, and the parts of a vendor's scorecard (perspectives, objectives,
measures): added, edited, retired and restored."""

from django.urls import reverse
from django.views.generic import TemplateView

from scorecards import forms, selectors, services
from scorecards.models import Objective, Perspective
from scorecards.views import PartKindMixin, ScorecardPage
from vendorgov import charts
from vendorgov.pages import ConfirmPage, FormPage, once
from vendors.access import Action
from vendors.selectors import record_history


class MeasureDetailView(ScorecardPage, TemplateView):
    """Everything behind one line of the scorecard: definition, rule, every period's
    actual with evidence, comments, disputes and history."""

    template_name = "scorecards/measure.html"

    def get_context_data(self, **kwargs):
        measure = selectors.measure_get(self.vendor, self.kwargs["pk"])
        detail = selectors.measure_detail(measure)
        selected = self.request.GET.get("period")
        chosen = next((a for p, a in detail.rows if p.label == selected and a), None) \
            or next((a for _, a in detail.rows if a), None)
        for period, actual in detail.rows:
            if actual is not None:
                actual.period = period  # read once: its name and its history's name it
        rows = list(reversed(detail.rows))
        # The vendor's own figure, where we measured a different one.
        reported = [float(a.vendor_value) if a and a.difference else None for _, a in rows]
        chart = charts.line_chart(
            [*[p.label for p, _ in rows], ""],
            [charts.Series("Scored value", [float(a.value) if a and a.counts else None
                                            for _, a in rows]),
             *([charts.Series("Vendor reported", reported, colour="#6f42c1")]
               if any(v is not None for v in reported) else [])],
            unit=f" {measure.unit}" if measure.unit and len(measure.unit) < 4 else "",
            title=f"{measure.name} by period", height=200,
            bands=_bands(measure)) if rows else ""
        return super().get_context_data(
            measure=measure, detail=detail, chosen=chosen, selected=selected, chart=chart,
            measure_history=record_history(measure),
            actual_history=record_history(chosen) if chosen else [], **kwargs)


def _bands(measure):
    t, a, r = (float(measure.target), float(measure.amber_threshold),
               float(measure.red_threshold))
    far = abs(a - r) * 3 + abs(t - a) + 1
    if measure.direction == "higher":
        return [(a, max(t, a) + far, "green"), (r, a, "amber"), (r - far, r, "red")]
    return [(min(t, a) - far, a, "green"), (a, r, "amber"), (r, r + far, "red")]


class PartMixin(PartKindMixin, ScorecardPage):
    vendor_action = Action.MANAGE
    part_models = services.SCORECARD_PARTS
    part_forms = forms.SCORECARD_PART_FORMS

    def parents(self):
        if self.kind == "objectives":
            return Perspective.objects.active().filter(scorecard=self.scorecard)
        if self.kind == "measures":
            return Objective.objects.active().filter(perspective__scorecard=self.scorecard) \
                .select_related("perspective")
        return None

    @once
    def part(self):
        return self.record(self.model)

    def done_url(self):
        if self.kind == "measures" and self.object is not None:
            return reverse("scorecards:measure", args=[self.vendor.slug, self.object.pk])
        return self.tab_url()


class PartCreateView(PartMixin, FormPage):
    done_verb = "added"
    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["parents"] = self.parents()
        kwargs["vendor"] = self.vendor
        if self.kind == "objectives" and self.request.GET.get("perspective"):
            kwargs.setdefault("initial", {})["perspective"] = self.request.GET["perspective"]
        if self.kind == "measures" and self.request.GET.get("objective"):
            kwargs.setdefault("initial", {})["objective"] = self.request.GET["objective"]
        return kwargs

    def get_title(self):
        return f"New {self.label} for {self.vendor}'s scorecard"

    def perform(self, form):
        data = dict(form.cleaned_data)
        data.pop("change_reason", None)
        if self.kind == "perspectives":
            data["scorecard"] = self.scorecard
        return services.part_create(self.model, by=self.request.user, **data)


class PartUpdateView(PartMixin, FormPage):
    done_verb = "saved"
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.part(), "parents": self.parents(),
                "with_reason": True, "vendor": self.vendor}

    def get_title(self):
        return f"Edit {self.label}: {self.part()}"

    def get_intro(self):
        if self.kind == "measures":
            return ("Changes apply to this vendor's scorecard only. Targets and thresholds of "
                    "periods already locked stay as they were reviewed.")
        return ""

    def perform(self, form):
        data = dict(form.cleaned_data)
        reason = data.pop("change_reason", "")
        return services.part_update(self.part(), by=self.request.user, change_reason=reason,
                                    **data)

    def get_context_data(self, **kwargs):
        return super().get_context_data(history=record_history(self.part()), **kwargs)


class PartRetireView(PartMixin, ConfirmPage):
    verb = "retire"
    explanation = ("'{target}' will leave the scorecard from today: it takes no new actuals "
                   "and no longer counts in periods that end from now on. Its past results "
                   "and history are kept, and you can restore it.")

    def target(self):
        return self.part()

    service = staticmethod(services.part_retire)


class PartRestoreView(PartRetireView):
    verb = "restore"
    button_class = "btn-primary"
    explanation = "'{target}' will count in the scorecard again."

    service = staticmethod(services.part_restore)
