"""Real servers and real clients for the realtime fault and attack tests.

``RedisServer`` is a private ``redis-server`` on a free port (never the shared
one), which a test may stop and start again on the same port. ``Daphne`` is
one daphne process against this test run's database. ``Viewer`` is a
websocket client that behaves like ``forum/static/forum/live.js``: it applies
snapshots, events (upsert by id) and tallies, checks ``seq``, and after any
close or gap reconnects with ``?since=<last seq>`` (to the next server of its
list when its own is gone), with a short backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = ("visible", "answered")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process on port {port} exited: {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on port {port}")


def database_env() -> dict[str, str]:
    """Point a child process at this test run's database."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return {"SQLITE_PATH": str(db["NAME"]), "DATABASE_URL": ""}
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return {"DATABASE_URL": f"postgres://{auth}@{db['HOST']}{port}/{db['NAME']}"}


class RedisServer:
    def __init__(self) -> None:
        self.port = free_port()
        self._dir = tempfile.TemporaryDirectory(prefix="agora-test-redis-")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", self._dir.name],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port, self.process, 10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def close(self) -> None:
        self.stop()
        self._dir.cleanup()


class Daphne:
    def __init__(self, *, redis_url: str = "", log: Path | None = None) -> None:
        self.port = free_port()
        self.log = log  # where its stderr goes (default: nowhere)
        self.env = {
            **os.environ,
            **database_env(),
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "REDIS_URL": redis_url,
            "RATELIMIT_ENABLED": "0",
            "PYTHONPATH": str(ROOT),
        }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> None:
        stderr = self.log.open("ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port),
             "config.asgi:application"],
            cwd=ROOT, env=self.env,
            stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
        if self.log:
            stderr.close()  # type: ignore[union-attr]
        wait_for_port(self.port, self.process, 60)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


class Api:
    """HTTP writes as a logged-in user (session cookie + CSRF token)."""

    def __init__(self, session_cookie: str) -> None:
        self.csrf = "a" * 32  # any 32 alphanumerics make a valid CSRF secret
        self.cookie = f"sessionid={session_cookie}; csrftoken={self.csrf}"

    def post(self, base: str, path: str, body: Any = None) -> tuple[int, Any]:
        request = urllib.request.Request(
            base + path,
            data=json.dumps(body or {}).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": self.csrf,
                "Cookie": self.cookie,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, error.read()[:300]

    async def apost(self, base: str, path: str, body: Any = None) -> tuple[int, Any]:
        return await asyncio.to_thread(self.post, base, path, body)


class Viewer:
    """A live.js-like client: state by question id, reconnects with ?since."""

    def __init__(self, urls: list[str], session_id: int) -> None:
        self.urls = urls  # ws base URLs, its own first
        self.session_id = session_id
        self.seq: int | None = None
        self.questions: dict[int, int] = {}  # public question id -> upvotes
        self.connects = 0
        self.servers_used: list[str] = []
        self.duplicates = 0
        self._task: asyncio.Task[None] | None = None
        self._ws: Any = None
        self.connected = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    def state(self) -> tuple[int | None, dict[int, int]]:
        return self.seq, dict(self.questions)

    async def _run(self) -> None:
        from websockets.asyncio.client import connect

        backoff, attempt = 0.1, 0
        while True:
            base = self.urls[attempt % len(self.urls)]
            since = "" if self.seq is None else f"?since={self.seq}"
            url = f"{base}/ws/sessions/{self.session_id}/{since}"
            origin = base.replace("ws://", "http://")
            try:
                async with connect(
                    url,
                    origin=origin,
                    compression=None,
                    open_timeout=5,  # type: ignore[arg-type]
                ) as ws:
                    self.connects += 1
                    self.servers_used.append(base)
                    backoff = 0.1
                    self.connected.set()
                    async for raw in ws:
                        if not self._apply(json.loads(raw)):
                            break  # a seq gap: reconnect at once with since
                    continue
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: S110 - refused, reset, closed: retry
                pass
            attempt += 1
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 1.0)

    def _apply(self, frame: dict[str, Any]) -> bool:
        kind = frame["type"]
        if kind == "snapshot":
            self.seq = frame["seq"]
            self.questions = {
                q["id"]: q["upvotes"]
                for q in frame["questions"]
                if q["status"] in PUBLIC
            }
        elif kind == "tally":
            for pk, n in frame["counts"].items():
                if int(pk) in self.questions:
                    self.questions[int(pk)] = n
        elif "seq" in frame:
            seq = frame["seq"]
            if self.seq is not None and seq <= self.seq:
                self.duplicates += 1
                return True
            if self.seq is not None and seq != self.seq + 1:
                return False
            self.seq = seq
            question = frame.get("question")
            if question is not None:
                if question["status"] in PUBLIC:
                    self.questions[question["id"]] = question["upvotes"]
                else:
                    self.questions.pop(question["id"], None)
        return True
