"""The page a personal survey link opens: no sign-in, only that survey, saved and resumed
until submitted. An unknown, revoked, submitted or expired link gets a page that says
which (never a 500, never another survey). The link is a secret: the page is not cached,
sends no referrer off-site, and the request loggers blank it (`healthchecks.links`).

The same survey opens for its respondent signed in (`MySurveyView`, listed on their home
page), so nobody has to find the email first."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from healthchecks import forms, selectors, services
from vendorgov.errors import Conflict
from vendorgov.pages import apply_errors, error_text

# No referrer leaves the site; same-site requests keep their origin (the CSRF check needs it).
REFERRER_POLICY = "same-origin"


@method_decorator(never_cache, name="dispatch")
class SurveyView(TemplateView):
    template_name = "healthchecks/survey.html"
    saved_text = "Saved. Use the same link to carry on later."

    def dispatch(self, request, *args, **kwargs):
        self.invitation, self.state = self.find(**kwargs)
        response = super().dispatch(request, *args, **kwargs)
        response["Referrer-Policy"] = REFERRER_POLICY
        return response

    def find(self, *, token):
        return services.survey_find(token)

    def form(self, data=None):
        cycle = self.invitation.cycle
        return forms.SurveyForm(data, questions=cycle.questions.all(),
                                answers={a.question_id: a for a in self.invitation.answers.all()})

    def get(self, request, *args, **kwargs):
        if self.state != "open":
            return self.closed()
        return self.render_to_response(self.get_context_data(form=self.form()))

    def post(self, request, *args, **kwargs):
        if self.state != "open":
            return self.closed()
        form = self.form(request.POST)
        submit = "submit" in request.POST
        if form.is_valid():
            try:
                services.survey_save(self.invitation, answers=form.answers(), submit=submit)
            except ValidationError as error:
                apply_errors(form, error)
            except Conflict as error:
                messages.error(request, error_text(error))
                return redirect(request.path)
            else:
                messages.success(request, "Thank you: your answers are submitted." if submit
                                 else self.saved_text)
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form))

    def closed(self):
        self.template_name = "healthchecks/survey_closed.html"
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs):
        invitation = self.invitation
        return super().get_context_data(
            invitation=invitation, state=self.state,
            cycle=invitation.cycle if invitation else None,
            vendor=None, survey_vendor=invitation.cycle.vendor if invitation else None,
            **kwargs)


class MySurveyView(LoginRequiredMixin, SurveyView):
    """One of the signed-in person's own surveys, by its id: the survey its emailed link
    opens, and nobody else's (404)."""

    saved_text = "Saved. Carry on later from your home page or the emailed link."

    def find(self, *, invitation):
        found = selectors.survey_of(self.request.user, invitation)
        return found, services.survey_state(found)
