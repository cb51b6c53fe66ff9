"""Scorecard pages: a vendor's Scorecard tab and what hangs off it, the portfolio heat map,
and the templates. Rights come from `vendors.access`; writes go through `services`."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView, View
from django_htmx.http import HttpResponseClientRefresh

from scorecards import forms, selectors, services
from scorecards.choices import ENTERED_DATA_SOURCES, ActualStatus, DataSource
from scorecards.models import (
    Actual,
    Dispute,
    Objective,
    Period,
    Perspective,
    ScorecardTemplate,
    TemplateObjective,
    TemplatePerspective,
)
from vendorgov import charts
from vendorgov.pages import ServiceFormMixin, SortMixin, apply_errors, csv_response
from vendors import access
from vendors.access import Action
from vendors.choices import Side
from vendors.selectors import record_history
from vendors.views import ConfirmView, VendorMixin

PART_LABELS = {"perspectives": "perspective", "objectives": "objective", "measures": "measure"}


def _period_query(period) -> str:
    return f"?period={period.label}" if period else ""


class ScorecardMixin(VendorMixin):
    """A page of the vendor's Scorecard tab; 404 when the vendor has no scorecard (except
    where a view says it can do without)."""

    needs_scorecard = True

    @cached_property
    def scorecard(self):
        scorecard = selectors.scorecard_of(self.vendor)
        if scorecard is None and self.needs_scorecard:
            raise Http404("This vendor has no scorecard.")
        return scorecard

    def tab_url(self, period=None) -> str:
        return reverse("scorecards:vendor", args=[self.vendor.slug]) + _period_query(period)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tab="scorecard", scorecard=self.scorecard, **kwargs)


# -- the Scorecard tab -----------------------------------------------------------------------


class VendorScorecardView(ScorecardMixin, TemplateView):
    """Where does this vendor stand this period? Perspectives as sections, each measure
    with its target, actual, status, trend and a link to its details."""

    template_name = "scorecards/vendor.html"
    needs_scorecard = False

    def get(self, request, *args, **kwargs):
        if self.scorecard is not None:
            self.page = selectors.scorecard_page(self.scorecard, request.GET.get("period"))
            if request.GET.get("format") == "csv":
                return scorecard_csv(self.vendor, self.page)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.scorecard is None:
            context["may_set_up"] = access.may(self.request.user, Action.MANAGE, self.vendor)
            return context
        page = self.page
        context.update(page=page, s=page.current, period=page.period,
                       trend_chart=_overall_chart(page))
        return context


RAG_BANDS = [(70, 100, "green"), (40, 70, "amber"), (0, 40, "red")]


def score_chart(labels: list[str], values: list, title: str, **size) -> str:
    """A vendor's overall score by period on the green/amber/red bands. The empty last
    label leaves room for the last period's label at the right edge."""
    series = [charts.Series("Overall score", [None if v is None else float(v)
                                              for v in values])]
    return charts.line_chart([*labels, ""], series, low=0, high=100, title=title,
                             bands=RAG_BANDS, **size)


def _overall_chart(page) -> str:
    return score_chart([p.label for p, _ in page.trend], page.overall_trend_values,
                       f"Overall score of {page.scorecard.vendor}, by period", height=180)


def scorecard_csv(vendor, page):
    period = page.period
    header = ["Period", "Level", "Perspective", "Objective", "Measure", "Unit", "Direction",
              "Target", "Amber threshold", "Red threshold", "Weight", "Share of group (%)",
              "Vendor reported", "We measured", "Scored value", "Score", "Status",
              "Workflow", "Comment", "Evidence link", "Reported by", "Approved by"]

    def pct(share):
        return "" if share is None else f"{share * 100:.1f}"

    def rolled_row(level, perspective, objective, rolled):
        return [period.label if period else "", level, perspective, objective, "", "", "", "",
                "", "", getattr(rolled, "weight", ""), pct(rolled.share), "", "", "",
                rolled.score if rolled.score is not None else "", rolled.status.label, "",
                f"{rolled.measures_with_data} of {rolled.measures} measures with data", "",
                "", ""]

    def rows():
        s = page.current
        yield rolled_row("Vendor", "", "", s.rolled)
        for p in s.perspectives:
            yield rolled_row("Perspective", p.perspective.name, "", p.rolled)
            for o in p.objectives:
                yield rolled_row("Objective", p.perspective.name, o.objective.name, o.rolled)
                for line in o.lines:
                    m, a = line.measure, line.actual
                    yield [period.label if period else "", "Measure", p.perspective.name,
                           o.objective.name, m.name, m.unit, m.get_direction_display(),
                           a.target if a else m.target,
                           a.amber_threshold if a else m.amber_threshold,
                           a.red_threshold if a else m.red_threshold, m.weight,
                           pct(line.rolled.share),
                           _blank(a and a.vendor_value), _blank(a and a.internal_value),
                           _blank(a and a.counts and a.value), _blank(line.score),
                           line.status.label, a.get_status_display() if a else "",
                           a.comment if a else "", a.evidence_url if a else "",
                           _reporter(a, m),
                           str(a.approved_by or "") if a else ""]

    label = period.label if period else "no-period"
    return csv_response(f"scorecard-{vendor.slug}-{label}.csv", header, rows())


