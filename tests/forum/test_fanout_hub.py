"""The per-process hub (forum/fanout.py) with a large local audience."""

from __future__ import annotations

import asyncio

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
