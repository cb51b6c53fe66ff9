"""Corrective actions: the vendor's list (open, overdue, closed, as CSV) and one action,
which our side edits and the owner's side reports progress on."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.views.generic import TemplateView

from sla import forms, selectors, services
from sla.choices import (
    CORRECTIVE_ACTION_CLOSED,
    CORRECTIVE_ACTION_OPEN,
    CorrectiveActionStatus,
)
from sla.views import SlaPage
from vendorgov.pages import FormPage, csv_response
from vendors import access
from vendors.access import Action
from vendors.selectors import record_history


class CorrectiveActionListView(SlaPage, TemplateView):
    template_name = "sla/corrective_actions.html"
    STATES = {"open": CORRECTIVE_ACTION_OPEN, "closed": CORRECTIVE_ACTION_CLOSED}

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        state = request.GET.get("state", "open")
        state = state if state in ("open", "closed", "overdue", "all") else "open"
        actions = selectors.corrective_actions(request.user, vendor=self.vendor)
        if state == "overdue":
            actions = actions.filter(status__in=[CorrectiveActionStatus.OPEN,
                                                 CorrectiveActionStatus.IN_PROGRESS],
                                     due_on__lt=today)
        elif state in self.STATES:
            actions = actions.filter(status__in=self.STATES[state])
        self.actions = list(actions.order_by("due_on", "id"))
        self.state = state
        if request.GET.get("format") == "csv":
            return csv_response(f"{self.vendor.slug}-corrective-actions.csv",
                                ["Title", "SLA", "Status", "Side responsible", "Owner",
                                 "Opened", "Due", "Closed", "Age (days)", "Breaches",
                                 "Root cause"],
                                ([a.title, a.sla.reference, a.get_status_display(),
                                  a.get_side_responsible_display() or "not yet known",
                                  str(a.owner or ""), a.opened_on, a.due_on, a.closed_on or "",
                                  a.age_days(today), a.breaches, a.root_cause]
                                 for a in self.actions))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("format", None)
        return super().get_context_data(actions=self.actions, state=self.state,
                                        query=query.urlencode(), **kwargs)


class CorrectiveActionView(SlaPage, FormPage):
    """The action, its breaches and history; our side edits everything, the owner's side
    reports progress."""

    template_name = "sla/corrective_action.html"
    success_message = "Corrective action saved."

    def dispatch(self, request, *args, **kwargs):
        self._action = None
        return super().dispatch(request, *args, **kwargs)

    def action(self):
        if self._action is None:
            self._action = selectors.corrective_action_get(self.vendor, self.kwargs["pk"])
        return self._action

    def mode(self) -> str:
        user, action = self.request.user, self.action()
        if not action.is_open:
            return ""
        if access.may(user, Action.EDIT, action):
            return "edit"
        if access.may(user, Action.PROGRESS_CORRECTIVE_ACTIONS, action):
            return "progress"
        return ""

    def get_form_class(self):
        return (forms.CorrectiveActionForm if self.mode() == "edit"
                else forms.CorrectiveActionProgressForm)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        action = self.action()
        if self.mode() == "edit":
            kwargs.update(instance=action, vendor=self.vendor)
        else:
            kwargs["initial"] = {"status": action.status, "root_cause": action.root_cause,
                                 "side_responsible": action.side_responsible,
                                 "progress_note": action.progress_note}
        return kwargs

    def post(self, request, *args, **kwargs):
        if not self.mode():
            raise PermissionDenied("You may not change this corrective action.")
        return super().post(request, *args, **kwargs)

    def perform(self, form):
        action = type(self.action()).objects.get(pk=self.action().pk)
        if self.mode() == "edit":
            return services.corrective_action_update(action, by=self.request.user,
                                                     **form.cleaned_data)
        return services.corrective_action_report_progress(action, by=self.request.user,
                                                          **form.cleaned_data)

    def done_url(self):
        return self.action().get_absolute_url()

    def get_context_data(self, **kwargs):
        action = self.action()
        evaluations = list(action.evaluations.select_related("service_level", "vendor").order_by(
            "window_start"))
        return super().get_context_data(
            a=action, evaluations=evaluations, mode=self.mode(),
            history=record_history(action), **kwargs)
