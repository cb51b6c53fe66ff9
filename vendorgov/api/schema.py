"""OpenAPI documentation of the error responses every API view can give.

drf-spectacular documents the success response it can infer; the errors below come from
authentication, validation, scoping and the exception handler (vendorgov.api.exceptions),
so they are added here once instead of in every view.
"""

import django_filters
import uritemplate
from drf_spectacular import openapi
from drf_spectacular.plumbing import get_view_model
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.schemas.utils import get_pk_description
from rest_framework.settings import api_settings

from vendorgov.api.fields import (
    MAX_ID,
    NO_NUL,
    StrictCharField,
    StrictDecimalField,
    StrictPrimaryKeyRelatedField,
)


class ErrorSerializer(serializers.Serializer):
    """The body of every error that is not about specific fields."""

    detail = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """A 400: each rejected field maps to its messages; `non_field_errors` for the rest."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        # Field names vary per endpoint, so any other key is a field name with its messages.
        ref_name = "ValidationError"


_VALIDATION_ERROR = OpenApiResponse(
    response=ValidationErrorSerializer,
    description="Bad input: field errors keyed by field name (query parameters included).")
_UNAUTHENTICATED = OpenApiResponse(
    response=ErrorSerializer,
    description="No credentials, or an invalid, expired or revoked token.")
_FORBIDDEN = OpenApiResponse(
    response=ErrorSerializer,
    description="Authenticated, and the record is visible, but this change is not allowed.")
_NOT_FOUND = OpenApiResponse(
    response=ErrorSerializer,
    description="No such record among those the caller may see (or no such page).")
_CONFLICT = OpenApiResponse(
    response=ErrorSerializer, description="The change conflicts with an existing record.")

_THROTTLED = OpenApiResponse(
    response=ErrorSerializer,
    description="Too many requests (or bulk rows) for this token or address; the "
                "`Retry-After` header says how many seconds to wait.")

_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

#: A record's id, as path parameter or filter.
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def _empty_means_absent(parameters: list[dict]) -> list[dict]:
    """Collections read `?status=` like no `status` at all (as HTML forms send an unset
    filter): say so with `allowEmptyValue`, which OpenAPI 3.0 has for exactly this."""
    for parameter in parameters:
        if parameter.get("in") == "query":
            parameter["allowEmptyValue"] = True
    return parameters


class AutoSchema(openapi.AutoSchema):
    """Adds the error responses a view can really give to each operation."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, response in self._error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code,
                                                              direction=direction)
        return responses

    def _get_filter_parameters(self):
        parameters = _empty_means_absent(super()._get_filter_parameters())
        filterset = getattr(self.view, "filterset_class", None)
        filters = filterset.base_filters if filterset is not None else {}
        for parameter in parameters:
            if parameter["name"] == api_settings.SEARCH_PARAM or (
                    isinstance(filters.get(parameter["name"]), django_filters.CharFilter)
                    and parameter["schema"].get("type") == "string"):
                # vendorgov.api.filters.SearchFilter and text filters (Django's CharField)
                # answer 400 to a NUL character.
                parameter["schema"]["pattern"] = NO_NUL
        return parameters

    def _get_pagination_parameters(self):
        return _empty_means_absent(super()._get_pagination_parameters())

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        if schema.get("type") == "string" and isinstance(field, StrictDecimalField):
            schema["pattern"] = field.pattern  # drf-spectacular's would allow "", "-", "."
        elif (schema.get("type") == "string" and isinstance(field, StrictCharField)
              and not field.read_only):
            # Added after drf-spectacular's own validators, so that a blank-allowed string
            # stays a plain string instead of a oneOf with the empty string.
            schema["pattern"] = field.pattern
        elif schema.get("type") == "integer" and isinstance(field,
                                                            StrictPrimaryKeyRelatedField):
            schema.update(minimum=1, maximum=MAX_ID)
        elif (schema.get("type") == "array" and isinstance(field, serializers.ManyRelatedField)
              and isinstance(field.child_relation, StrictPrimaryKeyRelatedField)
              and schema.get("items", {}).get("type") == "integer"):
            # A list of ids (many=True): each is an id like a single one.
            schema["items"].update(minimum=1, maximum=MAX_ID)

    def _resolve_path_parameters(self, variables):
        # Views take any segment as the lookup (`lookup_value_regex = "[^/]+"`), so that a
        # malformed id is a JSON 404 like a missing one; documented, the id is what it is:
        # a whole number. drf-spectacular would read the regex as "any string".
        parameters = super()._resolve_path_parameters(variables)
        lookup = getattr(self.view, "lookup_url_kwarg", None) or getattr(
            self.view, "lookup_field", "pk")
        if getattr(self.view, "lookup_value_regex", None) == "[^/]+":
            for parameter in parameters:
                if parameter["name"] in (lookup, "id", "pk"):
                    parameter["schema"] = dict(ID_SCHEMA)
                    model = get_view_model(self.view, emit_warnings=False)
                    if model is not None and not parameter.get("description"):
                        parameter["description"] = get_pk_description(model, model._meta.pk)
        return parameters

    def _error_responses(self) -> dict[str, OpenApiResponse]:
        errors = {}
        is_write = self.method in _WRITE_METHODS
        has_lookup = bool(uritemplate.variables(self.path))
        is_list = not has_lookup and self._is_list_view()
        if is_write or (is_list and (self._get_filter_parameters()
                                     or self._get_paginator())):
            errors["400"] = _VALIDATION_ERROR
        if self.get_auth():
            errors["401"] = _UNAUTHENTICATED
        if is_write:
            errors["403"] = _FORBIDDEN
        if has_lookup or (is_list and self._get_paginator()):
            errors["404"] = _NOT_FOUND
        if is_write:
            errors["409"] = _CONFLICT
        if self.view.throttle_classes:
            errors["429"] = _THROTTLED
        return errors
