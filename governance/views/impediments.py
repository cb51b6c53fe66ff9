"""Impediments: raised by either side, updated, moved through their statuses and up the
escalation ladder, with the outcome of each step."""

from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from governance import forms, selectors, services
from governance.models import Escalation, Impediment
from governance.views import GovernancePage, owner_fields
from vendorgov.pages import FormPage, once
from vendors import access
from vendors.access import Action
from vendors.selectors import record_history


class ImpedimentCreateView(GovernancePage, FormPage):
    vendor_action = Action.CONTRIBUTE
    tab = "items"
    form_class = forms.ImpedimentForm
    form_takes_vendor = True
    success_message = "Impediment '{object}' raised."
    show_object = True
    submit_label = "Raise"

    def get_title(self):
        return f"Raise an impediment with {self.vendor}"

    def perform(self, form):
        owner = owner_fields(form)
        return services.impediment_raise(vendor=self.vendor, by=self.request.user, **owner,
                                         **form.cleaned_data)


class ImpedimentView(GovernancePage, TemplateView):
    template_name = "governance/impediment.html"
    tab = "items"

    def get_context_data(self, **kwargs):
        impediment = self.record(Impediment.objects.select_related(
            "owner_user", "owner_contact", "raised_by"))
        user = self.request.user
        return super().get_context_data(
            i=impediment, p=selectors.impediment_page(impediment),
            update_form=forms.ImpedimentUpdateForm(),
            may_edit=access.may(user, Action.EDIT, impediment),
            may_contribute=access.may(user, Action.CONTRIBUTE, impediment),
            history=record_history(impediment), **kwargs)


class ImpedimentFormPage(GovernancePage, FormPage):
    """A form about one impediment; back to its page when done."""

    tab = "items"
    anchor = ""

    @property
    def impediment(self):
        if not hasattr(self, "_impediment"):
            self._impediment = self.record(Impediment)
        return self._impediment

    def fresh(self) -> Impediment:
        """The impediment as it is now, for a service to change."""
        return Impediment.objects.get(pk=self.impediment.pk)

    def done_url(self):
        return self.impediment.get_absolute_url() + self.anchor


class ImpedimentUpdateView(ImpedimentFormPage):
    vendor_action = Action.EDIT
    form_class = forms.ImpedimentForm
    form_takes_vendor = True
    success_message = "Impediment saved."

    def get_initial(self):
        i = self.impediment
        return {"title": i.title, "description": i.description, "kind": i.kind,
                "severity": i.severity, "responsible_side": i.responsible_side,
                "owner": forms.owner_initial(i)}

    def get_title(self):
        return f"Edit impediment: {self.impediment}"

    def perform(self, form):
        owner = owner_fields(form)
        return services.impediment_update(self.fresh(), by=self.request.user, **owner,
                                          **form.cleaned_data)


class ImpedimentStatusView(ImpedimentFormPage):
    vendor_action = Action.EDIT
    form_class = forms.ImpedimentStatusForm

    def get_initial(self):
        return {"status": self.impediment.status, "resolution": self.impediment.resolution}

    def get_title(self):
        return f"Status of {self.impediment}"

    def perform(self, form):
        item = services.impediment_set_status(self.fresh(), by=self.request.user,
                                              **form.cleaned_data)
        self.success_message = f"Impediment is now {item.get_status_display().lower()}."
        return item


class ImpedimentNoteView(ImpedimentFormPage):
    vendor_action = Action.CONTRIBUTE
    form_class = forms.ImpedimentUpdateForm
    success_message = "Update added."
    submit_label = "Add update"
    anchor = "#updates"

    def get_title(self):
        return f"Update on {self.impediment}"

    def perform(self, form):
        return services.impediment_add_update(self.impediment, by=self.request.user,
                                              **form.cleaned_data)


class ImpedimentEscalateView(ImpedimentFormPage):
    vendor_action = Action.EDIT
    form_class = forms.EscalateForm
    form_takes_vendor = True
    submit_label = "Escalate"
    success_message = "Escalated. Record the outcome once you have it."
    anchor = "#escalations"

    def get_initial(self):
        step = self.impediment.next_step or 4
        user, contact = selectors.ladder_recipients(self.vendor, step)
        to = f"c{contact.pk}" if contact else (f"u{user.pk}" if user else "")
        return {"level": step, "to": to}

    def get_title(self):
        return f"Escalate: {self.impediment}"

    def get_intro(self):
        i = self.impediment
        return (f"Now: {i.escalation_label}. Open {i.age_days} days, "
                f"{i.get_severity_display().lower()} severity. Each step is recorded with "
                f"the date, who escalated, to whom and the outcome.")

    def perform(self, form):
        user, contact = form.cleaned_data.pop("to")
        return services.impediment_escalate(self.fresh(), by=self.request.user, to_user=user,
                                            to_contact=contact, **form.cleaned_data)


class EscalationOutcomeView(ImpedimentFormPage):
    vendor_action = Action.EDIT
    form_class = forms.OutcomeForm
    success_message = "Outcome recorded."
    anchor = "#escalations"

    @property
    @once
    def escalation(self):
        return get_object_or_404(Escalation, vendor=self.vendor, impediment=self.impediment,
                                 pk=self.kwargs["escalation"])

    def get_initial(self):
        return {"outcome": self.escalation.outcome}

    def get_title(self):
        return f"Outcome of {self.escalation}"

    def perform(self, form):
        return services.escalation_record_outcome(self.escalation, by=self.request.user,
                                                  **form.cleaned_data)
