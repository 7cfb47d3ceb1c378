"""Preferences (immediately / daily digest / off) and the daily digest."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings

from accounts.models import EmailFrequency, Notification
from accounts.services import notify
from accounts.tasks import (
    next_digest_time,
    run_digests,
    schedule_next_digest,
    send_digests,
)
from consultation import services
from forum.services import set_session_follow, set_session_status
from tests.consultation.conftest import publish_v2
from tests.notifications.conftest import comment_on, person


@pytest.fixture
def dana(db):
    return person("Dana", EmailFrequency.DAILY)


def test_the_digest_groups_a_days_notifications_in_one_email(
    plan, official, forum_session, moderator, dana, ada, committed
):
    comment = comment_on(plan, dana)
    set_session_follow(user=dana, session=forum_session, follow=True)
    with committed():
        services.post_comment(user=ada, plan=plan, body="Reply one", parent=comment)
        services.respond_to_comment(
            user=official, comment=comment, disposition="adopted", body="Yes."
        )
        publish_v2(plan, official)
        set_session_status(session_id=forum_session.pk, user=moderator, status="live")
    # Nothing immediate for a digest reader (Ada, who replied, follows v2 now).
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]
    mail.outbox.clear()

    assert run_digests() == 1
    (digest,) = mail.outbox
    assert digest.to == ["dana@example.org"]
    assert digest.subject == "[Agora] Your daily digest: 4 notifications"
    body = digest.body
    headings = [
        "Replies to your comments",
        "Official responses to your comments",
        "New versions of plans",
        "Sessions going live",
    ]
    positions = [body.index(heading) for heading in headings]
    assert positions == sorted(positions)
    assert "Ada replied to your comment on section 3.1" in body
    assert "Version 2 of “Open Parliament Action Plan” was published." in body
    assert f"/sessions/{forum_session.pk}/" in body
    assert f"/comments/{comment.pk}/" in body
    html = digest.alternatives[0][0]
    assert "<h2>Sessions going live</h2>" in html
    assert f'href="http://testserver/sessions/{forum_session.pk}/"' in html or (
        f"/sessions/{forum_session.pk}/" in html
    )
    assert "ada@example.org" not in body and "ada@example.org" not in html
    assert (
        not Notification.objects.filter(recipient=dana, emailed_at__isnull=True)
        .exclude(email_subject="")
        .exists()
    )


def test_a_second_run_sends_nothing_more(dana, committed):
    notify(recipient=dana, kind="k", title="One", email_subject="One")
    assert run_digests() == 1
    assert run_digests() == 0
    call_command("send_digests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 1
    # Something new: the next run sends it, and only it.
    notify(recipient=dana, kind="k", title="Two", email_subject="Two")
    assert run_digests() == 1
    assert len(mail.outbox) == 2
    assert "Two" in mail.outbox[1].body and "One" not in mail.outbox[1].body
    assert mail.outbox[1].subject == "[Agora] Your daily digest: 1 notification"


def test_off_means_no_email_at_all(ada, committed):
    ada.email_notifications = EmailFrequency.OFF
    ada.save()
    with committed():
        notify(recipient=ada, kind="k", title="Quiet", email_subject="Quiet")
    assert run_digests() == 0
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=ada).count() == 1


def test_immediate_readers_are_not_digested_twice(ada, committed):
    with committed():
        notify(recipient=ada, kind="k", title="Now", email_subject="Now")
    assert len(mail.outbox) == 1
    assert run_digests() == 0
    assert len(mail.outbox) == 1


def test_switching_from_digest_to_immediate_still_delivers_what_waited(dana, committed):
    with committed():
        notify(recipient=dana, kind="k", title="Waiting", email_subject="Waiting")
    client = Client()
    client.force_login(dana)
    client.post(
        "/accounts/notifications/settings/", {"email_notifications": "immediately"}
    )
    assert run_digests() == 1
    assert "Waiting" in mail.outbox[0].body


def test_the_settings_page_changes_the_frequency(ada):
    client = Client()
    assert client.get("/accounts/notifications/settings/").status_code == 302
    client.force_login(ada)
    page = client.get("/accounts/notifications/settings/")
    assert page.status_code == 200
    assert "Once a day, in a digest" in page.content.decode()
    assert (
        'href="/accounts/notifications/settings/"'
        in client.get("/accounts/notifications/").content.decode()
    )
    response = client.post(
        "/accounts/notifications/settings/", {"email_notifications": "daily"}
    )
    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.email_notifications == EmailFrequency.DAILY
    bad = client.post("/accounts/notifications/settings/", {"email_notifications": "x"})
    assert bad.status_code == 400
    ada.refresh_from_db()
    assert ada.email_notifications == EmailFrequency.DAILY


@override_settings(TIME_ZONE="Asia/Taipei", NOTIFICATION_DIGEST_HOUR=7)
def test_the_next_digest_is_at_the_configured_local_hour():
    before = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)  # 06:00 in Taipei
    after = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # 07:30 in Taipei
    assert next_digest_time(before).astimezone(UTC) == datetime(
        2026, 11, 27, 23, 0, tzinfo=UTC
    )
    assert next_digest_time(after).astimezone(UTC) == datetime(
        2026, 11, 28, 23, 0, tzinfo=UTC
    )


def test_the_task_runs_the_digest_without_scheduling_on_an_immediate_backend(dana):
    notify(recipient=dana, kind="k", title="Via the task", email_subject="x")
    result = send_digests.enqueue()
    assert result.return_value == 1
    assert len(mail.outbox) == 1
    assert schedule_next_digest() is False  # the immediate backend cannot defer


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_digest_task_queues_exactly_one_next_run(dana):
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    assert schedule_next_digest() is True
    assert schedule_next_digest() is False  # one pending run at most
    (queued,) = DBTaskResult.objects.all()
    assert queued.run_after == next_digest_time()
    assert queued.task_path == "accounts.tasks.send_digests"

    # The worker runs it: it sends the digests and queues tomorrow's run.
    notify(recipient=dana, kind="k", title="Queued", email_subject="Queued")
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING)
    assert send_digests.call() == 1
    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
