"""SLA pages: the portfolio page, and the vendor's SLA tab with everything behind it."""

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from sla import calendars, forms, ingest, rules, selectors, services
from sla.choices import (
    CORRECTIVE_ACTION_OPEN,
    CorrectiveActionStatus,
    ImportStatus,
    MeasurementSource,
)
from sla.models import Dispute, MeasurementImport, ServiceLevel
from vendorgov import charts
from vendorgov.pages import ServiceFormMixin, apply_errors, csv_response
from vendors import access
from vendors.access import Action
from vendors.selectors import record_history
from vendors.views import ConfirmView, VendorMixin

TAB = "slas"


class SlaMixin(VendorMixin):
    """A page of the vendor's SLA tab."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(tab=TAB, section="vendors",
                                        today=timezone.localdate(), **kwargs)

    def tab_url(self) -> str:
        return reverse("sla:vendor", args=[self.vendor.slug])


class FormPage(SlaMixin, ServiceFormMixin, FormView):
    """A form on the SLA tab whose valid data goes to one service (`perform`)."""

    template_name = "form.html"
    title = ""
    form_takes_vendor = False  # the form's choices depend on the vendor

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.form_takes_vendor:
            kwargs["vendor"] = self.vendor
        return kwargs

    def get_success_url(self):
        target = self.request.POST.get("next") or self.request.GET.get("next")
        if target:
            return ServiceFormMixin.get_success_url(self)
        return self.done_url()

    def done_url(self) -> str:
        return self.tab_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.get_title(), cancel_url=self.done_url(),
                                        **kwargs)

    def get_title(self) -> str:
        return self.title


# -- portfolio -----------------------------------------------------------------------------


class PortfolioView(LoginRequiredMixin, TemplateView):
    """Where do SLAs need me? Breaches this month, corrective actions overdue, disputes and
    reviews waiting; then each vendor's compliance rate month by month."""

    template_name = "sla/portfolio.html"

    def get(self, request, *args, **kwargs):
        self.months = 24 if request.GET.get("months") == "24" else 12
        self.data = selectors.portfolio(request.user, months=self.months)
        if request.GET.get("format") == "csv":
            header = ["Vendor"] + [f"{m:%b %Y}" for m in self.data.months]
            return csv_response("sla-compliance.csv", header, (
                [row.vendor.name] + ["" if r is None else r for r in row.rates]
                for row in self.data.compliance))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        labels = rules.axis_labels("monthly", self.data.months)
        chart = charts.line_chart(
            labels, [charts.Series(_short(row.vendor.name), row.rates)
                     for row in self.data.compliance],
            low=0, high=100, unit="%", title="Compliance rate per vendor, by month",
        ) if self.data.compliance else ""
        return super().get_context_data(p=self.data, months=self.months, chart=chart,
                                        section="sla", **kwargs)


def _short(name: str) -> str:
    """A vendor's name short enough for a chart legend (the table beside it has it whole)."""
    return name if len(name) <= 18 else name.split(" ")[0][:18]


# -- the vendor's SLA tab ------------------------------------------------------------------


class VendorSlaView(SlaMixin, TemplateView):
    template_name = "sla/vendor.html"

    def get_context_data(self, **kwargs):
        show_archived = self.request.GET.get("archived") == "1"
        data = selectors.vendor_slas(self.vendor, include_archived=show_archived)
        return super().get_context_data(o=data, show_archived=show_archived,
                                        report_month=selectors.default_report_month(data.today),
                                        **kwargs)


