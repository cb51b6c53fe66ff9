from django import forms
from django.utils import timezone

from dashboards import quarters


class PortfolioPackForm(forms.Form):
    quarter = forms.ChoiceField(help_text="The quarter the review looks back on.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["quarter"].choices = [(q.label, q.label) for q in quarters.recent(today, 8)]
        self.fields["quarter"].initial = quarters.last_complete(today).label
