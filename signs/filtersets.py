import django_filters
from django.db.models import Q
from django.utils import timezone

from signs.choices import Rule, Severity
from signs.models import Sign
from vendors.models import Vendor


class SignFilterSet(django_filters.FilterSet):
    """The portfolio page of warning signs (and its CSV)."""

    rule = django_filters.ChoiceFilter(choices=Rule.choices, empty_label="Any sign",
                                       label="Sign")
    severity = django_filters.ChoiceFilter(choices=Severity.choices,
                                           empty_label="Any severity")
    vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.none(),
                                              empty_label="Any vendor",
                                              field_name="vendor")
    dismissed = django_filters.ChoiceFilter(
        choices=[("include", "Shown and dismissed"), ("only", "Dismissed only")],
        empty_label="Not dismissed", method="filter_dismissed", label="Dismissed")

    class Meta:
        model = Sign
        fields = ["rule", "severity", "vendor", "dismissed"]

    def __init__(self, *args, vendors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["vendor"].queryset = vendors if vendors is not None else Vendor.objects.none()

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.cleaned_data.get("dismissed"):
            queryset = queryset.filter(_running_dismissal(negate=True))
        return queryset

    def filter_dismissed(self, queryset, name, value):
        return queryset.filter(_running_dismissal()) if value == "only" else queryset


def _running_dismissal(negate: bool = False) -> Q:
    running = Q(dismissed_until__gte=timezone.localdate())
    return ~running if negate else running
