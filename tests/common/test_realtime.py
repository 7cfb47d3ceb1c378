"""broadcast_on_commit: sent after commit, never after a rollback."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from common.realtime import broadcast_on_commit
from tests.helpers import capture_broadcasts


@pytest.mark.django_db(transaction=True)
def test_broadcast_waits_for_commit():
    with capture_broadcasts() as sent:
        with transaction.atomic():
            broadcast_on_commit("g", {"type": "x", "n": 1})
            assert sent == []
        assert sent == [("g", {"type": "x", "n": 1})]


@pytest.mark.django_db(transaction=True)
def test_rollback_sends_nothing():
    with (
        capture_broadcasts() as sent,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        broadcast_on_commit("g", {"type": "x"})
        raise RuntimeError
    assert sent == []


@pytest.mark.django_db(transaction=True)
async def test_frame_reaches_a_group_member_encoded_once():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("room", channel)

    def write() -> None:
        with transaction.atomic():
            broadcast_on_commit("room", {"type": "hello", "seq": 3})

    await sync_to_async(write)()
    message = await asyncio.wait_for(layer.receive(channel), timeout=5)
    assert message["type"] == "broadcast"
    assert json.loads(message["text"]) == {"type": "hello", "seq": 3}
    await layer.group_discard("room", channel)