class SlaCreateView(FormPage):
    vendor_action = Action.EDIT
    form_takes_vendor = True
    form_class = forms.SLAForm
    title = "New SLA"
    success_message = "SLA '{object}' created with version 1 in draft; add its service levels."

    def get_title(self):
        return f"New SLA for {self.vendor}"

    def perform(self, form):
        return services.sla_create(vendor=self.vendor, by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return self.object.get_absolute_url() + "?version=1"


class SlaDetailView(SlaMixin, TemplateView):
    template_name = "sla/sla_detail.html"

    def get_context_data(self, **kwargs):
        sla = selectors.sla_get(self.vendor, self.kwargs["pk"])
        versions = list(sla.versions.prefetch_related("service_levels__calendar").select_related(
            "drafted_by", "reviewed_by", "made_effective_by").order_by("-number"))
        today = timezone.localdate()
        current = next((v for v in versions if v.governs(today)), None)
        chosen = self.request.GET.get("version", "")
        version = next((v for v in versions if str(v.number) == chosen), None) or current or (
            versions[0] if versions else None)
        history = sorted(record_history(sla) + [e for v in versions
                                                for e in record_history(v)],
                         key=lambda e: e.when, reverse=True)[:40]
        return super().get_context_data(
            sla=sla, versions=versions, version=version, current=current,
            draft=next((v for v in versions if v.is_editable), None),
            reviews=list(sla.reviews.select_related("reviewed_by")),
            history=history, overdue_days=sla.review_overdue_days(today), **kwargs)


class SlaUpdateView(FormPage):
    vendor_action = Action.EDIT
    form_takes_vendor = True
    form_class = forms.SLAUpdateForm
    success_message = "SLA '{object}' saved."

    def sla(self):
        return selectors.sla_get(self.vendor, self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.sla()}

    def get_title(self):
        return f"Edit {self.sla()}"

    def perform(self, form):
        return services.sla_update(self.sla(), by=self.request.user, **form.cleaned_data)

    def done_url(self):
        return self.sla().get_absolute_url()


class SlaArchiveView(SlaMixin, ConfirmView):
    vendor_action = Action.MANAGE
    verb = "archive"
    explanation = ("'{target}' will leave the SLA tab and its windows are no longer "
                   "evaluated. Its versions, measurements and history are kept, and you can "
                   "restore it.")

    def target(self):
        return selectors.sla_get(self.vendor, self.kwargs["pk"])

    def act(self, target):
        from vendors.services import record_archive
        record_archive(target, by=self.request.user)

    def success_url(self):
        return self.tab_url()


class SlaRestoreView(SlaArchiveView):
    verb = "restore"
    button_class = "btn-primary"
    explanation = "'{target}' will show on the SLA tab again and its windows are evaluated."

    def act(self, target):
        from vendors.services import record_restore
        record_restore(target, by=self.request.user)

    def success_url(self):
        return self.target().get_absolute_url()


class ReviewCreateView(FormPage):
    vendor_action = Action.EDIT
    form_class = forms.ReviewForm
    success_message = "Review recorded."

    def sla(self):
        return selectors.sla_get(self.vendor, self.kwargs["pk"])

    def get_title(self):
        return f"Record a review of {self.sla()}"

    def get_context_data(self, **kwargs):
        sla = self.sla()
        return super().get_context_data(
            intro=f"Review due {sla.review_due_on:%a %d %b %Y}. Every {sla.review_interval_months}"
                  f" months; recording this review moves the next due date.", **kwargs)

    def perform(self, form):
        return services.sla_review_record(self.sla(), by=self.request.user, **form.cleaned_data)

    def done_url(self):
        return self.sla().get_absolute_url() + "#reviews"


class VersionDraftView(SlaMixin, ConfirmView):
    vendor_action = Action.EDIT
    verb = "draft a new version of"
    button_class = "btn-primary"
    explanation = ("A new version of '{target}' starts as a copy of the latest one. Change "
                   "it, have it reviewed, then make it effective from the first day of a "
                   "month; the version in effect stays in force until then.")

    def target(self):
        return selectors.sla_get(self.vendor, self.kwargs["pk"])

    def post(self, request, *args, **kwargs):
        sla = self.target()
        try:
            version = services.version_draft(sla, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(sla.get_absolute_url())
        messages.success(request, f"Version {version.number} drafted.")
        return redirect(version.get_absolute_url())


class VersionMixin(SlaMixin):
    def version(self):
        sla = selectors.sla_get(self.vendor, self.kwargs["pk"])
        return selectors.version_get(sla, self.kwargs["number"])


class VersionUpdateView(VersionMixin, FormPage):
    vendor_action = Action.EDIT
    form_class = forms.VersionForm
    success_message = "Version terms saved."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.version()}

    def get_title(self):
        return f"Terms of {self.version()}"

    def perform(self, form):
        return services.version_update(self.version(), by=self.request.user,
                                       **form.cleaned_data)

    def done_url(self):
        return self.version().get_absolute_url()


class VersionReviewView(VersionMixin, ConfirmView):
    vendor_action = Action.MANAGE
    verb = "mark reviewed"
    button_class = "btn-primary"
    explanation = ("'{target}' is recorded as reviewed by you. It can then be made "
                   "effective; any later change sends it back to draft.")

    def target(self):
        return self.version()

    def act(self, target):
        services.version_mark_reviewed(target, by=self.request.user)

    def success_url(self):
        return self.version().get_absolute_url()


class VersionEffectiveView(VersionMixin, FormPage):
    vendor_action = Action.MANAGE
    form_class = forms.MakeEffectiveForm
    success_message = "{object} is effective from {object.effective_from:%d %b %Y}."

    def get_title(self):
        return f"Make {self.version()} effective"

    def perform(self, form):
        return services.version_make_effective(self.version(), by=self.request.user,
                                               **form.cleaned_data)

    def done_url(self):
        return self.version().get_absolute_url()


class ServiceLevelCreateView(VersionMixin, FormPage):
    vendor_action = Action.EDIT
    form_takes_vendor = True
    form_class = forms.ServiceLevelForm
    success_message = "Service level '{object}' added."

    def get_title(self):
        return f"New service level in {self.version()}"

    def perform(self, form):
        return services.service_level_create(self.version(), by=self.request.user,
                                             **form.cleaned_data)

    def done_url(self):
        return self.version().get_absolute_url()


class ServiceLevelMixin(SlaMixin):
    def service_level(self) -> ServiceLevel:
        return selectors.service_level_get(self.vendor, self.kwargs["pk"])


class ServiceLevelDetailView(ServiceLevelMixin, TemplateView):
    template_name = "sla/service_level.html"

    def get_context_data(self, **kwargs):
        sl = self.service_level()
        row, measurements = selectors.service_level_history(sl)
        chart = _trend_chart(sl, rules.axis_labels(sl.window, row.starts), row.values)
        return super().get_context_data(sl=sl, row=row, measurements=measurements,
                                        chart=chart, history=record_history(sl), **kwargs)


def _trend_chart(sl: ServiceLevel, labels, values) -> str:
    known = [v for v in values if v is not None] + [float(sl.target), float(sl.breach_threshold)]
    low, high = min(known), max(known)
    pad = (high - low) * 0.15 or 1
    low, high = low - pad, high + pad
    if sl.unit != "score":  # nothing else goes below zero
        low = max(low, 0)
    if sl.unit == "percent":
        high = min(high, 100)
    target, breach = float(sl.target), float(sl.breach_threshold)
    if sl.comparator == "gte":
        bands = [(target, high, "green"), (breach, target, "amber"), (low, breach, "red")]
    else:
        bands = [(low, target, "green"), (target, breach, "amber"), (breach, high, "red")]
    return charts.line_chart(labels, [charts.Series(sl.name, values, "blue")], low=low,
                             high=high, unit=sl.unit_symbol if sl.unit_symbol == "%" else "",
                             title=f"{sl.name}: last {len(values)} windows", bands=bands,
                             height=200)


class ServiceLevelUpdateView(ServiceLevelMixin, FormPage):
    vendor_action = Action.EDIT
    form_takes_vendor = True
    form_class = forms.ServiceLevelForm
    success_message = "Service level '{object}' saved."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.service_level()}

    def get_title(self):
        return f"Edit {self.service_level()} ({self.service_level().version})"

    def perform(self, form):
        return services.service_level_update(self.service_level(), by=self.request.user,
                                             **form.cleaned_data)

    def done_url(self):
        return self.service_level().version.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(history=record_history(self.service_level()), **kwargs)


