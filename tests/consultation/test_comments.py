"""Comments: post, quote, reply, edit within 15 minutes, withdraw, endorse,
rate limits, and hostile text through the API and the form."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client, override_settings
from django.utils import timezone
from freezegun import freeze_time

from accounts.models import Sector
from common.ratelimit import RateLimited
from common.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from consultation import services
from consultation.models import Comment, CommentRevision, Endorsement
from tests.data import naughty_strings
from tests.factories import UserFactory
from tests.helpers import post_json


@pytest.fixture
def ada(db):
    return UserFactory(display_name="Ada", sector=Sector.NGO, email="ada@example.org")


def post(user, plan, key="3.2", body="A comment.", **kw):
    return services.post_comment(user=user, plan=plan, section_key=key, body=body, **kw)


def test_a_comment_is_anchored_to_a_section_and_stored_sanitised(ada, plan):
    comment = post(ada, plan, body="**Captions** please <script>alert(1)</script>")
    assert comment.section.key == "3.2" and comment.section_key == "3.2"
    assert comment.section.version == plan.current_version
    assert comment.body == "**Captions** please <script>alert(1)</script>"
    assert comment.body_html == (
        "<p><strong>Captions</strong> please &lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )


def test_links_in_comments_get_nofollow_noopener(ada, plan):
    comment = post(ada, plan, body="See [the record](https://example.org/r)")
    assert 'rel="nofollow noopener"' in comment.body_html


def test_a_quote_must_be_a_passage_of_the_section(ada, plan):
    comment = post(ada, plan, quote="streamed  live and\narchived", stance="concerns")
    assert comment.quote == "streamed live and archived"
    assert comment.stance == "concerns"
    with pytest.raises(ValidationError) as caught:
        post(ada, plan, quote="words that are not in section 3.2")
    assert caught.value.message_dict == {
        "quote": ["The quoted passage must be copied exactly from section 3.2."]
    }


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"key": "9.9"}, "section"),
        ({"key": ""}, "section"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 10_001}, "body"),
        ({"stance": "furious"}, "stance"),
        ({"quote": "q" * 1001}, "quote"),
    ],
)
def test_invalid_comments_are_refused_field_by_field(ada, plan, kwargs, field):
    with pytest.raises(ValidationError) as caught:
        post(ada, plan, **kwargs)
    assert field in caught.value.message_dict
    assert not Comment.objects.exists()


def test_replies_join_the_thread_of_the_top_level_comment(ada, plan):
    root = post(ada, plan)
    bob = UserFactory()
    reply = services.post_comment(user=bob, plan=plan, body="Reply", parent=root)
    reply_to_reply = services.post_comment(
        user=ada, plan=plan, body="Reply again", parent=reply
    )
    assert reply.parent == root and reply.section == root.section
    assert reply_to_reply.parent == root


def test_comments_are_only_taken_while_the_plan_is_open(ada, plan):
    plan.closes_at = timezone.now() + timedelta(hours=1)
    plan.save()
    with (
        freeze_time(timezone.now() + timedelta(hours=2)),
        pytest.raises(PermissionDenied, match="closed"),
    ):
        post(ada, plan)
    plan.opens_at = timezone.now() + timedelta(minutes=30)
    plan.save()
    with pytest.raises(PermissionDenied, match="not open for comment yet"):
        post(ada, plan)


def test_authors_edit_within_15_minutes_and_the_history_is_kept(ada, plan):
    start = timezone.now()
    with freeze_time(start):
        comment = post(ada, plan, body="First wording")
    with freeze_time(start + timedelta(minutes=14, seconds=59)):
        services.edit_comment(user=ada, comment=comment, body="Second wording")
    comment.refresh_from_db()
    assert comment.body == "Second wording" and comment.edited_at is not None
    (revision,) = CommentRevision.objects.filter(comment=comment)
    assert revision.body == "First wording"
    with freeze_time(start + timedelta(minutes=15, seconds=1)):
        with pytest.raises(PermissionDenied, match="15 minutes"):
            services.edit_comment(user=ada, comment=comment, body="Third")
        # Withdrawing is still possible.
        services.withdraw_comment(user=ada, comment=comment)
    comment.refresh_from_db()
    assert comment.is_withdrawn and not comment.is_visible


def test_nobody_else_edits_or_withdraws_a_comment(ada, plan):
    comment = post(ada, plan)
    other = UserFactory()
    with pytest.raises(PermissionDenied):
        services.edit_comment(user=other, comment=comment, body="Mine now")
    with pytest.raises(PermissionDenied):
        services.withdraw_comment(user=other, comment=comment)


def test_the_history_page_shows_earlier_wording(ada, plan):
    comment = post(ada, plan, body="First wording")
    services.edit_comment(user=ada, comment=comment, body="Second wording")
    page = Client().get(f"/comments/{comment.pk}/history/").content.decode()
    assert "First wording" in page and "Second wording" in page


def test_one_endorsement_per_person_is_enforced_by_the_database(ada, plan):
    comment = post(ada, plan)
    bob = UserFactory()
    assert services.endorse_comment(user=bob, comment=comment) is True
    assert services.endorse_comment(user=bob, comment=comment) is False
    assert Endorsement.objects.filter(comment=comment).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Endorsement.objects.create(comment=comment, user=bob)
    with pytest.raises(PermissionDenied, match="own comment"):
        services.endorse_comment(user=ada, comment=comment)
    assert services.withdraw_endorsement(user=bob, comment=comment) is True
    assert not Endorsement.objects.exists()


def test_comment_writes_are_rate_limited_per_user(ada, plan):
    for n in range(10):
        post(ada, plan, body=f"Comment {n}")
    with pytest.raises(RateLimited) as caught:
        post(ada, plan, body="One too many")
    assert "too often" in str(caught.value)
    post(UserFactory(), plan, body="Someone else is not limited")


def test_the_rate_limit_is_explained_in_the_form_and_the_api(ada, plan):
    client = Client()
    client.force_login(ada)
    url = f"/plans/{plan.slug}/sections/3.2/comment/"
    for n in range(10):
        assert client.post(url, {"body": f"Comment {n}"}).status_code == 302
    response = client.post(url, {"body": "Eleventh"})
    assert response.status_code == 429
    assert "You are doing that too often" in response.content.decode()
    api = post_json(
        client, f"/api/plans/{plan.slug}/comments/", {"section": "3.2", "body": "x"}
    )
    assert api.status_code == 429
    assert "too often" in api.json()["detail"] and api["Retry-After"]


def test_the_comment_form_publishes_and_shows_errors(ada, plan):
    client = Client()
    client.force_login(ada)
    url = f"/plans/{plan.slug}/sections/3.2/comment/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"body": "", "quote": "not in the text"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "This field is required." in text
    good = client.post(
        url,
        {
            "body": "Please add captions.",
            "stance": "supports",
            "quote": "streamed live",
        },
    )
    comment = Comment.objects.get()
    assert good["Location"] == f"/plans/{plan.slug}/#comment-{comment.pk}"
    assert (comment.stance, comment.quote) == ("supports", "streamed live")


def test_reply_edit_withdraw_and_endorse_through_the_forms(ada, plan):
    root = post(UserFactory(), plan)
    client = Client()
    client.force_login(ada)
    assert (
        client.post(f"/comments/{root.pk}/reply/", {"body": "Agreed"}).status_code
        == 302
    )
    reply = Comment.objects.get(parent=root)
    assert (
        client.post(f"/comments/{reply.pk}/edit/", {"body": "Agreed!"}).status_code
        == 302
    )
    assert (
        client.post(f"/comments/{root.pk}/endorse/", {"endorse": "1"}).status_code
        == 302
    )
    assert Endorsement.objects.filter(comment=root, user=ada).exists()
    assert (
        client.post(f"/comments/{root.pk}/endorse/", {"endorse": "0"}).status_code
        == 302
    )
    assert not Endorsement.objects.exists()
    assert client.post(f"/comments/{reply.pk}/withdraw/").status_code == 302
    reply.refresh_from_db()
    assert reply.body == "Agreed!" and reply.is_withdrawn


def test_a_denied_form_action_says_why(ada, plan):
    comment = post(UserFactory(), plan)
    client = Client()
    client.force_login(ada)
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "Hijack"})
    assert response.status_code == 403
    assert "15 minutes" in response.content.decode()


def test_forms_refuse_posts_without_a_csrf_token(ada, plan):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    comment = post(UserFactory(), plan)
    for url, data in [
        (f"/plans/{plan.slug}/sections/3.2/comment/", {"body": "x"}),
        (f"/comments/{comment.pk}/reply/", {"body": "x"}),
        (f"/comments/{comment.pk}/endorse/", {}),
        (f"/comments/{comment.pk}/flag/", {"reason": "spam"}),
    ]:
        assert client.post(url, data).status_code == 403, url
    api = post_json(
        client, f"/api/plans/{plan.slug}/comments/", {"section": "3.2", "body": "x"}
    )
    assert api.status_code == 403
    assert "CSRF" in api.json()["detail"]
    assert Comment.objects.count() == 1


# --- Hostile text -----------------------------------------------------------------


class _Markup(HTMLParser):
    """Collects the tags and attributes of a piece of HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def unsafe_markup(html: str) -> list[str]:
    """Tags outside the sanitiser's allow-list, event handlers, script URLs."""
    parser = _Markup()
    parser.feed(html)
    problems = []
    for tag, attrs in parser.found:
        if tag not in ALLOWED_TAGS:
            problems.append(tag)
        for name, value in attrs:
            if name not in ALLOWED_ATTRIBUTES.get(tag, []):
                problems.append(f"{tag}[{name}]")
            scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", value or "")
            if (
                name == "href"
                and scheme
                and scheme.group(1).lower()
                not in (
                    "http",
                    "https",
                    "mailto",
                )
            ):
                problems.append(f"href={value}")
    return problems