def _reporter(actual, measure) -> str:
    if actual is None:
        return ""
    if actual.is_derived:
        return f"SLA {measure.feed}" if measure.feed else "SLA"
    return str(actual.reported_by or "")


def _blank(value):
    return "" if value is None or value is False else value


class ScorecardSetupView(ScorecardMixin, ServiceFormMixin, FormView):
    """Give the vendor a scorecard by applying a template."""

    vendor_action = Action.MANAGE
    needs_scorecard = False
    form_class = forms.ApplyTemplateForm
    template_name = "form.html"
    success_message = "Scorecard set up from the template. Its periods are open."

    def get(self, request, *args, **kwargs):
        if self.scorecard is not None:
            return redirect(self.tab_url())
        return super().get(request, *args, **kwargs)

    def perform(self, form):
        return services.template_apply(form.cleaned_data["template"], vendor=self.vendor,
                                       starts_on=form.cleaned_data["starts_on"],
                                       by=self.request.user)

    def get_success_url(self):
        return self.tab_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=f"Set up a scorecard for {self.vendor}", cancel_url=self.tab_url(),
            intro="The template's perspectives, objectives and measures are copied; you can "
                  "then add, retire and re-weight measures for this vendor without changing "
                  "the template.", submit_label="Set up scorecard", **kwargs)


# -- entering a period's actuals -------------------------------------------------------------


