"""The records that hang off a vendor and are edited with a plain form (services,
contracts, contacts, staff, guiding principles, assignments): one set of pages for all of
them, told apart by the `kind` in the URL."""

from dataclasses import dataclass

from django.db.models import Model
from django.forms import ModelForm
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from vendorgov.pages import ConfirmPage, FormPage, once
from vendors import forms, selectors, services
from vendors.access import Action
from vendors.models import (
    Contact,
    Contract,
    GuidingPrinciple,
    Service,
    StaffMember,
    VendorAssignment,
)
from vendors.pages import VendorMixin


@dataclass(frozen=True)
class RecordKind:
    """A kind of record that hangs off a vendor and is edited with a plain form."""

    model: type[Model]
    form: type[ModelForm]
    tab: str
    action: Action
    archivable: bool = True


RECORD_KINDS = {
    "services": RecordKind(Service, forms.ServiceForm, "detail", Action.EDIT),
    "contracts": RecordKind(Contract, forms.ContractForm, "contracts", Action.MANAGE),
    "contacts": RecordKind(Contact, forms.ContactForm, "people", Action.EDIT),
    "staff": RecordKind(StaffMember, forms.StaffMemberForm, "people", Action.EDIT),
    "principles": RecordKind(GuidingPrinciple, forms.PrincipleForm, "detail", Action.MANAGE),
    "assignments": RecordKind(VendorAssignment, forms.AssignmentForm, "people", Action.MANAGE,
                              archivable=False),
}


class RecordKindMixin(VendorMixin):
    def dispatch(self, request, *args, **kwargs):
        self.kind = RECORD_KINDS[kwargs["kind"]]
        self.vendor_action = self.kind.action
        return super().dispatch(request, *args, **kwargs)

    @property
    def label(self) -> str:
        return self.kind.model._meta.verbose_name

    def tab_url(self) -> str:
        return reverse(f"vendors:{self.kind.tab}", args=[self.vendor.slug])

    @once
    def record(self):
        return get_object_or_404(self.kind.model, vendor=self.vendor, pk=self.kwargs["pk"])


class RecordCreateView(RecordKindMixin, FormPage):
    def get_form_class(self):
        return self.kind.form

    def get_title(self):
        return f"New {self.label} for {self.vendor}"

    def perform(self, form):
        self.success_message = f"{self.label.capitalize()} '{{object}}' added."
        return services.record_create(self.kind.model, vendor=self.vendor, by=self.request.user,
                                      **form.cleaned_data)


class RecordUpdateView(RecordKindMixin, FormPage):
    def dispatch(self, request, *args, **kwargs):
        self.object = None
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return self.kind.form

    def get_instance(self):
        if self.object is None:
            self.object = self.record()
        return self.object

    def get_title(self):
        return f"Edit {self.label}: {self.get_instance()}"

    def perform(self, form):
        self.success_message = f"{self.label.capitalize()} '{{object}}' saved."
        data = dict(form.cleaned_data)
        reason = data.pop("change_reason", "")
        record = self.kind.model.objects.get(pk=self.object.pk)
        if isinstance(record, GuidingPrinciple):
            return services.principle_revise(record, by=self.request.user,
                                             change_reason=reason, **data)
        return services.record_update(record, by=self.request.user, **data)

    def get_context_data(self, **kwargs):
        record = self.get_instance()
        return super().get_context_data(record=record, archivable=self.kind.archivable,
                                        history=selectors.record_history(record), **kwargs)


class RecordArchiveView(RecordKindMixin, ConfirmPage):
    verb = "archive"
    explanation = ("'{target}' will be hidden from the vendor page. It keeps its history and "
                   "can be restored.")

    def dispatch(self, request, *args, **kwargs):
        if not RECORD_KINDS[kwargs["kind"]].archivable:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    @once
    def target(self):
        return self.record()

    service = staticmethod(services.record_archive)


class RecordRestoreView(RecordArchiveView):
    verb = "restore"
    button_class = "btn-primary"
    explanation = "'{target}' will show on the vendor page again."

    service = staticmethod(services.record_restore)


class AssignmentRemoveView(RecordKindMixin, ConfirmPage):
    verb = "remove"
    button_class = "btn-danger"
    explanation = ("{target} will no longer be assigned; unless their role sees the whole "
                   "portfolio, they lose access to this vendor. The change is kept in history.")

    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, kind="assignments", **kwargs)

    @once
    def target(self):
        return self.record()

    service = staticmethod(services.assignment_remove)


class PrincipleDetailView(VendorMixin, TemplateView):
    template_name = "vendors/principle_detail.html"

    def get_context_data(self, **kwargs):
        principle = self.record(GuidingPrinciple)
        revisions = [e for e in selectors.record_history(principle)
                     if e.record.history_type == "+" or e.changes]
        return super().get_context_data(principle=principle, revisions=revisions, **kwargs)
