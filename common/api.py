"""REST API conventions shared by every app.

Errors are JSON: ``{"detail": "..."}`` for request-level problems and
``{"<field>": ["message", ...]}`` for invalid input, as DRF does. Services raise
Django's ``ValidationError`` / ``PermissionDenied`` and :class:`RateLimited`;
this handler maps them so views stay thin. A database outage becomes a 503
with a clear message, never a 500.

When views run in one transaction (``ATOMIC_REQUESTS``), an error this handler
turns into a response would otherwise be committed with whatever the view
wrote before it failed, so each error response marks it for rollback, as DRF's
own handler does (a no-op without ``ATOMIC_REQUESTS``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from common.middleware import RETRY_AFTER, is_database_unavailable
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
    response = _error_response(exc, context)
    if response is not None:
        set_rollback()
    return response


def _error_response(exc: Exception, context: dict[str, Any]) -> Response | None:
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
    if is_database_unavailable(exc):
        logger.warning("database unavailable: %s", type(exc).__name__)
        return Response(
            {
                "detail": _(
                    "The service is briefly unavailable. Nothing was saved; "
                    "please try again in a moment."
                )
            },
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": RETRY_AFTER},
        )
    return drf_exception_handler(exc, context)
