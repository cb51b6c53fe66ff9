"""Query-string filters of the governance API collections. Bad values answer 400 with the
parameter's name; another vendor's id gives an empty page, like an id that does not exist."""

import django_filters
from django.db.models import Q
from django.utils import timezone

from governance.choices import ACTION_OPEN, IMPEDIMENT_OPEN, SUGGESTION_UNASSESSED, Tier
from governance.models import ActionItem, Attendance, Cadence, Impediment, Meeting, Suggestion
from vendorgov.api.filters import BooleanFilter, DateTimeFilter
from vendors.api.filtersets import IdFilter, VendorScopedFilterSet


class CadenceFilterSet(VendorScopedFilterSet):
    frequency = django_filters.ChoiceFilter(field_name="tier", choices=Tier.choices)

    class Meta:
        model = Cadence
        fields = ["vendor", "frequency"]


class MeetingFilterSet(VendorScopedFilterSet):
    cadence = IdFilter(field_name="cadence", help_text="A cadence's id.")
    frequency = django_filters.ChoiceFilter(field_name="tier", choices=Tier.choices)
    starts_after = DateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = DateTimeFilter(field_name="starts_at", lookup_expr="lt")
    upcoming = BooleanFilter(method="filter_upcoming",
                             help_text="true: scheduled and not over yet.")

    class Meta:
        model = Meeting
        fields = ["vendor", "cadence", "frequency", "status"]

    def filter_upcoming(self, queryset, name, value):
        lookup = Q(status="scheduled", ends_at__gte=timezone.now())
        return queryset.filter(lookup) if value else queryset.exclude(lookup)


class AttendanceFilterSet(django_filters.FilterSet):
    vendor = IdFilter(field_name="vendor", help_text="A vendor's id.")
    meeting = IdFilter(field_name="meeting", help_text="A meeting's id.")

    class Meta:
        model = Attendance
        fields = ["vendor", "meeting", "response"]


class ActionItemFilterSet(VendorScopedFilterSet):
    meeting = IdFilter(field_name="meeting", help_text="Raised in this meeting.")
    owner_user = IdFilter(field_name="owner_user", help_text="Owned by this person.")
    owner_contact = IdFilter(field_name="owner_contact", help_text="Owned by this contact.")
    open = BooleanFilter(method="filter_open", help_text="true: open or in progress.")
    overdue = BooleanFilter(method="filter_overdue",
                            help_text="true: open and past its due date.")

    class Meta:
        model = ActionItem
        fields = ["vendor", "meeting", "status", "side", "owner_user", "owner_contact"]

    def filter_open(self, queryset, name, value):
        lookup = Q(status__in=ACTION_OPEN)
        return queryset.filter(lookup) if value else queryset.exclude(lookup)

    def filter_overdue(self, queryset, name, value):
        lookup = Q(status__in=ACTION_OPEN, due_on__lt=timezone.localdate())
        return queryset.filter(lookup) if value else queryset.exclude(lookup)


class ImpedimentFilterSet(VendorScopedFilterSet):
    open = BooleanFilter(method="filter_open", help_text="true: open or in progress.")

    class Meta:
        model = Impediment
        fields = ["vendor", "status", "kind", "severity", "responsible_side",
                  "raised_by_side"]

    def filter_open(self, queryset, name, value):
        lookup = Q(status__in=IMPEDIMENT_OPEN)
        return queryset.filter(lookup) if value else queryset.exclude(lookup)


class SuggestionFilterSet(VendorScopedFilterSet):
    unassessed = BooleanFilter(method="filter_unassessed",
                               help_text="true: not yet accepted or declined.")

    class Meta:
        model = Suggestion
        fields = ["vendor", "status", "category", "source_side"]

    def filter_unassessed(self, queryset, name, value):
        lookup = Q(status__in=SUGGESTION_UNASSESSED)
        return queryset.filter(lookup) if value else queryset.exclude(lookup)
