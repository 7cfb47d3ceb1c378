"""REST API conventions shared by every app.

Errors are JSON: ``{"detail": "..."}`` for request-level problems and
``{"<field>": ["message", ...]}`` for invalid input, as DRF does. Services raise
Django's ``ValidationError`` / ``PermissionDenied`` and :class:`RateLimited`;
this handler maps them so views stay thin. A database outage becomes a 503
with a clear message, never a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.ratelimit import RateLimited

logger = logging.getLogger(__name__)


def validation_error_data(exc: DjangoValidationError) -> dict[str, Any]:
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): list(messages)
            for field, messages in exc.message_dict.items()
        }
    return {"non_field_errors": list(exc.messages)}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        return Response(validation_error_data(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, RateLimited):
        return Response(
            {"detail": str(exc), "retry_after": exc.retry_after},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(exc.retry_after)},
        )
    if isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DatabaseError) and "connection" in str(exc).lower()
    ):
        logger.warning("database unavailable: %s", type(exc).__name__)
        return Response(
            {
                "detail": _(
                    "The service is briefly unavailable. Nothing was saved; "
                    "please try again in a moment."
                )
            },
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    return drf_exception_handler(exc, context)