class ServiceLevelRemoveView(ServiceLevelMixin, ConfirmView):
    vendor_action = Action.EDIT
    verb = "remove"
    button_class = "btn-danger"
    explanation = ("'{target}' will be taken out of this draft. Its history records that it "
                   "was there.")

    def target(self):
        return self.service_level()

    def act(self, target):
        self._version_url = target.version.get_absolute_url()
        services.service_level_remove(target, by=self.request.user)

    def success_url(self):
        return getattr(self, "_version_url", None) or self.tab_url()


# -- measurements ----------------------------------------------------------------------------


class MeasurementCreateView(FormPage):
    vendor_action = Action.EDIT
    form_takes_vendor = True
    form_class = forms.MeasurementForm
    title = "Enter a measurement"

    def get_initial(self):
        initial = {}
        if (pk := self.request.GET.get("service_level", "")).isdigit():
            initial["service_level"] = pk
        if window := self.request.GET.get("window_start", ""):
            initial["window_start"] = window
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            intro="For a closed window. A later value for the same window replaces the earlier "
                  "one in the evaluation; both are kept.", **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        try:
            result = services.measurements_submit(
                [{"service_level": data["service_level"].pk,
                  "window_start": data["window_start"].isoformat(),
                  "value": str(data["value"]), "note": data["note"]}],
                by=self.request.user, source=MeasurementSource.FORM,
                vendor_ids={self.vendor.pk}, text_values=True)
        except ingest.RowsRejected as rejected:
            raise ValidationError({e.field if e.field in form.fields else "__all__": e.message
                                   for e in rejected.errors}) from None
        sl = data["service_level"]
        self.success_message = (f"Measurement saved; {sl} for "
                                f"{rules.window_label(sl.window, data['window_start'])} is "
                                "evaluated.")
        return result

    def done_url(self):
        return self.tab_url()


