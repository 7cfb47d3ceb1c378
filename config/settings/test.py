"""Test settings: base settings with test concerns only.

The suite runs against SQLite by default and against PostgreSQL and Redis
when ``DATABASE_URL`` / ``REDIS_URL`` are set (CI does both).
"""

import hashlib
import os
import tempfile
from pathlib import Path

os.environ.setdefault("DEBUG", "1")

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, DATABASES, REDIS_URL

DEBUG = False  # tests see production behaviour; DEBUG=1 above only relaxes env

# Several checkouts of the project may run their suites at the same time on one
# machine; give each its own test database and channel-layer prefix.
_CHECKOUT = hashlib.sha1(str(BASE_DIR).encode()).hexdigest()[:8]  # noqa: S324

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not ":memory:", so that a live daphne process started by a
    # browser test sees the same data as the test.
    DATABASES["default"]["TEST"] = {
        "NAME": str(BASE_DIR / f".test-db-{_CHECKOUT}.sqlite3")
    }
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_agora_{_CHECKOUT}"}

if REDIS_URL:
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"agora-test-{_CHECKOUT}"  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = f"agora-test-{_CHECKOUT}"  # noqa: F405
    # Rate-limit counters too (ratelimit.reset() clears only this prefix).
    RATELIMIT_STORAGE_OPTIONS = {"key_prefix": f"LIMITS-agora-test-{_CHECKOUT}"}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ACCOUNT_EMAIL_VERIFICATION = "optional"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# Open-data exports of this checkout's test runs (the live server of the browser
# tests is a child process: it sees this, not a test's settings override).
# CI runs the SQLite and the PostgreSQL passes side by side: one folder each.
_BACKEND = DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
AGORA_OPENDATA_CACHE = (
    Path(tempfile.gettempdir()) / f"agora-test-opendata-{_CHECKOUT}-{_BACKEND}"
)
LOGGING["loggers"]["django"]["level"] = "WARNING"  # noqa: F405
