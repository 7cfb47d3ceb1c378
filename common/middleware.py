"""A database outage is a clear 503 page, never a 500.

Services write in transactions, so a request that fails half-way saved
nothing; the page says so and asks the person to retry (tests/faults lists
the writes that are not yet one transaction).
The API has the same rule in ``common.api.exception_handler``.
Django does not save the session of a response with a 5xx status, so the
503 writes nothing either.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER = "5"


def is_database_unavailable(exc: BaseException | None) -> bool:
    """The database cannot be reached (as opposed to a bad query)."""
    return isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DatabaseError) and "connection" in str(exc).lower()
    )


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON under /api/, otherwise the 503 page."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": _(
                    "The service is briefly unavailable. Nothing was saved; "
                    "please try again in a moment."
                )
            },
            status=503,
        )
    else:
        # Rendered without the request context: it may need the database.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = RETRY_AFTER
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        logger.warning("database unavailable: %s", type(exception).__name__)
        return unavailable_response(request)
