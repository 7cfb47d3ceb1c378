"""Each event notifies the right people, on the site and by e-mail, and never
the person who caused it."""

from __future__ import annotations

from django.core import mail
from django.db import transaction

from accounts.models import EmailFrequency, Notification
from consultation import services
from forum.services import set_session_follow, set_session_status
from tests.consultation.conftest import publish_v2
from tests.notifications.conftest import comment_on, person


def inbox() -> dict[str, list[str]]:
    """Recipient address → subjects of the e-mails sent to it."""
    got: dict[str, list[str]] = {}
    for message in mail.outbox:
        (to,) = message.to
        got.setdefault(to, []).append(message.subject)
    return got


def kinds(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).values_list("kind", flat=True)
    )


def test_a_reply_notifies_the_comment_author_and_not_the_replier(
    plan, ada, bo, cy, committed
):
    comment = comment_on(plan, ada)
    mail.outbox.clear()
    with committed():
        reply = services.post_comment(
            user=bo, plan=plan, body="Agreed!", parent=comment
        )
    assert inbox() == {
        "ada@example.org": [
            "[Agora] Reply to your comment on “Open Parliament Action Plan”"
        ]
    }
    (message,) = mail.outbox
    assert "Agreed!" in message.body
    assert f"/comments/{reply.pk}/" in message.body
    assert "bo@example.org" not in message.body  # display names only
    note = Notification.objects.get(recipient=ada)
    assert note.kind == "consultation.reply"
    assert note.title.startswith("Bo replied to your comment on section 3.1")
    assert kinds(bo) == [] and kinds(cy) == []

    # A reply to the reply reaches both the reply's author and the thread's.
    mail.outbox.clear()
    with committed():
        services.post_comment(user=cy, plan=plan, body="Me too.", parent=reply)
    assert sorted(inbox()) == ["ada@example.org", "bo@example.org"]


def test_replying_to_yourself_notifies_nobody(plan, ada, committed):
    comment = comment_on(plan, ada)
    with committed():
        services.post_comment(user=ada, plan=plan, body="Also…", parent=comment)
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_official_response_respects_the_authors_setting(plan, official, committed):
    now = person("Now")
    daily = person("Daily", EmailFrequency.DAILY)
    never = person("Never", EmailFrequency.OFF)
    comments = [comment_on(plan, user) for user in (now, daily, never)]
    with committed():
        for comment in comments:
            services.respond_to_comment(
                user=official, comment=comment, disposition="adopted", body="Yes."
            )
    assert list(inbox()) == ["now@example.org"]
    assert "Response to your comment" in mail.outbox[0].subject
    # Everyone has it on the site, whatever their e-mail setting.
    for user in (now, daily, never):
        assert kinds(user) == ["consultation.response"]


def test_a_new_version_reaches_commenters_and_followers_once(
    plan, official, ada, bo, cy, committed
):
    comment_on(plan, ada)
    comment_on(plan, ada, key="3.2")  # two comments, still one notification
    services.set_plan_follow(user=bo, plan=plan, follow=True)
    services.set_plan_follow(user=bo, plan=plan, follow=True)  # idempotent
    quitter = person("Quitter")
    comment_on(plan, quitter)
    services.set_plan_follow(user=quitter, plan=plan, follow=False)
    official_follower = official  # the publisher follows too: not told
    services.set_plan_follow(user=official_follower, plan=plan, follow=True)
    mail.outbox.clear()

    with committed():
        version = publish_v2(plan, official)

    assert sorted(inbox()) == ["ada@example.org", "bo@example.org"]
    assert inbox()["ada@example.org"] == [
        "[Agora] New version of “Open Parliament Action Plan”"
    ]
    assert "What changed: Captions; youth." in mail.outbox[0].body
    assert f"/plans/{plan.slug}/versions/{version.number}/" in mail.outbox[0].body
    assert kinds(ada) == ["consultation.version"]
    assert kinds(bo) == ["consultation.version"]
    assert kinds(cy) == [] and kinds(quitter) == [] and kinds(official) == []


def test_the_audience_of_a_version_is_one_query(
    plan, ada, bo, django_assert_num_queries
):
    comment_on(plan, ada)
    services.set_plan_follow(user=bo, plan=plan, follow=True)
    with django_assert_num_queries(1):
        people = list(services.plan_audience(plan))
    assert [p.display_name for p in people] == ["Ada", "Bo"]


def test_a_session_going_live_notifies_its_followers(
    forum_session, moderator, ada, bo, cy, committed
):
    set_session_follow(user=ada, session=forum_session, follow=True)
    set_session_follow(user=bo, session=forum_session, follow=True)
    set_session_follow(user=bo, session=forum_session, follow=False)
    set_session_follow(user=moderator, session=forum_session, follow=True)
    with committed():
        set_session_status(session_id=forum_session.pk, user=moderator, status="live")
    assert inbox() == {"ada@example.org": ["[Agora] Live now: “Open budget hearing”"]}
    assert f"/sessions/{forum_session.pk}/" in mail.outbox[0].body
    assert kinds(ada) == ["forum.live"]
    assert kinds(bo) == [] and kinds(cy) == [] and kinds(moderator) == []

    # Ending it (or setting it live again) tells nobody anything new.
    with committed():
        set_session_status(session_id=forum_session.pk, user=moderator, status="ended")
    assert len(mail.outbox) == 1


def test_a_rolled_back_event_sends_nothing(plan, ada, bo, committed):
    comment = comment_on(plan, ada)

    class Abort(Exception):
        pass

    with committed() as callbacks:
        try:
            with transaction.atomic():
                services.post_comment(user=bo, plan=plan, body="Oops", parent=comment)
                raise Abort
        except Abort:
            pass
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_the_notifications_page_shows_the_events(plan, ada, bo):
    from django.test import Client

    comment = comment_on(plan, ada)
    reply = services.post_comment(user=bo, plan=plan, body="Hi", parent=comment)
    client = Client()
    client.force_login(ada)
    html = client.get("/accounts/notifications/").content.decode()
    assert f'href="/comments/{reply.pk}/"' in html
    assert "Bo replied to your comment on section 3.1" in html
    assert "You have 1 unread notification." in html
