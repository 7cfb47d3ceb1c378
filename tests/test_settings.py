"""Settings come from the environment; production config fails loudly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key in {"PATH", "HOME", "LANG", "PYTHONPATH", "VIRTUAL_ENV"}
    }
    for line in (ROOT / "deploy/production.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, value = line.split("=", 1)
            env[key] = value
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_documented_production_environment():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_required_values(missing):
    env = production_env()
    del env[missing]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert f"The environment variable {missing} must be set" in result.stderr


def test_production_without_email_server_fails_loudly():
    env = production_env()
    del env["EMAIL_HOST"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "EMAIL_HOST must be set" in result.stderr


def test_production_settings_are_secure_by_default():
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_SSL_REDIRECT, s.ACCOUNT_EMAIL_VERIFICATION,"
        " s.CHANNEL_LAYERS['default']['BACKEND'],"
        " s.CHANNEL_LAYERS['default']['CONFIG']['hosts'][0]['max_connections'],"
        " s.DATABASES['default']['ENGINE'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "True",
        "mandatory",
        "channels_redis.pubsub.RedisPubSubChannelLayer",
        "1000",
        "django.db.backends.postgresql",
    ]


def test_email_verification_cannot_be_relaxed_in_production():
    env = production_env(ACCOUNT_EMAIL_VERIFICATION="optional")
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "E-mail verification is mandatory" in result.stderr


def test_warns_when_in_memory_channel_layer_runs_with_debug_off():
    layer = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    with override_settings(DEBUG=False, CHANNEL_LAYERS=layer):
        ids = [m.id for m in checks.run_checks()]
    assert "agora.W001" in ids
    with override_settings(DEBUG=True, CHANNEL_LAYERS=layer):
        ids = [m.id for m in checks.run_checks()]
    assert "agora.W001" not in ids


def test_readme_documents_every_environment_variable():
    import re

    source = (ROOT / "config/settings/base.py").read_text()
    names = set(re.findall(r'env_\w+\(\s*"([A-Z_]+)"', source))
    readme = (ROOT / "README.md").read_text()
    undocumented = sorted(name for name in names if f"`{name}`" not in readme)
    assert names and undocumented == []


@pytest.mark.postgres
def test_database_pool_keeps_postgresql_connections_open():
    """DATABASE_POOL=1: the process reuses pooled connections instead of
    opening one per database call."""
    code = (
        "from django.db import connection;"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['OPTIONS']['pool']['max_size']);"
        "pids = set();"
        "exec('for _ in range(6):\\n"
        " connection.ensure_connection()\\n"
        " c = connection.cursor(); c.execute(\\'select pg_backend_pid()\\');"
        " pids.add(c.fetchone()[0]); c.close(); connection.close()');"
        "print(connection.pool is not None, len(pids))"
    )
    env = {
        **production_env(DEBUG="1", DATABASE_POOL="1", DATABASE_POOL_MAX_SIZE="4"),
        "DATABASE_URL": os.environ["DATABASE_URL"],
    }
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    # Closing a pooled connection hands it back: six calls share the pool's
    # connections, at most its max_size (without the pool: six backends).
    size, pooled, backends = result.stdout.split()
    assert (size, pooled) == ("4", "True")
    assert int(backends) <= 4
