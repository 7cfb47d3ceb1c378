"""Account reads."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.models import Notification


def unread_notification_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def list_notifications(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)
