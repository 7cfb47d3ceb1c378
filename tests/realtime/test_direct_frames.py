"""Broadcast frames written straight to daphne's sockets (common/wsframes.py).

The frame bytes are built once per broadcast; a websocket client library must
read them as ordinary text frames, and under a real daphne every viewer must
receive exactly the events the server recorded, in order, with their counts.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.frames import Frame as WsFrame
from websockets.frames import Opcode
from websockets.streams import StreamReader

from common.wsframes import Frame
from forum import selectors
from forum.models import Stream
from tests.factories import make_user
from tests.forum.factories import ForumSessionFactory
from tests.helpers import session_cookie_for
from tests.realtime.servers import Api, Daphne


def parse(data: bytes) -> WsFrame:
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    parser = WsFrame.parse(reader.read_exact, mask=False, max_size=None, extensions=[])
    try:
        next(parser)
    except StopIteration as done:
        assert reader.at_eof(), "bytes left over after the frame"
        return done.value  # type: ignore[no-any-return]
    raise AssertionError("incomplete frame")


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 200_000])
def test_a_prepared_frame_is_one_unmasked_text_frame_of_the_text(size):
    # Multi-byte characters put the byte length on the other side of the
    # 125 / 65535 boundaries from the character count.
    text = ("議" * size)[: size // 3] + "x" * (size - 3 * (size // 3))
    frame = parse(Frame(text).wire)
    assert frame.opcode is Opcode.TEXT
    assert frame.fin
    assert frame.data.decode("utf-8") == text


def test_the_wire_bytes_are_built_once():
    frame = Frame('{"type":"presence","viewers":3}')
    assert frame.wire is frame.wire


@pytest.fixture
def logged_daphne(django_db_setup, tmp_path: Path) -> Iterator[tuple[Daphne, Path]]:
    log = tmp_path / "daphne.log"
    server = Daphne(log=log)
    server.start()
    yield server, log
    server.stop()


@pytest.mark.slow
@pytest.mark.timeout(120)
@pytest.mark.django_db(transaction=True)
def test_viewers_under_daphne_get_every_event_in_order_through_direct_writes(
    logged_daphne,
):
    daphne, log = logged_daphne
    session = ForumSessionFactory(status="live")
    api = Api(session_cookie_for(make_user()))
    viewers = 25
    # Bodies that make frames of each length class: ≤125, ≤65535 bytes.
    bodies = ["Short?", "長" * 200 + "?", "Why " * 100 + "?"]

    async def viewer(ready: asyncio.Event, stop: asyncio.Event) -> tuple[list, dict]:
        events: list[tuple[int, str]] = []
        counts: dict[str, int] = {}
        async with connect(
            f"{daphne.ws}/ws/sessions/{session.pk}/",
            origin=daphne.http,
            compression=None,
        ) as ws:
            snapshot = json.loads(await ws.recv())
            assert snapshot["type"] == "snapshot"
            ready.set()
            while not stop.is_set():
                try:
                    async with asyncio.timeout(0.2):
                        raw = await ws.recv()
                except TimeoutError:
                    continue
                frame = json.loads(raw)
                if "seq" in frame:
                    events.append((frame["seq"], raw))
                elif frame["type"] == "tally":
                    counts.update(frame["counts"])
        return events, counts

    async def scenario() -> tuple[list[int], list[tuple[list, dict]]]:
        stop = asyncio.Event()
        readies = [asyncio.Event() for _ in range(viewers)]
        tasks = [asyncio.create_task(viewer(r, stop)) for r in readies]
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 30)
        ids = []
        for body in bodies:
            status, question = await api.apost(
                daphne.http,
                f"/api/sessions/{session.pk}/questions/",
                {"body": body, "anonymous": False, "agenda_item": None},
            )
            assert status == 201, question
            ids.append(question["id"])
        status, _ = await api.apost(daphne.http, f"/api/questions/{ids[1]}/upvote/")
        assert status == 200
        await asyncio.sleep(1.5)  # a tally is at most 0.25 s behind
        stop.set()
        return ids, await asyncio.gather(*tasks)

    ids, results = asyncio.run(scenario())

    recorded = selectors.event_frames(session.pk, Stream.PUBLIC, 0, 10**9)
    assert len(recorded) == len(bodies)
    server_counts = {
        str(pk): n for pk, n in selectors.upvote_counts(session.pk, None).items()
    }
    for events, counts in results:
        # Byte for byte what the server recorded, each once, in seq order.
        assert [(seq, json.loads(raw)) for seq, raw in events] == [
            (seq, json.loads(text)) for seq, text in recorded
        ]
        # The upvote reached everyone as a tally, and agrees with the server.
        assert counts[str(ids[1])] == server_counts[str(ids[1])] == 1
    assert "written straight to daphne's sockets" in log.read_text()
