"""Query-string filters of the vendor API collections (django-filter).

Bad values answer 400 with the parameter's name; an empty value is no filter. `vendor`
filters by id without checking that the vendor exists, so another vendor's id gives an
empty page, exactly like an id that does not exist.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from vendorgov.api.fields import MAX_ID
from vendorgov.api.filters import BooleanFilter
from vendorgov.api.schema import ID_SCHEMA
from vendors.choices import STAFFING_CHANGE_OPEN
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


@extend_schema_field(dict(ID_SCHEMA))
class IdFilter(django_filters.NumberFilter):
    """An id: a whole number in the database's range (larger ones would overflow)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


ARCHIVED_CHOICES = [("false", "Not archived (default)"), ("true", "Archived only"),
                    ("all", "Both")]


class ArchivableFilterSet(django_filters.FilterSet):
    """Archived records stay out of lists unless `?archived=true` or `?archived=all`."""

    archived = django_filters.ChoiceFilter(
        choices=ARCHIVED_CHOICES, method="filter_archived", empty_label=None,
        help_text="false (default): leave archived records out; true: only archived; all.")

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("archived"):
            data = data.copy()
            data["archived"] = "false"
        super().__init__(data, *args, **kwargs)

    @staticmethod
    def parameterless(queryset):
        """What this filterset does to a request without parameters: the default, not
        archived (vendorgov.api.filters.FilterBackend skips building it then)."""
        return queryset.filter(archived_at__isnull=True)

    def filter_archived(self, queryset, name, value):
        if value == "true":
            return queryset.filter(archived_at__isnull=False)
        if value == "all":
            return queryset
        return queryset.filter(archived_at__isnull=True)


class VendorScopedFilterSet(ArchivableFilterSet):
    vendor = IdFilter(field_name="vendor", help_text="A vendor's id.")


class VendorFilterSet(ArchivableFilterSet):
    class Meta:
        model = Vendor
        fields = ["status", "tier", "criticality"]


class ServiceFilterSet(VendorScopedFilterSet):
    class Meta:
        model = Service
        fields = ["vendor"]


class ContractFilterSet(VendorScopedFilterSet):
    ends_after = django_filters.DateFilter(field_name="end_date", lookup_expr="gte")
    ends_before = django_filters.DateFilter(field_name="end_date", lookup_expr="lte")

    class Meta:
        model = Contract
        fields = ["vendor", "currency"]


class ContactFilterSet(VendorScopedFilterSet):
    class Meta:
        model = Contact
        fields = ["vendor", "role", "escalation_level"]


class AssignmentFilterSet(django_filters.FilterSet):
    vendor = IdFilter(field_name="vendor", help_text="A vendor's id.")
    user = IdFilter(field_name="user", help_text="A user's id.")

    class Meta:
        model = VendorAssignment
        fields = ["vendor", "user", "role"]


class GuidingPrincipleFilterSet(VendorScopedFilterSet):
    class Meta:
        model = GuidingPrinciple
        fields = ["vendor"]


class StaffMemberFilterSet(VendorScopedFilterSet):
    current = BooleanFilter(
        method="filter_current", help_text="true: only people still on the team today.")

    class Meta:
        model = StaffMember
        fields = ["vendor", "current"]

    def filter_current(self, queryset, name, value):
        current = Q(ended_on__isnull=True) | Q(ended_on__gt=timezone.localdate())
        return queryset.filter(current) if value else queryset.exclude(current)


class StaffingChangeFilterSet(django_filters.FilterSet):
    vendor = IdFilter(field_name="vendor", help_text="A vendor's id.")
    open = BooleanFilter(
        method="filter_open", help_text="true: requested or agreed; false: resolved.")

    class Meta:
        model = StaffingChange
        fields = ["vendor", "kind", "status", "requested_by_side", "open"]

    def filter_open(self, queryset, name, value):
        lookup = Q(status__in=STAFFING_CHANGE_OPEN)
        return queryset.filter(lookup) if value else queryset.exclude(lookup)
