"""The conversation websocket: ``ws/conversations/<id>/``.

Thin and async: it checks the conversation exists, joins its group (and the
moderators' group when the user moderates it), sends a snapshot (the latest
analysis and whether results are updating), then forwards broadcasts with one
handler. The database is reached only through ``database_sync_to_async``.
Client messages: ``{"type": "ping"}`` and ``{"type": "resync"}``; anything
else, malformed JSON, frames over 64 KB and floods get an ``error`` frame or a
close, never a crash. The Origin check and session authentication happen in
config/asgi.py before this consumer sees the socket.

With the in-memory channel layer (development: no REDIS_URL) a worker in
another process cannot reach this process's sockets, so each process watches
the conversations its sockets are open on (one query every few seconds per
conversation, not per socket) and pushes analyses it did not hear about.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.utils.translation import gettext as _

from clustering import events, permissions, selectors
from clustering.models import Conversation
from clustering.services.analysis import analysis_state
from common.realtime import asend_now, encode

logger = logging.getLogger(__name__)

MAX_FRAME = 64 * 1024
FLOOD_RATE = 5.0  # messages per second, refilled
FLOOD_BURST = 20
FLOOD_STRIKES = 3
# Daphne's websocket layer (autobahn) lets an application close only with 1000
# or 3000-4999 and ignores anything else (the socket would stay open), so the
# codes mirror 1009 (too big), 1008 (policy) and 1011 (server error) in the
# private range, as in forum.consumers.
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_LARGE = 4009
CLOSE_POLICY = 4008
CLOSE_SERVER_ERROR = 4011


def _authorise(conversation_id: int, user: Any) -> tuple[bool, bool] | None:
    """(public results, may moderate) or None when there is no conversation."""
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None:
        return None
    return (
        permissions.can_view_report(user, conversation) and not conversation.is_private,
        permissions.can_moderate_conversation(user, conversation),
    )


def _snapshot(conversation_id: int, public: bool) -> dict[str, Any]:
    analysis = selectors.latest_analysis(conversation_id)
    updating, failed = analysis_state(conversation_id)
    return events.snapshot_event(
        analysis, public=public, updating=updating, failed=failed
    )


WATCH_SECONDS = 2.0
_watchers: dict[int, asyncio.Task[None]] = {}
_watching: dict[int, int] = {}
_delivered: dict[int, int] = {}  # latest analysis id broadcast in this process


def _latest_event(conversation_id: int) -> tuple[int, dict[str, Any]] | None:
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    analysis = selectors.latest_analysis(conversation_id)
    if conversation is None or analysis is None:
        return None
    return analysis.pk, events.analysis_event(
        analysis, public=not conversation.is_private
    )


async def _watch(conversation_id: int) -> None:
    latest = await database_sync_to_async(_latest_event)(conversation_id)
    seen = latest[0] if latest else None
    while True:
        await asyncio.sleep(WATCH_SECONDS)
        try:
            latest = await database_sync_to_async(_latest_event)(conversation_id)
        except Exception:
            logger.warning("watching conversation %s failed", conversation_id)
            continue
        if latest is None or latest[0] == seen:
            continue
        seen = latest[0]
        if _delivered.get(conversation_id) != seen:
            await asend_now(events.conversation_group(conversation_id), latest[1])


def _start_watching(conversation_id: int) -> None:
    if not isinstance(get_channel_layer(), InMemoryChannelLayer):
        return  # Redis delivers the worker's broadcasts to every process
    _watching[conversation_id] = _watching.get(conversation_id, 0) + 1
    task = _watchers.get(conversation_id)
    if task is None or task.done():
        _watchers[conversation_id] = asyncio.get_running_loop().create_task(
            _watch(conversation_id)
        )


def _stop_watching(conversation_id: int) -> None:
    if conversation_id not in _watching:
        return
    _watching[conversation_id] -= 1
    if _watching[conversation_id] <= 0:
        del _watching[conversation_id]
        task = _watchers.pop(conversation_id, None)
        if task is not None:
            task.cancel()


class ConversationConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    groups_joined: list[str]
    watching: bool = False

    async def connect(self) -> None:
        self.groups_joined = []
        try:
            self.conversation_id = int(self.scope["url_route"]["kwargs"]["pk"])
            found = await database_sync_to_async(_authorise)(
                self.conversation_id, self.scope.get("user")
            )
        except Exception:
            logger.exception("conversation websocket connect failed")
            await self.close(code=CLOSE_SERVER_ERROR)
            return
        if found is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.public, moderates = found
        self._tokens = float(FLOOD_BURST)
        self._refilled = time.monotonic()
        self._strikes = 0
        wanted = [events.conversation_group(self.conversation_id)]
        if moderates:
            wanted.append(events.moderator_group(self.conversation_id))
        try:
            for group in wanted:
                await self.channel_layer.group_add(group, self.channel_name)
                self.groups_joined.append(group)
            await self.accept()
            _start_watching(self.conversation_id)
            self.watching = True
            await self._send_snapshot()
        except Exception:
            logger.exception("conversation websocket start failed")
            await self.close(code=CLOSE_SERVER_ERROR)

    async def disconnect(self, code: int) -> None:
        if self.watching:
            self.watching = False
            with contextlib.suppress(Exception):
                _stop_watching(self.conversation_id)
        for group in self.groups_joined:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # the layer may be gone; nothing to clean up then
                logger.warning("group_discard failed for %s", group)
        self.groups_joined = []

    async def _send_json(self, payload: dict[str, Any]) -> None:
        await self.send(text_data=encode(payload))

    async def _send_snapshot(self) -> None:
        snapshot = await database_sync_to_async(_snapshot)(
            self.conversation_id, self.public
        )
        await self._send_json(snapshot)

    def _flooding(self) -> bool:
        now = time.monotonic()
        self._tokens = min(
            float(FLOOD_BURST), self._tokens + (now - self._refilled) * FLOOD_RATE
        )
        self._refilled = now
        if self._tokens < 1:
            return True
        self._tokens -= 1
        return False

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None
    ) -> None:
        try:
            await self._receive(text_data, bytes_data)
        except Exception:
            logger.exception("conversation websocket message failed")
            await self._send_json(
                events.error_event("server_error", _("Something went wrong."))
            )

    async def _receive(self, text_data: str | None, bytes_data: bytes | None) -> None:
        size = (
            len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        )
        if size > MAX_FRAME:
            await self.close(code=CLOSE_TOO_LARGE)
            return
        if self._flooding():
            self._strikes += 1
            if self._strikes > FLOOD_STRIKES:
                await self.close(code=CLOSE_POLICY)
                return
            await self._send_json(
                events.error_event("rate_limited", _("Too many messages; slow down."))
            )
            return
        if text_data is None:
            await self._send_json(
                events.error_event("bad_frame", _("Send JSON text frames."))
            )
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            await self._send_json(
                events.error_event("bad_json", _("The message is not valid JSON."))
            )
            return
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "ping":
            await self._send_json({"type": "pong"})
        elif kind == "resync":
            await self._send_snapshot()
        else:
            await self._send_json(
                events.error_event(
                    "unknown_type", _("Unknown message type; use ping or resync.")
                )
            )

    async def broadcast(self, message: dict[str, Any]) -> None:
        """Forward a frame sent with common.realtime (encoded once)."""
        text = message["text"]
        if self.watching and text.startswith('{"type":"analysis"'):
            with contextlib.suppress(ValueError, KeyError, TypeError):
                _delivered[self.conversation_id] = int(
                    json.loads(text)["analysis"]["id"]
                )
        await self.send(text_data=text)
