"""Broadcast frames built once and written straight to daphne's sockets.

A live session broadcasts the same text to thousands of sockets. Through the
ASGI ``send`` each copy passes Channels' session wrapper, daphne's reply
handler and autobahn's framing (which formats colourised debug arguments for
every write, logged or not), then Twisted buffers it and adds and removes an
epoll writer for the socket: about 0.1–0.2 ms per socket, measured with
cProfile in ``bench/live_fanout.py`` (docs/performance.md). A server-to-client
websocket frame is unmasked, so its bytes are the same for every socket:

* :class:`Frame` holds the text and builds the frame bytes once;
* :class:`DirectSendMiddleware` (outermost in the websocket stack) recognises
  daphne's ``send`` and puts a :class:`DirectWriter` in the scope
  (``scope["frame_writer"]``);
* :meth:`DirectWriter.write` writes the bytes to the socket when Twisted has
  nothing buffered for it (what Twisted would do a moment later), otherwise
  appends them to Twisted's buffer, so the byte order on the socket is the
  order of the writes. It declines (returns ``False``) whenever the connection
  is not a plain open websocket with nothing queued, compressed or half-sent
  at the websocket level; the caller then uses the normal ASGI ``send``.

Under any other ASGI server (or a future daphne whose internals differ) no
writer is installed and everything goes through ``send``.
"""

from __future__ import annotations

import functools
import logging
import struct
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

logger = logging.getLogger(__name__)

SCOPE_KEY = "frame_writer"
_announced = False

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def text_frame(payload: bytes) -> bytes:
    """An unmasked, unfragmented websocket text frame (RFC 6455, 5.2)."""
    size = len(payload)
    if size <= 125:
        header = struct.pack("!BB", 0x81, size)
    elif size <= 0xFFFF:
        header = struct.pack("!BBH", 0x81, 126, size)
    else:
        header = struct.pack("!BBQ", 0x81, 127, size)
    return header + payload


class Frame:
    """A text message for many sockets: the text, and its wire bytes built on
    first use."""

    __slots__ = ("_wire", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._wire: bytes | None = None

    @property
    def wire(self) -> bytes:
        if self._wire is None:
            self._wire = text_frame(self.text.encode("utf-8"))
        return self._wire

    def __repr__(self) -> str:
        return f"Frame({self.text[:40]!r})"


class DirectWriter:
    """Writes prepared frames to one daphne websocket connection."""

    __slots__ = ("_open", "_protocol", "_raw")

    def __init__(self, protocol: Any) -> None:
        self._protocol = protocol
        self._open = protocol.STATE_OPEN
        transport = getattr(protocol, "transport", None)
        # Plain TCP (no TLS inside Twisted) with the buffer attributes this
        # module relies on: the bytes may go straight to the socket.
        self._raw = (
            transport is not None
            and getattr(transport, "TLS", True) is False
            and hasattr(transport, "socket")
            and isinstance(getattr(transport, "_tempDataBuffer", None), list)
            and isinstance(getattr(transport, "dataBuffer", None), bytes)
        )

    @classmethod
    def for_send(cls, send: Any) -> DirectWriter | None:
        """A writer if ``send`` is daphne's own reply callable, else None."""
        try:
            from daphne.server import Server
            from daphne.ws_protocol import WebSocketProtocol
        except ImportError:
            return None
        if not (
            isinstance(send, functools.partial)
            and getattr(send.func, "__func__", None) is Server.handle_reply
            and len(send.args) == 1
            and isinstance(send.args[0], WebSocketProtocol)
        ):
            return None
        global _announced
        if not _announced:
            _announced = True
            logger.info("Broadcast frames are written straight to daphne's sockets.")
        return cls(send.args[0])

    def write(self, frame: Frame) -> bool:
        """Write the frame; False if this connection needs the normal path."""
        protocol = self._protocol
        if (
            protocol.state != self._open
            or protocol.send_state != protocol.SEND_STATE_GROUND
            or protocol.send_queue
            or protocol._perMessageCompress is not None
        ):
            return False
        transport = protocol.transport
        data = frame.wire
        if (
            self._raw
            and transport.connected
            and not transport.disconnecting
            and not transport._tempDataBuffer
            and len(transport.dataBuffer) == transport.offset
        ):
            try:
                sent = transport.socket.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                # Let Twisted find the broken socket and close it normally.
                sent = 0
            if sent == len(data):
                return True
            data = data[sent:]
        transport.write(data)
        return True


class DirectSendMiddleware:
    """Outermost websocket middleware: offer a :class:`DirectWriter` to the
    consumers when the server is daphne."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") == "websocket":
            writer = DirectWriter.for_send(send)
            if writer is not None:
                scope = dict(scope)
                scope[SCOPE_KEY] = writer
        await self.app(scope, receive, send)
