"""Notifications and their e-mails come in the recipient's language, whoever
caused the event and whatever language their request was in; the language is
remembered from the language selector, the sign-up and the profile form."""

from __future__ import annotations

from django.core import mail
from django.test import Client
from django.utils import translation

from accounts.models import EmailFrequency, Notification, User
from accounts.tasks import run_digests
from consultation import services
from forum.services import set_session_follow, set_session_status
from tests.consultation.conftest import publish_v2
from tests.notifications.conftest import comment_on, person

PLAN = "Open Parliament Action Plan"


def person_in(name: str, language: str, frequency: str = EmailFrequency.IMMEDIATELY):
    user = person(name, frequency)
    user.language = language
    user.save(update_fields=["language"])
    return user


def mail_to(address: str):
    (message,) = [m for m in mail.outbox if m.to == [address]]
    return message


def test_an_english_official_answers_a_chinese_citizen_in_chinese(
    plan, official, committed
):
    mei = person_in("Mei", "zh-hant")
    ada = person_in("Ada", "en")
    to_mei, to_ada = comment_on(plan, mei), comment_on(plan, ada, key="3.2")
    mail.outbox.clear()
    # The official works in English (the request's language is English).
    with translation.override("en"), committed():
        for comment in (to_mei, to_ada):
            services.respond_to_comment(
                user=official, comment=comment, disposition="adopted", body="Yes."
            )

    note = Notification.objects.get(recipient=mei)
    assert note.title == f"Ministry of Data 已回應您在「{PLAN}」章節 3.1 的意見：採納"
    message = mail_to("mei@example.org")
    assert message.subject == f"[Agora] 您對「{PLAN}」所提意見的回應"
    assert "Mei 您好：" in message.body
    assert "處理情形：採納" in message.body
    assert "停止所有通知電子郵件" in message.body  # the template's footer too
    html = message.alternatives[0][0]
    assert "處理情形：採納" in html and "停止所有通知電子郵件" in html

    note = Notification.objects.get(recipient=ada)
    assert note.title == (
        f"Ministry of Data responded to your comment on section 3.2 of “{PLAN}”: "
        "Adopted"
    )
    message = mail_to("ada@example.org")
    assert message.subject == f"[Agora] Response to your comment on “{PLAN}”"
    assert "Disposition: Adopted" in message.body
    assert "處理" not in message.body
    assert "Stop all notification e-mails" in message.body


def test_a_chinese_official_answers_an_english_citizen_in_english(
    plan, official, committed
):
    ada = person_in("Ada", "")  # no choice: the site's default, English
    comment = comment_on(plan, ada)
    mail.outbox.clear()
    with translation.override("zh-hant"), committed():
        services.respond_to_comment(
            user=official, comment=comment, disposition="adopted", body="OK"
        )
    assert mail_to("ada@example.org").subject == (
        f"[Agora] Response to your comment on “{PLAN}”"
    )
    assert Notification.objects.get(recipient=ada).title.endswith(": Adopted")


def test_a_new_version_reaches_each_follower_in_their_language(
    plan, official, committed
):
    mei, lin = person_in("Mei", "zh-hant"), person_in("Lin", "zh-hant")
    ada = person_in("Ada", "en")
    for user in (mei, lin, ada):
        services.set_plan_follow(user=user, plan=plan, follow=True)
    mail.outbox.clear()
    with committed():
        publish_v2(plan, official)
    titles = dict(
        Notification.objects.filter(kind="consultation.version").values_list(
            "recipient__display_name", "title"
        )
    )
    assert titles == {
        "Mei": f"「{PLAN}」已發布第 2 版。",
        "Lin": f"「{PLAN}」已發布第 2 版。",
        "Ada": f"Version 2 of “{PLAN}” was published.",
    }
    assert mail_to("lin@example.org").subject == f"[Agora] 「{PLAN}」發布新版本"
    assert mail_to("ada@example.org").subject == f"[Agora] New version of “{PLAN}”"


