"""Read configuration from the environment (12-factor).

Settings modules call these helpers; nothing else in the project reads
``os.environ`` directly. A required value that is missing raises
``ImproperlyConfigured`` with a message naming the variable, so a production
deployment fails loudly at start-up instead of running with a default.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_required(name: str, why: str = "") -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        hint = f" ({why})" if why else ""
        raise ImproperlyConfigured(
            f"The environment variable {name} must be set{hint}. "
            "See the Configuration section of README.md."
        )
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"The environment variable {name} must be a boolean (1/0, true/false), "
        f"not {raw!r}."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be an integer, not {raw!r}."
        ) from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]