class ImportView(SlaMixin, FormView):
    """Upload a CSV; its rows are checked, and shown for a commit, or every bad row is
    listed here with the reason (nothing is stored)."""

    vendor_action = Action.EDIT
    template_name = "sla/import.html"
    form_class = forms.ImportForm

    def form_valid(self, form):
        filename, content = form.cleaned_data["file"]
        try:
            csv_import = services.import_preview(vendor=self.vendor, by=self.request.user,
                                                 filename=filename, content=content)
        except ingest.RowsRejected as rejected:
            return self.render_to_response(self.get_context_data(
                form=form, rejected=rejected, filename=filename))
        return redirect("sla:import_preview", self.vendor.slug, csv_import.pk)

    def get_context_data(self, **kwargs):
        recent = MeasurementImport.objects.filter(vendor=self.vendor).select_related(
            "uploaded_by", "committed_by")[:10]
        return super().get_context_data(columns=services.CSV_COLUMNS, recent=recent, **kwargs)


class ImportTemplateView(SlaMixin, TemplateView):
    vendor_action = Action.EDIT

    def get(self, request, *args, **kwargs):
        rows = services.import_template(self.vendor)
        return csv_response(f"{self.vendor.slug}-measurements.csv", rows[0], rows[1:])


class ImportPreviewView(SlaMixin, TemplateView):
    vendor_action = Action.EDIT
    template_name = "sla/import_preview.html"

    def csv_import(self) -> MeasurementImport:
        try:
            return MeasurementImport.objects.select_related("uploaded_by", "committed_by").get(
                vendor=self.vendor, pk=self.kwargs["pk"])
        except MeasurementImport.DoesNotExist:
            raise Http404 from None

    def get_context_data(self, **kwargs):
        csv_import = self.csv_import()
        parsed = services.import_parse(self.vendor, csv_import.content)
        lines = parsed.lines
        page = Paginator(lines, 200).get_page(self.request.GET.get("page"))
        return super().get_context_data(csv_import=csv_import, page=page, total=len(lines),
                                        committed=csv_import.status == ImportStatus.COMMITTED,
                                        **kwargs)

    def post(self, request, *args, **kwargs):
        csv_import = self.csv_import()
        try:
            result = services.import_commit(csv_import, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("sla:import_preview", self.vendor.slug, csv_import.pk)
        except ingest.RowsRejected as rejected:
            return self.render_to_response(self.get_context_data(rejected=rejected))
        note = f" ({result.unchanged} were already there)" if result.unchanged else ""
        messages.success(request, f"Imported {result.created} measurements from "
                                  f"{csv_import.filename}{note}; their windows are evaluated.")
        return redirect("sla:vendor", self.vendor.slug)


# -- evaluations and disputes ---------------------------------------------------------------


class EvaluationView(SlaMixin, TemplateView):
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
            history=selectors.evaluation_history(evaluation), **kwargs)


