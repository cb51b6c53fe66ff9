"""A period's actuals: entered in one form, their evidence, approved (one or the whole
period) or sent back, and the period locked after its quarterly review."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.functional import cached_property
from django.views.generic import TemplateView, View
from django_htmx.http import HttpResponseClientRefresh

from scorecards import forms, selectors, services
from scorecards.choices import ENTERED_DATA_SOURCES, ActualStatus, DataSource
from scorecards.models import Actual, Period
from scorecards.views import ScorecardPage
from vendorgov.pages import ConfirmPage, FormPage, apply_errors, once
from vendors import access
from vendors.access import Action
from vendors.choices import Side


class ActualsEditView(ScorecardPage, TemplateView):
    """All of a period's actuals in one form, one row per measure; each row is checked on
    its own and nothing is saved unless every row is right."""

    vendor_action = Action.SUBMIT_ACTUALS
    template_name = "scorecards/actuals_edit.html"

    @cached_property
    def periods(self) -> list[Period]:
        return list(self.scorecard.periods.all())

    @cached_property
    def period(self) -> Period:
        period = selectors.pick_period([p for p in self.periods if p.has_started],
                                       self.request.GET.get("period"))
        if period is None:
            raise Http404("This scorecard has no open period yet.")
        return period

    @property
    def side(self) -> str:
        return Side.VENDOR if self.request.user.is_vendor_user else Side.OURS

    def rows(self):
        structure = selectors.structures([self.scorecard])[self.scorecard.pk]
        actuals = {a.measure_id: a for a in Actual.objects.filter(period=self.period)}
        rows = []
        for p in structure.perspectives:
            for o in structure.objectives.get(p.pk, []):
                for m in structure.measures.get(o.pk, []):
                    if m.is_archived or not m.counts_in(self.period) \
                            or m.data_source not in self.sources:
                        continue
                    actual = actuals.get(m.pk)
                    rows.append((m, actual, self._editable(actual)))
        return rows

    @property
    def sources(self):
        # The vendor reports what it is asked to; the rest we measure ourselves.
        # SLA-fed measures are derived, never entered.
        return (DataSource.VENDOR,) if self.side == Side.VENDOR else ENTERED_DATA_SOURCES

    def _editable(self, actual) -> bool:
        if self.side == Side.VENDOR:
            return not self.period.is_locked and (actual is None
                                                  or actual.status == ActualStatus.DRAFT)
        return True

    def formset(self, data=None, files=None):
        return forms.actual_formset(rows=self.rows(), side=self.side, data=data, files=files,
                                    needs_reason=self.period.is_locked)

    def _saved_message(self, saved: int, submit: bool) -> str:
        if not saved:
            return f"{self.period}: nothing changed."
        verb = "submitted" if submit else "saved as drafts" if self.side == Side.VENDOR \
            else "saved"
        return f"{self.period}: {saved} actual{'s' if saved != 1 else ''} {verb}."

    def get_context_data(self, **kwargs):
        formset = kwargs.pop("formset", None) or self.formset()
        return super().get_context_data(period=self.period, formset=formset, side=self.side,
                                        editable=any(form.editable for form in formset),
                                        cancel_url=self.tab_url(self.period), **kwargs)

    def post(self, request, *args, **kwargs):
        formset = self.formset(request.POST, request.FILES)
        submit = "submit" in request.POST
        valid = formset.is_valid()
        saved, failed = 0, False
        with transaction.atomic():
            # Rows that passed the form's checks still meet the services' rules, so every
            # problem shows at once; nothing is kept unless every row is right.
            for form in formset:
                if not form.editable or form.errors:
                    continue
                changes = form.service_changes()
                # Our people submit the rows they touch; the vendor submits all its drafts.
                submit_row = submit and (bool(changes) or self.side == Side.VENDOR)
                if not changes and not (submit_row and form.actual is not None
                                        and form.actual.status == ActualStatus.DRAFT):
                    continue
                try:
                    with transaction.atomic():
                        services.actual_record(
                            measure=form.measure, period=self.period, by=request.user,
                            reason=form.cleaned_data.get("reason") or "", submit=submit_row,
                            **changes)
                    saved += 1
                except ValidationError as error:
                    apply_errors(form, error)
                    failed = True
            if failed or not valid:
                transaction.set_rollback(True)
        if valid and not failed:
            messages.success(request, self._saved_message(saved, submit))
            return redirect(self.tab_url(self.period))
        messages.error(request, "Some rows need another look; nothing was saved. The rows "
                                "with problems are marked below.")
        return self.render_to_response(self.get_context_data(formset=formset))


class EvidenceView(ScorecardPage, View):
    """The uploaded evidence of an actual, for whoever may see the vendor."""

    def get(self, request, *args, **kwargs):
        actual = selectors.actual_get(self.vendor, kwargs["pk"])
        if not actual.evidence_file:
            raise Http404("No file was uploaded for this actual.")
        try:
            handle = actual.evidence_file.open("rb")
        except FileNotFoundError as missing:
            raise Http404("The file is missing from storage.") from missing
        name = actual.evidence_file.name.rsplit("/", 1)[-1]
        return FileResponse(handle, as_attachment=True, filename=name)


class ActualApproveView(ScorecardPage, ConfirmPage):
    vendor_action = Action.APPROVE_ACTUALS
    verb = "approve"
    button_class = "btn-success"
    explanation = ("'{target}' will be approved as reported. It still counts as it does now; "
                   "later changes need a reason and are kept in history.")

    @once
    def target(self):
        return selectors.actual_get(self.vendor, self.kwargs["pk"])

    service = staticmethod(services.actual_approve)

    def done_url(self):
        return self.tab_url(self.target().period)

    def post(self, request, *args, **kwargs):
        if not request.htmx:
            return super().post(request, *args, **kwargs)
        actual = self.target()
        try:
            services.actual_approve(actual, by=request.user)
        except ValidationError:
            return HttpResponseClientRefresh()
        html = render_to_string("scorecards/_workflow.html",
                                {"a": actual, "vendor": self.vendor, "request": request,
                                 "rights": access.rights(request.user, self.vendor)})
        return HttpResponse(html)


class PeriodApproveView(ScorecardPage, ConfirmPage):
    vendor_action = Action.APPROVE_ACTUALS
    verb = "approve"
    button_class = "btn-success"

    @once
    def target(self):
        return self.record(Period)

    def get_explanation(self, period):
        waiting = period.actuals.filter(status=ActualStatus.SUBMITTED).count()
        return (f"The {waiting} submitted actual{'s' if waiting != 1 else ''} of {period} "
                "will be approved as reported.")

    def act(self, target):
        approved, failures = 0, []
        for actual in target.actuals.filter(status=ActualStatus.SUBMITTED).select_related(
                "measure"):
            try:
                services.actual_approve(actual, by=self.request.user)
                approved += 1
            except ValidationError as error:
                failures.append(f"{actual.measure}: {' '.join(error.messages)}")
        if failures:
            raise ValidationError(f"Approved {approved}; not approved: " + "; ".join(failures))

    def done_url(self):
        return self.tab_url(self.target())


class ActualFormPage(ScorecardPage, FormPage):
    """A small form about one actual, handed to one service; back to its period."""

    @once
    def actual(self) -> Actual:
        return selectors.actual_get(self.vendor, self.kwargs["pk"])

    def done_url(self):
        return self.tab_url(self.actual().period)


class ActualSendBackView(ActualFormPage):
    vendor_action = Action.APPROVE_ACTUALS
    form_class = forms.ReasonForm
    submit_label = "Send back"
    intro = ("It becomes a draft again so the reporter can correct it. Say what needs to "
             "change.")

    def get_title(self):
        return f"Send back: {self.actual()}"

    def perform(self, form):
        actual = self.actual()
        services.actual_send_back(actual, by=self.request.user,
                                  reason=form.cleaned_data["reason"])
        return actual

    def get_success_message(self):
        return f"Sent back: {self.object}. The reporter sees your reason."


class PeriodLockView(ScorecardPage, FormPage):
    vendor_action = Action.MANAGE
    form_class = forms.LockForm
    intro = ("Lock the period once its quarterly review is held: the vendor can no longer "
             "change its actuals, the targets they were scored against are frozen, and our "
             "corrections need a reason that stays in history.")

    @once
    def period(self) -> Period:
        return self.record(Period)

    def get_title(self):
        return f"Lock {self.period()}"

    @property
    def submit_label(self):
        return f"Lock {self.period()}"

    def perform(self, form):
        return services.period_lock(self.period(), by=self.request.user,
                                    note=form.cleaned_data["note"])

    def get_success_message(self):
        return f"{self.object} locked. Changes now need a reason and stay in history."

    def done_url(self):
        return self.tab_url(self.period())