class ActualsEditView(ScorecardMixin, TemplateView):
    """All of a period's actuals in one form, one row per measure; each row is checked on
    its own and nothing is saved unless every row is right."""

    vendor_action = Action.SUBMIT_ACTUALS
    template_name = "scorecards/actuals_edit.html"

    @cached_property
    def period(self) -> Period:
        periods = list(self.scorecard.periods.all())
        period = selectors.pick_period([p for p in periods if p.has_started],
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


# -- one measure's details -------------------------------------------------------------------


class MeasureDetailView(ScorecardMixin, TemplateView):
    """Everything behind one line of the scorecard: definition, rule, every period's
    actual with evidence, comments, disputes and history."""

    template_name = "scorecards/measure.html"

    def get_context_data(self, **kwargs):
        measure = selectors.measure_get(self.vendor, self.kwargs["pk"])
        detail = selectors.measure_detail(measure)
        selected = self.request.GET.get("period")
        chosen = next((a for p, a in detail.rows if p.label == selected and a), None) \
            or next((a for _, a in detail.rows if a), None)
        rows = list(reversed(detail.rows))
        # The vendor's own figure, where we measured a different one.
        reported = [float(a.vendor_value) if a and a.difference else None for _, a in rows]
        chart = charts.line_chart(
            [*[p.label for p, _ in rows], ""],
            [charts.Series("Scored value", [float(a.value) if a and a.counts else None
                                            for _, a in rows]),
             *([charts.Series("Vendor reported", reported, colour="#6f42c1")]
               if any(v is not None for v in reported) else [])],
            unit=f" {measure.unit}" if measure.unit and len(measure.unit) < 4 else "",
            title=f"{measure.name} by period", height=200,
            bands=_bands(measure)) if rows else ""
        return super().get_context_data(
            measure=measure, detail=detail, chosen=chosen, selected=selected, chart=chart,
            measure_history=record_history(measure),
            actual_history=record_history(chosen) if chosen else [], **kwargs)


def _bands(measure):
    t, a, r = (float(measure.target), float(measure.amber_threshold),
               float(measure.red_threshold))
    far = abs(a - r) * 3 + abs(t - a) + 1
    if measure.direction == "higher":
        return [(a, max(t, a) + far, "green"), (r, a, "amber"), (r - far, r, "red")]
    return [(min(t, a) - far, a, "green"), (a, r, "amber"), (r, r + far, "red")]


class EvidenceView(ScorecardMixin, View):
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


# -- workflow: approve, send back, dispute ---------------------------------------------------


class ActualApproveView(ScorecardMixin, ConfirmView):
    vendor_action = Action.APPROVE_ACTUALS
    verb = "approve"
    button_class = "btn-success"
    explanation = ("'{target}' will be approved as reported. It still counts as it does now; "
                   "later changes need a reason and are kept in history.")

    def target(self):
        return selectors.actual_get(self.vendor, self.kwargs["pk"])

    def act(self, target):
        services.actual_approve(target, by=self.request.user)

    def success_url(self):
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


class PeriodApproveView(ScorecardMixin, ConfirmView):
    vendor_action = Action.APPROVE_ACTUALS
    verb = "approve"
    button_class = "btn-success"

    def target(self):
        return get_object_or_404(Period, vendor=self.vendor, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        period = self.target()
        waiting = period.actuals.filter(status=ActualStatus.SUBMITTED).count()
        self.explanation = (f"The {waiting} submitted actual{'s' if waiting != 1 else ''} of "
                            f"{period} will be approved as reported.")
        return super().get_context_data(**kwargs)

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

    def success_url(self):
        return self.tab_url(self.target())


class WorkflowFormView(ScorecardMixin, FormView):
    """A small form about one actual or dispute, handed to one service."""

    template_name = "form.html"

    def actual(self) -> Actual:
        return selectors.actual_get(self.vendor, self.kwargs["pk"])

    def form_valid(self, form):
        try:
            message = self.perform(form)
        except ValidationError as error:
            apply_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        return super().get_context_data(cancel_url=self.get_success_url(), **kwargs)


class ActualSendBackView(WorkflowFormView):
    vendor_action = Action.APPROVE_ACTUALS
    form_class = forms.ReasonForm

    def perform(self, form):
        actual = self.actual()
        services.actual_send_back(actual, by=self.request.user,
                                  reason=form.cleaned_data["reason"])
        return f"Sent back: {actual}. The reporter sees your reason."

    def get_success_url(self):
        return self.tab_url(self.actual().period)

    def get_context_data(self, **kwargs):
        actual = self.actual()
        return super().get_context_data(
            title=f"Send back: {actual}", submit_label="Send back",
            intro="It becomes a draft again so the reporter can correct it. Say what needs to "
                  "change.", **kwargs)


class DisputeCreateView(WorkflowFormView):
    vendor_action = Action.DISPUTE_ACTUALS
    form_class = forms.ReasonForm

    def perform(self, form):
        actual = self.actual()
        services.dispute_raise(actual=actual, by=self.request.user,
                               reason=form.cleaned_data["reason"])
        return f"Dispute raised on {actual}. It is shown in the quarterly review."

    def get_success_url(self):
        actual = self.actual()
        return reverse("scorecards:measure", args=[self.vendor.slug, actual.measure_id]) + \
            _period_query(actual.period)

    def get_context_data(self, **kwargs):
        actual = self.actual()
        value = "—" if actual.value is None else f"{actual.value.normalize():f}"
        return super().get_context_data(
            title=f"Dispute: {actual}", submit_label="Raise dispute",
            intro=f"The value on record is {value} {actual.measure.unit} "
                  f"({actual.get_status_display().lower()}). Say what is wrong and what it "
                  f"should be; the owner answers, and both stay on record.", **kwargs)


class DisputeResolveView(WorkflowFormView):
    vendor_action = Action.APPROVE_ACTUALS
    form_class = forms.DisputeResolveForm

    def dispute(self) -> Dispute:
        return get_object_or_404(Dispute.objects.select_related("actual__measure",
                                                                "actual__period"),
                                 vendor=self.vendor, pk=self.kwargs["pk"])

    def perform(self, form):
        dispute = self.dispute()
        services.dispute_resolve(dispute, by=self.request.user, **form.cleaned_data)
        return f"Dispute {dispute.get_status_display().lower()}: {dispute.actual}."

    def get_success_url(self):
        actual = self.dispute().actual
        return reverse("scorecards:measure", args=[self.vendor.slug, actual.measure_id]) + \
            _period_query(actual.period)

    def get_context_data(self, **kwargs):
        dispute = self.dispute()
        return super().get_context_data(
            title=f"Resolve the dispute on {dispute.actual}", submit_label="Resolve",
            intro=f"{dispute.raised_by or 'The vendor'} disputes it: “{dispute.reason}”",
            **kwargs)


class PeriodLockView(WorkflowFormView):
    vendor_action = Action.MANAGE
    form_class = forms.LockForm

    def period(self) -> Period:
        return get_object_or_404(Period, vendor=self.vendor, pk=self.kwargs["pk"])

    def perform(self, form):
        period = services.period_lock(self.period(), by=self.request.user,
                                      note=form.cleaned_data["note"])
        return f"{period} locked. Changes now need a reason and stay in history."

    def get_success_url(self):
        return self.tab_url(self.period())

    def get_context_data(self, **kwargs):
        period = self.period()
        return super().get_context_data(
            title=f"Lock {period}", submit_label=f"Lock {period}",
            intro="Lock the period once its quarterly review is held: the vendor can no "
                  "longer change its actuals, the targets they were scored against are "
                  "frozen, and our corrections need a reason that stays in history.",
            **kwargs)


# -- changing the vendor's scorecard ---------------------------------------------------------


class PartMixin(ScorecardMixin):
    vendor_action = Action.MANAGE

    @property
    def kind(self) -> str:
        return self.kwargs["part"]

    @property
    def model(self):
        return services.SCORECARD_PARTS[self.kind]

    def parents(self):
        if self.kind == "objectives":
            return Perspective.objects.active().filter(scorecard=self.scorecard)
        if self.kind == "measures":
            return Objective.objects.active().filter(perspective__scorecard=self.scorecard) \
                .select_related("perspective")
        return None

    def part(self):
        return get_object_or_404(self.model, vendor=self.vendor, pk=self.kwargs["pk"])

    def get_success_url(self):
        if self.kind == "measures" and getattr(self, "object", None) is not None:
            return reverse("scorecards:measure", args=[self.vendor.slug, self.object.pk])
        return self.tab_url()


class PartCreateView(PartMixin, ServiceFormMixin, FormView):
    template_name = "form.html"

    def get_form_class(self):
        return forms.SCORECARD_PART_FORMS[self.kind]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["parents"] = self.parents()
        kwargs["vendor"] = self.vendor
        if self.kind == "objectives" and self.request.GET.get("perspective"):
            kwargs.setdefault("initial", {})["perspective"] = self.request.GET["perspective"]
        if self.kind == "measures" and self.request.GET.get("objective"):
            kwargs.setdefault("initial", {})["objective"] = self.request.GET["objective"]
        return kwargs

    def perform(self, form):
        data = dict(form.cleaned_data)
        data.pop("change_reason", None)
        if self.kind == "perspectives":
            data["scorecard"] = self.scorecard
        return services.part_create(self.model, by=self.request.user, **data)

    def form_valid(self, form):
        self.success_message = f"{PART_LABELS[self.kind].capitalize()} '{{object}}' added."
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=f"New {PART_LABELS[self.kind]} for {self.vendor}'s scorecard",
            cancel_url=self.tab_url(), **kwargs)


class PartUpdateView(PartMixin, ServiceFormMixin, FormView):
    template_name = "form.html"

    def get_form_class(self):
        return forms.SCORECARD_PART_FORMS[self.kind]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.part(), "parents": self.parents(),
                "with_reason": True, "vendor": self.vendor}

    def perform(self, form):
        data = dict(form.cleaned_data)
        reason = data.pop("change_reason", "")
        return services.part_update(self.part(), by=self.request.user, change_reason=reason,
                                    **data)

    def form_valid(self, form):
        self.success_message = f"{PART_LABELS[self.kind].capitalize()} '{{object}}' saved."
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        part = self.part()
        return super().get_context_data(
            title=f"Edit {PART_LABELS[self.kind]}: {part}", cancel_url=self.tab_url(),
            history=record_history(part),
            intro="Changes apply to this vendor's scorecard only. Targets and thresholds of "
                  "periods already locked stay as they were reviewed." if self.kind ==
                  "measures" else "", **kwargs)


