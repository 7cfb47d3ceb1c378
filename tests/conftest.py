from __future__ import annotations

import pytest

from accounts.roles import Role
from common import ratelimit
from tests.factories import make_user

pytest_plugins = ["tests.browser.fixtures"]


# Timing-sensitive tests: live daphne/Chromium processes, fault injection and
# latency or rate bounds. CI runs them in a step of their own (`-m serial`),
# never at the same time as another test run, and everything else in two
# passes side by side (`-m "not serial"`); see .ci/run.
SERIAL_DIRS = ("/tests/browser/", "/tests/realtime/", "/tests/faults/")
SERIAL_TESTS = {
    "tests/forum/test_scaleout.py",  # two daphne processes + Redis
    # Live-session sockets through the ASGI stack: frames awaited with short
    # time-outs, tally and presence timers (a teardown once timed out when
    # run beside another pass).
    "tests/forum/test_consumer.py",
    "tests/forum/test_snapshot_cache.py",
    "tests/forum/test_fanout_hub.py",
}


# Tests that touch neither the database nor the cache nor the channel layer
# (the pure-Python clustering maths, the translation catalogues): the result
# cannot depend on the backend, so CI runs them in its SQLite pass only
# (`-m "not backend_free"` in the PostgreSQL pass).
BACKEND_FREE_PATHS = ("/tests/clustering/", "/tests/test_i18n.py")
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_site"}


def _backend_free(item: pytest.Item) -> bool:
    return (
        any(p in str(item.path) for p in BACKEND_FREE_PATHS)
        and item.get_closest_marker("django_db") is None
        and not DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ()))
    )


def pytest_collection_modifyitems(config, items):
    """Mark tests under tests/browser/ and run them after every other test;
    mark the timing-sensitive tests ``serial`` and the backend-free ones
    ``backend_free``."""
    browser_items = []
    other_items = []
    for item in items:
        path = str(item.path)
        nodeid = item.nodeid.split("[")[0]
        if any(d in path for d in SERIAL_DIRS) or (
            nodeid in SERIAL_TESTS or nodeid.split("::")[0] in SERIAL_TESTS
        ):
            item.add_marker(pytest.mark.serial)
        if _backend_free(item):
            item.add_marker(pytest.mark.backend_free)
        if "/tests/browser/" in path:
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


def pytest_sessionfinish(session, exitstatus):
    """A marker selection (``-m serial``) that matches nothing in the chosen
    paths is not a failure: CI runs each selection on the paths it is given."""
    if (
        exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED
        and session.config.option.markexpr
    ):
        session.exitstatus = pytest.ExitCode.OK


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
