"""Run one request per (route, method, role) and classify the outcome."""

from __future__ import annotations

import itertools
import json
from typing import Any

from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from common import ratelimit
from tests.security.routes import Route
from tests.security.world import World

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_ip = itertools.count(1)


def classify(response: HttpResponse) -> str:
    """``ok`` (the request got through: 2xx, a redirect elsewhere than the
    login page, or 400/409 for the empty input), ``login``, ``403``, ``404``,
    ``405``, ``429`` or ``error`` (5xx)."""
    status = response.status_code
    if status >= 500:
        return "error"
    if status in (301, 302, 303, 307, 308):
        location = response.get("Location", "")
        return "login" if location.startswith(reverse("account_login")) else "ok"
    if status < 300 or status in (400, 409):
        return "ok"
    if status in (401, 403):
        return "403"
    if status in (404, 405, 429):
        return str(status)
    return str(status)


def fresh_ip() -> str:
    n = next(_ip)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def request(
    world: World,
    route: Route,
    method: str,
    role: str,
    *,
    ip: str | None = None,
    reset_limits: bool = True,
    **extra: Any,
) -> HttpResponse:
    """One request as ``role`` (from a fresh address unless ``ip``), rolled
    back afterwards so the world stays as built."""
    path = reverse(route.name, kwargs=world.url_kwargs(route.name, route.kwargs))
    with transaction.atomic():
        client = Client(REMOTE_ADDR=ip or fresh_ip())
        user = world.users[role]
        if user.is_authenticated:
            client.force_login(user)
        if reset_limits:
            ratelimit.reset()
        if method == "GET":
            response = client.get(path, **extra)
        elif route.is_api:
            response = client.generic(
                method,
                path,
                data=json.dumps(world.body(route.name)),
                content_type="application/json",
                **extra,
            )
        else:
            response = client.generic(
                method,
                path,
                data="",
                content_type="application/x-www-form-urlencoded",
                **extra,
            )
        transaction.set_rollback(True)
    return response