def test_a_session_going_live_reaches_each_follower_in_their_language(
    forum_session, moderator, committed
):
    mei, ada = person_in("Mei", "zh-hant"), person_in("Ada", "en")
    for user in (mei, ada):
        set_session_follow(user=user, session=forum_session, follow=True)
    # The moderator's page is in Chinese; Ada still reads English.
    with translation.override("zh-hant"), committed():
        set_session_status(session_id=forum_session.pk, user=moderator, status="live")
    assert (
        mail_to("mei@example.org").subject == "[Agora] 直播中：「Open budget hearing」"
    )
    assert mail_to("ada@example.org").subject == (
        "[Agora] Live now: “Open budget hearing”"
    )
    assert Notification.objects.get(recipient=mei).title == (
        "「Open budget hearing」正在直播。"
    )


def test_notify_many_composes_once_per_language(db):
    from accounts.services import NotificationText, notify_many

    people = [
        person_in("Mei", "zh-hant"),
        person_in("Lin", "zh-hant"),
        person_in("Ada", "en"),
        person_in("Bo", ""),
    ]
    calls: list[str] = []

    def compose() -> NotificationText:
        calls.append(translation.get_language())
        return NotificationText(title=translation.gettext("Other"))

    rows = notify_many(recipients=people, kind="k", compose=compose)
    assert sorted(calls) == ["en", "zh-hant"]
    assert [row.title for row in rows] == ["其他", "其他", "Other", "Other"]


def test_the_digest_is_written_in_the_readers_language(plan, committed):
    mei = person_in("Mei", "zh-hant", EmailFrequency.DAILY)
    ada = person_in("Ada", "en", EmailFrequency.DAILY)
    comment = comment_on(plan, mei)
    with translation.override("en"), committed():
        services.post_comment(user=ada, plan=plan, body="Agreed", parent=comment)
    mail.outbox.clear()
    with translation.override("en"):
        assert run_digests() == 1
    digest = mail_to("mei@example.org")
    assert digest.subject == "[Agora] 每日摘要：1 則通知", digest.subject
    assert "對您意見的回覆" in digest.body  # the group heading
    assert f"Ada 回覆了您在「{PLAN}」第 3.1 節的意見。" in digest.body, digest.body
    assert "對您意見的回覆" in digest.alternatives[0][0]


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_switching_language_while_logged_in_stores_it(db):
    ada = person("Ada")
    assert ada.language == ""
    client = login(ada)
    response = client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "zh-hant"  # as before
    ada.refresh_from_db()
    assert ada.language == "zh-hant"

    # An unsupported code changes nothing; switching back stores English.
    client.post("/i18n/setlang/", {"language": "klingon", "next": "/"})
    ada.refresh_from_db()
    assert ada.language == "zh-hant"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    ada.refresh_from_db()
    assert ada.language == "en"


def test_switching_language_logged_out_still_works(db):
    response = Client().post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "zh-hant"


def test_sign_up_remembers_the_language_it_was_made_in(db):
    client = Client()
    client.cookies["django_language"] = "zh-hant"
    response = client.post(
        "/accounts/signup/",
        {
            "email": "mei@example.org",
            "display_name": "Mei",
            "sector": "citizen",
            "password1": "a-long-unusual-pass-phrase",
            "password2": "a-long-unusual-pass-phrase",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="mei@example.org").language == "zh-hant"


def test_the_profile_form_saves_the_language(db):
    ada = person("Ada")
    client = login(ada)
    page = client.get("/accounts/profile/").content.decode()
    assert "Language of notifications and e-mails" in page
    response = client.post(
        "/accounts/profile/",
        {"display_name": "Ada", "sector": "citizen", "language": "zh-hant"},
    )
    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.language == "zh-hant"

    response = client.post(
        "/accounts/profile/",
        {"display_name": "Ada", "sector": "citizen", "language": "fr"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    ada.refresh_from_db()
    assert ada.language == "zh-hant"

    client.post(
        "/accounts/profile/",
        {"display_name": "Ada", "sector": "citizen", "language": ""},
    )
    ada.refresh_from_db()
    assert ada.language == ""
