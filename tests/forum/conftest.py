from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.helpers import capture_broadcasts


@pytest.fixture
def broadcasts(django_capture_on_commit_callbacks):
    """Run a block, commit-callbacks included; yield what it broadcast."""

    @contextmanager
    def run() -> Iterator[list[tuple[str, dict[str, Any]]]]:
        with (
            capture_broadcasts() as sent,
            django_capture_on_commit_callbacks(execute=True),
        ):
            yield sent

    return run


def strip_at(
    sent: list[tuple[str, dict[str, Any]]],
) -> list[tuple[str, dict[str, Any]]]:
    """Broadcasts without the server timestamp (checked to be present)."""
    result = []
    for group, payload in sent:
        payload = dict(payload)
        if "seq" in payload:
            assert isinstance(payload.pop("at"), str)
        result.append((group, payload))
    return result
