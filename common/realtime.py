"""Broadcast-on-commit: the only module that touches ``channels.layers``.

A service that changes data calls :func:`broadcast_on_commit` inside its
transaction. The payload is encoded once and sent to the group only after the
transaction commits; a rollback sends nothing. Consumers forward the frame with
one generic ``broadcast`` handler.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

logger = logging.getLogger(__name__)

# Test hook: when set, receives (group, payload) instead of the channel layer.
_capture: Callable[[str, dict[str, Any]], None] | None = None


def encode(payload: dict[str, Any]) -> str:
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"))


def send_now(group: str, payload: dict[str, Any]) -> None:
    """Send to a group immediately (sync callers outside a transaction)."""
    if _capture is not None:
        _capture(group, json.loads(encode(payload)))
        return
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            group, {"type": "broadcast", "text": encode(payload)}
        )
    except Exception:
        # A broken channel layer must never undo or fail a committed write;
        # clients resynchronise from the persisted events when they reconnect.
        logger.exception("broadcast to %s failed", group)


async def asend_now(group: str, payload: dict[str, Any]) -> None:
    """Async variant for code already running in the event loop."""
    if _capture is not None:
        _capture(group, json.loads(encode(payload)))
        return
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        await layer.group_send(group, {"type": "broadcast", "text": encode(payload)})
    except Exception:
        logger.exception("broadcast to %s failed", group)


def broadcast_on_commit(
    group: str, payload: dict[str, Any], *, using: str | None = None
) -> None:
    """Send ``payload`` to ``group`` once the current transaction commits."""
    transaction.on_commit(lambda: send_now(group, payload), using=using)
