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
from collections.abc import Iterable
from datetime import datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers, status
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


# --- Query filters ----------------------------------------------------------------
# List endpoints filter with plain query parameters, validated here so that a bad
# value gives HTTP 400 naming the parameter (never a 500, never a silent "all").

_MAX_PARAM = 64


def _invalid(name: str, message: str) -> DjangoValidationError:
    return DjangoValidationError({name: [message]})


def datetime_param(params: Any, name: str) -> datetime | None:
    """``?name=`` as an aware datetime: ISO 8601, a date (midnight) or a date
    and time (the site's time zone when no offset is given)."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    message = _(
        "Enter a date or a date and time in ISO 8601 format, "
        "e.g. 2026-03-01 or 2026-03-01T09:30:00+08:00."
    )
    value = str(raw).strip()
    if len(value) > _MAX_PARAM:
        raise _invalid(name, message)
    try:
        moment = parse_datetime(value.replace(" ", "+"))
        if moment is None:
            day = parse_date(value)
            if day is None:
                raise ValueError(value)
            moment = datetime.combine(day, time.min)
    except ValueError:
        raise _invalid(name, message) from None
    if timezone.is_naive(moment):
        try:
            moment = timezone.make_aware(moment)
        except (ValueError, OverflowError):
            raise _invalid(name, message) from None
    return moment


def choice_param(params: Any, name: str, choices: Iterable[str]) -> str:
    """``?name=`` as one of ``choices`` ("" when absent)."""
    value = params.get(name)
    if value is None or value == "":
        return ""
    allowed = [str(c) for c in choices]
    if value not in allowed:
        raise _invalid(
            name,
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)},
        )
    return str(value)


def filter_dates(
    queryset: QuerySet[Any], params: Any, fields: dict[str, str]
) -> QuerySet[Any]:
    """Apply ``{parameter: lookup}`` date filters, e.g.
    ``{"created_after": "created_at__gte"}``."""
    for name, lookup in fields.items():
        moment = datetime_param(params, name)
        if moment is not None:
            queryset = queryset.filter(**{lookup: moment})
    return queryset


def date_parameters(**descriptions: str) -> list[OpenApiParameter]:
    """OpenAPI documentation of date filters: ``name=description``."""
    return [
        OpenApiParameter(
            name,
            OpenApiTypes.STR,
            description=f"{text} (ISO 8601 date or date and time).",
            examples=[OpenApiExample(name, value="2026-03-01T09:30:00+08:00")],
        )
        for name, text in descriptions.items()
    ]


def status_parameter(
    choices: Iterable[str], description: str = "Status", name: str = "status"
) -> OpenApiParameter:
    return OpenApiParameter(
        name, OpenApiTypes.STR, enum=list(choices), description=description
    )


class DetailSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()


class RateLimitedSerializer(DetailSerializer):
    retry_after = serializers.IntegerField(help_text="Seconds to wait.")


class FieldErrorsSerializer(serializers.Serializer[Any]):
    """Invalid input: a list of messages for each invalid field or query
    parameter (named as in the request)."""

    non_field_errors = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Messages not about one field. Each invalid field or query "
        "parameter has a list like this one under its own name.",
    )


BAD_FILTER = OpenApiResponse(
    FieldErrorsSerializer,
    description="A query parameter is invalid (for example a date that is "
    "not ISO 8601 or an unknown status).",
)
NOT_FOUND = OpenApiResponse(
    DetailSerializer, description="No such object, or no such page."
)
LIST_ERRORS: dict[int, OpenApiResponse] = {400: BAD_FILTER, 404: NOT_FOUND}
WRITE_ERRORS: dict[int, OpenApiResponse] = {
    400: OpenApiResponse(FieldErrorsSerializer, description="Invalid input."),
    403: OpenApiResponse(
        DetailSerializer,
        description="Not logged in, CSRF token missing, or the action is not allowed.",
    ),
    404: NOT_FOUND,
    429: OpenApiResponse(
        RateLimitedSerializer,
        description="Too many writes in a short time; see the Retry-After header.",
    ),
}