class DisputeCreateView(FormPage):
    vendor_action = Action.DISPUTE_EVALUATIONS
    form_class = forms.DisputeForm
    success_message = "Dispute raised; operations will accept or reject it."

    def evaluation(self):
        return selectors.evaluation_get(self.vendor, self.kwargs["pk"])

    def get_title(self):
        return f"Dispute: {self.evaluation()}"

    def get_context_data(self, **kwargs):
        e = self.evaluation()
        return super().get_context_data(
            intro=f"{e.get_status_display()}: {e.explanation} Disputes are possible until "
                  f"{e.dispute_deadline():%a %d %b %Y}.", **kwargs)

    def perform(self, form):
        return services.dispute_raise(self.evaluation(), by=self.request.user,
                                      **form.cleaned_data)

    def done_url(self):
        return self.evaluation().get_absolute_url()


class DisputeDecideView(FormPage):
    vendor_action = Action.EDIT
    form_class = forms.DisputeDecisionForm
    success_message = "Decision recorded."

    def dispute(self):
        dispute = Dispute.objects.select_related("evaluation").filter(
            vendor=self.vendor, pk=self.kwargs["pk"]).first()
        if dispute is None:
            raise Http404
        return dispute

    def get_title(self):
        return f"Decide: {self.dispute()}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(intro=f"The vendor's reason: {self.dispute().reason}",
                                        **kwargs)

    def perform(self, form):
        return services.dispute_decide(self.dispute(), by=self.request.user,
                                       **form.cleaned_data)

    def done_url(self):
        return self.dispute().evaluation.get_absolute_url()


# -- corrective actions ------------------------------------------------------------------


class CorrectiveActionListView(SlaMixin, TemplateView):
    template_name = "sla/corrective_actions.html"
    STATES = {"open": CORRECTIVE_ACTION_OPEN, "closed": (CorrectiveActionStatus.VERIFIED,
                                                         CorrectiveActionStatus.REJECTED)}

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


