"""Secrets never reach the logs nor the 500 e-mails sent to ADMINS."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core import mail
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from common.logging import REDACTED, redact

PASSWORD = "hunter2-very-secret"
TOKEN = "tok_9f8e7d6c5b4a"
SESSION = "sessabcdef0123456789"
DB_PASSWORD = "db-pass-4242"


def failing_login(request: HttpRequest) -> HttpResponse:
    password = request.POST.get("password")  # a local variable in the traceback
    raise ValueError(
        f"login failed ({len(password or '')} characters) for {request.POST!r}, "
        f"headers {dict(request.headers)!r}"
    )


urlpatterns = [path("boom/", failing_login)]


@contextmanager
def captured_log() -> Iterator[io.StringIO]:
    """Swap the stream of the configured console handler(s) (the real wiring)."""
    buffer = io.StringIO()
    handlers = {
        h
        for logger in (logging.getLogger(), logging.getLogger("django"))
        for h in logger.handlers
        if isinstance(h, logging.StreamHandler)
    }
    assert handlers, "no console handler configured"
    previous = {h: h.setStream(buffer) for h in handlers}
    try:
        yield buffer
    finally:
        for h, stream in previous.items():
            h.setStream(stream)


def test_every_configured_handler_redacts():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact_secrets" in handler.get("filters", []), name
    # The live handlers, Django's own loggers included.
    for logger_name in ("", "django", "django.request", "django.server"):
        logger = logging.getLogger(logger_name)
        while logger is not None:
            for handler in logger.handlers:
                if type(handler).__module__.startswith("_pytest"):
                    continue  # pytest's own capture
                kinds = {type(f).__name__ for f in handler.filters}
                assert "RedactSecretsFilter" in kinds, (logger.name, handler)
            logger = logger.parent if logger.propagate else None


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_failing_request_logs_no_password_token_or_cookie():
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = SESSION
    with captured_log() as log:
        response = client.post(
            "/boom/",
            {"email": "ada@example.org", "password": PASSWORD},
            HTTP_AUTHORIZATION=f"Bearer {TOKEN}",
        )
    assert response.status_code == 500
    output = log.getvalue()
    assert "Internal Server Error: /boom/" in output
    assert "ValueError" in output  # the traceback is still there
    for secret in (PASSWORD, TOKEN, SESSION, "ada@example.org"):
        assert secret not in output
    assert REDACTED in output


@pytest.mark.django_db
@override_settings(
    ROOT_URLCONF=__name__,
    ADMINS=[("Ops", "ops@agora.test")],
    DATABASE_URL=f"postgres://agora:{DB_PASSWORD}@db.internal/agora",
)
def test_the_500_email_to_admins_hides_post_fields_headers_and_settings():
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = SESSION
    with captured_log():
        client.post(
            "/boom/",
            {"email": "ada@example.org", "password": PASSWORD, "body": "hello"},
            HTTP_AUTHORIZATION=f"Bearer {TOKEN}",
        )
    assert len(mail.outbox) == 1
    report = mail.outbox[0]
    text = report.subject + report.body
    assert "ValueError" in text
    assert "hello" in text  # ordinary fields are still reported
    for secret in (PASSWORD, TOKEN, SESSION, DB_PASSWORD, settings.SECRET_KEY):
        assert secret not in text


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (f"POST /accounts/login/ password={PASSWORD}&next=/", PASSWORD),
        (f"{{'password1': '{PASSWORD}', 'email': 'x'}}", PASSWORD),
        (f'{{"api_key": "{TOKEN}"}}', TOKEN),
        (f"GET /feed?token={TOKEN} HTTP/1.1", TOKEN),
        (f"Authorization: Bearer {TOKEN}", TOKEN),
        (f"Cookie: sessionid={SESSION}; csrftoken=abc", SESSION),
        (f"csrfmiddlewaretoken={TOKEN}", TOKEN),
        (
            f"could not connect to postgres://agora:{DB_PASSWORD}@db/agora",
            DB_PASSWORD,
        ),
        (f"redis://:{DB_PASSWORD}@cache:6379/0 is down", DB_PASSWORD),
        ("sent a reminder to ada.lovelace@example.org", "ada.lovelace"),
    ],
)
def test_redact_removes_the_value_and_keeps_the_context(line, secret):
    cleaned = redact(line)
    assert secret not in cleaned
    assert len(cleaned) > 10  # the rest of the line is still there


def test_the_secret_key_value_is_redacted_wherever_it_appears():
    with captured_log() as log:
        logging.getLogger("agora.test").warning(
            "misconfigured: key %s", settings.SECRET_KEY
        )
    output = log.getvalue()
    assert "misconfigured: key" in output
    assert settings.SECRET_KEY not in output


def test_ordinary_messages_are_untouched():
    line = "analysis of conversation 12 took 0.4 s (42 participants)"
    assert redact(line) == line
