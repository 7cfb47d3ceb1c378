"""Project system checks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.compatibility, deploy=False)
def check_channel_layer(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """The in-memory channel layer only reaches sockets of its own process."""
    backend = str(settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", ""))
    if not settings.DEBUG and backend.endswith("InMemoryChannelLayer"):
        return [
            Warning(
                "The in-memory channel layer is in use with DEBUG off.",
                hint=(
                    "Set REDIS_URL so that every daphne process shares live "
                    "events; with the in-memory layer a viewer connected to one "
                    "process never sees what happens on another."
                ),
                id="agora.W001",
            )
        ]
    return []
