"""A plan with many comments: the plan page shows the first few threads of each
section and links to the section's own page, which lists every comment in
posting order; links to a comment reach it wherever it is shown."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultation import selectors, services, views
from consultation.models import Comment
from tests.consultation.conftest import publish_v2
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIRST = selectors.PLAN_PAGE_THREADS
PER_PAGE = selectors.SECTION_PAGE_THREADS


def many(plan, key: str, n: int, *, parent: Comment | None = None, start: int = 0):
    """``n`` comments (or replies to ``parent``) on ``key``, one a minute, in
    posting order, bodies ``<key> #<i>``."""
    section = plan.current_version.sections.get(key=key)
    people = [UserFactory() for _ in range(3)]
    base = timezone.now() - timedelta(days=2)
    label = f"Reply {key}" if parent else f"Idea {key}"
    return Comment.objects.bulk_create(
        Comment(
            plan=plan,
            section=section,
            section_key=key,
            parent=parent,
            author=people[i % 3],
            body=f"{label} #{i}",
            body_html=f"<p>{label} #{i}</p>",
            created_at=base + timedelta(minutes=i),
        )
        for i in range(start, start + n)
    )


def article_ids(html: str) -> list[int]:
    return [
        int(pk)
        for pk in re.findall(
            r'<article class="comment[^"]*"\s+id="comment-(\d+)"', html
        )
    ]


def test_a_busy_section_shows_its_first_comments_and_links_to_all_of_them(plan):
    comments = many(plan, "3.2", FIRST + 3)
    many(plan, "3.1", 2)
    response = Client().get(f"/plans/{plan.slug}/")
    html = response.content.decode()
    assert f"{FIRST + 3} comments on 3.2" in html
    shown = article_ids(html)
    assert [c.pk for c in comments[:FIRST]] == [
        pk for pk in shown if pk in {c.pk for c in comments}
    ]
    assert f"Idea 3.2 #{FIRST - 1}<" in html and f"Idea 3.2 #{FIRST}<" not in html
    link = f'href="/plans/{plan.slug}/sections/3.2/"'
    assert link in html
    assert f"Show all {FIRST + 3} comments on section 3.2" in html
    # A quiet section shows everything and no link.
    assert "Idea 3.1 #1<" in html and f"/plans/{plan.slug}/sections/3.1/" not in html
    # The table of contents and the total still count every comment.
    assert response.context["page"].comment_count == FIRST + 5
    assert f"{FIRST + 5} comments in total" in html


def test_the_section_page_lists_every_comment_in_order_with_the_text(plan):
    comments = many(plan, "3.2", FIRST + 3)
    many(plan, "3.1", 2)
    response = Client().get(f"/plans/{plan.slug}/sections/3.2/")
    assert response.status_code == 200
    html = response.content.decode()
    assert article_ids(html) == [c.pk for c in comments]
    assert "<h1>" in html and "Comments on section 3.2" in html
    assert "Every committee meeting will be streamed live" in html  # the clause
    assert f"{FIRST + 3} comments on 3.2" in html
    assert "Idea 3.1" not in html
    assert f'href="/plans/{plan.slug}/#section-3.2"' in html  # back to the plan
    assert Client().get(f"/plans/{plan.slug}/sections/9.9/").status_code == 404


def test_the_section_page_is_paginated_and_permalinks_find_the_page(plan):
    comments = many(plan, "3.2", PER_PAGE + 2)
    first, late, last = comments[0], comments[FIRST + 1], comments[-1]
    client = Client()
    page1 = client.get(f"/plans/{plan.slug}/sections/3.2/").content.decode()
    assert len(article_ids(page1)) == PER_PAGE and "Page 1 of 2" in page1
    page2 = client.get(f"/plans/{plan.slug}/sections/3.2/?page=2").content.decode()
    assert article_ids(page2) == [c.pk for c in comments[PER_PAGE:]]
    assert f"{PER_PAGE + 2} comments on 3.2" in page2
    # An early comment is on the plan page; later ones on the section's pages.
    assert client.get(f"/comments/{first.pk}/").url == (
        f"/plans/{plan.slug}/#comment-{first.pk}"
    )
    assert client.get(f"/comments/{late.pk}/").url == (
        f"/plans/{plan.slug}/sections/3.2/#comment-{late.pk}"
    )
    target = client.get(f"/comments/{last.pk}/", follow=True)
    assert target.redirect_chain[-1][0] == (
        f"/plans/{plan.slug}/sections/3.2/?page=2#comment-{last.pk}"
    )
    assert f'id="comment-{last.pk}"' in target.content.decode()


def test_long_reply_threads_are_cut_on_the_plan_page_only(plan):
    root = many(plan, "3.2", 1)[0]
    replies = many(plan, "3.2", selectors.PLAN_PAGE_REPLIES + 2, parent=root, start=1)
    html = Client().get(f"/plans/{plan.slug}/").content.decode()
    shown = set(article_ids(html))
    assert {r.pk for r in replies[: selectors.PLAN_PAGE_REPLIES]} <= shown
    assert replies[-1].pk not in shown
    assert f"Show all {len(replies)} replies to this comment" in html
    assert f'href="/plans/{plan.slug}/sections/3.2/#comment-{root.pk}"' in html
    section = Client().get(f"/plans/{plan.slug}/sections/3.2/").content.decode()
    assert article_ids(section) == [root.pk, *(r.pk for r in replies)]
    assert Client().get(f"/comments/{replies[-1].pk}/").url == (
        f"/plans/{plan.slug}/sections/3.2/#comment-{replies[-1].pk}"
    )


