from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.forms import ModelForm
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import CreateView, FormView, TemplateView, UpdateView

from vendorgov.pages import ServiceFormMixin, SortMixin, apply_errors, csv_response, safe_next
from vendors import access, forms, header, search, selectors, services, tabs
from vendors.access import Action
from vendors.choices import Side
from vendors.filtersets import VendorFilterSet
from vendors.models import (
    Contact,
    Contract,
    GuidingPrinciple,
    Service,
    StaffingChange,
    StaffMember,
    Vendor,
    VendorAssignment,
)


class HomeView(LoginRequiredMixin, TemplateView):
    """Where do I need to act? Renewals coming up and staffing requests left unanswered,
    then the vendors this person looks after."""

    template_name = "home.html"

    def get(self, request, *args, **kwargs):
        if request.user.is_vendor_user and request.user.vendor_id:
            return redirect("vendors:detail", request.user.vendor.slug)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            renewals=selectors.renewals_due(user),
            stale_requests=list(selectors.stale_staffing_requests(user)),
            vendors=list(selectors.vendor_list(user).filter(archived_at__isnull=True)),
            horizon_days=selectors.RENEWAL_HORIZON.days,
            stale_days=selectors.STAFFING_REQUEST_STALE_AFTER.days,
            **kwargs,
        )


class VendorListView(LoginRequiredMixin, SortMixin, TemplateView):
    template_name = "vendors/vendor_list.html"
    sort_fields = {"name": "name", "tier": "tier", "status": "status",
                   "criticality": "criticality", "renewal": "next_contract_end",
                   "requests": "open_staffing_requests"}
    default_sort = "name"
    paginate_by = 25

    def get(self, request, *args, **kwargs):
        self.filterset = VendorFilterSet(request.GET, queryset=selectors.vendor_list(request.user))
        self.vendors = self.sorted(self.filterset.qs)
        if request.GET.get("format") == "csv":
            return csv_response("vendors.csv", ["Name", "Tier", "Criticality", "Status",
                                                "Next contract end", "Open staffing requests",
                                                "Archived"],
                                ([v.name, v.get_tier_display(), v.get_criticality_display(),
                                  v.get_status_display(), v.next_contract_end or "",
                                  v.open_staffing_requests, "yes" if v.is_archived else "no"]
                                 for v in self.vendors))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        page = Paginator(self.vendors, self.paginate_by).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            filter=self.filterset, page=page, sort=self.current_sort(), query=query.urlencode(),
            may_create=access.may_create_vendor(self.request.user), **kwargs)


class VendorMixin(LoginRequiredMixin):
    """Loads `self.vendor` from the URL; 404 unless the user may do `vendor_action` on it."""

    vendor_action = Action.VIEW

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.vendor = selectors.vendor_get(request.user, kwargs["slug"])
        if not access.may(request.user, self.vendor_action, self.vendor):
            raise PermissionDenied("You may look at this vendor but not change this.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(vendor=self.vendor,
                                        rights=access.rights(self.request.user, self.vendor),
                                        vendor_tabs=tabs.tabs(),
                                        vendor_header_parts=header.parts(), **kwargs)


class VendorTabView(VendorMixin, TemplateView):
    """One tab of the vendor page; each tab has its own template and URL."""

    tab = "overview"

    def get_template_names(self):
        return [f"vendors/tabs/{self.tab}.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(tab=self.tab, **kwargs)
        if self.tab == "history":
            context["entries"] = selectors.vendor_history(self.vendor)
        else:
            show_archived = self.request.GET.get("archived") == "1"
            context["o"] = selectors.vendor_overview(self.vendor, include_archived=show_archived)
            context["show_archived"] = show_archived
        return context


class VendorCreateView(LoginRequiredMixin, ServiceFormMixin, CreateView):
    form_class = forms.VendorForm
    template_name = "form.html"
    success_message = "Vendor '{object}' created."

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access.may_create_vendor(request.user):
            raise PermissionDenied("Only vendor managers add vendors.")
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form):
        return services.vendor_create(by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="New vendor", cancel_url=reverse("vendors:list"),
                                        **kwargs)