@override_settings(RATELIMIT_ENABLED=False)
def test_every_naughty_string_through_the_api_is_stored_or_refused_with_a_message(
    ada, plan
):
    client = Client()
    client.force_login(ada)
    url = f"/api/plans/{plan.slug}/comments/"
    statuses = {}
    for text in naughty_strings():
        response = post_json(
            client, url, {"section": "3.2", "body": text, "stance": "neutral"}
        )
        statuses[text] = response.status_code
        assert response.status_code in (201, 400), (text, response.status_code)
        if response.status_code == 400:
            assert response.json() == {"body": ["This field cannot be empty."]}, text
    refused = [t for t, s in statuses.items() if s == 400]
    assert all(
        not t.strip() or not re.sub(r"[\x00-\x1f\x7f]", "", t).strip() for t in refused
    )
    assert len(refused) <= 4
    stored = Comment.objects.all()
    assert stored.count() == len(naughty_strings()) - len(refused)
    for comment in stored:
        assert unsafe_markup(comment.body_html) == [], comment.body
    page = Client().get(f"/plans/{plan.slug}/")
    assert page.status_code == 200
    html = page.content.decode()
    # Only the site's own scripts are on the page.
    assert len(re.findall(r"<script\b", html)) == 2
    listing = Client().get(url)
    assert listing.status_code == 200
    register = Client().get(f"/plans/{plan.slug}/register.csv")
    assert register.status_code == 200


@override_settings(RATELIMIT_ENABLED=False)
def test_every_naughty_string_through_the_form_never_causes_an_error(ada, plan):
    client = Client()
    client.force_login(ada)
    url = f"/plans/{plan.slug}/sections/3.2/comment/"
    for text in naughty_strings():
        response = client.post(url, {"body": text, "quote": text[:50]})
        # A quote that is not in the section is refused with a message; so is
        # an empty body. Nothing else may go wrong.
        assert response.status_code in (302, 400), (text, response.status_code)
        if response.status_code == 400:
            assert "errorlist" in response.content.decode()
    for text in naughty_strings()[:60]:
        response = client.post(url, {"body": text})
        assert response.status_code in (302, 400)
    assert Client().get(f"/plans/{plan.slug}/").status_code == 200
