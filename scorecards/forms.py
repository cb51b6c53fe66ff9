from django import forms
from django.utils import timezone

from scorecards import selectors
from scorecards.choices import (
    AVAILABLE_DATA_SOURCES,
    ENTERED_DATA_SOURCES,
    DataSource,
    DisputeOutcome,
)
from scorecards.models import (
    Measure,
    Objective,
    Perspective,
    ScorecardTemplate,
    TemplateMeasure,
    TemplateObjective,
    TemplatePerspective,
)
from sla import selectors as sla_selectors
from vendors.forms import DATE

MEASURE_FIELDS = ["name", "definition", "unit", "direction", "target", "amber_threshold",
                  "red_threshold", "min_value", "max_value", "weight", "owner", "data_source",
                  "frequency", "position"]
GROUP_FIELDS = ["name", "description", "weight", "position"]
TEXT = forms.Textarea(attrs={"rows": 2})


def _available_sources(field, sources):
    field.choices = [(v, label) for v, label in DataSource.choices if v in sources]


class ServiceLevelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, sl):
        return f"{sl.version.sla.reference} · {sl.name} — {sl.rule} ({sl.get_window_display()})"


class TemplateForm(forms.ModelForm):
    class Meta:
        model = ScorecardTemplate
        fields = ["name", "period_type", "description"]
        widgets = {"description": TEXT}


class ChangeReasonMixin:
    """Edits of a vendor's scorecard say why (kept in its history)."""

    def add_reason(self):
        self.fields["change_reason"] = forms.CharField(
            required=False, max_length=300, label="Why the change?",
            help_text="Kept in the history, e.g. 'Re-weighted as agreed in the 2026-Q2 "
                      "review'.")


class SlaLinkCheck:
    """A vendor's measure's SLA link, checked with the model's own validation: the model
    reads no other app, so its forms ask the selector the services ask too."""

    def _post_clean(self):
        super()._post_clean()
        if "service_level" in self.fields and (
                errors := selectors.sla_link_errors(self.instance)):
            self.add_error(None, errors)


class MeasureAdminForm(SlaLinkCheck, forms.ModelForm):
    """The admin's measure form (the admin names the model and its fields)."""


