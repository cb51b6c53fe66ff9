"""Scorecard templates, kept by vendor managers, and their parts."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from scorecards import forms, selectors, services
from scorecards.models import ScorecardTemplate, TemplateObjective, TemplatePerspective
from scorecards.views import PartKindMixin
from vendorgov.pages import ConfirmPage, FormPage, once
from vendors import access
from vendors.selectors import record_history


class TemplateAccessMixin(LoginRequiredMixin):
    keeps = False  # does the view change templates?

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        allowed = access.may_keep_templates(request.user) if self.keeps \
            else access.may_read_templates(request.user)
        if not allowed:
            raise PermissionDenied("Scorecard templates are kept by vendor managers.")
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def template(self) -> ScorecardTemplate:
        return get_object_or_404(ScorecardTemplate, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(may_keep=access.may_keep_templates(self.request.user),
                                        breadcrumb_url=reverse("scorecards:template_list"),
                                        breadcrumb_label="Scorecard templates", **kwargs)


class TemplateListView(TemplateAccessMixin, TemplateView):
    template_name = "scorecards/template_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(templates=list(selectors.template_list()), **kwargs)


class TemplateDetailView(TemplateAccessMixin, TemplateView):
    template_name = "scorecards/template_detail.html"

    def get_context_data(self, **kwargs):
        tree = selectors.template_tree(self.template, self.request.user)
        return super().get_context_data(tree=tree, tmpl=self.template,
                                        history=record_history(self.template), **kwargs)


class TemplateCreateView(TemplateAccessMixin, FormPage):
    keeps = True
    form_class = forms.TemplateForm
    title = "New scorecard template"
    show_object = True
    success_message = ("Template '{object}' created. Add its perspectives, objectives and "
                       "measures next.")

    def perform(self, form):
        return services.template_create(by=self.request.user, **form.cleaned_data)

    def done_url(self):
        return reverse("scorecards:template_list")


class TemplateUpdateView(TemplateAccessMixin, FormPage):
    keeps = True
    form_class = forms.TemplateForm
    success_message = "Template '{object}' saved."

    def get_instance(self):
        return self.template

    def get_title(self):
        return f"Edit template: {self.template}"

    def perform(self, form):
        return services.part_update(ScorecardTemplate.objects.get(pk=self.template.pk),
                                    by=self.request.user, **form.cleaned_data)

    def done_url(self):
        return self.template.get_absolute_url()


class TemplatePartMixin(PartKindMixin, TemplateAccessMixin):
    keeps = True
    part_models = services.TEMPLATE_PARTS
    part_forms = forms.TEMPLATE_PART_FORMS

    def parents(self):
        if self.kind == "objectives":
            return TemplatePerspective.objects.active().filter(template=self.template)
        if self.kind == "measures":
            return TemplateObjective.objects.active().filter(
                perspective__template=self.template).select_related("perspective")
        return None

    @once
    def part(self):
        lookup = {"perspectives": "template", "objectives": "perspective__template",
                  "measures": "objective__perspective__template"}[self.kind]
        return get_object_or_404(self.model, pk=self.kwargs["part_pk"],
                                 **{lookup: self.template})

    def done_url(self):
        return self.template.get_absolute_url()


class TemplatePartCreateView(TemplatePartMixin, FormPage):
    done_verb = "added"
    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "parents": self.parents()}
        for parent in ("perspective", "objective"):
            if self.request.GET.get(parent):
                kwargs.setdefault("initial", {})[parent] = self.request.GET[parent]
        return kwargs

    def get_title(self):
        return f"New {self.label} in '{self.template}'"

    def perform(self, form):
        data = dict(form.cleaned_data)
        if self.kind == "perspectives":
            data["template"] = self.template
        return services.part_create(self.model, by=self.request.user, **data)


class TemplatePartUpdateView(TemplatePartMixin, FormPage):
    done_verb = "saved"
    intro = "Scorecards already made from this template keep their own copy."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.part(), "parents": self.parents()}

    def get_title(self):
        return f"Edit {self.label}: {self.part()}"

    def perform(self, form):
        return services.part_update(self.part(), by=self.request.user, **form.cleaned_data)

    def get_context_data(self, **kwargs):
        return super().get_context_data(history=record_history(self.part()), **kwargs)


class TemplatePartRetireView(TemplatePartMixin, ConfirmPage):
    verb = "retire"
    explanation = ("'{target}' will not be copied into new scorecards. Scorecards made "
                   "earlier keep theirs. You can restore it.")

    def target(self):
        return self.part()

    service = staticmethod(services.part_retire)


class TemplatePartRestoreView(TemplatePartRetireView):
    verb = "restore"
    button_class = "btn-primary"
    explanation = "'{target}' will be copied into new scorecards again."

    service = staticmethod(services.part_restore)
