"""Staffing changes: requested by either side, resolved by ours."""

from django.urls import reverse

from vendorgov.pages import FormPage, once
from vendors import forms, selectors, services
from vendors.access import Action
from vendors.choices import Side
from vendors.models import StaffingChange
from vendors.pages import VendorMixin


class StaffingChangeMixin(VendorMixin):
    tab = "people"

    def done_url(self):
        return reverse("vendors:people", args=[self.vendor.slug]) + "#staffing-changes"


class StaffingChangeCreateView(StaffingChangeMixin, FormPage):
    vendor_action = Action.REQUEST_STAFFING
    form_class = forms.StaffingChangeForm
    success_message = "Staffing change requested."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "vendor": self.vendor, "user": self.request.user}

    def get_title(self):
        return f"Request a staffing change at {self.vendor}"

    def perform(self, form):
        data = dict(form.cleaned_data)
        side = Side.VENDOR if self.request.user.is_vendor_user else data.pop("requested_by_side")
        return services.staffing_change_request(vendor=self.vendor, by=self.request.user,
                                                side=side, **data)


class StaffingChangeResolveView(StaffingChangeMixin, FormPage):
    vendor_action = Action.EDIT
    form_class = forms.StaffingChangeResolveForm

    @once
    def change(self) -> StaffingChange:
        return self.record(StaffingChange.objects.select_related("staff_member"))

    def get_title(self):
        return f"Resolve: {self.change()}"

    def get_intro(self):
        return self.change().reason

    def perform(self, form):
        change = self.change()
        services.staffing_change_resolve(change, by=self.request.user, **form.cleaned_data)
        self.success_message = f"Staffing change marked {change.get_status_display().lower()}."
        return change

    def cancel_url(self):
        return reverse("vendors:people", args=[self.vendor.slug])

    def get_context_data(self, **kwargs):
        return super().get_context_data(history=selectors.record_history(self.change()),
                                        **kwargs)