def test_a_new_comment_on_a_busy_section_lands_where_it_is_shown(plan):
    many(plan, "3.2", FIRST + 1)
    ada = UserFactory(display_name="Ada")
    client = Client()
    client.force_login(ada)
    section_page = client.get(f"/plans/{plan.slug}/sections/3.2/").content.decode()
    assert "Publish comment" in section_page and 'name="body"' in section_page
    response = client.post(
        f"/plans/{plan.slug}/sections/3.2/comment/",
        {"section": "3.2", "body": "Late but important."},
        follow=True,
    )
    mine = Comment.objects.get(body="Late but important.")
    assert response.redirect_chain[-1][0] == (
        f"/plans/{plan.slug}/sections/3.2/#comment-{mine.pk}"
    )
    html = response.content.decode()
    assert f'id="comment-{mine.pk}"' in html and "Late but important." in html
    # The reply form and the endorsement form are on the section page too.
    assert f'action="/comments/{mine.pk - 1}/reply/"' in html
    assert f'action="/comments/{mine.pk - 1}/endorse/"' in html


def test_officials_and_moderators_keep_their_controls_on_the_section_page(
    plan, official, moderator
):
    comments = many(plan, "3.2", FIRST + 2)
    late = comments[-1]
    services.respond_to_comment(
        user=official, comment=late, disposition="adopted", body="We will do it."
    )
    services.hide_comment(user=moderator, comment=comments[-2], reason="spam")
    client = Client()
    client.force_login(official)
    html = client.get(f"/plans/{plan.slug}/sections/3.2/").content.decode()
    assert f'href="/comments/{late.pk}/respond/"' in html and "Update response" in html
    assert "We will do it." in html and "Official response from" in html
    assert "Hidden by a moderator (reason: Spam)." in html
    client.force_login(moderator)
    html = client.get(f"/plans/{plan.slug}/sections/3.2/").content.decode()
    assert f'href="/comments/{late.pk}/flag/"' in html
    # The hidden comment no longer counts, on both pages.
    assert f"{FIRST + 1} comments on 3.2" in html
    plan_page = client.get(f"/plans/{plan.slug}/").content.decode()
    assert f"Show all {FIRST + 1} comments on section 3.2" in plan_page


def test_comments_on_a_removed_clause_have_their_page_too(plan, official):
    gone = many(plan, "3.3", FIRST + 1)
    publish_v2(plan, official)
    html = Client().get(f"/plans/{plan.slug}/").content.decode()
    assert "Comments on sections this version no longer has" in html
    assert f"Show all {FIRST + 1} comments on section 3.3" in html
    section = Client().get(f"/plans/{plan.slug}/sections/3.3/")
    assert section.status_code == 200
    text = section.content.decode()
    assert article_ids(text) == [c.pk for c in gone]
    assert "Version 2 no longer has this section" in text
    assert "Publish comment" not in text
    # Version 1 still has the clause: its own section page shows its text.
    v1 = Client().get(f"/plans/{plan.slug}/versions/1/").content.decode()
    assert f'href="/plans/{plan.slug}/versions/1/sections/3.3/"' in v1
    old = Client().get(f"/plans/{plan.slug}/versions/1/sections/3.3/").content.decode()
    assert "A searchable register, updated monthly." in old
    assert "You are reading version 1. The current version is 2." in old


def test_the_plan_page_stays_the_same_size_as_comments_grow(plan, settings):
    settings.RATELIMIT_ENABLED = False
    reader = UserFactory()
    client = Client()
    client.force_login(reader)
    for key in ("background", "3.1", "3.2", "3.3"):
        many(plan, key, FIRST + 1)

    def measure() -> tuple[int, int]:
        client.get(f"/plans/{plan.slug}/")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/plans/{plan.slug}/")
        return len(response.content), len(queries)

    size, count = measure()
    for key in ("background", "3.1", "3.2", "3.3"):
        many(plan, key, 60, start=FIRST + 1)
    bigger, more_queries = measure()
    assert more_queries <= count
    # Only the counts' digits change.
    assert bigger - size < 200


def test_the_copied_blank_form_equals_one_rendered_for_the_section(plan):
    from django.template.loader import render_to_string

    from consultation.forms import CommentForm

    sections = selectors.plan_page(None, plan, plan.current_version).sections
    copied = views._blank_comment_forms(sections)
    for view in sections:
        form = CommentForm(
            initial={"section": view.key}, auto_id=f"s{view.section.ordinal}-%s"
        )
        rendered = str(form["section"]) + render_to_string(
            "consultation/_comment_fields.html", {"form": form}
        )
        assert copied[view.key] == rendered