class VendorUpdateView(VendorMixin, ServiceFormMixin, UpdateView):
    vendor_action = Action.MANAGE
    form_class = forms.VendorForm
    template_name = "form.html"
    success_message = "Vendor '{object}' saved."

    def get_object(self, queryset=None):
        return self.vendor

    def perform(self, form):
        data = dict(form.cleaned_data)
        data["slug"] = data["slug"] or services.unique_vendor_slug(data["name"],
                                                                   exclude_pk=self.vendor.pk)
        return services.record_update(Vendor.objects.get(pk=self.vendor.pk),
                                      by=self.request.user, **data)

    def get_success_url(self):
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=f"Edit {self.vendor}",
                                        cancel_url=self.vendor.get_absolute_url(),
                                        history=selectors.record_history(self.vendor), **kwargs)


class ConfirmView(VendorMixin, TemplateView):
    """A GET shows what will happen; the POST does it."""

    template_name = "confirm.html"
    verb = ""
    explanation = ""
    button_class = "btn-warning"

    def target(self) -> Model:
        return self.vendor

    def act(self, target):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        target = self.target()
        return super().get_context_data(target=target, verb=self.verb,
                                        explanation=self.explanation.format(target=target),
                                        button_class=self.button_class,
                                        cancel_url=self.safe_next() or self.success_url(),
                                        **kwargs)

    def safe_next(self) -> str:
        return safe_next(self.request)

    def post(self, request, *args, **kwargs):
        target = self.target()
        try:
            self.act(target)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{self.verb.capitalize()}d: {target}.")
        return redirect(self.safe_next() or self.success_url())

    def success_url(self):
        return self.vendor.get_absolute_url()


class VendorArchiveView(ConfirmView):
    vendor_action = Action.MANAGE
    verb = "archive"
    explanation = ("'{target}' will disappear from lists and dashboards. Its records and "
                   "history are kept, and you can restore it later.")

    def act(self, target):
        services.record_archive(target, by=self.request.user)


class VendorRestoreView(ConfirmView):
    vendor_action = Action.MANAGE
    verb = "restore"
    button_class = "btn-primary"
    explanation = "'{target}' will appear in lists and dashboards again."

    def act(self, target):
        services.record_restore(target, by=self.request.user)


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

    def record(self):
        return get_object_or_404(self.kind.model, vendor=self.vendor, pk=self.kwargs["pk"])

    def get_success_url(self):
        return self.tab_url()


class RecordCreateView(RecordKindMixin, ServiceFormMixin, CreateView):
    template_name = "form.html"

    def get_form_class(self):
        return self.kind.form

    def perform(self, form):
        return services.record_create(self.kind.model, vendor=self.vendor, by=self.request.user,
                                      **form.cleaned_data)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=f"New {self.label} for {self.vendor}",
                                        cancel_url=self.tab_url(), **kwargs)

    def form_valid(self, form):
        self.success_message = f"{self.label.capitalize()} '{{object}}' added."
        return super().form_valid(form)


class RecordUpdateView(RecordKindMixin, ServiceFormMixin, UpdateView):
    template_name = "form.html"

    def get_form_class(self):
        return self.kind.form

    def get_object(self, queryset=None):
        return self.record()

    def perform(self, form):
        data = dict(form.cleaned_data)
        reason = data.pop("change_reason", "")
        record = self.kind.model.objects.get(pk=self.object.pk)
        if isinstance(record, GuidingPrinciple):
            return services.principle_revise(record, by=self.request.user,
                                             change_reason=reason, **data)
        return services.record_update(record, by=self.request.user, **data)

    def form_valid(self, form):
        self.success_message = f"{self.label.capitalize()} '{{object}}' saved."
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=f"Edit {self.label}: {self.object}",
                                        cancel_url=self.tab_url(), record=self.object,
                                        archivable=self.kind.archivable,
                                        history=selectors.record_history(self.object), **kwargs)


