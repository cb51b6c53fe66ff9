"""Questionnaire templates, kept by vendor managers (Administration): each save is a new
version, and a cycle keeps the version it used."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from healthchecks import forms, services
from healthchecks.models import QuestionnaireTemplate
from vendorgov.pages import FormPage, once
from vendors import access


class KeeperMixin(LoginRequiredMixin):
    """Templates serve every vendor: only who may manage every vendor keeps them."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access.may_keep_templates(request.user):
            raise PermissionDenied("Questionnaires are kept by vendor managers.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(section="accounts", **kwargs)


class TemplateListView(KeeperMixin, TemplateView):
    template_name = "healthchecks/templates.html"

    def get_context_data(self, **kwargs):
        rows = QuestionnaireTemplate.objects.prefetch_related("versions").order_by("name")
        return super().get_context_data(templates=rows, **kwargs)


class TemplateDetailView(KeeperMixin, TemplateView):
    template_name = "healthchecks/template.html"

    def get_context_data(self, **kwargs):
        template = get_object_or_404(QuestionnaireTemplate, pk=self.kwargs["pk"])
        versions = list(template.versions.annotate(used_by=Count("cycles")).order_by("-number"))
        return super().get_context_data(template=template, versions=versions, **kwargs)


class TemplateCreateView(KeeperMixin, FormPage):
    form_class = forms.TemplateForm
    title = "A new questionnaire"
    submit_label = "Create"
    show_object = True
    success_message = "Questionnaire created: {object}."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(),
                "questions": services.template_default().questions}

    def perform(self, form):
        data = form.cleaned_data
        return services.template_create(name=data["name"], description=data["description"],
                                        questions=form.questions(), by=self.request.user)

    def done_url(self):
        return reverse("healthchecks:templates")


class TemplateUpdateView(KeeperMixin, FormPage):
    form_class = forms.TemplateForm
    submit_label = "Save as a new version"
    show_object = True
    success_message = "Saved. Cycles already under way keep the version they use."
    intro = ("Saving makes a new version; health checks that have started keep the version "
             "they began with.")

    @once
    def template(self):
        return get_object_or_404(QuestionnaireTemplate, pk=self.kwargs["pk"])

    def get_title(self):
        return f"Edit {self.template()}"

    def get_initial(self):
        t = self.template()
        return {"name": t.name, "description": t.description}

    def get_form_kwargs(self):
        current = self.template().current
        return {**super().get_form_kwargs(), "questions": current.questions if current else []}

    def perform(self, form):
        data = form.cleaned_data
        return services.template_revise(self.template(), questions=form.questions(),
                                        name=data["name"], description=data["description"],
                                        note=data["note"], by=self.request.user)

    def done_url(self):
        return reverse("healthchecks:templates")
