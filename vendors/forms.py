from django import forms
from django.contrib.auth import get_user_model

from vendorgov.roles import Role
from vendors import choices
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

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VendorForm(forms.ModelForm):
    slug = forms.SlugField(required=False, max_length=120,
                           help_text="Used in addresses. Leave empty to derive it from the name.")
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Vendor
        fields = ["name", "slug", "tier", "criticality", "status", "website", "description",
                  "suggestion_quota_per_quarter"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ContractForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = ["reference", "title", "start_date", "end_date", "value", "currency",
                  "renewal_notice_days", "notes"]
        widgets = {"start_date": DATE, "end_date": DATE,
                   "notes": forms.Textarea(attrs={"rows": 3})}


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "role", "email", "phone", "escalation_level", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


class StaffMemberForm(forms.ModelForm):
    class Meta:
        model = StaffMember
        fields = ["name", "role", "email", "allocation_percent", "started_on", "ended_on"]
        widgets = {"started_on": DATE, "ended_on": DATE}


class PrincipleForm(forms.ModelForm):
    change_reason = forms.CharField(
        required=False, max_length=200, label="Why the change?",
        help_text="Kept with the revision, e.g. 'Agreed in the 2026 health check'.")

    class Meta:
        model = GuidingPrinciple
        fields = ["title", "text", "position"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["change_reason"]


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = VendorAssignment
        fields = ["user", "role"]
        labels = {"user": "Person", "role": "Role in this relationship"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (get_user_model().objects.filter(is_active=True)
                                        .exclude(role=Role.VENDOR_USER))


class StaffingChangeForm(forms.ModelForm):
    class Meta:
        model = StaffingChange
        fields = ["kind", "requested_by_side", "staff_member", "new_person_name",
                  "new_person_role", "reason", "needed_by"]
        labels = {"requested_by_side": "Requested by", "staff_member": "Person leaving"}
        widgets = {"needed_by": DATE, "reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, vendor, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_member"].queryset = StaffMember.objects.active().filter(
            vendor=vendor, ended_on__isnull=True)
        self.fields["staff_member"].help_text = "For 'remove' and 'replace'."
        if user.is_vendor_user:
            del self.fields["requested_by_side"]
        else:
            self.fields["requested_by_side"].initial = choices.Side.OURS


class StaffingChangeResolveForm(forms.Form):
    status = forms.ChoiceField(choices=[
        (s.value, s.label) for s in choices.StaffingChangeStatus
        if s != choices.StaffingChangeStatus.REQUESTED])
    new_person_name = forms.CharField(required=False, max_length=120,
                                      help_text="Who joined, when the change is done.")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
