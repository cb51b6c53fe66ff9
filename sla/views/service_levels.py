"""A service level: adding it to a draft version, its page with its trend, editing and
removing it."""

from django.views.generic import TemplateView

from sla import forms, rules, selectors, services
from sla.models import ServiceLevel
from sla.views import SlaPage
from sla.views.agreements import VersionMixin
from vendorgov import charts
from vendorgov.pages import ConfirmPage, FormPage, once
from vendors.access import Action
from vendors.selectors import record_history


def trend_chart(sl: ServiceLevel, labels, values) -> str:
    """A service level's values by window, on its green / amber / red bands."""
    known = [v for v in values if v is not None] + [float(sl.target), float(sl.breach_threshold)]
    low, high = min(known), max(known)
    pad = (high - low) * 0.15 or 1
    low, high = low - pad, high + pad
    if sl.unit != "score":  # nothing else goes below zero
        low = max(low, 0)
    if sl.unit == "percent":
        high = min(high, 100)
    target, breach = float(sl.target), float(sl.breach_threshold)
    if sl.comparator == "gte":
        bands = [(target, high, "green"), (breach, target, "amber"), (low, breach, "red")]
    else:
        bands = [(low, target, "green"), (target, breach, "amber"), (breach, high, "red")]
    return charts.line_chart(labels, [charts.Series(sl.name, values, "blue")], low=low,
                             high=high, unit=sl.unit_symbol if sl.unit_symbol == "%" else "",
                             title=f"{sl.name}: last {len(values)} windows", bands=bands,
                             height=200)


class ServiceLevelCreateView(VersionMixin, FormPage):
    vendor_action = Action.EDIT
    form_takes_vendor = True
    form_class = forms.ServiceLevelForm
    success_message = "Service level '{object}' added."

    def get_title(self):
        return f"New service level in {self.version()}"

    def perform(self, form):
        return services.service_level_create(self.version(), by=self.request.user,
                                             **form.cleaned_data)


class ServiceLevelMixin(SlaPage):
    @once
    def service_level(self) -> ServiceLevel:
        return selectors.service_level_get(self.vendor, self.kwargs["pk"])


class ServiceLevelDetailView(ServiceLevelMixin, TemplateView):
    template_name = "sla/service_level.html"

    def get_context_data(self, **kwargs):
        sl = self.service_level()
        row, measurements = selectors.service_level_history(sl)
        chart = trend_chart(sl, rules.axis_labels(sl.window, row.starts), row.values)
        return super().get_context_data(sl=sl, row=row, measurements=measurements,
                                        chart=chart, history=record_history(sl), **kwargs)


class ServiceLevelUpdateView(ServiceLevelMixin, FormPage):
    vendor_action = Action.EDIT
    form_takes_vendor = True
    form_class = forms.ServiceLevelForm
    success_message = "Service level '{object}' saved."

    def get_instance(self):
        return self.service_level()

    def get_title(self):
        return f"Edit {self.service_level()} ({self.service_level().version})"

    def perform(self, form):
        return services.service_level_update(self.service_level(), by=self.request.user,
                                             **form.cleaned_data)

    def done_url(self):
        return self.service_level().version.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(history=record_history(self.service_level()), **kwargs)


class ServiceLevelRemoveView(ServiceLevelMixin, ConfirmPage):
    vendor_action = Action.EDIT
    verb = "remove"
    button_class = "btn-danger"
    explanation = ("'{target}' will be taken out of this draft. Its history records that it "
                   "was there.")

    def target(self):
        return self.service_level()

    def act(self, target):
        self._version_url = target.version.get_absolute_url()
        services.service_level_remove(target, by=self.request.user)

    def done_url(self):
        return getattr(self, "_version_url", None) or self.tab_url()
