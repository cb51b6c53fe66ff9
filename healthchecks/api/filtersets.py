"""Query-string filters of the health-check API collections."""

import django_filters

from healthchecks.choices import CycleStatus
from healthchecks.models import Cycle, Invitation
from vendors.api.filtersets import IdFilter


class CycleFilterSet(django_filters.FilterSet):
    vendor = IdFilter(field_name="vendor", help_text="A vendor's id.")
    status = django_filters.ChoiceFilter(choices=CycleStatus.choices)

    class Meta:
        model = Cycle
        fields = ["vendor", "status"]


class SurveyFilterSet(django_filters.FilterSet):
    vendor = IdFilter(field_name="vendor", help_text="A vendor's id.")

    class Meta:
        model = Invitation
        fields = ["vendor"]
