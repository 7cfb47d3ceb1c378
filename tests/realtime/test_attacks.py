"""Hostile websocket clients against a real daphne process.

tests/forum/test_consumer.py checks the same rules through the ASGI test
communicator; here they go over a real socket (daphne's handshake, framing and
close codes), and a flooding client must not slow down the other viewers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.factories import make_user
from tests.forum.factories import ForumSessionFactory
from tests.helpers import session_cookie_for
from tests.realtime.servers import Api, Daphne

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(120),  # includes creating the test database
]

GOAL = 0.5  # seconds: a question broadcast reaches viewers within this


@pytest.fixture(scope="module")
def daphne(django_db_setup) -> Iterator[Daphne]:
    """One process (in-memory channel layer) for the module: it reads the
    test database, where each test commits its own session."""
    server = Daphne()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def live(transactional_db) -> tuple[int, Api]:
    session = ForumSessionFactory(status="live")
    return session.pk, Api(session_cookie_for(make_user()))


def open_socket(daphne: Daphne, session_id: int, **kw: Any) -> Any:
    kw.setdefault("origin", daphne.http)
    return connect(f"{daphne.ws}/ws/sessions/{session_id}/", compression=None, **kw)


async def next_frame(ws: ClientConnection, kind: str, seconds: float = 5) -> Any:
    """The next frame of ``kind`` (skipping tally / presence and the like)."""
    async with asyncio.timeout(seconds):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == kind:
                return frame


@pytest.mark.parametrize("origin", ["http://evil.example", "null", None])
def test_foreign_null_or_missing_origin_gets_403(daphne, live, origin):
    session_id, _ = live

    async def scenario() -> int:
        with pytest.raises(InvalidStatus) as refused:
            async with open_socket(daphne, session_id, origin=origin):
                pass
        return refused.value.response.status_code

    assert asyncio.run(scenario()) == 403


def test_a_frame_over_64_kb_gets_an_error_and_close_4009(daphne, live):
    session_id, _ = live

    async def scenario() -> tuple[Any, int | None]:
        async with open_socket(daphne, session_id) as ws:
            await next_frame(ws, "snapshot")
            await ws.send(json.dumps({"type": "ping", "pad": "x" * 65 * 1024}))
            error = await next_frame(ws, "error")
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(next_frame(ws, "never"), 5)
            assert closed.value.rcvd is not None
            return error, closed.value.rcvd.code

    error, code = asyncio.run(scenario())
    assert error["code"] == "too_large"
    assert code == 4009


def test_malformed_unknown_and_binary_frames_get_errors_and_the_socket_lives(
    daphne, live
):
    session_id, _ = live

    async def scenario() -> list[str]:
        codes = []
        async with open_socket(daphne, session_id) as ws:
            await next_frame(ws, "snapshot")
            for bad in ("{not json", '{"type": "question.add"}', "[]", b"\x00\xff"):
                await ws.send(bad)
                codes.append((await next_frame(ws, "error"))["code"])
            await ws.send('{"type": "ping"}')
            await next_frame(ws, "pong")
        return codes

    assert asyncio.run(scenario()) == [
        "bad_json",
        "unknown_type",
        "unknown_type",
        "bad_frame",
    ]


def test_a_flooding_client_is_closed_and_other_viewers_keep_their_latency(daphne, live):
    session_id, api = live

    async def flood(ws: ClientConnection) -> tuple[list[str], int | None]:
        """200 messages a second until the server has answered with flood
        errors and closed the socket."""
        codes: list[str] = []

        async def read() -> None:
            with contextlib.suppress(ConnectionClosed):
                async for raw in ws:
                    frame = json.loads(raw)
                    if frame["type"] == "error":
                        codes.append(frame["code"])

        reader = asyncio.create_task(read())
        with contextlib.suppress(ConnectionClosed):
            for _ in range(400):
                await ws.send('{"type": "ping"}')
                if codes.count("flood") >= 3 or reader.done():
                    # The next one is the last straw; then stop writing so
                    # that the close frame is not lost to a connection reset.
                    await ws.send('{"type": "ping"}')
                    break
                await asyncio.sleep(1 / 200)
        await asyncio.wait_for(reader, 5)
        return codes, ws.close_code

    async def scenario() -> tuple[list[float], list[str], int | None]:
        async with (
            open_socket(daphne, session_id) as calm,
            open_socket(daphne, session_id) as flooder,
        ):
            await next_frame(calm, "snapshot")
            await next_frame(flooder, "snapshot")
            flooding = asyncio.create_task(flood(flooder))
            latencies = []
            for n in range(4):
                sent = time.monotonic()
                status, _ = await api.apost(
                    daphne.http,
                    f"/api/sessions/{session_id}/questions/",
                    {"body": f"During the flood {n}", "anonymous": False},
                )
                assert status == 201
                added = await next_frame(calm, "question.added")
                latencies.append(time.monotonic() - sent)
                assert added["question"]["body"] == f"During the flood {n}"
                await asyncio.sleep(0.2)
            codes, close_code = await flooding
            # The calm viewer is still served after the flooder is gone.
            await calm.send('{"type": "ping"}')
            await next_frame(calm, "pong")
        return latencies, codes, close_code

    latencies, codes, close_code = asyncio.run(scenario())
    assert "flood" in codes
    assert close_code == 4008
    assert max(latencies) < GOAL, latencies
