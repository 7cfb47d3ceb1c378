"""Home-page hook: conversations open for votes (see config/views.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from clustering import selectors


def open_now(request: HttpRequest) -> dict[str, Any] | None:
    conversations = list(selectors.list_conversations().filter(is_open=True)[:5])
    if not conversations:
        return None
    return {"conversations": conversations}
