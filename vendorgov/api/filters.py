"""Filter backends and filters for API collections."""

import re

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


FILTER_BACKENDS = [DjangoFilterBackend, SearchFilter, filters.OrderingFilter]


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
