"""Query-string filters of the scorecard API collections. Another vendor's id gives an empty
page, exactly like an id that does not exist."""

import django_filters

from scorecards.choices import ActualStatus, DisputeStatus
from scorecards.models import Actual, Dispute, Measure, Period, Scorecard
from vendorgov.api.filters import BooleanFilter
from vendors.api.filtersets import IdFilter, VendorScopedFilterSet


class ScorecardFilterSet(VendorScopedFilterSet):
    class Meta:
        model = Scorecard
        fields = ["vendor"]


class MeasureFilterSet(VendorScopedFilterSet):
    """`archived=true` lists retired measures."""

    scorecard = IdFilter(field_name="objective__perspective__scorecard",
                         help_text="A scorecard's id.")
    objective = IdFilter(field_name="objective", help_text="An objective's id.")
    perspective = IdFilter(field_name="objective__perspective", help_text="A perspective's id.")

    class Meta:
        model = Measure
        fields = ["vendor", "scorecard", "perspective", "objective", "data_source", "direction"]


class PeriodFilterSet(django_filters.FilterSet):
    vendor = IdFilter(field_name="vendor", help_text="A vendor's id.")
    scorecard = IdFilter(field_name="scorecard", help_text="A scorecard's id.")
    label = django_filters.CharFilter(field_name="label", help_text="e.g. 2026-Q3 or 2026-07.")
    locked = BooleanFilter(field_name="locked_at", lookup_expr="isnull", exclude=True,
                           help_text="true: only locked periods; false: open ones.")

    class Meta:
        model = Period
        fields = ["vendor", "scorecard", "label", "locked"]


class ActualFilterSet(django_filters.FilterSet):
    vendor = IdFilter(field_name="vendor", help_text="A vendor's id.")
    measure = IdFilter(field_name="measure", help_text="A measure's id.")
    period = IdFilter(field_name="period", help_text="A period's id.")
    period_label = django_filters.CharFilter(field_name="period__label",
                                             help_text="e.g. 2026-Q3.")
    status = django_filters.ChoiceFilter(choices=ActualStatus.choices)

    class Meta:
        model = Actual
        fields = ["vendor", "measure", "period", "period_label", "status"]


class DisputeFilterSet(django_filters.FilterSet):
    vendor = IdFilter(field_name="vendor", help_text="A vendor's id.")
    actual = IdFilter(field_name="actual", help_text="An actual's id.")
    status = django_filters.ChoiceFilter(choices=DisputeStatus.choices)

    class Meta:
        model = Dispute
        fields = ["vendor", "actual", "status"]
