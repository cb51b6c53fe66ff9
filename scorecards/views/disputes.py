"""Disputes about an actual: raised by the other side, resolved by the owner."""

from django.urls import reverse

from scorecards import forms, services
from scorecards.models import Dispute
from scorecards.views import ScorecardPage, period_query
from scorecards.views.actuals import ActualFormPage
from vendorgov.pages import FormPage, once
from vendors.access import Action


class DisputeCreateView(ActualFormPage):
    vendor_action = Action.DISPUTE_ACTUALS
    form_class = forms.ReasonForm
    submit_label = "Raise dispute"

    def get_title(self):
        return f"Dispute: {self.actual()}"

    def get_intro(self):
        actual = self.actual()
        value = "—" if actual.value is None else f"{actual.value.normalize():f}"
        return (f"The value on record is {value} {actual.measure.unit} "
                f"({actual.get_status_display().lower()}). Say what is wrong and what it "
                f"should be; the owner answers, and both stay on record.")

    def perform(self, form):
        actual = self.actual()
        services.dispute_raise(actual=actual, by=self.request.user,
                               reason=form.cleaned_data["reason"])
        return actual

    def get_success_message(self):
        return f"Dispute raised on {self.object}. It is shown in the quarterly review."

    def done_url(self):
        return measure_url(self.vendor, self.actual())


class DisputeResolveView(ScorecardPage, FormPage):
    vendor_action = Action.APPROVE_ACTUALS
    form_class = forms.DisputeResolveForm
    submit_label = "Resolve"

    @once
    def dispute(self) -> Dispute:
        return self.record(Dispute.objects.select_related("actual__measure", "actual__period"))

    def get_title(self):
        return f"Resolve the dispute on {self.dispute().actual}"

    def get_intro(self):
        dispute = self.dispute()
        return f"{dispute.raised_by or 'The vendor'} disputes it: “{dispute.reason}”"

    def perform(self, form):
        dispute = self.dispute()
        services.dispute_resolve(dispute, by=self.request.user, **form.cleaned_data)
        return dispute

    def get_success_message(self):
        return f"Dispute {self.object.get_status_display().lower()}: {self.object.actual}."

    def done_url(self):
        return measure_url(self.vendor, self.dispute().actual)


def measure_url(vendor, actual) -> str:
    """The page of the actual's measure, at the actual's period."""
    return (reverse("scorecards:measure", args=[vendor.slug, actual.measure_id])
            + period_query(actual.period))
