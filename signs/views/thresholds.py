"""The thresholds of the warning-sign rules, kept by vendor managers, with their history."""

from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from signs import selectors, services
from signs.forms import ThresholdsForm
from vendorgov.pages import FormPage
from vendors import access
from vendors.access import Action
from vendors.selectors import record_history


class ThresholdsView(FormPage):
    form_class = ThresholdsForm
    title = "Warning-sign thresholds"
    intro = ("The rules read these on their next run (every hour). Each sign and what its "
             "thresholds mean is explained on the Warning signs page.")
    success_message = "Thresholds saved; the signs are recomputed on the next run."

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and access.vendor_ids(request.user,
                                                               Action.MANAGE) is not None:
            raise PermissionDenied("Vendor managers keep the warning-sign thresholds.")
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def current(self):
        """Read once per request: the form and the history below both show this row."""
        return selectors.thresholds()

    def get_instance(self):
        return self.current

    def perform(self, form):
        fields = {name: form.cleaned_data[name] for name in form.fields}
        return services.thresholds_update(by=self.request.user, **fields)

    def done_url(self):
        return reverse("signs:portfolio")

    def get_context_data(self, **kwargs):
        current = self.current
        return super().get_context_data(
            history=[] if current._state.adding else record_history(current),
            breadcrumb_url=reverse("signs:portfolio"),
            breadcrumb_label="Warning signs", section="signs", **kwargs)
