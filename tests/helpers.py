"""Test helpers shared by the suites: websockets, broadcasts, HTTP JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from common import realtime

ORIGIN = "http://testserver"


def session_cookie_for(user: Any) -> str:
    """Log ``user`` in on a throwaway client and return its session cookie."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def ws_connect(
    path: str,
    *,
    user: Any = None,
    origin: str | None = ORIGIN,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> tuple[WebsocketCommunicator, bool, Any]:
    """Open a websocket through the real ASGI stack (Origin check, auth).

    Returns ``(communicator, connected, close_code_or_subprotocol)``.
    """
    from config.asgi import application

    all_headers = list(headers or [])
    if origin is not None:
        all_headers.append((b"origin", origin.encode()))
    all_headers.append((b"host", b"testserver"))
    if user is not None:
        cookie = await sync_to_async(session_cookie_for)(user)
        all_headers.append(
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode())
        )
    communicator = WebsocketCommunicator(application, path, headers=all_headers)
    connected, detail = await communicator.connect()
    return communicator, connected, detail


@contextmanager
def capture_broadcasts() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Record what services broadcast (group, payload) instead of sending it."""
    sent: list[tuple[str, dict[str, Any]]] = []
    previous = realtime._capture
    realtime._capture = lambda group, payload: sent.append((group, payload))
    try:
        yield sent
    finally:
        realtime._capture = previous


def post_json(client: Client, url: str, data: Any, **extra: Any) -> Any:
    return client.post(
        url, data=json.dumps(data), content_type="application/json", **extra
    )
