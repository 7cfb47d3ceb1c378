"""Rate limits for writes, shared by every app (storage: Redis or memory).

Services call :func:`check` before writing, with a scope (``"comment"``), a key
identifying the actor (``"user:42"``, ``"session:abc"``, ``"ip:10.0.0.1"``) and a
rate such as ``"10/minute"``. When the limit is exceeded :class:`RateLimited` is
raised; the API turns it into HTTP 429 and forms show its message.

Every write request also spends from a per-account and a per-IP budget
(:class:`WriteRateLimitMiddleware`), so no write endpoint is unlimited,
including ones added later (docs/security.md).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from limits import parse
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from common.middleware import is_database_unavailable, unavailable_response


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(
            _(
                "You are doing that too often. Please wait %(seconds)d seconds "
                "and try again."
            )
            % {"seconds": self.retry_after}
        )


@lru_cache(maxsize=1)
def _storage() -> Storage:
    options = getattr(settings, "RATELIMIT_STORAGE_OPTIONS", {})
    storage = storage_from_string(settings.RATELIMIT_STORAGE_URI, **options)
    assert isinstance(storage, Storage)  # noqa: S101 - a sync URI gives a sync storage
    return storage


@lru_cache(maxsize=1)
def _limiter() -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(_storage())


def check(scope: str, key: str, rate: str) -> None:
    """Count one hit for ``key`` in ``scope``; raise RateLimited if over ``rate``."""
    if not settings.RATELIMIT_ENABLED:
        return
    item = parse(rate)
    limiter = _limiter()
    if limiter.hit(item, scope, key):
        return
    reset_at, _remaining = limiter.get_window_stats(item, scope, key)
    raise RateLimited(math.ceil(reset_at - time.time()))


def reset() -> None:
    """Forget every counter (tests)."""
    _storage().reset()


def client_ip(request: HttpRequest) -> str:
    """The address the request came from (``REMOTE_ADDR``; behind a proxy the
    server — daphne ``--proxy-headers`` — is what sets it from the header)."""
    return str(request.META.get("REMOTE_ADDR", "")) or "unknown"


def check_write(request: HttpRequest) -> None:
    """Count one write against the actor's and the address's write budget.

    Every write endpoint (any non-GET/HEAD/OPTIONS request) goes through this
    in :class:`WriteRateLimitMiddleware`, before the view: one budget per
    account (or, for a visitor, per browser session) and one per IP address,
    from ``RATELIMIT_WRITE_USER_RATE`` / ``RATELIMIT_WRITE_IP_RATE``. The
    services' own, tighter per-action limits (comments, questions, votes …)
    apply on top.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        check("write.user", f"user:{user.pk}", settings.RATELIMIT_WRITE_USER_RATE)
    else:
        session = getattr(request, "session", None)
        session_key = getattr(session, "session_key", None)
        if session_key:
            check(
                "write.user",
                f"session:{session_key}",
                settings.RATELIMIT_WRITE_USER_RATE,
            )
    check("write.ip", f"ip:{client_ip(request)}", settings.RATELIMIT_WRITE_IP_RATE)


class WriteRateLimitMiddleware:
    """Refuse a write over budget: JSON 429 under /api/, a 429 page elsewhere,
    both with ``Retry-After``."""

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in self.SAFE_METHODS:
            try:
                check_write(request)
            except RateLimited as exc:
                return too_many_requests(request, exc)
            except DatabaseError as exc:
                # Loading the signed-in user or the session needs the database;
                # this runs before the view, out of DatabaseUnavailableMiddleware's
                # reach, so answer its 503 here.
                if not is_database_unavailable(exc):
                    raise
                return unavailable_response(request)
        return self.get_response(request)


def too_many_requests(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": str(exc), "retry_after": exc.retry_after}, status=429
        )
    else:
        response = render(request, "429.html", {"message": str(exc)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response
