"""Every write endpoint has a per-account and a per-IP limit, end to end.

The write routes come from the URL conf through the access table (every
method but GET that some role may use); the budgets are lowered through
settings so that the third request is over the limit.
"""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from tests.security.access import ROLES, RULES
from tests.security.routes import project_routes
from tests.security.sweep import request
from tests.security.world import build_world

ROUTES = {r.name: r for r in project_routes()}
PREFERRED = ("citizen", "official", "moderator", "admin", "anonymous")


def allowed_role(outcomes: str) -> str:
    by_role = dict(zip(ROLES, outcomes.split(), strict=True))
    return next(role for role in PREFERRED if by_role[role] == "ok")


WRITES = [
    (name, method, allowed_role(outcomes))
    for name, methods in RULES.items()
    for method, outcomes in methods.items()
    if method != "GET" and "ok" in outcomes.split() and name in ROUTES
]


def assert_limited(response, route) -> None:
    assert response.status_code == 429, (route.name, response.status_code)
    assert int(response["Retry-After"]) >= 1
    if route.is_api:
        data = json.loads(response.content)
        assert data["retry_after"] >= 1
        assert "too often" in data["detail"]
    else:
        assert b"too often" in response.content
        assert b"Nothing was saved" in response.content


def test_the_sweep_finds_the_write_endpoints():
    names = {name for name, _method, _role in WRITES}
    assert len(WRITES) >= 25
    for expected in (
        "consultation:comment_create",
        "forum-ask-question",
        "clustering-api:conversation-votes",
        "accounts:notifications_mark_read",
        "accounts:unsubscribe",  # csrf-exempt one-click POST, token-authorised
        "consultation-api:plan-follow",
        "forum:follow",
    ):
        assert expected in names


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "role"), WRITES, ids=str)
def test_write_endpoint_is_limited_per_account_and_per_ip(name, method, role):
    route = ROUTES[name]
    world = build_world()

    # One account, a new address for every request.
    with override_settings(
        RATELIMIT_WRITE_USER_RATE="2/minute", RATELIMIT_WRITE_IP_RATE="1000/minute"
    ):
        first = request(world, route, method, role)
        assert first.status_code != 429
        request(world, route, method, role, reset_limits=False)
        assert_limited(request(world, route, method, role, reset_limits=False), route)

    # Different people (and visitors), one address.
    others = [*[r for r in ROLES if r != role][:2], role]
    with override_settings(
        RATELIMIT_WRITE_USER_RATE="1000/minute", RATELIMIT_WRITE_IP_RATE="2/minute"
    ):
        request(world, route, method, others[0], ip="192.0.2.7")
        request(world, route, method, others[1], ip="192.0.2.7", reset_limits=False)
        third = request(
            world, route, method, others[2], ip="192.0.2.7", reset_limits=False
        )
        assert_limited(third, route)
        # Another address is not affected.
        other = request(world, route, method, role, reset_limits=False)
        assert other.status_code != 429


@pytest.mark.django_db
@override_settings(RATELIMIT_WRITE_USER_RATE="1/minute")
def test_a_visitor_is_limited_by_browser_session_too(client):
    world = build_world()
    route = ROUTES["clustering:vote"]
    url = f"/conversations/{world.conversation.pk}/vote/"
    assert route.pattern.startswith("conversations/")
    data = {"statement": world.statement.pk, "value": 1}
    first = client.post(url, data, REMOTE_ADDR="198.51.100.1")
    assert first.status_code != 429
    assert client.session.session_key  # voting started a browser session
    # The first write had no session yet (only its address counted); the
    # session's budget of one is spent by the second, the third is refused.
    second = client.post(url, data, REMOTE_ADDR="198.51.100.2")
    assert second.status_code != 429
    third = client.post(url, data, REMOTE_ADDR="198.51.100.3")
    assert third.status_code == 429
