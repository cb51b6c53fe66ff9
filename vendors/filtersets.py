import django_filters
from django import forms
from django.db.models import Q

from vendors import choices
from vendors.models import Vendor


class VendorFilterSet(django_filters.FilterSet):
    """Used by the vendor list page (and its CSV export)."""

    q = django_filters.CharFilter(method="search", label="Search",
                                  widget=forms.TextInput(attrs={"placeholder": "Name or service",
                                                                "type": "search"}))
    tier = django_filters.ChoiceFilter(choices=choices.Tier.choices, empty_label="Any tier")
    status = django_filters.ChoiceFilter(choices=choices.VendorStatus.choices,
                                         empty_label="Any status")
    criticality = django_filters.ChoiceFilter(choices=choices.Criticality.choices,
                                              empty_label="Any criticality")
    archived = django_filters.ChoiceFilter(
        choices=[("only", "Archived only"), ("all", "Active and archived")],
        empty_label="Active only", method="filter_archived", label="Archived")

    class Meta:
        model = Vendor
        fields = ["q", "tier", "status", "criticality", "archived"]

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.cleaned_data.get("archived"):
            queryset = queryset.filter(archived_at__isnull=True)
        return queryset

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(services__name__icontains=value)
                               | Q(description__icontains=value)).distinct()

    def filter_archived(self, queryset, name, value):
        return queryset.filter(archived_at__isnull=False) if value == "only" else queryset
