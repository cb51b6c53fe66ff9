from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from sla import rules
from sla.calendars import WEEKDAYS
from sla.choices import (
    CORRECTIVE_ACTION_PROGRESS,
    VERSIONS_IN_FORCE,
    CorrectiveActionStatus,
    DisputeStatus,
    ReviewOutcome,
)
from sla.models import (
    SLA,
    BusinessCalendar,
    CorrectiveAction,
    ServiceLevel,
    SLAVersion,
)
from vendorgov.roles import Role
from vendors.models import Contract

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
TERMS = ["monthly_charge", "credit_cap_percent", "earn_back_windows", "dispute_window_days"]


def internal_people():
    return get_user_model().objects.filter(is_active=True).exclude(role=Role.VENDOR_USER)


class CalendarForm(forms.ModelForm):
    working_days = forms.MultipleChoiceField(
        choices=[(str(i), name) for i, name in enumerate(WEEKDAYS, start=1)],
        widget=forms.CheckboxSelectMultiple, initial=["1", "2", "3", "4", "5"])

    class Meta:
        model = BusinessCalendar
        fields = ["name", "contract", "time_zone", "working_days", "day_starts", "day_ends",
                  "holidays"]
        widgets = {"day_starts": TIME, "day_ends": TIME,
                   "holidays": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, vendor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = Contract.objects.active().filter(vendor=vendor)
        if self.instance.pk:
            self.initial["working_days"] = list(self.instance.working_days)

    def clean_working_days(self):
        return "".join(sorted(self.cleaned_data["working_days"]))


class SLAForm(forms.ModelForm):
    """A new SLA and the terms of its first version."""

    monthly_charge = SLAVersion._meta.get_field("monthly_charge").formfield()
    credit_cap_percent = SLAVersion._meta.get_field("credit_cap_percent").formfield()
    earn_back_windows = SLAVersion._meta.get_field("earn_back_windows").formfield()
    dispute_window_days = SLAVersion._meta.get_field("dispute_window_days").formfield()

    class Meta:
        model = SLA
        fields = ["contract", "reference", "name", "description", "owner",
                  "review_interval_months", *TERMS]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, vendor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = Contract.objects.active().filter(vendor=vendor)
        self.fields["owner"].queryset = internal_people()


class SLAUpdateForm(forms.ModelForm):
    class Meta:
        model = SLA
        fields = ["reference", "name", "description", "owner", "review_interval_months"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, vendor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = internal_people()


class VersionForm(forms.ModelForm):
    class Meta:
        model = SLAVersion
        fields = ["summary", *TERMS]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}


class MakeEffectiveForm(forms.Form):
    effective_from = forms.DateField(
        widget=DATE, help_text="The first day of a month, today or later. The version in "
                               "effect until then is superseded the day before.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["effective_from"].initial = (
            today if today.day == 1 else rules.month_end(today) + timedelta(days=1))


class ServiceLevelForm(forms.ModelForm):
    class Meta:
        model = ServiceLevel
        fields = ["key", "name", "measured", "unit", "comparator", "target", "breach_threshold",
                  "window", "calendar", "weight", "criticality", "bonus_points",
                  "credit_percent"]
        widgets = {"measured": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, vendor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["calendar"].queryset = BusinessCalendar.objects.active().filter(
            vendor=vendor)


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(widget=DATE, initial=timezone.localdate)
    outcome = forms.ChoiceField(choices=ReviewOutcome.choices, widget=forms.RadioSelect,
                                help_text="Retired: the SLA stays in effect until the end of "
                                          "this month, then ends.")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}),
                            help_text="What was looked at and what was agreed.")


class MeasurementForm(forms.Form):
    service_level = forms.ModelChoiceField(queryset=ServiceLevel.objects.none())
    window_start = forms.DateField(
        widget=DATE, label="Window",
        help_text="The window's first day: a Monday (weekly), the 1st (monthly) or the first "
                  "day of a quarter.")
    value = forms.DecimalField(max_digits=14, decimal_places=4)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=2000, help_text="Where the figure comes from.")

    def __init__(self, *args, vendor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_level"].queryset = (
            ServiceLevel.objects.filter(version__sla__vendor=vendor,
                                        version__status__in=VERSIONS_IN_FORCE,
                                        version__sla__archived_at__isnull=True)
            .select_related("version__sla").order_by("version__sla__reference", "position",
                                                     "-version__number"))
        self.fields["service_level"].label_from_instance = (
            lambda sl: f"{sl.version.sla.reference} v{sl.version.number} · {sl.name} "
                       f"({sl.get_window_display().split(' ')[0].lower()}, {sl.rule})")


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV file",
                           help_text="Columns: sla, service_level, window_start, value, and "
                                     "optionally unit, note, external_id. At most 5 MB.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("The file is larger than 5 MB; split it.")
        raw = upload.read()
        if b"\x00" in raw:
            raise forms.ValidationError("This is not a text file (it holds NUL bytes): save it "
                                        "as CSV (UTF-8) and try again.")
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return upload.name, raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError("The file is not in the expected encoding, UTF-8 (or "
                                    "Windows-1252): save it as CSV (UTF-8) and try again.")


class DisputeForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="Why the evaluation is wrong, with evidence.")


class DisputeDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(DisputeStatus.ACCEPTED, "Accept"), (DisputeStatus.REJECTED, "Reject")],
        widget=forms.RadioSelect)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason",
                           help_text="The vendor sees it.")
    corrected_value = forms.DecimalField(
        required=False, max_digits=14, decimal_places=4,
        help_text="When accepting because the measurement was wrong: the right value. Leave "
                  "empty to excuse the window instead (it then counts as met).")


class CorrectiveActionForm(forms.ModelForm):
    """Our side: every field, verification included."""

    class Meta:
        model = CorrectiveAction
        fields = ["title", "description", "status", "owner", "due_on", "side_responsible",
                  "root_cause", "progress_note", "verification_note"]
        widgets = {"due_on": DATE, "description": forms.Textarea(attrs={"rows": 3}),
                   "root_cause": forms.Textarea(attrs={"rows": 3}),
                   "progress_note": forms.Textarea(attrs={"rows": 2}),
                   "verification_note": forms.Textarea(attrs={"rows": 2})}
        labels = {"side_responsible": "Side responsible"}

    def __init__(self, *args, vendor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = get_user_model().objects.filter(is_active=True).filter(
            ~Q(role=Role.VENDOR_USER) | Q(vendor=vendor))
        self.fields["owner"].help_text = "Someone of ours, or of the vendor's team."
        self.fields["side_responsible"].help_text = ("Who caused the breach. Our side may be "
                                                     "at fault: say so.")


class CorrectiveActionProgressForm(forms.Form):
    """The owner's side (the vendor, for actions it owns)."""

    status = forms.ChoiceField(choices=[(s.value, s.label) for s in CorrectiveActionStatus
                                        if s in CORRECTIVE_ACTION_PROGRESS])
    root_cause = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    side_responsible = forms.ChoiceField(
        required=False, label="Side responsible",
        choices=[("", "Not yet known")] + list(CorrectiveAction._meta.get_field(
            "side_responsible").choices))
    progress_note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                    label="Progress")


class DurationForm(forms.Form):
    """The business-hours calculator on a calendar's page (GET, so the URL is the state)."""

    start = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                label="From")
    end = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                              label="To")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", "The end must be after the start.")
        return data
