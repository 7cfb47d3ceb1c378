"""The consultation's part of the home page's "Open now" section."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from consultation.selectors import open_plans


def open_now(request: HttpRequest) -> dict[str, Any] | None:
    plans = list(open_plans()[:5])
    return {"plans": plans} if plans else None
