import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from vendorgov.roles import Role


class UserFilterSet(django_filters.FilterSet):
    """The people list's filters (and its CSV export): active people unless asked."""

    q = django_filters.CharFilter(method="search", label="Search", widget=forms.TextInput(
        attrs={"type": "search", "placeholder": "Name, user name or email"}))
    role = django_filters.ChoiceFilter(choices=Role.choices, empty_label="Any role")
    active = django_filters.ChoiceFilter(choices=[("no", "Deactivated"), ("all", "All")],
                                         empty_label="Active", label="Status",
                                         method="filter_active")

    class Meta:
        model = get_user_model()
        fields = ["q", "role", "active"]

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.cleaned_data.get("active"):
            queryset = queryset.filter(is_active=True)
        return queryset

    def search(self, queryset, name, value):
        return queryset.filter(Q(username__icontains=value) | Q(first_name__icontains=value)
                               | Q(last_name__icontains=value) | Q(email__icontains=value))

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=False) if value == "no" else queryset
