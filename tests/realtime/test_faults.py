"""Faults during a live session served by two daphne processes and Redis.

Each test starts a private redis-server and two daphne processes against this
run's PostgreSQL database, connects viewers that behave like live.js, makes
changes over HTTP, breaks something (Redis restarts, a daphne process is
killed) and checks that every viewer ends with exactly the server's questions
and upvote counts (and seq) within five seconds of recovery. PostgreSQL only:
two processes writing to one SQLite file is not a supported deployment.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from forum import selectors
from forum.models import Stream
from tests.factories import make_user
from tests.forum.factories import ForumSessionFactory
from tests.helpers import session_cookie_for
from tests.realtime.servers import Api, Daphne, RedisServer, Viewer

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(120),  # includes creating the test database
]

RECOVERY = 5.0  # seconds within which every viewer must match the server


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.close()


@pytest.fixture
def cluster(redis_server, transactional_db) -> Iterator[list[Daphne]]:
    servers = [Daphne(redis_url=redis_server.url) for _ in range(2)]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def scene(transactional_db) -> tuple[int, list[Api]]:
    session = ForumSessionFactory(status="live")
    users = [make_user(display_name=f"Voter {n}") for n in range(6)]
    return session.pk, [Api(session_cookie_for(user)) for user in users]


def server_state(session_id: int) -> tuple[int, dict[int, int]]:
    try:
        seq = selectors.latest_seqs(session_id)[Stream.PUBLIC]
        return seq, selectors.upvote_counts(session_id, None)
    finally:
        connection.close()  # this thread's; the test's flush must not wait


async def converged(viewers: list[Viewer], session_id: int, seconds: float) -> float:
    """Seconds until every viewer's state equals the server's (fails after
    ``seconds``, showing who differs)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while True:
        expected = await sync_to_async(server_state)(session_id)
        states = [viewer.state() for viewer in viewers]
        if all(state == expected for state in states):
            return loop.time() - start
        if loop.time() - start > seconds:
            wrong = [s for s in states if s != expected]
            pytest.fail(
                f"{len(wrong)} of {len(viewers)} viewers differ from the server "
                f"{expected} after {seconds} s, e.g. {wrong[0]}"
            )
        await asyncio.sleep(0.1)


async def activity(
    servers: list[Daphne], session_id: int, apis: list[Api], questions: int
) -> list[int]:
    """Ask ``questions`` questions (alternating processes) and upvote them."""
    asked: list[int] = []
    for n in range(questions):
        base = servers[n % len(servers)].http
        status, question = await apis[n % len(apis)].apost(
            base,
            f"/api/sessions/{session_id}/questions/",
            {"body": f"Question {n}", "anonymous": False, "agenda_item": None},
        )
        assert status == 201, question
        asked.append(question["id"])
        for k, api in enumerate(apis[: n % len(apis) + 1]):
            status, answer = await api.apost(
                servers[k % len(servers)].http,
                f"/api/questions/{question['id']}/upvote/",
            )
            assert status == 200, answer
    return asked


async def start_viewers(
    servers: list[Daphne], session_id: int, per_server: int
) -> list[Viewer]:
    viewers = []
    for n in range(per_server * len(servers)):
        own = servers[n % len(servers)]
        others = [s.ws for s in servers if s is not own]
        viewers.append(Viewer([own.ws, *others], session_id))
    for viewer in viewers:
        viewer.start()
    await asyncio.wait_for(
        asyncio.gather(*(v.connected.wait() for v in viewers)), timeout=15
    )
    return viewers


def test_viewers_resync_after_a_redis_restart(cluster, redis_server, scene):
    session_id, apis = scene

    async def scenario() -> dict[str, Any]:
        viewers = await start_viewers(cluster, session_id, per_server=5)
        try:
            await activity(cluster, session_id, apis, questions=3)
            await converged(viewers, session_id, RECOVERY)

            redis_server.stop()
            # Writes keep working while Redis is down (the broadcast is lost,
            # the event is in the database).
            await activity(cluster, session_id, apis, questions=2)
            await asyncio.sleep(1)
            redis_server.start()
            back = time.monotonic()
            await activity(cluster, session_id, apis, questions=2)
            await converged(viewers, session_id, RECOVERY - (time.monotonic() - back))

            # And changes after the recovery keep reaching every viewer.
            await activity(cluster, session_id, apis, questions=1)
            await converged(viewers, session_id, RECOVERY)
            return {"duplicates": sum(v.duplicates for v in viewers)}
        finally:
            for viewer in viewers:
                await viewer.close()

    result = asyncio.run(scenario())
    assert result["duplicates"] == 0


def test_viewers_of_a_killed_process_reconnect_to_the_other(cluster, scene):
    session_id, apis = scene
    alive, doomed = cluster

    async def scenario() -> list[Viewer]:
        viewers = await start_viewers(cluster, session_id, per_server=5)
        try:
            await activity(cluster, session_id, apis, questions=3)
            await converged(viewers, session_id, RECOVERY)

            doomed.kill()
            killed = time.monotonic()
            # Changes go on through the surviving process meanwhile.
            await activity([alive], session_id, apis, questions=3)
            await converged(viewers, session_id, RECOVERY - (time.monotonic() - killed))
            return viewers
        finally:
            for viewer in viewers:
                await viewer.close()

    viewers = asyncio.run(scenario())
    moved = [v for v in viewers if v.servers_used[0] == doomed.ws]
    assert len(moved) == 5
    # They reconnected (to the survivor, with ?since) and lost nothing.
    assert all(v.connects >= 2 and v.servers_used[-1] == alive.ws for v in moved)
    assert sum(v.duplicates for v in viewers) == 0
