"""Per-process fan-out: one channel-layer subscription per session per process.

Plain Channels gives every websocket its own channel and group membership, so a
broadcast to a session with 5,000 viewers is 5,000 channel-layer deliveries (and,
with Redis, 5,000 subscriptions). Here each daphne process runs one
:class:`SessionHub` per session that has viewers in that process. The hub holds
two channels (public stream, moderators' stream) in the session's two groups,
receives each frame once, and hands the already-encoded text to its local
sockets. The hub also

* delivers each stream's events in ``seq`` order without gaps or duplicates:
  an event that arrives early waits briefly for the missing ones, which are
  then read from the database (they are persisted before they are broadcast);
  a poll every second catches events whose broadcast was lost (Redis restart);
* coalesces upvote counts: services send ``tally.dirty`` notices; the hub
  reads the current counts at most every 0.25 s (up to 1 s with thousands of
  local viewers, see ``TALLY_WRITES_PER_S``) and sends one ``tally`` frame
  with what changed, so every viewer gets at most four per second;
* keeps the public snapshot that visitors without a browser session start
  from (the same for all of them), so that a burst of connects costs one
  database read per change instead of one per socket (:meth:`public_snapshot`);
* counts viewers across processes: each hub publishes its local count to the
  session group (``presence.report``) when it changes and every two seconds;
  every hub adds up the reports it has heard in the last five seconds and sends
  ``presence`` to its sockets at most once a second.

Nothing here is shared between processes except through the channel layer and
the database, so any number of daphne processes can serve one session.
"""

from __future__ import annotations

import asyncio
import json
import logging
import pprint
import uuid
import weakref
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, ParamSpec, Protocol, TypeVar

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth.models import AnonymousUser

from common.realtime import asend_now, encode
from common.wsframes import Frame
from forum import events, selectors
from forum.groups import moderator_group, session_group
from forum.models import Stream
from forum.participants import Participant

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