class PartRetireView(PartMixin, ConfirmView):
    verb = "retire"
    explanation = ("'{target}' will leave the scorecard from today: it takes no new actuals "
                   "and no longer counts in periods that end from now on. Its past results "
                   "and history are kept, and you can restore it.")

    def target(self):
        return self.part()

    def act(self, target):
        services.part_retire(target, by=self.request.user)

    def success_url(self):
        return self.tab_url()


class PartRestoreView(PartRetireView):
    verb = "restore"
    button_class = "btn-primary"
    explanation = "'{target}' will count in the scorecard again."

    def act(self, target):
        services.part_restore(target, by=self.request.user)


# -- the portfolio ---------------------------------------------------------------------------


class PortfolioView(LoginRequiredMixin, SortMixin, TemplateView):
    """Executives' view: every vendor × perspective for one period, worst first on request,
    and each vendor's overall score over time."""

    template_name = "scorecards/portfolio.html"
    default_sort = "vendor"

    def get(self, request, *args, **kwargs):
        self.data = selectors.portfolio(request.user, request.GET.get("period"))
        names = self.data.perspective_names
        self.sort_fields = {"vendor": "vendor", "overall": "overall",
                            **{f"p{i}": name for i, name in enumerate(names, start=1)}}
        self.rows = self._sorted(self.data.rows)
        if request.GET.get("format") == "csv":
            return self.csv()
        return super().get(request, *args, **kwargs)

    def _sorted(self, rows):
        sort = self.current_sort()
        key = sort.lstrip("-")
        reverse_ = sort.startswith("-")
        if key == "vendor":
            return sorted(rows, key=lambda r: r.vendor.name.lower(), reverse=reverse_)

        def score(row):
            rolled = (row.score.rolled if row.score else None) if key == "overall" \
                else row.cell(self.sort_fields[key])
            return None if rolled is None else rolled.score

        # Rows without data go last, whichever way the column is sorted.
        known = [r for r in rows if score(r) is not None]
        unknown = [r for r in rows if score(r) is None]
        return sorted(known, key=score, reverse=reverse_) + unknown

    def csv(self):
        names = self.data.perspective_names
        header = ["Vendor", "Period", "Overall score", "Overall status", "Coverage (%)"]
        for name in names:
            header += [f"{name} score", f"{name} status"]
        rows = []
        for row in self.rows:
            overall = row.score.rolled if row.score else None
            line = [row.vendor.name, self.data.label or "",
                    _blank(overall and overall.score),
                    overall.status.label if overall else "No scorecard period",
                    f"{overall.coverage * 100:.0f}" if overall else ""]
            for name in names:
                cell = row.cell(name)
                line += [_blank(cell and cell.score),
                         cell.status.label if cell else "Not on this scorecard"]
            rows.append(line)
        return csv_response(f"scorecards-{self.data.label or 'none'}.csv", header, rows)

    def get_context_data(self, **kwargs):
        data = self.data
        columns = [(f"p{i}", name) for i, name in enumerate(data.perspective_names, start=1)]
        # Small multiples: one chart per vendor reads better than many crossing lines.
        trend_charts = [(row, score_chart(data.trend_labels, row.trend,
                                          f"Overall score of {row.vendor}, by period",
                                          width=360, height=170))
                        for row in self.rows] if data.trend_labels else []
        query = self.request.GET.copy()
        query.pop("format", None)
        return super().get_context_data(
            data=data, rows=self.rows, columns=columns, sort=self.current_sort(),
            trend_charts=trend_charts, query=query.urlencode(),
            approvals=selectors.approvals_waiting(self.request.user),
            disputes=list(selectors.open_disputes(self.request.user)[:10]), **kwargs)


