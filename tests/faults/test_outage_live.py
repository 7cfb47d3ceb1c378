"""A real daphne loses its PostgreSQL for a moment, then gets it back.

daphne (production settings: DEBUG off) reaches the test database through a
TCP proxy run by the test. Cutting the proxy drops every database connection
and refuses new ones, as a database restart or a network fault does. Writes
then answer 503 saying nothing was saved (page and API); once the proxy is
back, the same writes succeed, and the database holds exactly the writes that
were answered with success.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
import requests
from django.conf import settings

from clustering import services
from clustering.models import Vote
from tests.faults.live import ROOT, database_url, free_port, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOTHING_SAVED = "Nothing was saved"


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; ``cut()`` drops everything."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.closed = False
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _addr = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.sockets += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pump, args=(src, dst), daemon=True
                ).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.up = False
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.closed = True
        self.listener.close()


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    db = settings.DATABASES["default"]
    target = (db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432))
    tcp = TcpProxy(target)
    yield tcp
    tcp.close()


@pytest.fixture
def site(proxy: TcpProxy) -> Iterator[str]:
    """daphne with production settings, its database behind the proxy."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "0",
        "SECRET_KEY": "outage-test-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_HOST": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "RATELIMIT_ENABLED": "0",
        "LOG_LEVEL": "ERROR",
        "DATABASE_URL": database_url("127.0.0.1", proxy.port),
    }
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "config.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return requests.get(f"{base}/", timeout=10).status_code == 200
        except requests.RequestException:  # not listening yet, or slow to start
            return False

    try:
        wait_for(ready, timeout=60, step=0.2)
        yield base
    finally:
        process.kill()
        process.wait(timeout=10)


class Browser:
    """A visitor without an account. The site's cookies are Secure (production
    settings), which ``requests`` would not send over http: send them by hand."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kw) -> requests.Response:
        headers = kw.pop("headers", {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = requests.request(
            method,
            self.base + path,
            headers=headers,
            allow_redirects=False,
            timeout=15,
            **kw,
        )
        self.cookies.update(response.cookies.get_dict())
        return response


def test_writes_answer_503_while_the_database_is_gone_then_recover(
    site, proxy, moderator
):
    conversation = services.create_conversation(
        user=moderator, topic="Outage drill", description="", strict_moderation=False
    )
    services.seed_statements(
        conversation=conversation,
        user=moderator,
        text="\n".join(f"Outage statement {i}" for i in range(4)),
    )
    ids = list(conversation.statements.values_list("pk", flat=True))
    visitor = Browser(site)
    page = visitor.request("GET", f"/conversations/{conversation.pk}/")
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token is not None
    csrf = token.group(1)

    def vote_api(sid: int) -> requests.Response:
        return visitor.request(
            "POST",
            f"/api/conversations/{conversation.pk}/votes/",
            json={"statement": sid, "value": 1},
            headers={"X-CSRFToken": csrf},
        )

    def vote_page(sid: int) -> requests.Response:
        return visitor.request(
            "POST",
            f"/conversations/{conversation.pk}/vote/",
            data={"statement": sid, "value": "-1", "csrfmiddlewaretoken": csrf},
        )

    assert vote_api(ids[0]).status_code in (200, 201)
    assert Vote.objects.count() == 1

    proxy.cut()
    down = vote_api(ids[1])
    assert down.status_code == 503, down.text
    assert down.headers["Retry-After"] == "5"
    assert NOTHING_SAVED in down.json()["detail"]
    down = vote_page(ids[2])
    assert down.status_code == 503, down.text[:500]
    assert NOTHING_SAVED in down.text
    assert Vote.objects.count() == 1  # nothing of either write reached the database

    proxy.restore()
    started = time.monotonic()
    assert vote_api(ids[1]).status_code in (200, 201)
    assert vote_page(ids[2]).status_code == 302
    assert time.monotonic() - started < 10
    assert sorted(Vote.objects.values_list("statement_id", "value")) == sorted(
        [(ids[0], 1), (ids[1], 1), (ids[2], -1)]
    )
