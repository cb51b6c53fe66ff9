"""OpenAPI documentation of the error responses every API view can give.

drf-spectacular documents the success response it can infer; the errors below come from
authentication, validation, scoping and the exception handler (vendorgov.api.exceptions),
so they are added here once instead of in every view.
"""

import uritemplate
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


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

_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


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

    def _error_responses(self) -> dict[str, OpenApiResponse]:
        errors = {}
        is_write = self.method in _WRITE_METHODS
        has_lookup = bool(uritemplate.variables(self.path))
        is_list = not has_lookup and self._is_list_view()
        if is_write or (is_list and self._get_filter_parameters()):
            errors["400"] = _VALIDATION_ERROR
        if self.get_auth():
            errors["401"] = _UNAUTHENTICATED
        if is_write:
            errors["403"] = _FORBIDDEN
        if has_lookup or (is_list and self._get_paginator()):
            errors["404"] = _NOT_FOUND
        if is_write:
            errors["409"] = _CONFLICT
        return errors
