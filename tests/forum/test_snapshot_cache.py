"""Visitors of a session share one cached public snapshot (forum/fanout.py).

A burst of visitors connecting to a session this process already serves costs
one database read, not one per socket; the cache never hands out a snapshot
older than what a fresh read would give (an event, an upvote or a second
passing makes the next visitor read again), and whoever has something of
their own to see (a member, a visitor with a browser session, a moderator)
still gets their own snapshot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore

from forum import consumers, fanout, services
from forum.models import ForumSession, Question
from forum.participants import Participant, guest_key
from tests.forum.factories import ForumSessionFactory, guest, member
from tests.forum.test_consumer import next_event, snapshot_of
from tests.helpers import ws_connect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

ask = database_sync_to_async(services.ask_question)
upvote = database_sync_to_async(services.set_upvote)


@pytest.fixture(autouse=True)
def _setup(settings, monkeypatch):
    settings.RATELIMIT_ENABLED = False
    # Generous, so that a slow machine does not expire the cache mid-test;
    # expiry itself has its own test.
    monkeypatch.setattr(fanout, "SNAPSHOT_TTL", 60.0)


@pytest.fixture
def reads(monkeypatch) -> Iterator[dict[str, int]]:
    """Count the database reads a connect can make: ``own`` snapshots (read
    for one socket), ``shared`` ones (the hub's cache) and session lookups."""
    counts = {"all": 0, "shared": 0, "connection": 0}

    def counting(name: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(
        consumers.selectors,
        "build_snapshot",
        counting("all", consumers.selectors.build_snapshot),
    )
    monkeypatch.setattr(
        fanout, "_anonymous_snapshot", counting("shared", fanout._anonymous_snapshot)
    )
    monkeypatch.setattr(
        consumers, "_connection", counting("connection", consumers._connection)
    )
    yield counts


def own_reads(counts: dict[str, int]) -> int:
    return counts["all"] - counts["shared"]


@pytest.fixture
def live(citizen):
    session = ForumSessionFactory(status="live", login_required=False)
    services.ask_question(
        session_id=session.pk, participant=member(citizen), body="First"
    )
    return session


async def visitor(session_id: int) -> tuple[Any, dict[str, Any]]:
    comm, connected, _ = await ws_connect(f"/ws/sessions/{session_id}/")
    assert connected
    return comm, await snapshot_of(comm)


async def test_a_burst_of_visitors_costs_one_database_read(live, reads):
    first, expected = await visitor(live.pk)
    others = await asyncio.gather(*(visitor(live.pk) for _ in range(12)))
    for _comm, snapshot in others:
        assert {**snapshot, "viewers": 0} == {**expected, "viewers": 0}
        assert [q["body"] for q in snapshot["questions"]] == ["First"]
    # The first visitor found the session and started the hub; the others
    # needed neither the session row nor a snapshot of their own.
    assert own_reads(reads) == 0
    assert reads["shared"] == 1 and reads["connection"] == 1
    for comm in [first, *(c for c, _ in others)]:
        await comm.disconnect()


async def test_the_next_visitor_sees_an_upvote_and_a_question_made_meanwhile(
    live, citizen, reads
):
    first, before = await visitor(live.pk)
    question = before["questions"][0]
    assert question["upvotes"] == 0

    await upvote(question_id=question["id"], participant=guest(1), upvoted=True)
    while (await next_event_or_tally(first))["type"] != "tally":
        pass
    _, after_upvote = await visitor(live.pk)
    assert after_upvote["questions"][0]["upvotes"] == 1

    await ask(session_id=live.pk, participant=member(citizen), body="Second")
    assert (await next_event(first))["type"] == "question.added"
    _, after_question = await visitor(live.pk)
    assert after_question["seq"] == before["seq"] + 1
    assert [q["body"] for q in after_question["questions"]] == ["First", "Second"]
    assert reads["shared"] == 3  # one read per change, none per viewer
    await first.disconnect()


async def next_event_or_tally(comm: Any) -> dict[str, Any]:
    while True:
        frame = await comm.receive_json_from(timeout=5)
        if frame["type"] != "presence":
            return frame


async def test_the_cache_expires(live, reads, monkeypatch):
    monkeypatch.setattr(fanout, "SNAPSHOT_TTL", 0.2)
    first, _ = await visitor(live.pk)
    # A change no event announces (an administrator's edit): after the
    # cache's lifetime, a new visitor sees it.
    await database_sync_to_async(
        lambda: ForumSession.objects.filter(pk=live.pk).update(title="Renamed")
    )()
    await asyncio.sleep(0.3)
    _, snapshot = await visitor(live.pk)
    assert snapshot["session"]["title"] == "Renamed"
    assert reads["shared"] == 2
    await first.disconnect()


async def test_members_guests_with_a_session_and_moderators_get_their_own(
    live, citizen, moderator, reads
):
    await database_sync_to_async(
        lambda: ForumSession.objects.filter(pk=live.pk).update(premoderation=True)
    )()
    await database_sync_to_async(live.moderators.add)(moderator)
    # A visitor with a browser session asks a question that waits for review.
    store = SessionStore()
    await database_sync_to_async(store.create)()
    asker = Participant(
        user=AnonymousUser(), key=guest_key(str(store.session_key)), ip="127.0.0.1"
    )
    pending = await ask(session_id=live.pk, participant=asker, body="Mine, pending")

    public, shared = await visitor(live.pk)
    assert "Mine, pending" not in str(shared)

    comm, connected, _ = await ws_connect(
        f"/ws/sessions/{live.pk}/",
        headers=[
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={store.session_key}".encode())
        ],
    )
    assert connected
    own = await snapshot_of(comm)
    assert [q["status"] for q in own["questions"] if q["id"] == pending.pk] == [
        "pending"
    ]

    mods, _, _ = await ws_connect(f"/ws/sessions/{live.pk}/", user=moderator)
    assert (await snapshot_of(mods))["stream"] == "moderators"
    author, _, _ = await ws_connect(f"/ws/sessions/{live.pk}/", user=citizen)
    assert (await snapshot_of(author))["stream"] == "public"

    assert reads["shared"] == 1
    assert own_reads(reads) == 3  # the guest, the moderator, the member
    assert await database_sync_to_async(Question.objects.count)() == 2
    for c in (public, comm, mods, author):
        await c.disconnect()
