"""Secrets never reach the logs.

:class:`RedactSecretsFilter` is attached to every handler in ``LOGGING``. It
renders each record's message (and its traceback) once, replaces the values
of sensitive keys (passwords, tokens, cookies, session ids, CSRF tokens,
``Authorization`` headers, API keys), credentials inside URLs, the literal
values of the secret settings (``SECRET_KEY``, database and e-mail
passwords), and masks the local part of e-mail addresses (participation is
pseudonymous; an operator reading logs does not need the address).

:class:`SafeReporterFilter` is Django's ``DEFAULT_EXCEPTION_REPORTER_FILTER``
and :class:`SafeExceptionReporter` its ``DEFAULT_EXCEPTION_REPORTER``: the
error pages and the e-mails ``AdminEmailHandler`` sends for a 500 hide the
same POST fields, headers, settings and local variables, and the exception
message goes through :func:`redact`.

Both live here because two callers need the same list of sensitive names.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

REDACTED = "********"

# Names (of form fields, headers, query parameters, settings, variables) whose
# values are secret. Matched case-insensitively anywhere in the name.
SENSITIVE_NAME = re.compile(
    r"pass(word|wd|phrase)?|secret|token|csrf|session_?id|sessionid|"
    r"authori[sz]ation|cookie|api[_-]?key|apikey|access[_-]?key|private[_-]?key|"
    r"signature|credential",
    re.IGNORECASE,
)
_NAME = r"[\w.-]*?(?:" + SENSITIVE_NAME.pattern + r")[\w.-]*"

# key=value (query strings, form bodies, "key=value" log lines)
_KEY_EQUALS = re.compile(
    r"(?P<key>\b" + _NAME + r")(?P<sep>\s*=\s*)(?P<value>[^\s&;,'\"]+)",
    re.IGNORECASE,
)
# 'key': 'value' / "key": "value" (repr of dicts, JSON)
_KEY_QUOTED = re.compile(
    r"(?P<key>['\"]" + _NAME + r"['\"])(?P<sep>\s*:\s*)"
    r"(?P<value>'[^']*'|\"[^\"]*\"|[^\s,}\]]+)",
    re.IGNORECASE,
)
# HTTP header lines: "Authorization: Bearer abc", "Cookie: sessionid=…"
_HEADER = re.compile(
    r"(?P<key>\b(?:authorization|proxy-authorization|cookie|set-cookie|"
    r"x-csrftoken|x-api-key)\b)(?P<sep>\s*:\s*)(?P<value>[^\r\n'\"]+)",
    re.IGNORECASE,
)
# scheme://user:password@host
_URL_CREDENTIALS = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^@\s/]+@")
_EMAIL = re.compile(r"\b[\w.+-]+@(?P<domain>[\w-]+(?:\.[\w-]+)+)\b")

_SECRET_SETTINGS = ("SECRET_KEY", "EMAIL_HOST_PASSWORD")


def _secret_values() -> list[str]:
    """Literal values of the secret settings (long enough to be worth it)."""
    values: list[str] = []
    try:
        for name in _SECRET_SETTINGS:
            values.append(str(getattr(settings, name, "") or ""))
        values.extend(
            str(db.get("PASSWORD") or "") for db in settings.DATABASES.values()
        )
    except Exception:
        return []
    return sorted({v for v in values if len(v) >= 6}, key=len, reverse=True)


def _replace_value(match: re.Match[str]) -> str:
    value = match["value"]
    quote = value[0] if value[:1] in {"'", '"'} else ""
    return f"{match['key']}{match['sep']}{quote}{REDACTED}{quote}"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret value replaced by ``********``."""
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    text = _URL_CREDENTIALS.sub(lambda m: f"{m['head']}{REDACTED}@", text)
    text = _HEADER.sub(_replace_value, text)
    text = _KEY_QUOTED.sub(_replace_value, text)
    text = _KEY_EQUALS.sub(_replace_value, text)
    return _EMAIL.sub(lambda m: f"***@{m['domain']}", text)


class RedactSecretsFilter(logging.Filter):
    """Rewrite a record's message and traceback without secrets (never drops)."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = _secret_values()
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        record.msg = redact(message, secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        return True


class SafeReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, extended to the names above and to URL credentials.

    Django hides settings named like API/TOKEN/KEY/SECRET/PASS, but it shows
    every POST field unless a view is decorated with
    ``sensitive_post_parameters``, every local variable unless decorated with
    ``sensitive_variables``, and ``DATABASE_URL`` / ``REDIS_URL`` with their
    passwords. This filter hides those too.
    """

    hidden_settings = re.compile(
        SafeExceptionReporterFilter.hidden_settings.pattern
        + "|"
        + SENSITIVE_NAME.pattern,
        re.IGNORECASE,
    )

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str):
            return redact(cleansed)
        return cleansed

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        params = super().get_post_parameters(request)
        if request is None or not params:
            return params
        cleansed = params.copy()
        for key in cleansed:
            if SENSITIVE_NAME.search(key):
                cleansed[key] = self.cleansed_substitute
        return cleansed

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> Any:
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [
            (name, self.cleansed_substitute if SENSITIVE_NAME.search(name) else value)
            for name, value in variables
        ]


class SafeExceptionReporter(ExceptionReporter):
    """Django's reporter with the exception message and the text report
    redacted (an exception may quote a request's data in its message)."""

    def get_traceback_data(self) -> dict[str, Any]:
        data = super().get_traceback_data()
        if data.get("exception_value"):
            data["exception_value"] = redact(
                str(data["exception_value"]), _secret_values()
            )
        return data

    def get_traceback_text(self) -> SafeString:
        # Plain text for the e-mail body; marking it safe only satisfies the
        # parent's signature (Django renders it with autoescape off too).
        return mark_safe(  # noqa: S308
            redact(str(super().get_traceback_text()), _secret_values())
        )
