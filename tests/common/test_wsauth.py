"""Websocket session authentication (common/wsauth.py)."""

from __future__ import annotations

import pytest
from channels import auth as channels_auth

from tests.forum.factories import ForumSessionFactory
from tests.helpers import ws_connect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


@pytest.fixture
def lookups(monkeypatch) -> list[object]:
    """Calls of Channels' user lookup (a hop to Django's one sync thread)."""
    calls: list[object] = []
    original = channels_auth.get_user

    async def counting(scope):
        calls.append(scope)
        return await original(scope)

    monkeypatch.setattr(channels_auth, "get_user", counting)
    return calls


@pytest.fixture
def session(moderator):
    return ForumSessionFactory(status="live", moderators=[moderator])


async def snapshot(comm):
    while True:
        frame = await comm.receive_json_from(timeout=5)
        if frame["type"] == "snapshot":
            return frame


async def test_a_visitor_without_a_session_cookie_needs_no_user_lookup(
    lookups, session
):
    comm, connected, _ = await ws_connect(f"/ws/sessions/{session.pk}/")
    assert connected
    assert (await snapshot(comm))["stream"] == "public"
    assert lookups == []
    await comm.disconnect()


async def test_a_session_cookie_is_still_looked_up(lookups, session, moderator):
    comm, connected, _ = await ws_connect(f"/ws/sessions/{session.pk}/", user=moderator)
    assert connected
    assert (await snapshot(comm))["stream"] == "moderators"
    assert len(lookups) == 1
    await comm.disconnect()


async def test_an_unknown_session_cookie_is_a_visitor(lookups, session):
    comm, connected, _ = await ws_connect(
        f"/ws/sessions/{session.pk}/", headers=[(b"cookie", b"sessionid=forged")]
    )
    assert connected
    assert (await snapshot(comm))["stream"] == "public"
    assert len(lookups) == 1
    await comm.disconnect()
