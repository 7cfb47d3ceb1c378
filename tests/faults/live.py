"""Helpers for fault tests that run real processes against the test database."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def database_url(host: str | None = None, port: int | None = None) -> str:
    """DATABASE_URL of the test database (optionally through another host/port)."""
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = host or db.get("HOST") or "127.0.0.1"
    port = port or int(db.get("PORT") or 5432)
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def wait_for(check: Callable[[], Any], timeout: float, step: float = 0.05) -> Any:
    """Poll ``check`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout} s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def shared_data() -> Path:
    for candidate in (
        os.environ.get("AGORA_SHARED_DATA"),
        ROOT.parent / "shared" / "data",
        "/work/shared/data",
    ):
        if candidate and Path(candidate, "polis").is_dir():
            return Path(candidate)
    pytest.fail("shared data not found: set AGORA_SHARED_DATA")