class RecordArchiveView(RecordKindMixin, ConfirmView):
    verb = "archive"
    explanation = ("'{target}' will be hidden from the vendor page. It keeps its history and "
                   "can be restored.")

    def dispatch(self, request, *args, **kwargs):
        if not RECORD_KINDS[kwargs["kind"]].archivable:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def target(self):
        return self.record()

    def act(self, target):
        services.record_archive(target, by=self.request.user)

    def success_url(self):
        return self.tab_url()


class RecordRestoreView(RecordArchiveView):
    verb = "restore"
    button_class = "btn-primary"
    explanation = "'{target}' will show on the vendor page again."

    def act(self, target):
        services.record_restore(target, by=self.request.user)


class AssignmentRemoveView(RecordKindMixin, ConfirmView):
    verb = "remove"
    button_class = "btn-danger"
    explanation = ("{target} will no longer be assigned; unless their role sees the whole "
                   "portfolio, they lose access to this vendor. The change is kept in history.")

    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, kind="assignments", **kwargs)

    def target(self):
        return self.record()

    def act(self, target):
        services.assignment_remove(target, by=self.request.user)

    def success_url(self):
        return self.tab_url()


class PrincipleDetailView(VendorMixin, TemplateView):
    template_name = "vendors/principle_detail.html"

    def get_context_data(self, **kwargs):
        principle = get_object_or_404(GuidingPrinciple, vendor=self.vendor, pk=self.kwargs["pk"])
        revisions = [e for e in selectors.record_history(principle)
                     if e.record.history_type == "+" or e.changes]
        return super().get_context_data(principle=principle, revisions=revisions, **kwargs)


class StaffingChangeCreateView(VendorMixin, ServiceFormMixin, FormView):
    vendor_action = Action.REQUEST_STAFFING
    form_class = forms.StaffingChangeForm
    template_name = "form.html"
    success_message = "Staffing change requested."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "vendor": self.vendor, "user": self.request.user}

    def perform(self, form):
        data = dict(form.cleaned_data)
        side = Side.VENDOR if self.request.user.is_vendor_user else data.pop("requested_by_side")
        return services.staffing_change_request(vendor=self.vendor, by=self.request.user,
                                                side=side, **data)

    def get_success_url(self):
        return reverse("vendors:people", args=[self.vendor.slug]) + "#staffing-changes"

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=f"Request a staffing change at {self.vendor}",
                                        cancel_url=self.get_success_url(), **kwargs)


class StaffingChangeResolveView(VendorMixin, FormView):
    vendor_action = Action.EDIT
    form_class = forms.StaffingChangeResolveForm
    template_name = "form.html"

    def change(self) -> StaffingChange:
        return get_object_or_404(StaffingChange.objects.select_related("staff_member"),
                                 vendor=self.vendor, pk=self.kwargs["pk"])

    def form_valid(self, form):
        change = self.change()
        try:
            services.staffing_change_resolve(change, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Staffing change marked "
                                       f"{change.get_status_display().lower()}.")
        return redirect(reverse("vendors:people", args=[self.vendor.slug]) + "#staffing-changes")

    def get_context_data(self, **kwargs):
        change = self.change()
        return super().get_context_data(
            title=f"Resolve: {change}", intro=change.reason,
            cancel_url=reverse("vendors:people", args=[self.vendor.slug]),
            history=selectors.record_history(change), **kwargs)


class SearchView(LoginRequiredMixin, TemplateView):
    """Global search across what the user may see: every kind of record registered in
    `vendors.search` (vendors' own, and the feature apps')."""

    template_name = "search.html"

    def get_context_data(self, **kwargs):
        q = self.request.GET.get("q", "").strip()
        groups = search.search(self.request.user, q)
        return super().get_context_data(q=q, groups=groups, found=bool(groups),
                                        limit=search.LIMIT, **kwargs)
