"""Browser-test fixtures: a live daphne server and headless Chromium.

The server is the real ASGI application (HTTP + websockets + static files) in
a child process, sharing the test database (a file for SQLite, the test
database on PostgreSQL). Tests that use it need committed data, so they use
``transactional_db`` through the ``live_site`` fixture.

Chromium is the Debian package at /usr/bin/chromium (``CHROMIUM_PATH``
overrides); ``make test`` installs it when missing. A missing browser is an
error, never a skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
AXE_PATH = "/static/vendor/axe-core/axe.min.js"


def _make_application() -> Any:
    from config.asgi import build_application

    return build_application(serve_static=True)


def _use_test_database(django_db_blocker: Any) -> None:
    """Runs in the forked server process before it serves requests."""
    from django.db import connections

    # The fork inherits pytest-django's guard against database access.
    django_db_blocker.unblock()

    # It also inherits asgiref's executor for thread-sensitive calls (which
    # Channels consumers use for every message) without its worker thread, if
    # earlier tests used it: calls would queue forever. Start a fresh one.
    from concurrent.futures import ThreadPoolExecutor

    from asgiref.sync import SyncToAsync

    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)

    for alias in connections:
        config = settings.DATABASES[alias]
        config["NAME"] = config["TEST"]["NAME"]
        connections[alias].close()

    # The fork inherits state that earlier websocket tests created in the
    # parent: asgiref's single-thread executor (its worker thread did not
    # survive the fork, so consumers' database calls would wait forever) and
    # channel layers bound to the parent's event loops. Start fresh.
    from concurrent.futures import ThreadPoolExecutor

    from asgiref.sync import SyncToAsync
    from channels.layers import channel_layers

    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
    channel_layers.backends = {}


@dataclass
class LiveServer:
    url: str
    ws_url: str


@pytest.fixture(scope="session")
def _live_server_process(django_db_setup, django_db_blocker) -> Iterator[LiveServer]:
    from daphne.testing import DaphneProcess
    from django.db import connections

    with django_db_blocker.unblock():
        connections.close_all()
    process = DaphneProcess(
        "127.0.0.1",
        partial(_make_application),
        setup=partial(_use_test_database, django_db_blocker),
    )
    process.daemon = True
    process.start()
    if not process.ready.wait(timeout=30):
        raise RuntimeError("The live daphne server did not start.")
    if not process.errors.empty():
        _error, trace = process.errors.get()
        raise RuntimeError(f"The live daphne server failed: {trace}")
    port = process.port.value
    yield LiveServer(url=f"http://127.0.0.1:{port}", ws_url=f"ws://127.0.0.1:{port}")
    process.terminate()
    process.join(timeout=10)
    with django_db_blocker.unblock():
        _wait_for_other_sessions_to_end()


def _wait_for_other_sessions_to_end(timeout: float = 10.0) -> None:
    """PostgreSQL notices a killed client a moment later; the test database
    can only be dropped once its server-side session is gone."""
    import time

    from django.db import connection

    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


@pytest.fixture
def live_site(_live_server_process, transactional_db) -> LiveServer:
    """The running site, with this test's (committed) data."""
    return _live_server_process


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or ""
    if not path or not Path(path).exists():
        raise RuntimeError(
            "Chromium is not installed. Run `make test` (it installs the Debian "
            "package `chromium`) or set CHROMIUM_PATH."
        )
    return path


@pytest.fixture(scope="session")
def _playwright() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop marked as running in this
    # thread; Django's async-safety guard would then refuse ORM calls made by
    # the test itself. Browser tests run last (see tests/conftest.py), so the
    # guard stays on for every other test.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright) -> Iterator[Any]:
    # launch() gives every browser a fresh, temporary user-data directory.
    browser = _playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def new_page(live_site, browser):
    """Factory for pages in fresh browser contexts (separate cookies)."""
    contexts = []

    def make(locale: str = "en-GB") -> Any:
        context = browser.new_context(base_url=live_site.url, locale=locale)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.script_errors = []  # type: ignore[attr-defined]
        page.on("pageerror", lambda exc: page.script_errors.append(str(exc)))
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def login(page: Any, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def assert_accessible(page: Any, *, impacts: tuple[str, ...] = ("serious", "critical")):
    """Run axe-core on the current page; fail on serious or critical issues."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_PATH)
    result = page.evaluate("async () => await window.axe.run(document)")
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] for n in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in impacts
    ]
    assert not problems, "Accessibility violations:\n" + "\n".join(problems)
