from __future__ import annotations

import pytest

from accounts.roles import Role
from common import ratelimit
from tests.factories import make_user

pytest_plugins = ["tests.browser.fixtures"]


def pytest_collection_modifyitems(config, items):
    """Mark tests under tests/browser/ and run them after every other test."""
    browser_items = []
    other_items = []
    for item in items:
        if "/tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)
            browser_items.append(item)
        else:
            other_items.append(item)
    items[:] = other_items + browser_items

    # Concurrency tests need real row locking; CI runs them in its PostgreSQL pass.
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        skip = pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL)")
        for item in items:
            if item.get_closest_marker("postgres"):
                item.add_marker(skip)
    if not settings.REDIS_URL:
        skip = pytest.mark.skip(reason="needs Redis (run with REDIS_URL)")
        for item in items:
            if item.get_closest_marker("redis"):
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    ratelimit.reset()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in English, whatever an earlier one activated."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Empty this checkout's cache. On Redis, ``cache.clear()`` would FLUSHDB
    the whole database, wiping other test runs' keys on a shared server; delete
    only the keys under this checkout's prefix instead."""
    from django.conf import settings
    from django.core.cache import cache

    if not settings.REDIS_URL:
        cache.clear()
        return
    client = cache._cache.get_client(None, write=True)  # type: ignore[attr-defined]
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture
def citizen(db):
    return make_user(display_name="Ada Citizen")


@pytest.fixture
def moderator(db):
    return make_user(Role.MODERATOR, display_name="Mo Moderator")


@pytest.fixture
def official(db):
    return make_user(Role.OFFICIAL, display_name="Olu Official")


@pytest.fixture
def admin_user(db):
    return make_user(Role.ADMINISTRATOR, display_name="Ari Admin")
