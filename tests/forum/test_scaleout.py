"""Scale-out: two daphne processes and Redis serve one session.

A question asked through process A reaches a viewer connected to process B;
upvote counts (tally) and viewer counts (presence) are shared too. Needs Redis
(REDIS_URL); CI runs it in its PostgreSQL + Redis pass.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from websockets.asyncio.client import connect

from tests.forum.factories import ForumSessionFactory

pytestmark = [
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(90),
]

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_env() -> dict[str, str]:
    """Point a child process at this test run's database."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return {"SQLITE_PATH": str(db["NAME"]), "DATABASE_URL": ""}
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return {"DATABASE_URL": f"postgres://{auth}@{db['HOST']}{port}/{db['NAME']}"}


def _wait_for_port(
    port: int, process: subprocess.Popen[bytes], seconds: float = 30
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne on port {port} exited: {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"daphne on port {port} did not start")


@pytest.fixture
def two_daphnes(transactional_db) -> Iterator[list[int]]:
    env = {
        **os.environ,
        **_database_env(),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "REDIS_URL": settings.REDIS_URL,
        "PYTHONPATH": str(ROOT),
    }
    ports = [_free_port(), _free_port()]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
             "config.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for port in ports
    ]  # fmt: skip
    try:
        for port, process in zip(ports, processes, strict=True):
            _wait_for_port(port, process)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _http(
    method: str, url: str, cookies: dict[str, str], body: Any = None
) -> tuple[int, Any]:
    headers = {
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        "Content-Type": "application/json",
        "X-CSRFToken": cookies.get("csrftoken", ""),
        "Referer": url,
    }
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie(header)
                cookies.update({k: m.value for k, m in cookie.items()})
            raw = response.read()
            return response.status, json.loads(raw) if raw[:1] in (b"{", b"[") else raw
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# The latest ``presence`` frame each socket received (``_until`` skips frames
# it is not waiting for; presence is state, sent only when the count changes,
# so a count that arrived while the test waited for something else must not
# be lost).
_PRESENCE: dict[int, int] = {}


async def _until(ws: Any, predicate: Any, seconds: float = 10) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        frame = json.loads(
            await asyncio.wait_for(ws.recv(), timeout=max(remaining, 0.01))
        )
        if frame.get("type") == "presence":
            _PRESENCE[id(ws)] = frame["viewers"]
        if predicate(frame):
            return frame


def test_a_question_asked_on_process_a_reaches_a_viewer_on_process_b(
    two_daphnes, citizen
):
    port_a, port_b = two_daphnes
    session = ForumSessionFactory(status="live")
    client = Client()
    client.force_login(citizen)
    cookies = {
        settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value
    }
    status, _ = _http(
        "GET", f"http://127.0.0.1:{port_a}{session.get_absolute_url()}", cookies
    )
    assert status == 200 and "csrftoken" in cookies

    async def scenario() -> None:
        _PRESENCE.clear()
        ws_path = f"/ws/sessions/{session.pk}/"
        async with (
            connect(
                f"ws://127.0.0.1:{port_b}{ws_path}",
                origin=f"http://127.0.0.1:{port_b}",
                compression=None,
            ) as viewer_b,
            connect(
                f"ws://127.0.0.1:{port_a}{ws_path}",
                origin=f"http://127.0.0.1:{port_a}",
                compression=None,
            ) as viewer_a,
        ):
            for ws in (viewer_a, viewer_b):
                assert (await _until(ws, lambda f: f["type"] == "snapshot"))["seq"] == 0

            status, question = await asyncio.to_thread(
                _http,
                "POST",
                f"http://127.0.0.1:{port_a}/api/sessions/{session.pk}/questions/",
                cookies,
                {"body": "Across processes?", "anonymous": False, "agenda_item": None},
            )
            assert status == 201, question
            added = await _until(viewer_b, lambda f: f["type"] == "question.added", 5)
            assert added["seq"] == 1
            assert added["question"]["body"] == "Across processes?"

            status, _ = await asyncio.to_thread(
                _http,
                "POST",
                f"http://127.0.0.1:{port_a}/api/questions/{question['id']}/upvote/",
                cookies,
            )
            assert status == 200
            tally = await _until(
                viewer_b,
                lambda f: f["type"] == "tally" and f["counts"].get(str(question["id"])),
                5,
            )
            assert tally["counts"][str(question["id"])] == 1

            # Each process counts its own viewer; both see the total (now, or
            # in a presence frame that came while they waited for the others).
            for ws in (viewer_a, viewer_b):
                if _PRESENCE.get(id(ws)) != 2:
                    await _until(
                        ws, lambda f: f["type"] == "presence" and f["viewers"] == 2, 8
                    )
                assert _PRESENCE[id(ws)] == 2

    asyncio.run(scenario())
