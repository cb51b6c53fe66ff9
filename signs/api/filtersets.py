"""Query-string filters of the warning-sign API collection."""

import django_filters

from signs.choices import Rule, Severity
from signs.models import Sign
from vendors.api.filtersets import IdFilter


class SignFilterSet(django_filters.FilterSet):
    vendor = IdFilter(field_name="vendor", help_text="A vendor's id.")
    rule = django_filters.ChoiceFilter(choices=Rule.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)

    class Meta:
        model = Sign
        fields = ["vendor", "rule", "severity"]
