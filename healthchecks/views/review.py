"""The internal assessment and the review with the vendor: findings, agreed actions (which
become governance action items) and guiding-principle revisions."""

from django.shortcuts import get_object_or_404

from governance import selectors as governance_selectors
from healthchecks import forms, services
from healthchecks.models import Finding, PrincipleRevision
from healthchecks.views import ManagedPage
from vendorgov.pages import ConfirmPage, FormPage, once
from vendors.access import Action


class FindingAddView(ManagedPage, FormPage):
    form_class = forms.FindingForm
    submit_label = "Add finding"
    success_message = "Finding added."

    def get_title(self):
        return f"A finding of the {self.cycle(Action.MANAGE)} of {self.vendor}"

    def perform(self, form):
        return services.finding_add(cycle=self.cycle(Action.MANAGE), by=self.request.user,
                                    **form.cleaned_data)


class FindingArchiveView(ManagedPage, ConfirmPage):
    verb = "archive"
    explanation = "The finding leaves the results and the agenda; its history stays."
    service = staticmethod(services.finding_archive)
    success_message = "Finding archived."

    @once
    def target(self):
        return get_object_or_404(Finding.objects.active().filter(
            cycle=self.cycle(Action.MANAGE)), pk=self.kwargs["finding"])


class ActionAgreeView(ManagedPage, FormPage):
    form_class = forms.ActionForm
    submit_label = "Agree the action"
    success_message = "Action agreed: it is on the vendor's action items until done."
    error_fields = {"owner_user": "owner", "owner_contact": "owner"}

    def get_title(self):
        return f"An action agreed in the {self.cycle(Action.MANAGE)} of {self.vendor}"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "cycle": self.cycle(Action.MANAGE),
                "users": list(governance_selectors.relationship_users(self.vendor))}

    def perform(self, form):
        data = form.cleaned_data
        return services.action_agree(cycle=self.cycle(Action.MANAGE), by=self.request.user,
                                     title=data["title"], due_on=data["due_on"],
                                     description=data["description"], finding=data["finding"],
                                     **form.owners())


class RevisionProposeView(ManagedPage, FormPage):
    form_class = forms.RevisionForm
    form_takes_vendor = True
    submit_label = "Propose"
    success_message = "Revision proposed."

    def get_title(self):
        return f"Propose a change to {self.vendor}'s guiding principles"

    def perform(self, form):
        return services.revision_propose(cycle=self.cycle(Action.MANAGE), by=self.request.user,
                                         **form.cleaned_data)


class RevisionDecideView(ManagedPage, FormPage):
    form_class = forms.DecideForm
    submit_label = "Decide"

    @once
    def revision(self):
        return get_object_or_404(PrincipleRevision.objects.filter(
            cycle=self.cycle(Action.MANAGE)), pk=self.kwargs["revision"])

    def get_title(self):
        return f"Decide: {self.revision()}"

    def get_intro(self):
        r = self.revision()
        return (f"{r.get_kind_display()}. {r.title} {r.text} {r.rationale}").strip()

    def perform(self, form):
        return services.revision_decide(self.revision(),
                                        accept=form.cleaned_data["decision"] == "accept",
                                        by=self.request.user)

    def get_success_message(self):
        return f"Revision {self.object.get_status_display().lower()}."
