"""Inviting respondents in groups, removing one, and nudging those who have not answered."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404

from healthchecks import forms, selectors, services
from healthchecks.models import Invitation
from healthchecks.views import ManagedPage
from vendorgov.pages import ConfirmPage, FormPage
from vendors.access import Action


class InviteView(ManagedPage, FormPage):
    form_class = forms.InviteForm
    form_takes_vendor = True
    submit_label = "Invite"

    def get_title(self):
        return f"Invite respondents to the {self.cycle(Action.MANAGE)} of {self.vendor}"

    def get_intro(self):
        if self.cycle().is_collecting:
            return "Each gets an email with a personal link now."
        return "Each gets an email with a personal link when input collection starts."

    def perform(self, form):
        data, cycle, by = form.cleaned_data, self.cycle(Action.MANAGE), self.request.user
        people = ([{"user": u} for u in data["users"]]
                  + [{"contact": c} for c in data["contacts"]]
                  + [{"email": e} for e in data["emails"]])
        self.added, problems = [], []
        for person in people:
            try:
                self.added.append(services.invitation_add(cycle=cycle, group=data["group"],
                                                          by=by, **person))
            except ValidationError as error:
                problems.extend(error.messages)
        if problems and not self.added:
            raise ValidationError({"emails": problems})
        self.problems = problems
        return cycle

    def get_success_message(self):
        text = f"Invited {len(self.added)} respondent{'s' if len(self.added) != 1 else ''}."
        return text + (" Not invited: " + " ".join(self.problems) if self.problems else "")


class InvitationRevokeView(ManagedPage, ConfirmPage):
    verb = "remove"
    button_class = "btn-danger"
    explanation = ("{target} will no longer be asked: their link stops working now. Answers "
                   "they have not submitted are dropped; submitted answers stay in the "
                   "results.")
    service = staticmethod(services.invitation_revoke)
    success_message = "Removed {target} from this health check."

    def target(self):
        cycle = self.cycle(Action.MANAGE)
        return get_object_or_404(Invitation.objects.filter(cycle=cycle, revoked_at__isnull=True),
                                 pk=self.kwargs["invitation"])


class NudgeView(ManagedPage, ConfirmPage):
    verb = "send a reminder to"
    button_class = "btn-primary"

    def target(self):
        cycle = self.cycle(Action.MANAGE)
        self.waiting = list(selectors.invitations_unanswered(cycle=cycle))
        return f"{len(self.waiting)} respondent{'s' if len(self.waiting) != 1 else ''}"

    def get_explanation(self, target):
        return ("Everyone invited who has not submitted yet gets an email with a new "
                "personal link (the earlier one stops working; saved answers are kept).")

    def act(self, target):
        return services.invitations_nudge(cycle=self.cycle(Action.MANAGE), by=self.request.user)

    def get_success_message(self):
        return f"Reminder sent to {self.object} respondent{'s' if self.object != 1 else ''}."
