"""Filter backends and filters for API collections."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, filters


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
