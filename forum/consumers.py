"""The live-session websocket: ``ws/sessions/<id>/?since=<seq>``.

Thin and async: it authorises, attaches to the process's fan-out hub for the
session (forum/fanout.py), sends a replay of the missed events or a snapshot,
then forwards frames. It reaches the database only through
``database_sync_to_async`` around selectors (``fanout.read_db``). Writes never
arrive here (they go over HTTP with CSRF); the only client messages are ``ping``
and ``resync``.
Anything else, malformed JSON, frames over 64 KB and floods get an ``error``
frame or a close. Protocol: docs/realtime.md.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.realtime import encode
from common.wsframes import SCOPE_KEY, DirectWriter, Frame
from forum import events, fanout, selectors
from forum.fanout import read_db
from forum.models import ForumSession, Stream
from forum.participants import Participant, participant_from_scope

logger = logging.getLogger(__name__)

fanout.lazy_autobahn_connection_log()

MAX_FRAME = 64 * 1024
# Client messages: a burst of FLOOD_BURST, refilled at FLOOD_RATE per second.
FLOOD_RATE = 5.0
FLOOD_BURST = 20
FLOOD_STRIKES = 3  # error frames for flooding before the socket is closed

# Application close codes. Daphne's websocket layer (autobahn) lets an
# application close only with 1000 or 3000-4999 and ignores anything else, so
# the socket would stay open: the codes mirror 1009 (too big), 1008 (policy)
# and 1011 (server error) in the private range.
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_LARGE = 4009
CLOSE_POLICY = 4008
CLOSE_SERVER_ERROR = 4011


ERROR_MESSAGES = {
    "bad_frame": gettext_lazy("Send JSON text frames."),
    "bad_json": gettext_lazy("That message is not valid JSON."),
    "unknown_type": gettext_lazy("Unknown message type; send “ping” or “resync”."),
}


@dataclass(frozen=True)
class ClientMessage:
    kind: Literal["ping", "resync"]
    since: int | None = None  # resync: replay after this seq (None: snapshot)


def parse_message(text: str | None) -> ClientMessage | str:
    """A client frame as a message, or the code of the error it deserves.
    Total: any input gives one or the other, never an exception."""
    if text is None:
        return "bad_frame"
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):
        return "bad_json"
    kind = message.get("type") if isinstance(message, dict) else None
    if kind == "ping":
        return ClientMessage("ping")
    if kind == "resync":
        since = message.get("since")
        valid = isinstance(since, int) and not isinstance(since, bool) and since >= 0
        return ClientMessage("resync", since if valid else None)
    return "unknown_type"


def _connection(session_id: int, participant: Participant) -> str | None:
    session = ForumSession.objects.filter(pk=session_id).first()
    return selectors.stream_for(session, participant) if session else None


class LiveSessionConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    # Sockets get no channel of their own: the process's hub is the only
    # channel-layer subscriber for a session and delivers frames locally.
    channel_layer_alias = "forum.no-socket-channel"

    hub: fanout.SessionHub | None = None
    stream: str = ""
    _writer: DirectWriter | None = None

    async def connect(self) -> None:
        try:
            self.session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
            self.participant = participant_from_scope(self.scope)
            served = fanout.running_hub(self.session_id) is not None
            if self.participant.is_member or not served:
                stream = await read_db(_connection)(self.session_id, self.participant)
            else:
                # A visitor (who cannot moderate) of a session this process
                # already serves: the public stream, without a database read.
                stream = Stream.PUBLIC
        except Exception:
            logger.exception("websocket connect failed")
            await self.close(code=1011)
            return
        if stream is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.stream = stream
        self._writer: DirectWriter | None = self.scope.get(SCOPE_KEY)
        self.last_seq = 0
        self._syncing = True
        self._buffer: list[tuple[int, str]] = []
        self._skipped_tally: set[int] = set()
        self._skipped_presence = False
        self._tokens = float(FLOOD_BURST)
        self._refilled = asyncio.get_running_loop().time()
        self._strikes = 0
        await self.accept()
        try:
            self.hub = await fanout.join(self.session_id, self)
            await self._replay_or_snapshot(self._since_from_query())
        except Exception:
            logger.exception("websocket start failed")
            await self.close(code=CLOSE_SERVER_ERROR)

    async def disconnect(self, code: int) -> None:
        if self.hub is not None:
            hub, self.hub = self.hub, None
            await fanout.leave(hub, self)

    def _since_from_query(self) -> int | None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        raw = (query.get("since") or [""])[0]
        return int(raw) if raw.isdigit() and len(raw) < 19 else None

    async def _send_json(self, payload: dict[str, Any]) -> None:
        await self.send(text_data=encode(payload))

    async def _replay_or_snapshot(self, since: int | None) -> None:
        """Replay the events after ``since``, or send a snapshot; events that
        arrive meanwhile are held and sent after it, minus those it covers."""
        assert self.hub is not None  # noqa: S101
        self._syncing = True
        frames = None
        if since is not None:
            frames = await read_db(selectors.events_since)(
                self.session_id, self.stream, since
            )
        if frames is None:
            if self._shares_public_snapshot():
                snapshot = {
                    **await self.hub.public_snapshot(),
                    "viewers": self.hub.viewers(),
                }
            else:
                snapshot = await read_db(selectors.build_snapshot)(
                    self.session_id, self.participant, viewers=self.hub.viewers()
                )
            self.last_seq = snapshot["seq"]
            await self._send_json(snapshot)
        else:
            for text in frames:
                await self.send(text_data=text)
            self.last_seq = max(self.last_seq, (since or 0) + len(frames))
            counts = await read_db(selectors.upvote_counts)(self.session_id, None)
            await self._send_json(events.tally(counts))
            await self._send_json(events.presence(self.hub.viewers()))
        while self._buffer:
            seq, text = self._buffer.pop(0)
            if seq > self.last_seq:
                self.last_seq = seq
                await self.send(text_data=text)
        self._syncing = False
        if self._skipped_presence:
            self._skipped_presence = False
            await self._send_json(events.presence(self.hub.viewers()))
        if self._skipped_tally:
            skipped, self._skipped_tally = self._skipped_tally, set()
            self.hub.mark_dirty(skipped, force=True)

    def _shares_public_snapshot(self) -> bool:
        """A visitor without a browser session sees exactly the public
        questions, like every other such visitor (no pending ones of their
        own): their snapshot can come from the hub's cache."""
        return self.stream == Stream.PUBLIC and not self.participant.key

    # --- from the hub -----------------------------------------------------------

    def _send_frame(self, frame: Frame) -> Awaitable[None] | None:
        """The hot path of the fan-out: the frame's bytes, built once, written
        straight to the socket under daphne (common/wsframes.py), with no
        coroutine per socket; otherwise the ASGI send for the hub to await
        (skipping the generic consumer's wrappers)."""
        if self._writer is not None and self._writer.write(frame):
            return None
        return self.base_send({"type": "websocket.send", "text": frame.text})  # type: ignore[no-any-return]

    # The hub calls these for every socket of a broadcast and awaits the
    # result only when it is not None.

    def deliver_event(self, seq: int, frame: Frame) -> Awaitable[None] | None:
        if self._syncing:
            self._buffer.append((seq, frame.text))
        elif seq > self.last_seq:
            self.last_seq = seq
            return self._send_frame(frame)
        return None

    def deliver_state(
        self, kind: str, frame: Frame, question_ids: frozenset[int]
    ) -> Awaitable[None] | None:
        if self._syncing:
            # State read before our snapshot might be older than it: skip it,
            # and send fresh state once the snapshot is out.
            if kind == events.PRESENCE:
                self._skipped_presence = True
            self._skipped_tally |= question_ids
            return None
        return self._send_frame(frame)

    # --- from the browser -------------------------------------------------------

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None
    ) -> None:
        try:
            await self._handle(text_data, bytes_data)
        except Exception:
            logger.exception("websocket message failed")
            await self._error("server_error", _("Something went wrong."))

    def _take_token(self) -> bool:
        now = asyncio.get_running_loop().time()
        self._tokens = min(
            float(FLOOD_BURST), self._tokens + (now - self._refilled) * FLOOD_RATE
        )
        self._refilled = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True

    async def _error(self, code: str, message: str) -> None:
        await self._send_json(events.error(code, message))

    async def _handle(self, text: str | None, data: bytes | None) -> None:
        size = len(text.encode("utf-8", "surrogatepass")) if text else len(data or b"")
        if size > MAX_FRAME:
            await self._error("too_large", _("Messages are limited to 64 KB."))
            await self.close(code=CLOSE_TOO_LARGE)
            return
        if not self._take_token():
            self._strikes += 1
            if self._strikes > FLOOD_STRIKES:
                await self.close(code=CLOSE_POLICY)
                return
            await self._error("flood", _("Too many messages: slow down."))
            return
        message = parse_message(text)
        if isinstance(message, str):
            await self._error(message, str(ERROR_MESSAGES[message]))
        elif message.kind == "ping":
            await self._send_json(events.pong())
        else:
            await self._replay_or_snapshot(message.since)
