"""Flags, the moderator queue, hide / restore with reasons, and the logs."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from accounts.models import Notification
from consultation import services
from consultation.models import Flag, ModerationAction
from tests.factories import UserFactory

SECRET = "Buy cheap watches at my shop"


@pytest.fixture
def spam(plan):
    author = UserFactory(display_name="Spammer")
    return services.post_comment(user=author, plan=plan, section_key="3.2", body=SECRET)


def test_anyone_logged_in_flags_once_with_a_reason_code(spam):
    reporter = UserFactory()
    flag = services.flag_comment(user=reporter, comment=spam, reason="spam", note="ad")
    assert (flag.reason, flag.note, flag.resolved_at) == ("spam", "ad", None)
    with pytest.raises(ValidationError) as caught:
        services.flag_comment(user=reporter, comment=spam, reason="abuse")
    assert caught.value.message_dict == {
        "reason": ["You have already flagged this comment."]
    }
    with pytest.raises(ValidationError):
        services.flag_comment(user=UserFactory(), comment=spam, reason="rude")
    with pytest.raises(PermissionDenied):
        services.flag_comment(user=spam.author, comment=spam, reason="spam")


def test_moderators_see_the_queue_and_hide_with_a_reason(spam, moderator):
    services.flag_comment(user=UserFactory(), comment=spam, reason="spam")
    services.flag_comment(user=UserFactory(), comment=spam, reason="abuse")
    client = Client()
    client.force_login(moderator)
    queue = client.get("/moderation/")
    assert queue.status_code == 200
    html = queue.content.decode()
    assert SECRET in html and "2 open flags" in html

    response = client.post(
        f"/comments/{spam.pk}/moderate/",
        {"action": "hide", "reason": "spam", "note": "Advertising, second time"},
    )
    assert response.status_code == 302
    spam.refresh_from_db()
    assert spam.is_hidden and spam.hidden_reason == "spam"
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    action = ModerationAction.objects.get()
    assert (action.action, action.reason, action.moderator) == (
        "hide",
        "spam",
        moderator,
    )
    # The author learns why.
    assert Notification.objects.filter(
        recipient=spam.author, kind="consultation.hidden"
    ).exists()
    # Nobody sees the content any more, and the page says why.
    page = Client().get(f"/plans/{spam.plan.slug}/").content.decode()
    assert SECRET not in page
    assert "Hidden by a moderator (reason: Spam)." in page


def test_restoring_needs_a_reason_and_is_logged(spam, moderator):
    services.hide_comment(user=moderator, comment=spam, reason="off_topic")
    with pytest.raises(ValidationError) as caught:
        services.restore_comment(user=moderator, comment=spam, note=" ")
    assert "note" in caught.value.message_dict
    services.restore_comment(user=moderator, comment=spam, note="Was on topic.")
    spam.refresh_from_db()
    assert not spam.is_hidden
    assert list(ModerationAction.objects.values_list("action", flat=True)) == [
        "restore",
        "hide",
    ]


def test_dismissing_flags_is_logged_too(spam, moderator):
    services.flag_comment(user=UserFactory(), comment=spam, reason="other")
    services.dismiss_flags(user=moderator, comment=spam, note="Fine.")
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    assert ModerationAction.objects.get().action == "dismiss"


def test_only_moderators_and_admins_moderate(spam, official, admin_user):
    for user in (UserFactory(), official):
        with pytest.raises(PermissionDenied):
            services.hide_comment(user=user, comment=spam, reason="spam")
        client = Client()
        client.force_login(user)
        assert client.get("/moderation/").status_code == 403
    services.hide_comment(user=admin_user, comment=spam, reason="spam")


def test_the_public_log_lists_hidden_items_without_content_or_notes(spam, moderator):
    services.hide_comment(
        user=moderator, comment=spam, reason="personal_data", note="Phone number"
    )
    page = Client().get("/moderation/log/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"Comment #{spam.pk} on section 3.2" in html
    assert "Personal data" in html and "Hidden" in html
    assert SECRET not in html
    assert "Phone number" not in html
    assert "Spammer" not in html and moderator.display_name not in html


def test_the_moderate_page_refuses_unknown_actions(spam, moderator):
    client = Client()
    client.force_login(moderator)
    response = client.post(f"/comments/{spam.pk}/moderate/", {"action": "delete"})
    assert response.status_code == 400
    response = client.post(f"/comments/{spam.pk}/moderate/", {"action": "hide"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
