"""A database outage is a clear 503 page, never a 500.

Writes run in transactions, so a request that fails half-way saved nothing;
the page says so and asks the person to retry. The API has the same rule in
``common.api.exception_handler``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable: %s", type(exception).__name__)
        # Rendered without the request context: it may need the database.
        html = render_to_string("503.html")
        response = HttpResponse(html, status=503)
        response["Retry-After"] = "5"
        return response
