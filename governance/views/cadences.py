"""The vendor's governance plan and its review cadences."""

from django.shortcuts import get_object_or_404
from django.urls import reverse

from governance import forms, selectors, services
from governance.choices import Tier
from governance.models import Cadence
from governance.views import GovernancePage
from vendorgov.pages import ConfirmPage, FormPage, once
from vendors.access import Action
from vendors.selectors import record_history


class PlanUpdateView(GovernancePage, FormPage):
    vendor_action = Action.EDIT
    form_class = forms.PlanForm
    success_message = "Governance plan saved."

    def get_title(self):
        return f"Governance plan for {self.vendor}"

    def get_instance(self):
        return selectors.plan_for(self.vendor)

    def perform(self, form):
        return services.plan_update(vendor=self.vendor, by=self.request.user,
                                    **form.cleaned_data)


class CadencePage(GovernancePage):
    vendor_action = Action.EDIT

    def done_url(self):
        return reverse("governance:vendor", args=[self.vendor.slug]) + "#cadences"


class CadenceCreateView(CadencePage, FormPage):
    form_class = forms.CadenceForm
    form_takes_vendor = True
    success_message = "{object} added; its meetings are planned for the next weeks."

    def get_title(self):
        return f"New review cadence with {self.vendor}"

    def get_initial(self):
        tier = self.request.GET.get("tier", Tier.WEEKLY)
        return services.cadence_defaults(self.vendor, tier if tier in Tier.values
                                         else Tier.WEEKLY)

    def perform(self, form):
        return services.cadence_create(vendor=self.vendor, by=self.request.user,
                                       **form.cleaned_data)


class CadenceUpdateView(CadencePage, FormPage):
    form_class = forms.CadenceForm
    form_takes_vendor = True
    success_message = ("{object} saved. Future meetings nobody moved or cancelled follow it; "
                       "held, moved and cancelled ones keep their time.")

    @property
    def cadence(self):
        if not hasattr(self, "_cadence"):
            self._cadence = self.record(Cadence)
        return self._cadence

    def get_instance(self):
        return self.cadence

    def get_title(self):
        return f"Edit {self.cadence} with {self.vendor}"

    def perform(self, form):
        data = dict(form.cleaned_data)
        data.pop("tier", None)
        return services.cadence_update(Cadence.objects.get(pk=self.cadence.pk),
                                       by=self.request.user, **data)

    def get_context_data(self, **kwargs):
        return super().get_context_data(history=record_history(self.cadence), **kwargs)


class CadenceProposeView(CadencePage, ConfirmPage):
    """Adds the default weekly, monthly and quarterly reviews from the assigned people."""

    verb = "propose"
    button_class = "btn-primary"
    explanation = ("This adds a weekly, a monthly and a quarterly review with {target} "
                   "(the ones it does not have yet), with the people assigned to the "
                   "relationship, and plans their meetings for the coming weeks. You can change "
                   "each afterwards.")

    def target(self):
        return self.vendor

    def act(self, target):
        return services.cadence_propose_defaults(vendor=target, by=self.request.user)

    def get_success_message(self):
        names = ", ".join(str(c).lower() for c in self.object)
        return (f"Added {names}; check the times and people." if self.object
                else "Every default review exists already.")


class CadenceArchiveView(CadencePage, ConfirmPage):
    verb = "archive"
    explanation = ("'{target}' stops: no new meetings are planned, and its future meetings "
                   "that nobody has touched are taken off the calendar. Held meetings and "
                   "their minutes stay.")

    @once
    def target(self):
        return get_object_or_404(Cadence, vendor=self.vendor, pk=self.kwargs["pk"])

    service = staticmethod(services.cadence_archive)