class PartForm(SlaLinkCheck, ChangeReasonMixin, forms.ModelForm):
    """A perspective, objective or measure; `parent_field` chooses where it sits."""

    parent_field = ""
    parent_label = ""

    def __init__(self, *args, parents=None, with_reason=False, vendor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.parent_field:
            self.fields[self.parent_field].queryset = parents
            self.fields[self.parent_field].label = self.parent_label
        if "data_source" in self.fields:
            # Templates are shared by vendors; only a vendor's measure links its SLA.
            _available_sources(self.fields["data_source"], AVAILABLE_DATA_SOURCES
                               if "service_level" in self.fields else ENTERED_DATA_SOURCES)
        if "service_level" in self.fields:
            self._service_levels(vendor)
        if "active_from" in self.fields and not self.instance.pk:
            self.fields["active_from"].initial = timezone.localdate()
        if with_reason:
            self.add_reason()

    def _service_levels(self, vendor):
        """Only this vendor's service levels in effect. A link made under an earlier version
        shows as the same service level today (saving moves it there, which reads the same
        windows); one a later version dropped stays on offer."""
        choices = sla_selectors.service_levels_to_feed(vendor)
        linked = self.instance.service_level_id if self.instance.pk else None
        if linked and not choices.filter(pk=linked).exists():
            today = sla_selectors.feed_labels([linked])[linked].service_level_id
            if today != linked and choices.filter(pk=today).exists():
                self.initial["service_level"] = today
            else:
                choices = choices | choices.model.objects.filter(pk=linked)
        field = ServiceLevelChoiceField(
            queryset=choices.select_related("version__sla"), required=False,
            label="SLA service level", empty_label="— not fed from an SLA —",
            help_text="For a measure fed from an SLA: the actual of each period is the worst "
                      "of the service level's windows that closed in it (see “How is this "
                      "computed?”). Later versions of the SLA are followed.")
        if not choices.exists():
            field.help_text = (f"{vendor} has no SLA in effect yet: set one up on its SLAs tab "
                               "to feed a measure from it.")
        self.fields["service_level"] = field


def _part_form(model, fields, parent_field, parent_label):
    base = type(f"{model.__name__}BaseForm", (PartForm,),
                {"parent_field": parent_field, "parent_label": parent_label})
    return forms.modelform_factory(
        model, form=base, fields=([parent_field] if parent_field else []) + fields,
        widgets={"description": TEXT, "definition": TEXT, "active_from": DATE})


# The parts of a template and of a vendor's scorecard, edited with the same forms.
TEMPLATE_PART_FORMS = {
    "perspectives": _part_form(TemplatePerspective, GROUP_FIELDS, None, ""),
    "objectives": _part_form(TemplateObjective, GROUP_FIELDS, "perspective", "Perspective"),
    "measures": _part_form(TemplateMeasure, MEASURE_FIELDS, "objective", "Objective"),
}
SCORECARD_PART_FORMS = {
    "perspectives": _part_form(Perspective, GROUP_FIELDS, None, ""),
    "objectives": _part_form(Objective, GROUP_FIELDS, "perspective", "Perspective"),
    "measures": _part_form(Measure, [*MEASURE_FIELDS[:MEASURE_FIELDS.index("data_source") + 1],
                                     "service_level",
                                     *MEASURE_FIELDS[MEASURE_FIELDS.index("data_source") + 1:],
                                     "active_from"], "objective", "Objective"),
}


class ApplyTemplateForm(forms.Form):
    template = forms.ModelChoiceField(queryset=ScorecardTemplate.objects.active(),
                                      empty_label=None)
    starts_on = forms.DateField(
        widget=DATE, label="First period holds",
        help_text="The scorecard's periods start with the one holding this day.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].initial = timezone.localdate()


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class LockForm(forms.Form):
    note = forms.CharField(required=False, max_length=500, label="Note",
                           help_text="e.g. 'Reviewed in the quarterly review of 14 Jul'.")


class DisputeResolveForm(forms.Form):
    outcome = forms.ChoiceField(choices=DisputeOutcome.choices, widget=forms.RadioSelect)
    resolution = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                                 help_text="What was decided and why; shown in the quarterly "
                                           "review.")
    corrected_value = forms.DecimalField(
        required=False, max_digits=14, decimal_places=4,
        help_text="If upheld: the corrected value, recorded as our measurement.")


def _plain(value):
    """99.9500 → 99.95, as people would type it."""
    return None if value is None else f"{value.normalize():f}"


class ActualRowForm(forms.Form):
    """One measure's actual for the period, in the period's form (one row each)."""

    vendor_value = forms.DecimalField(required=False, max_digits=14, decimal_places=4,
                                      label="Vendor reported")
    internal_value = forms.DecimalField(required=False, max_digits=14, decimal_places=4,
                                        label="We measured")
    comment = forms.CharField(required=False, max_length=4000, label="Comment",
                              widget=forms.Textarea(attrs={"rows": 2}))
    evidence_url = forms.URLField(required=False, max_length=500, assume_scheme="https",
                                  label="Evidence link")
    evidence_file = forms.FileField(required=False, label="Evidence file")
    reason = forms.CharField(required=False, max_length=1000, label="Why the change?")

    def __init__(self, *args, measure, actual, side, editable, needs_reason, **kwargs):
        self.measure, self.actual, self.editable = measure, actual, editable
        initial = kwargs.setdefault("initial", {})
        if actual is not None:
            initial.update(vendor_value=_plain(actual.vendor_value),
                           internal_value=_plain(actual.internal_value),
                           comment=actual.comment, evidence_url=actual.evidence_url)
        super().__init__(*args, **kwargs)
        if side == "vendor":
            del self.fields["internal_value"]
        if not needs_reason:
            del self.fields["reason"]
        unit = f" ({measure.unit})" if measure.unit else ""
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")
            field.widget.attrs["aria-label"] = f"{field.label}{unit if 'value' in name else ''}" \
                                               f" — {measure.name}"
            if not editable:
                field.disabled = True
        for name in ("vendor_value", "internal_value"):
            if name in self.fields:
                self.fields[name].widget.attrs.update(inputmode="decimal", step="any")
                if measure.min_value is not None:
                    self.fields[name].widget.attrs["min"] = measure.min_value
                if measure.max_value is not None:
                    self.fields[name].widget.attrs["max"] = measure.max_value

    def service_changes(self) -> dict:
        """The fields this row changes, for `services.actual_record`."""
        return {name: self.cleaned_data.get(name) for name in self.changed_data
                if name in ROW_VALUE_FIELDS}


ROW_VALUE_FIELDS = ("vendor_value", "internal_value", "comment", "evidence_url",
                    "evidence_file")


class BaseActualFormSet(forms.BaseFormSet):
    def __init__(self, *args, rows, side, needs_reason, **kwargs):
        self.rows, self.side, self.needs_reason = rows, side, needs_reason
        super().__init__(*args, **kwargs)

    def total_form_count(self):
        # One row per measure, whatever a stale or tampered form claims.
        return len(self.rows)

    def get_form_kwargs(self, index):
        measure, actual, editable = self.rows[index]
        return {"measure": measure, "actual": actual, "side": self.side, "editable": editable,
                "needs_reason": editable and (self.needs_reason or (
                    actual is not None and actual.status == "approved"))}


ActualFormSet = forms.formset_factory(ActualRowForm, formset=BaseActualFormSet, extra=0,
                                      max_num=1000, validate_max=True)


def actual_formset(*, rows, side, needs_reason, data=None, files=None):
    return ActualFormSet(data, files, rows=rows, side=side, needs_reason=needs_reason,
                         initial=[{} for _ in rows])

