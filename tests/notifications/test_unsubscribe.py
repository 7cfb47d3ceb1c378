"""Every e-mail carries an unsubscribe link that works without logging in,
and the RFC 8058 one-click headers."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client

from accounts.models import EmailFrequency
from accounts.services import notify, unsubscribe_token
from accounts.tasks import run_digests
from tests.notifications.conftest import person


def unsubscribe_path(message) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    url = header.strip("<>")
    assert url in message.body
    assert url in message.alternatives[0][0]
    assert message.extra_headers["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click"
    )
    path = url.removeprefix("http://127.0.0.1:8000")
    assert re.fullmatch(r"/accounts/unsubscribe/[^/]+/", path)
    return path


def test_immediate_and_digest_emails_carry_the_link(ada, committed):
    dana = person("Dana", EmailFrequency.DAILY)
    with committed():
        notify(recipient=ada, kind="k", title="Hello", email_subject="Hello")
        notify(recipient=dana, kind="k", title="Later", email_subject="Later")
    run_digests()
    immediate, digest = mail.outbox
    assert unsubscribe_path(immediate) != unsubscribe_path(digest)


def test_unsubscribe_by_get_then_post_while_logged_out(ada, committed):
    with committed():
        notify(recipient=ada, kind="k", title="Hello", email_subject="Hello")
    path = unsubscribe_path(mail.outbox[0])
    client = Client(enforce_csrf_checks=True)
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Stop all notification e-mails to Ada?" in html
    assert "ada@example.org" not in html
    ada.refresh_from_db()
    assert ada.email_notifications == EmailFrequency.IMMEDIATELY  # GET changes nothing

    done = client.post(path)
    assert done.status_code == 200
    assert "Notification e-mails are off for Ada." in done.content.decode()
    ada.refresh_from_db()
    assert ada.email_notifications == EmailFrequency.OFF

    with committed():
        notify(recipient=ada, kind="k", title="Again", email_subject="Again")
    assert run_digests() == 0
    assert len(mail.outbox) == 1


def test_one_click_unsubscribe_needs_no_csrf_token(ada):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/accounts/unsubscribe/{unsubscribe_token(ada)}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    ada.refresh_from_db()
    assert ada.email_notifications == EmailFrequency.OFF


def test_a_tampered_or_foreign_token_is_a_clear_400(ada, bo):
    token = unsubscribe_token(ada)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    client = Client()
    for bad in (tampered, "nonsense", token + "x"):
        for method in (client.get, client.post):
            response = method(f"/accounts/unsubscribe/{bad}/")
            assert response.status_code == 400
            assert "This unsubscribe link is not valid" in response.content.decode()
    # A token signed for another purpose does not work either.
    from django.core import signing

    other = signing.dumps({"u": ada.pk}, salt="something.else", compress=True)
    assert client.post(f"/accounts/unsubscribe/{other}/").status_code == 400
    ada.refresh_from_db()
    bo.refresh_from_db()
    assert ada.email_notifications == EmailFrequency.IMMEDIATELY
    assert bo.email_notifications == EmailFrequency.IMMEDIATELY


def test_a_token_unsubscribes_only_its_owner(ada, bo):
    Client().post(f"/accounts/unsubscribe/{unsubscribe_token(bo)}/")
    ada.refresh_from_db()
    bo.refresh_from_db()
    assert ada.email_notifications == EmailFrequency.IMMEDIATELY
    assert bo.email_notifications == EmailFrequency.OFF


def test_hostile_text_is_inert_in_emails(ada, committed):
    from tests.data import naughty_strings

    hostile = [s for s in naughty_strings() if "<" in s][:40]
    with committed():
        for text in hostile:
            notify(
                recipient=ada,
                kind="consultation.reply",
                title=text,
                url="/comments/1/",
                email_subject=text[:100] or "x",
                email_body=text,
            )
    assert len(mail.outbox) == len(hostile)

    from html.parser import HTMLParser

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.seen: set[str] = set()
            self.handlers: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.seen.add(tag)
            self.handlers += [name for name, _value in attrs if name.startswith("on")]

    for message in mail.outbox:
        parser = Tags()
        parser.feed(message.alternatives[0][0])
        # Only the template's own elements, no script or event handler.
        assert parser.seen <= {
            "html",
            "head",
            "meta",
            "title",
            "body",
            "p",
            "a",
            "br",
            "hr",
            "small",
        }
        assert parser.handlers == []
        assert "\n" not in message.subject
