"""The forum's part of the home page's "Open now": live and next sessions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from forum.selectors import upcoming_sessions


def open_now(request: HttpRequest) -> dict[str, Any] | None:
    sessions = list(upcoming_sessions()[:3])
    return {"sessions": sessions} if sessions else None
