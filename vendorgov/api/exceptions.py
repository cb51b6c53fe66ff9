"""JSON errors whose status tells the truth, for anything a client can send."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        # Model validation raised by a service: a client error, with its field errors.
        if hasattr(exc, "error_dict"):
            detail = dict(exc.message_dict)
            # Django's "__all__" reads as DRF's "non_field_errors", like serializer errors do.
            if NON_FIELD_ERRORS in detail:
                detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        else:
            detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, IntegrityError):
        return Response({"detail": "This conflicts with an existing record."},
                        status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
