"""Innovation suggestions: submitted (mostly by the vendor), edited until assessed, and
moved through their workflow by our side."""

from django.views.generic import TemplateView

from governance import forms, services
from governance.choices import SUGGESTION_NEXT
from governance.models import Suggestion
from governance.views import GovernancePage
from vendorgov.pages import FormPage
from vendors import access
from vendors.access import Action
from vendors.selectors import record_history


class SuggestionPage(GovernancePage):
    tab = "items"

    @property
    def suggestion(self):
        if not hasattr(self, "_suggestion"):
            self._suggestion = self.record(Suggestion)
        return self._suggestion

    def done_url(self):
        return self.suggestion.get_absolute_url()


class SuggestionCreateView(GovernancePage, FormPage):
    vendor_action = Action.CONTRIBUTE
    tab = "items"
    form_class = forms.SuggestionForm
    success_message = "Suggestion '{object}' submitted."
    show_object = True
    submit_label = "Submit"

    def get_title(self):
        return f"Submit an innovation suggestion for {self.vendor}"

    def perform(self, form):
        return services.suggestion_submit(vendor=self.vendor, by=self.request.user,
                                          **form.cleaned_data)


class SuggestionView(SuggestionPage, TemplateView):
    template_name = "governance/suggestion.html"

    def get_context_data(self, **kwargs):
        s, user = self.suggestion, self.request.user
        return super().get_context_data(
            s=s, may_decide=access.may(user, Action.EDIT, s) and bool(SUGGESTION_NEXT[s.status]),
            may_edit=access.may(user, Action.CONTRIBUTE, s) and not s.is_assessed,
            history=record_history(s), **kwargs)


class SuggestionUpdateView(SuggestionPage, FormPage):
    vendor_action = Action.CONTRIBUTE
    form_class = forms.SuggestionForm
    success_message = "Suggestion saved."

    @property
    def suggestion(self):
        suggestion = super().suggestion
        self.require(Action.CONTRIBUTE, suggestion)
        return suggestion

    def get_initial(self):
        s = self.suggestion
        return {k: getattr(s, k) for k in ("title", "description", "category",
                                           "estimated_value", "currency",
                                           "estimated_effort_days")}

    def get_title(self):
        return f"Edit suggestion: {self.suggestion}"

    def perform(self, form):
        return services.suggestion_update(Suggestion.objects.get(pk=self.suggestion.pk),
                                          by=self.request.user, **form.cleaned_data)


class SuggestionDecideView(SuggestionPage, FormPage):
    vendor_action = Action.EDIT
    form_class = forms.SuggestionDecisionForm
    submit_label = "Save decision"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(),
                "next_statuses": SUGGESTION_NEXT[self.suggestion.status]}

    def get_title(self):
        return f"Decide on: {self.suggestion}"

    def get_intro(self):
        s = self.suggestion
        return f"Now {s.get_status_display().lower()}. {s.description}"

    def perform(self, form):
        data = form.cleaned_data
        item = services.suggestion_transition(
            Suggestion.objects.get(pk=self.suggestion.pk), by=self.request.user,
            status=data["status"], rationale=data["rationale"],
            realised_value=data["realised_value"], lessons=data["lessons"])
        self.success_message = f"Suggestion is now {item.get_status_display().lower()}."
        return item
