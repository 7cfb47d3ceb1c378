"""Rate limits for writes, shared by every app (storage: Redis or memory).

Services call :func:`check` before writing, with a scope (``"comment"``), a key
identifying the actor (``"user:42"``, ``"session:abc"``, ``"ip:10.0.0.1"``) and a
rate such as ``"10/minute"``. When the limit is exceeded :class:`RateLimited` is
raised; the API turns it into HTTP 429 and forms show its message.
"""

from __future__ import annotations

import math
import time
from functools import lru_cache

from django.conf import settings
from django.utils.translation import gettext as _
from limits import parse
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter


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
