"""The on-site notification list and notification e-mails."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Notification
from accounts.services import mark_notifications_read, notify
from tests.factories import UserFactory


@pytest.fixture
def ada(db):
    return UserFactory(display_name="Ada", email="ada@example.org")


def test_notify_stores_and_emails_after_commit(ada, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(
            recipient=ada,
            kind="test.kind",
            title="Something happened",
            url="/plans/x/",
            email_subject="Something happened",
            email_body="Details.",
        )
    assert Notification.objects.get() == notification
    (email,) = mail.outbox
    assert email.to == ["ada@example.org"]
    assert email.subject == "[Agora] Something happened"
    assert "Details." in email.body and "/plans/x/" in email.body


def test_notify_without_subject_sends_no_email(ada, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=ada, kind="k", title="Only on the site")
    assert mail.outbox == []


def test_the_notifications_page_lists_and_marks_read(ada):
    first = notify(recipient=ada, kind="k", title="First", url="/plans/")
    notify(recipient=ada, kind="k", title="Second", url="https://evil.example/")
    notify(recipient=UserFactory(), kind="k", title="Someone else's")
    client = Client()
    client.force_login(ada)
    page = client.get("/accounts/notifications/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "First" in html and "Second" in html and "Someone else" not in html
    assert 'href="/plans/"' in html
    assert "evil.example" not in html  # only links into the site
    assert "You have 2 unread notifications." in html

    # The account menu shows the unread count.
    home = client.get("/").content.decode()
    assert 'href="/accounts/notifications/"' in home
    assert "2<span" in home

    client.post("/accounts/notifications/read/", {"id": first.pk})
    first.refresh_from_db()
    assert first.read_at is not None
    client.post("/accounts/notifications/read/")
    assert not Notification.objects.filter(recipient=ada, read_at__isnull=True).exists()


def test_marking_read_touches_only_your_own(ada):
    other = notify(recipient=UserFactory(), kind="k", title="Not yours")
    assert mark_notifications_read(user=ada, ids=[other.pk]) == 0
    client = Client()
    client.force_login(ada)
    client.post("/accounts/notifications/read/", {"id": other.pk})
    other.refresh_from_db()
    assert other.read_at is None


def test_notifications_need_login_and_csrf(ada):
    assert Client().get("/accounts/notifications/").status_code == 302
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    assert client.post("/accounts/notifications/read/").status_code == 403
