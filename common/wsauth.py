"""Session authentication for websockets, without a thread hop for visitors.

Channels' ``AuthMiddleware`` resolves ``scope["user"]`` on the one thread that
also runs every synchronous Django view under ASGI, for every socket, even
when the browser sent no session cookie and the answer can only be
``AnonymousUser``. During a burst of thousands of visitors joining a live
session those hops queue behind HTTP requests (and HTTP requests behind them).
This middleware answers ``AnonymousUser`` at once when there is no session
cookie and otherwise does exactly what Channels does.
"""

from __future__ import annotations

from typing import Any

from channels.auth import AuthMiddleware, CookieMiddleware, SessionMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser


class SessionAuthMiddleware(AuthMiddleware):  # type: ignore[misc]
    async def resolve_scope(self, scope: dict[str, Any]) -> None:
        if not scope.get("cookies", {}).get(settings.SESSION_COOKIE_NAME):
            scope["user"]._wrapped = AnonymousUser()
            return
        await super().resolve_scope(scope)


def SessionAuthMiddlewareStack(inner: Any) -> Any:
    return CookieMiddleware(SessionMiddleware(SessionAuthMiddleware(inner)))
