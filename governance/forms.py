from django import forms

from governance import recurrence
from governance.choices import (
    RECURRING_TIERS,
    ActionStatus,
    EscalationStep,
    ImpedimentKind,
    ImpedimentStatus,
    ResponsibleSide,
    Severity,
    SuggestionCategory,
    SuggestionStatus,
    Tier,
)
from governance.models import Cadence, GovernancePlan
from governance.selectors import relationship_contacts, relationship_users
from vendors.choices import Currency

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def zone_choices():
    return [(name, name.replace("_", " ")) for name in recurrence.zone_names()]


class PlanForm(forms.ModelForm):
    class Meta:
        model = GovernancePlan
        fields = ["strategy_notes", "escalate_after_days"]
        widgets = {"strategy_notes": forms.Textarea(attrs={"rows": 6})}
        labels = {"escalate_after_days": "Flag impediments for escalation after (days)"}


class CadenceForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=zone_choices, help_text="Meetings keep this local "
                                                                  "time across daylight "
                                                                  "saving changes.")
    video_link = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Cadence
        fields = ["tier", "title", "weekday", "day_of_month", "quarter_month", "start_time",
                  "time_zone", "duration_minutes", "location", "video_link", "starts_on",
                  "ends_on", "our_participants", "vendor_participants"]
        widgets = {"start_time": TIME, "starts_on": DATE, "ends_on": DATE,
                   "our_participants": forms.CheckboxSelectMultiple,
                   "vendor_participants": forms.CheckboxSelectMultiple}
        labels = {"duration_minutes": "Duration (minutes)", "our_participants": "Our people",
                  "vendor_participants": "Vendor contacts"}

    def __init__(self, *args, vendor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["our_participants"].queryset = relationship_users(vendor)
        self.fields["our_participants"].label_from_instance = (
            lambda u: f"{u} · {u.get_role_display()}")
        self.fields["vendor_participants"].queryset = relationship_contacts(vendor)
        self.fields["vendor_participants"].label_from_instance = (
            lambda c: f"{c.name} · {c.get_role_display()}")
        if self.instance.pk:
            self.fields["tier"].disabled = True
            self.fields["tier"].help_text = "A cadence keeps its tier."
        else:  # health-check reviews are arranged by their health check
            self.fields["tier"].choices = [c for c in self.fields["tier"].choices
                                           if c[0] in RECURRING_TIERS]


class MeetingMoveForm(forms.Form):
    date = forms.DateField(widget=DATE)
    start_time = forms.TimeField(widget=TIME, label="Time")
    time_zone = forms.ChoiceField(choices=zone_choices)
    duration_minutes = forms.IntegerField(min_value=15, max_value=480,
                                          label="Duration (minutes)")
    location = forms.CharField(required=False, max_length=200)
    video_link = forms.URLField(required=False, assume_scheme="https")


class CancelForm(forms.Form):
    reason = forms.CharField(required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Shown on the meeting and in calendars.")


class MinutesForm(forms.Form):
    minutes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 10}))


class AgendaItemForm(forms.Form):
    title = forms.CharField(max_length=200, label="Agenda point")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Decision")


class OwnerField(forms.ChoiceField):
    """One list of who can own something: our people of the relationship, then the vendor's
    contacts. Cleans to ('user', user) or ('contact', contact)."""

    def __init__(self, *args, vendor, required=True, **kwargs):
        self.users = {str(u.pk): u for u in relationship_users(vendor)}
        self.contacts = {str(c.pk): c for c in relationship_contacts(vendor)}
        choices = [("", "Choose…" if required else "Nobody yet"),
                   ("Our people", [(f"u{pk}", f"{u} · {u.get_role_display()}")
                                   for pk, u in self.users.items()]),
                   (f"{vendor}", [(f"c{pk}", f"{c.name} · {c.get_role_display()}")
                                  for pk, c in self.contacts.items()])]
        super().__init__(*args, choices=choices, required=required, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return (None, None)
        kind, pk = value[0], value[1:]
        return (self.users.get(pk), None) if kind == "u" else (None, self.contacts.get(pk))


def owner_initial(record) -> str:
    if record.owner_user_id:
        return f"u{record.owner_user_id}"
    return f"c{record.owner_contact_id}" if record.owner_contact_id else ""


class ActionItemForm(forms.Form):
    title = forms.CharField(max_length=200)
    due_on = forms.DateField(widget=DATE, label="Due")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, vendor, with_status=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = OwnerField(vendor=vendor, help_text="One of our people or a "
                                                                   "vendor contact.")
        self.order_fields(["title", "owner", "due_on", "description"])
        if with_status:
            self.fields["status"] = forms.ChoiceField(choices=ActionStatus.choices)
            self.fields["notes"] = forms.CharField(required=False, label="Progress notes",
                                                   widget=forms.Textarea(attrs={"rows": 3}))


class ActionProgressForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)
    notes = forms.CharField(required=False, label="Progress notes",
                            widget=forms.Textarea(attrs={"rows": 3}))


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)


class ImpedimentForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(choices=ImpedimentKind.choices,
                             help_text="Trust issues are 'Relationship'.")
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)
    responsible_side = forms.ChoiceField(choices=ResponsibleSide.choices,
                                         label="Whose to fix",
                                         help_text="Record it honestly when it is ours.")

    def __init__(self, *args, vendor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = OwnerField(vendor=vendor, required=False)


class ImpedimentStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ImpedimentStatus.choices)
    resolution = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text="Needed to resolve or withdraw it.")


class ImpedimentUpdateForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Update")


class EscalateForm(forms.Form):
    level = forms.TypedChoiceField(choices=EscalationStep.choices, coerce=int, label="Step")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                           label="What is raised, and what is asked for")

    def __init__(self, *args, vendor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"] = OwnerField(
            vendor=vendor, required=False, label="To",
            help_text="Leave as it is to go to whoever is on that step of the ladder.")


class OutcomeForm(forms.Form):
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class SuggestionForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ChoiceField(choices=SuggestionCategory.choices)
    estimated_value = forms.DecimalField(required=False, min_value=0, max_digits=14,
                                         decimal_places=2, help_text="Expected benefit a year.")
    currency = forms.ChoiceField(choices=Currency.choices, initial=Currency.EUR)
    estimated_effort_days = forms.DecimalField(required=False, min_value=0, max_digits=7,
                                               decimal_places=1,
                                               label="Estimated effort (person-days)")


class SuggestionDecisionForm(forms.Form):
    status = forms.ChoiceField(label="Move to")
    rationale = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                help_text="Needed to accept or decline; the vendor reads it.")
    realised_value = forms.DecimalField(required=False, min_value=0, max_digits=14,
                                        decimal_places=2,
                                        help_text="For the outcome review: value realised.")
    lessons = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="For the outcome review: what was learned.")

    def __init__(self, *args, next_statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, SuggestionStatus(s).label) for s in next_statuses]


class FilterForm(forms.Form):
    """The Items tab's filters; bad values fall back to the defaults."""

    actions = forms.ChoiceField(required=False, choices=[("open", "Open"),
                                                         ("closed", "Done or dropped"),
                                                         ("all", "All")], label="Action items")
    side = forms.ChoiceField(required=False, choices=[("", "Both sides"), ("ours", "Ours"),
                                                      ("vendor", "Vendor's")], label="Whose")
    impediments = forms.ChoiceField(required=False, choices=[("open", "Open"),
                                                             ("closed", "Resolved or withdrawn"),
                                                             ("all", "All")],
                                    label="Impediments")
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"),
                                                      *ImpedimentKind.choices])
    suggestions = forms.ChoiceField(required=False, choices=[("all", "All"),
                                                             ("open", "Awaiting a decision"),
                                                             ("closed", "Decided")],
                                    label="Suggestions")


    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"


class TimelineFilterForm(forms.Form):
    kind = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                     label="Show")
    since = forms.DateField(required=False, widget=DATE, label="From")
    until = forms.DateField(required=False, widget=DATE, label="To")

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(kinds.items())


class PortfolioFilterForm(forms.Form):
    vendor = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    tier = forms.ChoiceField(required=False, choices=[("", "Every tier"), *Tier.choices])

    def __init__(self, *args, vendors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].choices = [("", "Every vendor")] + [(v.pk, v.name)
                                                                   for v in vendors]


class ParticipantForm(forms.Form):
    def __init__(self, *args, vendor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"] = OwnerField(vendor=vendor, help_text="Invited to this meeting "
                                                                    "only.")
