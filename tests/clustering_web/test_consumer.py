"""ws/conversations/<id>/: Origin rules, snapshot, live analyses, bad frames."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.db import connections

from clustering import services
from tests.clustering_web.conftest import browser
from tests.helpers import ws_connect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _slow_watcher(monkeypatch):
    """Exact frame sequences below: keep the in-memory watcher out of the way."""
    from clustering import consumers

    monkeypatch.setattr(consumers, "WATCH_SECONDS", 60.0)


@pytest.fixture(autouse=True)
async def _close_consumer_connections():
    """Consumers reach the database from asgiref's worker thread; close its
    connection after each test so the test database can be dropped."""
    yield
    await database_sync_to_async(connections.close_all)()


async def receive(communicator, wait=5):
    return json.loads(await communicator.receive_from(timeout=wait))


@pytest.mark.parametrize("origin", [None, "null", "http://evil.example"])
async def test_missing_null_or_foreign_origin_is_refused(conversation, origin):
    communicator, connected, _ = await ws_connect(
        f"/ws/conversations/{conversation.pk}/", origin=origin
    )
    assert not connected
    await communicator.disconnect()


async def test_unknown_conversation_is_closed(db):
    _communicator, connected, code = await ws_connect("/ws/conversations/999999/")
    assert not connected and code == 4404


async def test_snapshot_then_live_analysis(conversation):
    communicator, connected, _ = await ws_connect(
        f"/ws/conversations/{conversation.pk}/"
    )
    assert connected
    snapshot = await receive(communicator)
    assert snapshot == {
        "type": "snapshot",
        "analysis": None,
        "updating": False,
        "failed": False,
    }
    sid = await sync_to_async(lambda: conversation.statements.first().pk)()
    await sync_to_async(services.record_vote)(
        conversation=conversation, actor=browser("ws"), statement_id=sid, value=1
    )
    frame = await receive(communicator)
    assert frame["type"] == "analysis"
    analysis = frame["analysis"]
    assert analysis["n_votes"] == 1 and analysis["n_participants"] == 1
    assert (
        analysis["report_data_url"] == f"/conversations/{conversation.pk}/report/data/"
    )
    # A resync sends a fresh snapshot with the latest analysis.
    await communicator.send_to(text_data=json.dumps({"type": "resync"}))
    again = await receive(communicator)
    assert again["type"] == "snapshot" and again["analysis"]["id"] == analysis["id"]
    await communicator.disconnect()


async def test_private_results_push_no_figures(conversation):
    conversation.is_private = True
    await sync_to_async(conversation.save)()
    communicator, connected, _ = await ws_connect(
        f"/ws/conversations/{conversation.pk}/"
    )
    assert connected
    await receive(communicator)
    sid = await sync_to_async(lambda: conversation.statements.first().pk)()
    await sync_to_async(services.record_vote)(
        conversation=conversation, actor=browser("ws"), statement_id=sid, value=1
    )
    frame = await receive(communicator)
    assert "n_votes" not in frame["analysis"]
    await communicator.disconnect()


async def test_bad_frames_get_errors_and_the_consumer_survives(conversation):
    communicator, connected, _ = await ws_connect(
        f"/ws/conversations/{conversation.pk}/"
    )
    assert connected
    await receive(communicator)
    for text, code in [
        ("{not json", "bad_json"),
        (json.dumps({"type": "vote", "statement": 1}), "unknown_type"),
        (json.dumps([1, 2, 3]), "unknown_type"),
        (json.dumps("ping"), "unknown_type"),
    ]:
        await communicator.send_to(text_data=text)
        frame = await receive(communicator)
        assert frame["type"] == "error" and frame["code"] == code
    await communicator.send_to(bytes_data=b"\x00\x01")
    assert (await receive(communicator))["code"] == "bad_frame"
    await communicator.send_to(text_data=json.dumps({"type": "ping"}))
    assert await receive(communicator) == {"type": "pong"}
    await communicator.disconnect()


async def test_oversized_frames_close_the_socket(conversation):
    communicator, connected, _ = await ws_connect(
        f"/ws/conversations/{conversation.pk}/"
    )
    assert connected
    await receive(communicator)
    await communicator.send_to(text_data="x" * (65 * 1024))
    closed = await communicator.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4009}


async def test_floods_get_errors_then_a_close(conversation):
    communicator, connected, _ = await ws_connect(
        f"/ws/conversations/{conversation.pk}/"
    )
    assert connected
    await receive(communicator)
    for _ in range(40):
        await communicator.send_to(text_data=json.dumps({"type": "ping"}))
    outputs = []
    while True:
        try:
            outputs.append(await communicator.receive_output(timeout=2))
        except TimeoutError:
            break
        if outputs[-1]["type"] == "websocket.close":
            break
    texts = [json.loads(o["text"]) for o in outputs if o["type"] == "websocket.send"]
    assert any(t.get("code") == "rate_limited" for t in texts)
    assert outputs[-1] == {"type": "websocket.close", "code": 4008}


async def test_analyses_saved_by_another_process_reach_in_memory_sockets(
    conversation, monkeypatch
):
    """Without Redis, a worker process cannot broadcast to daphne's sockets:
    the process watches the conversation and pushes the new analysis."""
    from channels.layers import InMemoryChannelLayer, get_channel_layer

    from clustering import consumers
    from clustering.models import Analysis

    if not isinstance(get_channel_layer(), InMemoryChannelLayer):
        pytest.skip("with Redis the worker's own broadcast reaches every process")
    monkeypatch.setattr(consumers, "WATCH_SECONDS", 0.2)
    communicator, connected, _ = await ws_connect(
        f"/ws/conversations/{conversation.pk}/"
    )
    assert connected
    await receive(communicator)
    saved = await sync_to_async(Analysis.objects.create)(
        conversation=conversation, n_votes=42
    )  # as a worker elsewhere would, without a broadcast reaching us
    frame = await receive(communicator)
    assert frame["type"] == "analysis" and frame["analysis"]["id"] == saved.pk
    assert frame["analysis"]["n_votes"] == 42
    await communicator.disconnect()
    assert conversation.pk not in consumers._watchers
