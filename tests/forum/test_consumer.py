"""The live-session websocket through the real ASGI stack (WebsocketCommunicator)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from hypothesis import given, settings
from hypothesis import strategies as st

from forum import services
from forum.consumers import ERROR_MESSAGES, ClientMessage, parse_message
from forum.models import ForumSession, Question
from tests.forum.factories import ForumSessionFactory, guest, member
from tests.helpers import ws_connect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

STATE_FRAMES = {"tally", "presence"}


async def frames(comm: Any, *, seconds: float = 0.6) -> list[dict[str, Any]]:
    """Everything received until the socket is quiet for ``seconds``."""
    got = []
    # (receive_nothing waits without cancelling the application on time-out.)
    while not await comm.receive_nothing(timeout=seconds, interval=0.02):
        got.append(await comm.receive_json_from())
    return got


async def next_event(comm: Any, seconds: float = 5) -> dict[str, Any]:
    """The next frame that is not tally/presence state."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        frame = await comm.receive_json_from(timeout=max(0.01, deadline - loop.time()))
        if frame["type"] not in STATE_FRAMES:
            return frame


async def snapshot_of(comm: Any) -> dict[str, Any]:
    frame = await next_event(comm)
    assert frame["type"] == "snapshot", frame
    return frame


def events_only(received: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in received if f["type"] not in STATE_FRAMES]


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.RATELIMIT_ENABLED = False  # rate limits are tested in test_services


@pytest.fixture
def live(moderator, citizen):
    session = ForumSessionFactory(moderators=[moderator], status="live")
    services.ask_question(
        session_id=session.pk, participant=member(citizen), body="First"
    )
    return session


ask = database_sync_to_async(services.ask_question)
moderate = database_sync_to_async(services.moderate_question)
upvote = database_sync_to_async(services.set_upvote)


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "null", "http://testserver.evil.example", None]
)
async def test_foreign_null_or_missing_origin_is_refused(live, origin):
    _comm, connected, _detail = await ws_connect(
        f"/ws/sessions/{live.pk}/", origin=origin
    )
    assert connected is False


async def test_unknown_session_is_refused():
    _comm, connected, _detail = await ws_connect("/ws/sessions/999999/")
    assert connected is False


async def test_snapshot_on_connect(live, citizen):
    comm, connected, _ = await ws_connect(f"/ws/sessions/{live.pk}/")
    assert connected
    snapshot = await snapshot_of(comm)
    assert snapshot["seq"] == 1 and snapshot["stream"] == "public"
    assert (
        snapshot["session"]["id"] == live.pk and snapshot["session"]["status"] == "live"
    )
    assert [q["body"] for q in snapshot["questions"]] == ["First"]
    assert snapshot["questions"][0]["author"] == "Ada Citizen"
    assert snapshot["viewers"] >= 1
    assert citizen.email not in json.dumps(snapshot)
    await comm.disconnect()


async def test_moderators_get_the_moderators_stream(live, moderator):
    comm, connected, _ = await ws_connect(f"/ws/sessions/{live.pk}/", user=moderator)
    assert connected
    snapshot = await snapshot_of(comm)
    assert snapshot["stream"] == "moderators"
    await comm.disconnect()


async def test_events_reach_viewers_with_increasing_seq(live, citizen):
    comm, _, _ = await ws_connect(f"/ws/sessions/{live.pk}/")
    await snapshot_of(comm)
    await ask(session_id=live.pk, participant=member(citizen), body="Second")
    frame = await next_event(comm)
    assert frame["type"] == "question.added" and frame["seq"] == 2
    assert frame["question"]["body"] == "Second"
    await comm.disconnect()


async def test_since_replays_exactly_the_missed_events(live, citizen, moderator):
    watcher, _, _ = await ws_connect(f"/ws/sessions/{live.pk}/")
    start = await snapshot_of(watcher)
    questions = []
    for n in range(3):
        questions.append(
            await ask(
                session_id=live.pk, participant=member(citizen), body=f"Missed {n}"
            )
        )
    await moderate(question_id=questions[0].pk, user=moderator, action="highlight")
    await moderate(question_id=questions[1].pk, user=moderator, action="hide")
    live_frames = [await next_event(watcher) for _ in range(5)]
    assert [f["seq"] for f in live_frames] == [2, 3, 4, 5, 6]

    late, _, _ = await ws_connect(f"/ws/sessions/{live.pk}/?since={start['seq'] + 1}")
    replayed = await frames(late)
    # Exactly the events after seq 2, byte for byte the same, then fresh state.
    assert events_only(replayed) == live_frames[1:]
    assert replayed[len(live_frames) - 1]["type"] == "tally"
    assert {f["type"] for f in replayed[len(live_frames) - 1 :]} <= STATE_FRAMES
    for comm in (watcher, late):
        await comm.disconnect()