class CorrectiveActionView(SlaMixin, FormView):
    """The action, its breaches and history; our side edits everything, the owner's side
    reports progress."""

    template_name = "sla/corrective_action.html"

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

    def form_valid(self, form):
        action = type(self.action()).objects.get(pk=self.action().pk)
        try:
            if self.mode() == "edit":
                services.corrective_action_update(action, by=self.request.user,
                                                  **form.cleaned_data)
            else:
                services.corrective_action_report_progress(action, by=self.request.user,
                                                           **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Corrective action saved.")
        return redirect(action.get_absolute_url())

    def get_context_data(self, **kwargs):
        action = self.action()
        evaluations = list(action.evaluations.select_related("service_level").order_by(
            "window_start"))
        return super().get_context_data(
            a=action, evaluations=evaluations, mode=self.mode(),
            history=record_history(action), **kwargs)


# -- the monthly report ------------------------------------------------------------------


def _month(value: str, default: date) -> date:
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except (ValueError, AttributeError):
        return default


class ReportView(SlaMixin, TemplateView):
    """The operations team's monthly SLA review for one vendor (?month=YYYY-MM)."""

    template_name = "sla/report.html"

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        default = selectors.default_report_month(today)
        month = _month(request.GET.get("month", ""), default)
        if month > rules.month_start(today) or month.year < 2000:
            month = default
        self.report = selectors.monthly_report(self.vendor, month, today=today)
        if request.GET.get("format") == "csv":
            return self.csv()
        return super().get(request, *args, **kwargs)

    def csv(self):
        r = self.report
        credit_of = {c.outcome.evaluation_id: c for m in r.money.values() for c in m.credits}
        bonus_of = {b.outcome.evaluation_id: b for m in r.money.values() for b in m.bonuses}
        rows = []
        for level in r.levels:
            sl = level.row.service_level
            for e in level.this_month:
                credit, bonus = credit_of.get(e.pk), bonus_of.get(e.pk)
                rows.append([level.sla.reference, sl.name, e.label, e.window_start, e.window_end,
                             "" if e.value is None else rules.number(e.value), sl.unit,
                             sl.rule, e.get_status_display() + (" (excused)" if e.excused
                                                                else ""),
                             bonus.points if bonus else 0,
                             rules.number(credit.applied_percent) if credit else "0",
                             credit.amount if credit else "0.00",
                             credit.currency if credit else "",
                             credit.earn_back_note if credit else "",
                             e.corrective_action.title if e.corrective_action else ""])
        return csv_response(
            f"{self.vendor.slug}-sla-report-{r.month:%Y-%m}.csv",
            ["SLA", "Service level", "Window", "Window start", "Window end", "Value", "Unit",
             "Rule", "Status", "Bonus points", "Credit % of monthly charge", "Credit amount",
             "Currency", "Earn-back", "Corrective action"], rows)

    def get_context_data(self, **kwargs):
        r = self.report
        trend = []
        for level in r.levels:
            sl = level.row.service_level
            trend.append((level, _trend_chart(sl, rules.axis_labels(sl.window, level.row.starts),
                                              level.row.values)))
        today = timezone.localdate()
        months = [rules.add_months(rules.month_start(today), -i) for i in range(0, 13)]
        return super().get_context_data(r=r, trend=trend, months=months,
                                        previous=rules.add_months(r.month, -1),
                                        following=rules.add_months(r.month, 1)
                                        if r.month < rules.month_start(today) else None,
                                        **kwargs)


class ReportPrintView(ReportView):
    template_name = "sla/report_print.html"


# -- calendars ------------------------------------------------------------------------------


class CalendarCreateView(FormPage):
    vendor_action = Action.EDIT
    form_takes_vendor = True
    form_class = forms.CalendarForm
    success_message = "Calendar '{object}' added."

    def get_title(self):
        return f"New business-hours calendar for {self.vendor}"

    def perform(self, form):
        return services.calendar_create(vendor=self.vendor, by=self.request.user,
                                        **form.cleaned_data)

    def get_success_url(self):
        return self.object.get_absolute_url()


class CalendarMixin(SlaMixin):
    def calendar(self):
        return selectors.calendar_get(self.vendor, self.kwargs["pk"])


class CalendarUpdateView(CalendarMixin, FormPage):
    vendor_action = Action.EDIT
    form_takes_vendor = True
    form_class = forms.CalendarForm
    success_message = "Calendar '{object}' saved."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.calendar()}

    def get_title(self):
        return f"Edit {self.calendar()}"

    def perform(self, form):
        return services.calendar_update(self.calendar(), by=self.request.user,
                                        **form.cleaned_data)

    def done_url(self):
        return self.calendar().get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(history=record_history(self.calendar()), **kwargs)


class CalendarView(CalendarMixin, TemplateView):
    """A calendar, and a calculator for business hours between two moments (?start&end)."""

    template_name = "sla/calendar.html"

    def get_context_data(self, **kwargs):
        calendar = self.calendar()
        form = forms.DurationForm(self.request.GET or None)
        hours = None
        if form.is_bound and form.is_valid():
            tz = calendars.zone(calendar.time_zone)
            start, end = (timezone.make_naive(form.cleaned_data[k]).replace(tzinfo=tz)
                          for k in ("start", "end"))
            hours = Decimal(calendars.business_seconds(start, end, calendar.hours)) / 3600
        return super().get_context_data(
            calendar=calendar, form=form, hours=hours,
            levels=calendar.service_levels.select_related("version__sla"),
            history=record_history(calendar), **kwargs)

