from django import forms
from django.contrib.auth import get_user_model

from vendorgov.roles import Role
from vendors.choices import AssignmentRole
from vendors.models import Vendor

User = get_user_model()


class UserForm(forms.ModelForm):
    """A person, their role and (for vendor users) their vendor; vendor managers use it."""

    assign_vendors = forms.ModelMultipleChoiceField(
        queryset=Vendor.objects.active(), required=False, label="Assign to vendors",
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Internal people only: the relationships they look after. Hold Ctrl or ⌘ to "
                  "choose several.")
    assignment_role = forms.ChoiceField(choices=AssignmentRole.choices, required=False,
                                        label="Role in those relationships")

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "job_title", "role", "vendor"]
        help_texts = {"vendor": "Only for vendor users: the one vendor they work for.",
                      "username": "What they type to sign in."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["vendor"].queryset = Vendor.objects.active()
        if self.instance.pk:
            del self.fields["assign_vendors"]
            del self.fields["assignment_role"]
        else:
            # Both lists show the same vendors: read them once (validation still checks
            # what is posted against the queryset).
            shown = [(v.pk, str(v)) for v in Vendor.objects.active()]
            self.fields["vendor"].choices = [("", self.fields["vendor"].empty_label), *shown]
            self.fields["assign_vendors"].choices = shown

    def clean(self):
        data = super().clean()
        role, vendor = data.get("role"), data.get("vendor")
        if role == Role.VENDOR_USER and not vendor:
            self.add_error("vendor", "A vendor user must belong to a vendor: choose which.")
        if role and role != Role.VENDOR_USER and vendor:
            self.add_error("vendor", "Only vendor users belong to a vendor; leave this empty "
                                     "and assign vendors instead.")
        if role == Role.VENDOR_USER and data.get("assign_vendors"):
            self.add_error("assign_vendors", "Vendor users are not assigned to vendors.")
        if data.get("assign_vendors") and not data.get("assignment_role"):
            self.add_error("assignment_role", "Choose their role in these relationships.")
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, label="Token name",
                           help_text="What it is for, e.g. 'SLA measurement feed'.")
    expires_in_days = forms.TypedChoiceField(
        coerce=int, label="Expires", initial=90,
        choices=[(30, "in 30 days"), (90, "in 90 days"), (365, "in a year"), (0, "never")])