# -- templates -------------------------------------------------------------------------------


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


class TemplateCreateView(TemplateAccessMixin, ServiceFormMixin, FormView):
    keeps = True
    form_class = forms.TemplateForm
    template_name = "form.html"
    success_message = "Template '{object}' created. Add its perspectives, objectives and " \
                      "measures next."

    def perform(self, form):
        return services.template_create(by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="New scorecard template",
                                        cancel_url=reverse("scorecards:template_list"), **kwargs)


class TemplateUpdateView(TemplateAccessMixin, ServiceFormMixin, FormView):
    keeps = True
    form_class = forms.TemplateForm
    template_name = "form.html"
    success_message = "Template '{object}' saved."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.template}

    def perform(self, form):
        return services.part_update(ScorecardTemplate.objects.get(pk=self.template.pk),
                                    by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return self.template.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=f"Edit template: {self.template}",
                                        cancel_url=self.template.get_absolute_url(), **kwargs)


class TemplatePartMixin(TemplateAccessMixin):
    keeps = True

    @property
    def kind(self) -> str:
        return self.kwargs["part"]

    @property
    def model(self):
        return services.TEMPLATE_PARTS[self.kind]

    def parents(self):
        if self.kind == "objectives":
            return TemplatePerspective.objects.active().filter(template=self.template)
        if self.kind == "measures":
            return TemplateObjective.objects.active().filter(
                perspective__template=self.template).select_related("perspective")
        return None

    def part(self):
        lookup = {"perspectives": "template", "objectives": "perspective__template",
                  "measures": "objective__perspective__template"}[self.kind]
        return get_object_or_404(self.model, pk=self.kwargs["part_pk"],
                                 **{lookup: self.template})

    def get_success_url(self):
        return self.template.get_absolute_url()