def read_db(function: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """Run a read-only selector in a worker thread, closing stale connections
    around it. Not thread-sensitive: the reads of many sockets run in parallel
    instead of queueing behind the one thread Channels uses by default (a
    burst of connects would otherwise wait long enough to time out)."""
    return database_sync_to_async(function, thread_sensitive=False)  # type: ignore[no-any-return]


TALLY_INTERVAL = 0.25  # at most four tally frames per second
# With a large audience in one process the hub spaces tallies further apart,
# up to once a second: at most about this many tally frames per second leave
# a process in all (5,000 local viewers: one tally a second each). Counts stay
# exact; they only reach the screen a little later, and the sockets' (and the
# machine's) time goes to the events themselves.
TALLY_WRITES_PER_S = 5000
TALLY_INTERVAL_MAX = 1.0
PRESENCE_INTERVAL = 1.0  # at most one presence frame per second
PRESENCE_REPORT_EVERY = 2.0
PRESENCE_TTL = 5.0
GAP_WAIT = 0.15  # how long an early event waits for the ones before it
POLL_INTERVAL = 1.0  # database check for events whose broadcast was lost
RECONCILE_EVERY = 3  # polls between full upvote-count reconciliations
REJOIN_EVERY = 600.0  # refresh group membership (in-memory groups expire)
# Sockets served between yields to the event loop during a broadcast, so that
# handshakes, HTTP requests and other broadcasts (a question while a tally is
# going out) are not held up for the whole audience.
YIELD_EVERY = 250
SNAPSHOT_TTL = 1.0  # a cached public snapshot is re-read at least this often
SNAPSHOT_TRIES = 3  # cache reads before a connect reads its own snapshot


@dataclass(frozen=True)
class _Snapshot:
    payload: dict[str, Any]
    generation: int  # the hub's count generation when the read started
    started: float  # loop time when the read started


def _anonymous_snapshot(session_id: int) -> dict[str, Any]:
    return selectors.build_snapshot(
        session_id, Participant(user=AnonymousUser(), key="")
    )


class _LazyPformat:
    """``pprint.pformat`` deferred until a log line is actually written."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __str__(self) -> str:
        return pprint.pformat(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def lazy_autobahn_connection_log() -> None:
    """autobahn (daphne's websocket layer) pretty-prints its ~40 settings for
    a debug log line on every new connection, even when debug logging is off:
    milliseconds of the event loop per connect, paid by every other socket
    during a burst of thousands of connects (measured with cProfile, see
    docs/performance.md). Make that formatting lazy."""
    try:
        from autobahn.websocket import protocol
    except ImportError:  # another ASGI server: nothing to do
        return
    protocol.pformat = _LazyPformat  # type: ignore[attr-defined,assignment]


class Listener(Protocol):
    """A local socket (the consumer) as the hub sees it."""

    stream: str

    # Either done at once (None) or an awaitable the hub awaits: a broadcast
    # to thousands of sockets creates no coroutine for the ones written
    # directly.

    def deliver_event(self, seq: int, frame: Frame) -> Awaitable[None] | None: ...

    def deliver_state(
        self, kind: str, frame: Frame, question_ids: frozenset[int]
    ) -> Awaitable[None] | None: ...


class SessionHub:
    def __init__(self, session_id: int) -> None:
        self.session_id = session_id
        self.id = uuid.uuid4().hex
        self.listeners: dict[str, set[Listener]] = {
            Stream.PUBLIC: set(),
            Stream.MODERATORS: set(),
        }
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # A start-up failure is raised to the first socket; later ones see it
        # through ``ready`` (mark it retrieved so no warning is logged).
        self.ready.add_done_callback(lambda f: f.cancelled() or f.exception())
        self._layer: Any = get_channel_layer()
        self._channels: dict[str, str] = {}
        self._groups: dict[str, str] = {
            Stream.PUBLIC: session_group(session_id),
            Stream.MODERATORS: moderator_group(session_id),
        }
        self._last_seq: dict[str, int] = {}
        self._early: dict[str, dict[int, str]] = {s: {} for s in self._groups}
        self._locks: dict[str, asyncio.Lock] = {s: asyncio.Lock() for s in self._groups}
        self._gap_tasks: dict[str, asyncio.Task[None]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        # Tally state.
        self._counts: dict[int, int] = {}
        self._dirty: set[int] = set()
        self._dirty_all = False
        self._force: set[int] = set()
        self._flush_task: asyncio.Task[None] | None = None
        self._last_flush = 0.0
        self._last_sent = 0.0
        self._tally_lock = asyncio.Lock()
        # Presence state: hub id -> (viewers, when heard).
        self._reports: dict[str, tuple[int, float]] = {}
        self._sent_viewers: int | None = None
        # Public snapshot cache: valid while no event and no count change has
        # been heard since its read started (and for at most SNAPSHOT_TTL).
        self._generation = 0
        self._snapshot: _Snapshot | None = None
        self._snapshot_read: asyncio.Future[_Snapshot] | None = None
        self.stopped = False

    # --- lifecycle -------------------------------------------------------------

    async def start(self) -> None:
        try:
            if self._layer is not None:
                for stream, group in self._groups.items():
                    channel = await self._layer.new_channel(prefix="forum-hub.")
                    await self._layer.group_add(group, channel)
                    self._channels[stream] = channel
            self._last_seq = await read_db(selectors.latest_seqs)(self.session_id)
            for stream in self._channels:
                self._spawn(self._receive(stream))
            self._spawn(self._poll())
            self._spawn(self._presence())
        except BaseException as exc:
            self.ready.set_exception(exc)
            await self.stop()
            raise
        self.ready.set_result(None)

    def _spawn(self, coro: Any) -> None:
        self._tasks.append(asyncio.create_task(coro))

    async def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        tasks = [*self._tasks, *self._gap_tasks.values()]
        if self._flush_task is not None:
            tasks.append(self._flush_task)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._layer is not None:
            try:
                await asend_now(
                    self._groups[Stream.PUBLIC], events.presence_report(self.id, 0)
                )
                for stream, channel in self._channels.items():
                    await self._layer.group_discard(self._groups[stream], channel)
            except Exception:
                logger.warning("hub %s: channel layer clean-up failed", self.id)

    def add(self, listener: Listener) -> None:
        self.listeners[listener.stream].add(listener)

    def discard(self, listener: Listener) -> None:
        self.listeners[listener.stream].discard(listener)

    @property
    def empty(self) -> bool:
        return not any(self.listeners.values())

    def _all_listeners(self) -> list[Listener]:
        return [*self.listeners[Stream.PUBLIC], *self.listeners[Stream.MODERATORS]]

    def local_viewers(self) -> int:
        return sum(len(group) for group in self.listeners.values())

    def viewers(self) -> int:
        """Viewers of the session in every process, as last heard."""
        now = asyncio.get_running_loop().time()
        others = sum(
            count
            for hub, (count, heard) in self._reports.items()
            if hub != self.id and now - heard < PRESENCE_TTL
        )
        return others + self.local_viewers()

    # --- receiving -------------------------------------------------------------

    async def _receive(self, stream: str) -> None:
        channel = self._channels[stream]
        while True:
            try:
                message = await self._layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("hub %s: receive failed; retrying", self.id)
                await asyncio.sleep(1)
                continue
            if message.get("type") != "broadcast":
                continue
            try:
                await self._dispatch(stream, message["text"])
            except Exception:
                logger.exception("hub %s: could not handle a frame", self.id)

    async def _dispatch(self, stream: str, text: str) -> None:
        payload = json.loads(text)
        kind = payload.get("type")
        if kind == events.TALLY_DIRTY:
            self._generation += 1
            self.mark_dirty(int(q) for q in payload.get("questions", []))
        elif kind == events.PRESENCE_REPORT:
            loop = asyncio.get_running_loop()
            self._reports[str(payload["hub"])] = (int(payload["viewers"]), loop.time())
        elif isinstance(payload.get("seq"), int):
            await self._on_event(stream, payload["seq"], text)

    # --- ordered, gap-free events ---------------------------------------------

    async def _on_event(self, stream: str, seq: int, text: str) -> None:
        async with self._locks[stream]:
            if seq <= self._last_seq.get(stream, 0):
                return  # already delivered (duplicate, or read from the database)
            self._early[stream][seq] = text
            await self._drain(stream)

    async def _drain(self, stream: str) -> None:
        early = self._early[stream]
        while (nxt := self._last_seq.get(stream, 0) + 1) in early:
            frame = Frame(early.pop(nxt))  # encoded once for every socket
            self._last_seq[stream] = nxt
            for n, listener in enumerate(list(self.listeners[stream]), 1):
                if n % YIELD_EVERY == 0:
                    await asyncio.sleep(0)
                try:
                    if (pending := listener.deliver_event(nxt, frame)) is not None:
                        await pending
                except Exception:  # one broken socket must not starve the others
                    logger.exception("hub %s: delivery failed", self.id)
        if early and stream not in self._gap_tasks:
            self._gap_tasks[stream] = asyncio.create_task(self._fill_gap(stream))

    async def _fill_gap(self, stream: str) -> None:
        try:
            await asyncio.sleep(GAP_WAIT)
            await self._catch_up(stream, upto=None)
        finally:
            self._gap_tasks.pop(stream, None)

    async def _catch_up(self, stream: str, upto: int | None) -> None:
        """Read missed events from the database and deliver them in order."""
        async with self._locks[stream]:
            early = self._early[stream]
            last = self._last_seq.get(stream, 0)
            target = upto if upto is not None else max(early, default=last)
            if target <= last:
                return
            frames = await read_db(selectors.event_frames)(
                self.session_id, stream, last, target
            )
            for seq, text in frames:
                early.setdefault(seq, text)
            await self._drain(stream)
            if early and min(early) > self._last_seq.get(stream, 0) + 1:
                # Not in the database either (cannot happen while events are
                # kept): skip ahead; clients see the gap and resynchronise.
                logger.warning("hub %s: events missing before %d", self.id, min(early))
                self._last_seq[stream] = min(early) - 1
                await self._drain(stream)

    async def _poll(self) -> None:
        loop = asyncio.get_running_loop()
        polls = 0
        rejoined = loop.time()
        while True:
            await asyncio.sleep(POLL_INTERVAL)
            polls += 1
            try:
                latest = await read_db(selectors.latest_seqs)(self.session_id)
                for stream, seq in latest.items():
                    if seq > self._last_seq.get(stream, 0) and self.listeners[stream]:
                        await self._catch_up(stream, upto=seq)
                    elif not self.listeners[stream]:
                        self._last_seq[stream] = max(seq, self._last_seq.get(stream, 0))
                if polls % RECONCILE_EVERY == 0:
                    self.mark_dirty(None)
                if self._layer is not None and loop.time() - rejoined > REJOIN_EVERY:
                    rejoined = loop.time()
                    for stream, channel in self._channels.items():
                        await self._layer.group_add(self._groups[stream], channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("hub %s: poll failed", self.id)

    # --- tallies ---------------------------------------------------------------

    def tally_interval(self) -> float:
        """Seconds between two tally frames of this hub."""
        spread = self.local_viewers() / TALLY_WRITES_PER_S
        return min(TALLY_INTERVAL_MAX, max(TALLY_INTERVAL, spread))

    def mark_dirty(
        self, question_ids: Iterable[int] | None, *, force: bool = False
    ) -> None:
        """Schedule a tally for these questions (None: all of them)."""
        if question_ids is None:
            self._dirty_all = True
        else:
            ids = set(question_ids)
            self._dirty |= ids
            if force:
                self._force |= ids
        if self._flush_task is None and not self.stopped:
            self._flush_task = asyncio.create_task(self._flush_tally())

    async def _flush_tally(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            await asyncio.sleep(
                max(0.0, self._last_flush + self.tally_interval() - loop.time())
            )
            ids: set[int] | None = None if self._dirty_all else set(self._dirty)
            force = self._force
            self._dirty, self._dirty_all, self._force = set(), False, set()
            self._last_flush = loop.time()
        finally:
            self._flush_task = None
        async with self._tally_lock:
            # One flush at a time, so that tallies leave in the order their
            # counts were read, each at least an interval after the last one
            # (at every socket, whatever the database's speed).
            await asyncio.sleep(
                max(0.0, self._last_sent + self.tally_interval() - loop.time())
            )
            await self._send_tally(ids, force)

    async def _send_tally(self, ids: set[int] | None, force: set[int]) -> None:
        try:
            counts = await read_db(selectors.upvote_counts)(self.session_id, ids)
        except Exception:
            logger.exception("hub %s: could not read counts", self.id)
            self.mark_dirty(ids, force=bool(force))
            return
        changed = {
            pk: n
            for pk, n in counts.items()
            if self._counts.get(pk) != n or pk in force
        }
        self._counts.update(counts)
        if not changed:
            return
        self._generation += 1  # e.g. found by a reconciliation
        frame = Frame(encode(events.tally(changed)))
        changed_ids = frozenset(changed)
        await self._deliver_state(events.TALLY, frame, changed_ids)
        self._last_sent = asyncio.get_running_loop().time()

    async def _deliver_state(
        self, kind: str, frame: Frame, question_ids: frozenset[int]
    ) -> None:
        for n, listener in enumerate(self._all_listeners(), 1):
            if n % YIELD_EVERY == 0:
                await asyncio.sleep(0)
            try:
                pending = listener.deliver_state(kind, frame, question_ids)
                if pending is not None:
                    await pending
            except Exception:
                logger.exception("hub %s: delivery failed", self.id)

    # --- snapshots -------------------------------------------------------------

    def _snapshot_fresh(self, snapshot: _Snapshot | None) -> bool:
        """Whether a socket that has joined may start from ``snapshot``: read
        after every count change heard so far, covering every event delivered
        so far (so none was missed before the socket joined), and recent."""
        if snapshot is None:
            return False
        loop = asyncio.get_running_loop()
        return (
            snapshot.generation == self._generation
            and snapshot.payload["seq"] >= self._last_seq.get(Stream.PUBLIC, 0)
            and loop.time() - snapshot.started < SNAPSHOT_TTL
        )

    async def _read_snapshot(self) -> _Snapshot:
        loop = asyncio.get_running_loop()
        generation, started = self._generation, loop.time()
        try:
            payload = await read_db(_anonymous_snapshot)(self.session_id)
        finally:
            self._snapshot_read = None
        snapshot = _Snapshot(payload, generation, started)
        self._snapshot = snapshot
        return snapshot

    async def public_snapshot(self) -> dict[str, Any]:
        """The snapshot of a visitor without a browser session (public
        stream, no pending questions of their own); call after joining. One
        read serves every socket that connects while it is fresh."""
        for _ in range(SNAPSHOT_TRIES):
            if self._snapshot_fresh(self._snapshot):
                return self._snapshot.payload  # type: ignore[union-attr]
            if self._snapshot_read is None:
                self._snapshot_read = asyncio.ensure_future(self._read_snapshot())
            snapshot = await asyncio.shield(self._snapshot_read)
            if self._snapshot_fresh(snapshot):
                return snapshot.payload
        # Counts changing faster than a read completes: read our own.
        return await read_db(_anonymous_snapshot)(self.session_id)

    # --- presence --------------------------------------------------------------

    async def _presence(self) -> None:
        loop = asyncio.get_running_loop()
        reported: int | None = None
        reported_at = 0.0
        while True:
            try:
                local = self.local_viewers()
                now = loop.time()
                self._reports[self.id] = (local, now)
                if local != reported or now - reported_at >= PRESENCE_REPORT_EVERY:
                    reported, reported_at = local, now
                    if self._layer is not None:
                        await asend_now(
                            self._groups[Stream.PUBLIC],
                            events.presence_report(self.id, local),
                        )
                total = self.viewers()
                if total != self._sent_viewers:
                    self._sent_viewers = total
                    frame = Frame(encode(events.presence(total)))
                    await self._deliver_state(events.PRESENCE, frame, frozenset())
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("hub %s: presence failed", self.id)
            await asyncio.sleep(PRESENCE_INTERVAL)


# One registry per event loop (a process normally has one; tests have many).
_registries: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[int, SessionHub]
] = weakref.WeakKeyDictionary()


def _registry() -> dict[int, SessionHub]:
    loop = asyncio.get_running_loop()
    registry = _registries.get(loop)
    if registry is None:
        registry = _registries[loop] = {}
    return registry


def running_hub(session_id: int) -> SessionHub | None:
    """This process's started hub for the session, if any: the session
    exists and sockets are watching it."""
    hub = _registry().get(session_id)
    if hub is None or hub.stopped or not hub.ready.done():
        return None
    if hub.ready.cancelled() or hub.ready.exception() is not None:
        return None
    return hub


async def join(session_id: int, listener: Listener) -> SessionHub:
    """Attach a socket to its session's hub in this process (starting it)."""
    registry = _registry()
    hub = registry.get(session_id)
    if hub is None or hub.stopped:
        hub = registry[session_id] = SessionHub(session_id)
        hub.add(listener)
        try:
            await hub.start()
        except BaseException:
            if registry.get(session_id) is hub:
                del registry[session_id]
            raise
        return hub
    hub.add(listener)
    try:
        await asyncio.shield(hub.ready)
    except BaseException:
        hub.discard(listener)
        raise
    return hub


async def leave(hub: SessionHub, listener: Listener) -> None:
    """Detach a socket; the last one out stops the hub."""
    hub.discard(listener)
    if hub.empty:
        registry = _registry()
        if registry.get(hub.session_id) is hub:
            del registry[hub.session_id]
        await hub.stop()
