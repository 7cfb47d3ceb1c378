"""The per-process hub (forum/fanout.py) with a large local audience."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from channels.db import database_sync_to_async

from common.wsframes import Frame
from forum import fanout, services
from forum.models import Stream
from tests.forum.factories import ForumSessionFactory, member

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

ask = database_sync_to_async(services.ask_question)


class Listener:
    stream = Stream.PUBLIC

    def __init__(self, log: list[str], done: asyncio.Event, expect: int) -> None:
        self.log = log
        self.done = done
        self.expect = expect
        self.events: list[int] = []

    async def deliver_event(self, seq: int, frame: Frame) -> None:
        self.events.append(seq)
        self.log.append("event")
        if self.log.count("event") == self.expect:
            self.done.set()

    async def deliver_state(
        self, kind: str, frame: Frame, question_ids: frozenset[int]
    ) -> None:
        pass


async def test_a_broadcast_to_many_sockets_lets_the_event_loop_breathe(citizen):
    session = await database_sync_to_async(ForumSessionFactory)(status="live")
    log: list[str] = []
    done = asyncio.Event()
    sockets = 3 * fanout.YIELD_EVERY
    listeners = [Listener(log, done, 3 * sockets) for _ in range(sockets)]
    hub = None
    for listener in listeners:
        hub = await fanout.join(session.pk, listener)

    async def ticker() -> None:
        while True:
            log.append("tick")
            await asyncio.sleep(0)

    ticking = asyncio.create_task(ticker())
    try:
        for n in range(3):
            await ask(session_id=session.pk, participant=member(citizen), body=f"Q{n}")
        await asyncio.wait_for(done.wait(), 10)
    finally:
        ticking.cancel()
        for listener in listeners:
            await fanout.leave(hub, listener)

    # Every socket got every event once, in order.
    assert all(listener.events == [1, 2, 3] for listener in listeners)
    # Other work ran in the middle of each broadcast, not only between them.
    events = [i for i, entry in enumerate(log) if entry == "event"]
    first_broadcast = log[events[0] : events[sockets - 1]]
    assert "tick" in first_broadcast, "the loop was held for a whole broadcast"


async def test_tallies_are_spaced_further_apart_for_a_large_audience(monkeypatch):
    hub = fanout.SessionHub(session_id=1)
    log: list[str] = []
    done = asyncio.Event()
    assert hub.tally_interval() == fanout.TALLY_INTERVAL  # nobody there yet
    monkeypatch.setattr(fanout, "TALLY_WRITES_PER_S", 40)
    for count in (5, 10, 20, 30, 40, 80):
        while hub.local_viewers() < count:
            hub.add(Listener(log, done, 0))
        expected = min(
            fanout.TALLY_INTERVAL_MAX, max(fanout.TALLY_INTERVAL, count / 40)
        )
        assert hub.tally_interval() == pytest.approx(expected)
    # 40 local viewers at 40 tally frames a second: one frame a second each,
    # never less often than that, never more often than four a second.
    assert hub.tally_interval() == fanout.TALLY_INTERVAL_MAX


class TallyListener(Listener):
    def __init__(self) -> None:
        super().__init__([], asyncio.Event(), 0)
        self.tallies: list[tuple[float, dict[str, int]]] = []
        self.two = asyncio.Event()

    async def deliver_state(
        self, kind: str, frame: Frame, question_ids: frozenset[int]
    ) -> None:
        if kind == "tally":
            loop = asyncio.get_running_loop()
            self.tallies.append((loop.time(), json.loads(frame.text)["counts"]))
            if len(self.tallies) == 2:
                self.two.set()


async def test_tallies_leave_in_the_order_read_and_spaced_even_when_a_read_is_slow(
    monkeypatch,
):
    """A slow count read (a busy database) must not let a later, faster flush
    overtake it: the viewer would be left with the older count."""
    answers = iter([(0.6, {7: 1}), (0.0, {7: 2})])

    def upvote_counts(session_id, question_ids):
        delay, counts = next(answers)
        time.sleep(delay)
        return counts

    monkeypatch.setattr(fanout.selectors, "upvote_counts", upvote_counts)
    hub = fanout.SessionHub(session_id=1)
    listener = TallyListener()
    hub.add(listener)
    hub.mark_dirty([7])  # read at once, slowly
    await asyncio.sleep(0.3)
    hub.mark_dirty([7])  # due 0.25 s after the first: read fast
    await asyncio.wait_for(listener.two.wait(), 5)
    await asyncio.sleep(0.3)  # nothing else arrives

    assert [counts for _, counts in listener.tallies] == [{"7": 1}, {"7": 2}]
    (first, _), (second, _) = listener.tallies
    assert second - first >= fanout.TALLY_INTERVAL
    await hub.stop()