@pytest.mark.parametrize("since", ["999", "-1", "abc", ""])
async def test_since_from_the_future_or_invalid_gives_a_snapshot(live, since):
    comm, _, _ = await ws_connect(f"/ws/sessions/{live.pk}/?since={since}")
    assert (await snapshot_of(comm))["seq"] == 1
    await comm.disconnect()


async def test_since_too_far_behind_gives_a_snapshot(live, monkeypatch):
    from forum import selectors

    monkeypatch.setattr(selectors, "REPLAY_LIMIT", 0)
    await database_sync_to_async(
        lambda: ForumSession.objects.filter(pk=live.pk).update(login_required=False)
    )()
    await ask(session_id=live.pk, participant=guest(1), body="x")
    comm, _, _ = await ws_connect(f"/ws/sessions/{live.pk}/?since=0")
    assert (await snapshot_of(comm))["seq"] == 2
    await comm.disconnect()


async def test_pending_question_never_reaches_the_public(live, moderator, citizen):
    await database_sync_to_async(
        lambda: ForumSession.objects.filter(pk=live.pk).update(premoderation=True)
    )()
    public, _, _ = await ws_connect(f"/ws/sessions/{live.pk}/")
    await snapshot_of(public)
    mods, _, _ = await ws_connect(f"/ws/sessions/{live.pk}/", user=moderator)
    await snapshot_of(mods)

    question = await ask(
        session_id=live.pk, participant=member(citizen), body="Secret plan"
    )
    frame = await next_event(mods)
    assert frame["type"] == "question.added"
    assert frame["question"]["status"] == "pending"
    assert frame["question"]["body"] == "Secret plan"
    # Nothing about it on the public socket, not even a seq.
    assert all(
        "Secret plan" not in json.dumps(f) for f in await frames(public, seconds=1)
    )
    # A fresh public viewer does not get it in the snapshot; its author does.
    other, _, _ = await ws_connect(f"/ws/sessions/{live.pk}/")
    assert "Secret plan" not in json.dumps(await snapshot_of(other))
    author, _, _ = await ws_connect(f"/ws/sessions/{live.pk}/", user=citizen)
    own = await snapshot_of(author)
    assert [q["status"] for q in own["questions"] if q["id"] == question.pk] == [
        "pending"
    ]

    await moderate(question_id=question.pk, user=moderator, action="approve")
    added = await next_event(public)
    assert (
        added["type"] == "question.added" and added["question"]["status"] == "visible"
    )
    assert added["seq"] == 2  # the public stream has no gap
    for comm in (public, mods, other, author):
        await comm.disconnect()


async def test_malformed_unknown_and_binary_frames_get_errors(live):
    comm, _, _ = await ws_connect(f"/ws/sessions/{live.pk}/")
    await snapshot_of(comm)
    await comm.send_to(text_data="{not json")
    assert (await next_event(comm))["code"] == "bad_json"
    await comm.send_to(text_data=json.dumps({"type": "question.add", "body": "x"}))
    assert (await next_event(comm))["code"] == "unknown_type"
    await comm.send_to(text_data="[1, 2]")
    assert (await next_event(comm))["code"] == "unknown_type"
    await comm.send_to(text_data="null")
    assert (await next_event(comm))["code"] == "unknown_type"
    await comm.send_to(bytes_data=b"\x00\x01")
    assert (await next_event(comm))["code"] == "bad_frame"
    # Still alive and well.
    await comm.send_json_to({"type": "ping"})
    assert (await next_event(comm))["type"] == "pong"
    await comm.disconnect()


async def test_oversized_frame_gets_an_error_and_a_close(live):
    comm, _, _ = await ws_connect(f"/ws/sessions/{live.pk}/")
    await snapshot_of(comm)
    await comm.send_to(text_data=json.dumps({"type": "ping", "pad": "x" * 70_000}))
    error = await next_event(comm)
    assert error == {
        "type": "error",
        "code": "too_large",
        "message": "Messages are limited to 64 KB.",
    }
    closed = await comm.receive_output(timeout=2)
    assert closed == {"type": "websocket.close", "code": 4009}


async def test_a_frame_of_exactly_64_kb_is_fine(live):
    comm, _, _ = await ws_connect(f"/ws/sessions/{live.pk}/")
    await snapshot_of(comm)
    text = json.dumps({"type": "ping", "pad": ""})
    text = text.replace('""', '"' + "x" * (64 * 1024 - len(text)) + '"')
    assert len(text) == 64 * 1024
    await comm.send_to(text_data=text)
    assert (await next_event(comm))["type"] == "pong"
    await comm.disconnect()


async def test_flood_gets_errors_then_a_close_and_others_are_unaffected(live, citizen):
    calm, _, _ = await ws_connect(f"/ws/sessions/{live.pk}/")
    await snapshot_of(calm)
    flooder, _, _ = await ws_connect(f"/ws/sessions/{live.pk}/")
    await snapshot_of(flooder)
    for _ in range(200):
        await flooder.send_to(text_data='{"type":"ping"}')
    outputs = []
    while True:
        output = await flooder.receive_output(timeout=5)
        outputs.append(output)
        if output["type"] == "websocket.close":
            break
    assert outputs[-1]["code"] == 4008
    codes = [json.loads(o["text"]).get("code") for o in outputs if "text" in o]
    assert "flood" in codes
    assert codes.count(None) <= 25  # at most the burst of pongs (and state frames)

    await ask(session_id=live.pk, participant=member(citizen), body="Still here?")
    assert (await next_event(calm))["question"]["body"] == "Still here?"
    await calm.disconnect()


