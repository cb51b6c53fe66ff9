"""Query-string filters of the SLA API collections. Another vendor's id in `vendor` gives
an empty page, exactly like an id that does not exist."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from sla.choices import CORRECTIVE_ACTION_OPEN, CorrectiveActionStatus
from sla.models import (
    SLA,
    BusinessCalendar,
    CorrectiveAction,
    Dispute,
    Evaluation,
    Measurement,
    ServiceLevel,
)
from vendorgov.api.filters import BooleanFilter, DateFilter
from vendors.api.filtersets import ArchivableFilterSet, IdFilter


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 100_000})
class VersionFilter(django_filters.NumberFilter):
    """A version number, from 1: a whole number (NumberFilter's own field would read "1.5"
    and "1e0")."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=100_000, **kwargs)


class BusinessCalendarFilterSet(ArchivableFilterSet):
    vendor = IdFilter(field_name="vendor", help_text="A vendor's id.")

    class Meta:
        model = BusinessCalendar
        fields = ["vendor"]


class SLAFilterSet(ArchivableFilterSet):
    vendor = IdFilter(field_name="vendor", help_text="A vendor's id.")
    contract = IdFilter(field_name="contract", help_text="A contract's id.")
    retired = BooleanFilter(field_name="retired_on", lookup_expr="isnull", exclude=True,
                            help_text="true: retired SLAs only.")

    class Meta:
        model = SLA
        fields = ["vendor", "contract", "retired"]


class ServiceLevelFilterSet(django_filters.FilterSet):
    vendor = IdFilter(field_name="version__sla__vendor", help_text="A vendor's id.")
    sla = IdFilter(field_name="version__sla", help_text="An SLA's id.")
    version = VersionFilter(field_name="version__number", help_text="A version number.")
    key = django_filters.CharFilter()
    in_force = BooleanFilter(
        method="filter_in_force", help_text="true: only service levels in effect today.")

    class Meta:
        model = ServiceLevel
        fields = ["vendor", "sla", "version", "key", "window", "in_force"]

    def filter_in_force(self, queryset, name, value):
        today = timezone.localdate()
        current = (Q(version__status__in=["effective", "superseded"],
                     version__effective_from__lte=today)
                   & (Q(version__effective_until__isnull=True)
                      | Q(version__effective_until__gte=today)))
        return queryset.filter(current) if value else queryset.exclude(current)


class MeasurementFilterSet(django_filters.FilterSet):
    vendor = IdFilter(field_name="vendor", help_text="A vendor's id.")
    service_level = IdFilter(field_name="service_level", help_text="A service level's id.")
    sla = IdFilter(field_name="service_level__version__sla", help_text="An SLA's id.")
    window_from = DateFilter(field_name="window_start", lookup_expr="gte",
                             help_text="Windows starting on or after this day.")
    window_to = DateFilter(field_name="window_start", lookup_expr="lte",
                           help_text="Windows starting on or before this day.")
    external_id = django_filters.CharFilter()

    class Meta:
        model = Measurement
        fields = ["vendor", "service_level", "sla", "source", "external_id"]


class EvaluationFilterSet(django_filters.FilterSet):
    vendor = IdFilter(field_name="vendor", help_text="A vendor's id.")
    sla = IdFilter(field_name="sla", help_text="An SLA's id.")
    service_level = IdFilter(field_name="service_level", help_text="A service level's id.")
    closed_from = DateFilter(field_name="window_end", lookup_expr="gte",
                             help_text="Windows that ended on or after this day.")
    closed_to = DateFilter(field_name="window_end", lookup_expr="lte",
                           help_text="Windows that ended on or before this day.")
    excused = BooleanFilter(help_text="true: breaches excused after an accepted dispute.")

    class Meta:
        model = Evaluation
        fields = ["vendor", "sla", "service_level", "status", "excused"]


class CorrectiveActionFilterSet(django_filters.FilterSet):
    vendor = IdFilter(field_name="vendor", help_text="A vendor's id.")
    sla = IdFilter(field_name="sla", help_text="An SLA's id.")
    open = BooleanFilter(method="filter_open", help_text="true: open, in progress or done.")
    overdue = BooleanFilter(method="filter_overdue",
                            help_text="true: open or in progress past the due date.")

    class Meta:
        model = CorrectiveAction
        fields = ["vendor", "sla", "status", "side_responsible", "open", "overdue"]

    def filter_open(self, queryset, name, value):
        lookup = Q(status__in=CORRECTIVE_ACTION_OPEN)
        return queryset.filter(lookup) if value else queryset.exclude(lookup)

    def filter_overdue(self, queryset, name, value):
        lookup = Q(status__in=[CorrectiveActionStatus.OPEN, CorrectiveActionStatus.IN_PROGRESS],
                   due_on__lt=timezone.localdate())
        return queryset.filter(lookup) if value else queryset.exclude(lookup)


class DisputeFilterSet(django_filters.FilterSet):
    vendor = IdFilter(field_name="vendor", help_text="A vendor's id.")
    evaluation = IdFilter(field_name="evaluation", help_text="An evaluation's id.")

    class Meta:
        model = Dispute
        fields = ["vendor", "evaluation", "status"]
