"""JSON errors whose status tells the truth, for anything a client can send."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        # Model validation raised by a service: a client error, with its field errors.
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, IntegrityError):
        return Response({"detail": "This conflicts with an existing record."},
                        status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
