from django import forms

from signs.models import Thresholds
from signs.rules import Limits


class DismissForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        help_text="Why this needs no action now; kept in the sign's history.")
    days = forms.IntegerField(
        min_value=1, max_value=3650, label="Dismiss for (days)",
        help_text="It comes back after this, or earlier if its evidence grows.")


class ThresholdsForm(forms.ModelForm):
    class Meta:
        model = Thresholds
        fields = list(Limits.__dataclass_fields__)  # every threshold the rules read