class TemplatePartCreateView(TemplatePartMixin, ServiceFormMixin, FormView):
    template_name = "form.html"

    def get_form_class(self):
        return forms.TEMPLATE_PART_FORMS[self.kind]

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "parents": self.parents()}
        for parent in ("perspective", "objective"):
            if self.request.GET.get(parent):
                kwargs.setdefault("initial", {})[parent] = self.request.GET[parent]
        return kwargs

    def perform(self, form):
        data = dict(form.cleaned_data)
        if self.kind == "perspectives":
            data["template"] = self.template
        return services.part_create(self.model, by=self.request.user, **data)

    def form_valid(self, form):
        self.success_message = f"{PART_LABELS[self.kind].capitalize()} '{{object}}' added."
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=f"New {PART_LABELS[self.kind]} in '{self.template}'",
            cancel_url=self.template.get_absolute_url(), **kwargs)


class TemplatePartUpdateView(TemplatePartMixin, ServiceFormMixin, FormView):
    template_name = "form.html"

    def get_form_class(self):
        return forms.TEMPLATE_PART_FORMS[self.kind]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.part(), "parents": self.parents()}

    def perform(self, form):
        return services.part_update(self.part(), by=self.request.user, **form.cleaned_data)

    def form_valid(self, form):
        self.success_message = f"{PART_LABELS[self.kind].capitalize()} '{{object}}' saved."
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        part = self.part()
        return super().get_context_data(
            title=f"Edit {PART_LABELS[self.kind]}: {part}",
            cancel_url=self.template.get_absolute_url(), history=record_history(part),
            intro="Scorecards already made from this template keep their own copy.", **kwargs)


class TemplatePartRetireView(TemplatePartMixin, TemplateView):
    template_name = "confirm.html"
    verb = "retire"
    button_class = "btn-warning"
    explanation = ("'{target}' will not be copied into new scorecards. Scorecards made "
                   "earlier keep theirs. You can restore it.")

    def act(self, part):
        services.part_retire(part, by=self.request.user)

    def get_context_data(self, **kwargs):
        part = self.part()
        return super().get_context_data(target=part, verb=self.verb,
                                        explanation=self.explanation.format(target=part),
                                        button_class=self.button_class,
                                        cancel_url=self.get_success_url(), **kwargs)

    def post(self, request, *args, **kwargs):
        part = self.part()
        self.act(part)
        messages.success(request, f"{self.verb.capitalize()}d: {part}.")
        return redirect(self.get_success_url())


class TemplatePartRestoreView(TemplatePartRetireView):
    verb = "restore"
    button_class = "btn-primary"
    explanation = "'{target}' will be copied into new scorecards again."

    def act(self, part):
        services.part_restore(part, by=self.request.user)

