"""A window's evaluation, and disputes about it: raised by the vendor, decided by us."""

from django.http import Http404
from django.utils import timezone
from django.views.generic import TemplateView

from sla import forms, selectors, services
from sla.models import Dispute
from sla.views import SlaPage
from vendorgov import formats
from vendorgov.pages import FormPage, once
from vendors import access
from vendors.access import Action


class EvaluationView(SlaPage, TemplateView):
    template_name = "sla/evaluation.html"

    def get_context_data(self, **kwargs):
        evaluation = selectors.evaluation_get(self.vendor, self.kwargs["pk"])
        user, today = self.request.user, timezone.localdate()
        dispute = Dispute.objects.filter(evaluation=evaluation).select_related(
            "raised_by", "decided_by").first()
        sl = evaluation.service_level
        measurements = list(sl.measurements.filter(window_start=evaluation.window_start)
                            .select_related("submitted_by").order_by("-id"))
        may_dispute = (access.may(user, Action.DISPUTE_EVALUATIONS, evaluation)
                       and dispute is None and not evaluation.counts_as_met
                       and today <= evaluation.dispute_deadline())
        return super().get_context_data(
            e=evaluation, sl=sl, dispute=dispute, measurements=measurements,
            may_dispute=may_dispute, may_decide=access.may(user, Action.EDIT, evaluation),
            history=selectors.evaluation_history(evaluation, dispute), **kwargs)


class DisputeCreateView(SlaPage, FormPage):
    vendor_action = Action.DISPUTE_EVALUATIONS
    form_class = forms.DisputeForm
    success_message = "Dispute raised; operations will accept or reject it."

    @once
    def evaluation(self):
        return selectors.evaluation_get(self.vendor, self.kwargs["pk"])

    def get_title(self):
        return f"Dispute: {self.evaluation()}"

    def get_intro(self):
        e = self.evaluation()
        return (f"{e.get_status_display()}: {e.explanation} Disputes are possible until "
                f"{formats.day(e.dispute_deadline(), padded=True)}.")

    def perform(self, form):
        return services.dispute_raise(self.evaluation(), by=self.request.user,
                                      **form.cleaned_data)

    def done_url(self):
        return self.evaluation().get_absolute_url()


class DisputeDecideView(SlaPage, FormPage):
    vendor_action = Action.EDIT
    form_class = forms.DisputeDecisionForm
    success_message = "Decision recorded."

    @once
    def dispute(self):
        dispute = Dispute.objects.select_related("evaluation").filter(
            vendor=self.vendor, pk=self.kwargs["pk"]).first()
        if dispute is None:
            raise Http404
        return dispute

    def get_title(self):
        return f"Decide: {self.dispute()}"

    def get_intro(self):
        return f"The vendor's reason: {self.dispute().reason}"

    def perform(self, form):
        return services.dispute_decide(self.dispute(), by=self.request.user,
                                       **form.cleaned_data)

    def done_url(self):
        return self.dispute().evaluation.get_absolute_url()
