"""Forms of the health-check pages. Shapes and input checks only; the rules are in
`healthchecks.services`."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import validate_email

from healthchecks import workflow
from healthchecks.choices import (
    SCALE,
    TEMPLATE_DIMENSIONS,
    CycleStatus,
    Dimension,
    Group,
    RevisionKind,
)
from healthchecks.models import MAX_INTERVAL, MIN_INTERVAL, Finding
from vendors.models import Contact, GuidingPrinciple

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class PlanForm(forms.Form):
    interval_months = forms.TypedChoiceField(
        coerce=int, label="Interval",
        choices=[(m, f"Every {m} months") for m in range(MIN_INTERVAL, MAX_INTERVAL + 1)],
        help_text="Between 6 and 12 months: 6 suits critical vendors.")
    next_due = forms.DateField(widget=DATE, required=False,
                               help_text="Leave empty to count the interval from the last "
                                         "closed health check.")


class MoveForm(forms.Form):
    to = forms.ChoiceField(label="Move to")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             help_text="Needed when a step is skipped, and when closing "
                                       "with no responses.")
    collection_ends_on = forms.DateField(widget=DATE, required=False,
                                         label="Collect input until",
                                         help_text="Survey links stop working after this "
                                                   "day (default: in three weeks).")
    review_on = forms.DateField(widget=DATE, required=False, label="Review meeting on",
                                help_text="For the review with the vendor (default: in two "
                                          "weeks).")
    review_at = forms.TimeField(widget=TIME, required=False, label="at")

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        later = workflow.later_steps(cycle.status)
        self.fields["to"].choices = [(s.value, s.label + ("" if not workflow.is_skip(
            cycle.status, s) else " (skips a step)")) for s in later]
        if later:
            self.fields["to"].initial = later[0].value
        if cycle.status != CycleStatus.PLANNED:
            del self.fields["collection_ends_on"]
        if CycleStatus.REVIEW not in later:
            del self.fields["review_on"], self.fields["review_at"]


class InviteForm(forms.Form):
    group = forms.ChoiceField(choices=Group.choices, widget=forms.RadioSelect,
                              help_text="Whose view they give.")
    users = forms.ModelMultipleChoiceField(queryset=get_user_model().objects.none(),
                                           required=False, label="Our people",
                                           widget=forms.CheckboxSelectMultiple)
    contacts = forms.ModelMultipleChoiceField(queryset=Contact.objects.none(), required=False,
                                              label="Vendor contacts",
                                              widget=forms.CheckboxSelectMultiple)
    emails = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             label="Other email addresses",
                             help_text="One per line, e.g. a business stakeholder without "
                                       "an account.")

    def __init__(self, *args, vendor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = (get_user_model().objects.filter(is_active=True,
                                                                         vendor__isnull=True)
                                         .exclude(email="").order_by("first_name", "username"))
        self.fields["contacts"].queryset = Contact.objects.active().filter(vendor=vendor)
        self.fields["contacts"].label_from_instance = (
            lambda c: f"{c.name} · {c.get_role_display()}"
                      + ("" if c.email else " (no email)"))

    def clean_emails(self):
        emails = [line.strip() for line in self.cleaned_data["emails"].splitlines()
                  if line.strip()]
        for email in emails:
            try:
                validate_email(email)
            except forms.ValidationError as error:
                raise forms.ValidationError(f"“{email}” is not an email address.") from error
        return emails

    def clean(self):
        data = super().clean()
        if not (data.get("users") or data.get("contacts") or data.get("emails")):
            raise forms.ValidationError("Choose at least one person or type an address.")
        return data


class FindingForm(forms.ModelForm):
    class Meta:
        model = Finding
        fields = ["dimension", "text", "severity", "concerns"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        labels = {"concerns": "Which side it concerns"}


class ActionForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    owner = forms.ChoiceField(help_text="Our person or a vendor contact: the side follows.")
    due_on = forms.DateField(widget=DATE)
    finding = forms.ModelChoiceField(queryset=Finding.objects.none(), required=False,
                                     help_text="The finding it answers, if any.")

    def __init__(self, *args, cycle, users, **kwargs):
        super().__init__(*args, **kwargs)
        contacts = Contact.objects.active().filter(vendor=cycle.vendor)
        self.fields["owner"].choices = (
            [("", "---------")]
            + [(f"u{u.pk}", f"{u} (ours)") for u in users]
            + [(f"c{c.pk}", f"{c.name} (vendor)") for c in contacts])
        self._users = {f"u{u.pk}": u for u in users}
        self._contacts = {f"c{c.pk}": c for c in contacts}
        self.fields["finding"].queryset = Finding.objects.active().filter(cycle=cycle)

    def owners(self) -> dict:
        key = self.cleaned_data["owner"]
        return {"owner_user": self._users.get(key), "owner_contact": self._contacts.get(key)}


class RevisionForm(forms.Form):
    kind = forms.ChoiceField(choices=RevisionKind.choices, widget=forms.RadioSelect)
    principle = forms.ModelChoiceField(queryset=GuidingPrinciple.objects.none(),
                                       required=False,
                                       help_text="For a rewording or a retirement.")
    title = forms.CharField(max_length=160, required=False)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           label="Words")
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                label="Why")

    def __init__(self, *args, vendor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["principle"].queryset = GuidingPrinciple.objects.active().filter(
            vendor=vendor)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept: change the principles"),
                                          ("decline", "Decline")],
                                 widget=forms.RadioSelect, initial="accept")


class TemplateForm(forms.Form):
    """One text box per dimension, one question per line."""

    name = forms.CharField(max_length=120)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    note = forms.CharField(max_length=200, required=False, label="What changed",
                           help_text="Kept with the new version.")

    def __init__(self, *args, questions=None, **kwargs):
        super().__init__(*args, **kwargs)
        by_dimension = {}
        for q in questions or []:
            by_dimension.setdefault(q["dimension"], []).append(q["text"])
        for d in TEMPLATE_DIMENSIONS:
            self.fields[f"q_{d.value}"] = forms.CharField(
                label=d.label, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                initial="\n".join(by_dimension.get(d.value, [])),
                help_text="One question per line.")

    def questions(self) -> list[dict]:
        return [{"dimension": d.value, "text": line.strip()}
                for d in TEMPLATE_DIMENSIONS
                for line in self.cleaned_data.get(f"q_{d.value}", "").splitlines()
                if line.strip()]


SCORE_CHOICES = [("", "Not answered")] + [(str(v), label) for v, label in SCALE] + [
    ("dk", "Don't know")]


class SurveyForm(forms.Form):
    """One score and one comment per question of the cycle."""

    def __init__(self, *args, questions, answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        answers = answers or {}
        self.questions = list(questions)
        for q in self.questions:
            given = answers.get(q.pk)
            initial = "" if given is None else ("dk" if given.score is None else str(given.score))
            self.fields[f"q{q.pk}"] = forms.ChoiceField(
                choices=SCORE_CHOICES, required=False, label=q.text, initial=initial,
                widget=forms.RadioSelect)
            self.fields[f"c{q.pk}"] = forms.CharField(
                required=False, label="Comment (optional)", max_length=4000,
                initial=given.comment if given else "",
                widget=forms.Textarea(attrs={"rows": 2}))

    def sections(self):
        """The questions under their dimension, in order, with their two fields."""
        out = []
        for q in self.questions:
            if not out or out[-1][0] != q.dimension:
                out.append((q.dimension, Dimension(q.dimension).label, []))
            out[-1][2].append((q, self[f"q{q.pk}"], self[f"c{q.pk}"]))
        return out

    def answers(self) -> dict:
        """{question id: (score or None, comment)} of the questions answered."""
        out = {}
        for q in self.questions:
            value = self.cleaned_data.get(f"q{q.pk}") or ""
            comment = self.cleaned_data.get(f"c{q.pk}") or ""
            if value == "" and not comment:
                continue
            out[q.pk] = (None if value in ("dk", "") else int(value), comment)
        return out

