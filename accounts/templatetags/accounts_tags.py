"""Template tags of the accounts app."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.selectors import unread_notification_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications_count(context: dict[str, Any]) -> int:
    """How many unread notifications the current user has (0 when logged out)."""
    request = context.get("request")
    return unread_notification_count(getattr(request, "user", None))