async def test_resync_message_replays_after_a_gap(live, citizen):
    comm, _, _ = await ws_connect(f"/ws/sessions/{live.pk}/")
    await snapshot_of(comm)
    await ask(session_id=live.pk, participant=member(citizen), body="Two")
    two = await next_event(comm)
    await comm.send_json_to({"type": "resync", "since": 1})
    # The server already sent seq 2 on this socket: a resync sends it again.
    again = await next_event(comm)
    assert again == two
    await comm.send_json_to({"type": "resync", "since": "nope"})
    assert (await next_event(comm))["type"] == "snapshot"
    await comm.disconnect()


async def test_upvotes_are_coalesced_into_few_tally_frames(live, monkeypatch):
    await database_sync_to_async(
        lambda: ForumSession.objects.filter(pk=live.pk).update(login_required=False)
    )()
    question = await database_sync_to_async(Question.objects.get)(session=live)
    comm, _, _ = await ws_connect(f"/ws/sessions/{live.pk}/")
    await snapshot_of(comm)
    await frames(comm, seconds=0.5)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for n in range(25):
        await upvote(question_id=question.pk, participant=guest(n), upvoted=True)
    elapsed = loop.time() - started
    received = await frames(comm, seconds=1.0)
    tallies = [f for f in received if f["type"] == "tally"]
    assert tallies, received
    assert tallies[-1]["counts"] == {str(question.pk): 25}
    # At most one tally per 0.25 s, plus the one in flight at the end.
    assert len(tallies) <= int(elapsed / 0.25) + 2
    assert len(tallies) < 25
    await comm.disconnect()


async def test_presence_counts_viewers(live):
    first, _, _ = await ws_connect(f"/ws/sessions/{live.pk}/")
    await snapshot_of(first)
    second, _, _ = await ws_connect(f"/ws/sessions/{live.pk}/")
    snapshot = await snapshot_of(second)
    assert snapshot["viewers"] == 2
    seen = [
        f["viewers"]
        for f in await frames(first, seconds=1.5)
        if f["type"] == "presence"
    ]
    assert seen and seen[-1] == 2
    await second.disconnect()
    seen = [
        f["viewers"]
        for f in await frames(first, seconds=1.5)
        if f["type"] == "presence"
    ]
    assert seen[-1] == 1
    await first.disconnect()


async def test_lost_broadcast_is_recovered_from_the_database(
    live, citizen, monkeypatch
):
    """A broadcast that never arrives (Redis restart): the hub's poll finds the
    persisted event and delivers it, in order."""
    comm, _, _ = await ws_connect(f"/ws/sessions/{live.pk}/")
    await snapshot_of(comm)
    from common import realtime

    await sync_to_async(_ask_silently)(live.pk, citizen, realtime)
    frame = await next_event(comm, seconds=4)
    assert frame["type"] == "question.added" and frame["seq"] == 2
    await comm.disconnect()


def _ask_silently(session_id, citizen, realtime):
    previous = realtime._capture
    realtime._capture = lambda group, payload: None  # the broadcast is lost
    try:
        services.ask_question(
            session_id=session_id, participant=member(citizen), body="Lost"
        )
    finally:
        realtime._capture = previous


class TestParseMessage:
    """The client-message parser is total: a message or an error code."""

    @given(st.one_of(st.none(), st.text(max_size=300)))
    @settings(max_examples=300, deadline=None)
    def test_any_text(self, text):
        result = parse_message(text)
        assert isinstance(result, ClientMessage) or result in ERROR_MESSAGES

    @given(
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
            lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
            max_leaves=20,
        )
    )
    @settings(max_examples=300, deadline=None)
    def test_any_json(self, value):
        result = parse_message(json.dumps(value))
        if isinstance(result, ClientMessage):
            assert isinstance(value, dict) and value["type"] in ("ping", "resync")
            assert result.since is None or (
                type(result.since) is int and result.since >= 0
            )
        else:
            assert result == "unknown_type"

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ('{"type": "ping"}', ClientMessage("ping")),
            ('{"type": "resync", "since": 4}', ClientMessage("resync", 4)),
            ('{"type": "resync", "since": true}', ClientMessage("resync", None)),
            ('{"type": "resync", "since": -3}', ClientMessage("resync", None)),
            ("[" * 100_000 + "]" * 100_000, "bad_json"),
            ("\ud800", "bad_json"),
            (None, "bad_frame"),
        ],
    )
    def test_examples(self, text, expected):
        assert parse_message(text) == expected
