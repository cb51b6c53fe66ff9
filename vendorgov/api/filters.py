"""Filter backends and filters for API collections."""

import functools
import re
from collections.abc import Callable

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, filters

from vendorgov.api.fields import DATE, DATE_TIME


class SearchFilter(filters.SearchFilter):
    """`?search=`, whose bad values (e.g. a NUL character) are a 400 naming the parameter,
    like every other field error."""

    def get_search_terms(self, request):
        try:
            return super().get_search_terms(request)
        except exceptions.ValidationError as exc:
            raise exceptions.ValidationError({self.search_param: exc.detail}) from exc


#: Query parameters that are not a filterset's: the page, the search and the order.
NOT_FILTERS = frozenset({"page", "page_size", "search", "ordering", "format"})


@functools.cache
def _parameterless(filterset_class) -> Callable | None:
    """What `filterset_class` does to a queryset when the request names none of its
    parameters, when that is known without building it; None otherwise.

    django-filter builds the filterset, its form and a deep copy of its filters on every
    request, then every filter leaves the queryset as it is for an empty value: a filterset
    that says what it does without parameters (`parameterless`, e.g. the default "not
    archived") or that changes nothing of that machinery (no required filter, no filter of
    its own `filter()`, no `__init__`, `qs` or `filter_queryset` of its own) can skip it.
    tests/api/test_filters.py holds that both ways give the same query on every list."""
    # The class that says what it does without parameters (its `__init__` may set them),
    # else django-filter's own: nothing below it may change how the filterset filters.
    base = next((kind for kind in filterset_class.__mro__ if "parameterless" in vars(kind)),
                django_filters.FilterSet)
    if any(getattr(filterset_class, name) is not getattr(base, name)
           for name in ("__init__", "qs", "filter_queryset")):
        return None
    for filter_ in filterset_class.base_filters.values():
        if filter_.extra.get("required") or not type(filter_).filter.__module__.startswith(
                "django_filters."):
            return None
    return getattr(filterset_class, "parameterless", lambda queryset: queryset)


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, without building the filterset for a request that names
    none of its parameters where the outcome is known (see `_parameterless`): a list's
    plain first pages skip the form, its validation and the filters' copies."""

    def filter_queryset(self, request, queryset, view):
        if NOT_FILTERS.issuperset(request.query_params):
            filterset_class = self.get_filterset_class(view, queryset)
            if filterset_class is None:
                return queryset
            parameterless = _parameterless(filterset_class)
            if parameterless is not None:
                return parameterless(queryset)
        return super().filter_queryset(request, queryset, view)


FILTER_BACKENDS = [FilterBackend, SearchFilter, filters.OrderingFilter]


class _TrueFalseSelect(forms.Select):
    """Hands the raw value to the field (Django's boolean widgets turn anything they do
    not know into "unknown", which would make `?open=maybe` mean no filter)."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("", "Any"), ("true", "Yes"), ("false", "No")])

    def format_value(self, value):
        return super().format_value({True: "true", False: "false"}.get(value, value))


class TrueFalseField(forms.Field):
    """`true` or `false`, as the schema's boolean is written in a query; empty is no value."""

    widget = _TrueFalseSelect
    default_error_messages = {"invalid": "Enter true or false."}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "false"):
            return value == "true"
        raise ValidationError(self.error_messages["invalid"], code="invalid")

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")


class BooleanFilter(django_filters.BooleanFilter):
    """A boolean filter that answers 400 to anything but `true`, `false` or empty."""

    field_class = TrueFalseField


def _written_as(form: str, field: forms.Field, value):
    if value not in field.empty_values and not (isinstance(value, str)
                                                and re.fullmatch(form, value)):
        raise ValidationError(field.error_messages["invalid"], code="invalid")


class StrictDateFormField(forms.DateField):
    """2026-01-05, as the schema's `format: date` says (Django would also read the site's
    local forms, such as 05/01/2026, and 2026-1-5)."""

    default_error_messages = {"invalid": "Enter a date as YYYY-MM-DD."}

    def to_python(self, value):
        _written_as(DATE, self, value)
        return super().to_python(value)


class StrictDateTimeFormField(IsoDateTimeField):
    """2026-01-05T10:00:00Z, as the schema's `format: date-time` says: with seconds and an
    offset (a date alone, or a time without a zone, would be read in the server's zone)."""

    default_error_messages = {"invalid": "Enter a date and time as YYYY-MM-DDTHH:MM:SSZ or "
                                         "with an offset such as +01:00."}

    def to_python(self, value):
        _written_as(DATE_TIME, self, value)
        # RFC 3339 allows a lower-case t and z; Python's parser does not.
        return super().to_python(value.upper() if isinstance(value, str) else value)


class DateFilter(django_filters.DateFilter):
    field_class = StrictDateFormField


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = StrictDateTimeFormField
