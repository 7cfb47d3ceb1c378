"""The busiest pages cost the same number of queries whatever their size.

Each page is rendered once with a little content and again with several times
more (comments with replies, responses and endorsements; questions with
upvotes; participants and votes); the second rendering may not need more
queries than the first (no query per comment, question or participant).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clustering.services.analysis import run_analysis
from consultation import services as consultation
from forum import services as forum
from forum.participants import Participant
from tests.clustering_web.conftest import vote_in_groups
from tests.factories import make_user
from tests.forum.factories import ForumSessionFactory

pytestmark = pytest.mark.django_db


def queries_for(path: str, user: Any = None) -> int:
    client = Client()
    if user is not None:
        client.force_login(user)
    client.get(path)  # warm per-process caches, as on a running server
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def add_comments(plan, official, citizens, n: int) -> None:
    keys = list(plan.current_version.sections.values_list("key", flat=True))
    for i in range(n):
        author = citizens[i % len(citizens)]
        top = consultation.post_comment(
            user=author, plan=plan, section_key=keys[i % len(keys)], body=f"Idea {i}"
        )
        consultation.post_comment(
            user=citizens[(i + 1) % len(citizens)], plan=plan, body="Agreed", parent=top
        )
        consultation.respond_to_comment(
            user=official, comment=top, disposition="adopted", body="Thank you."
        )
        consultation.endorse_comment(
            user=citizens[(i + 2) % len(citizens)], comment=top
        )


@pytest.mark.parametrize("viewer", ["visitor", "official"])
def test_plan_page_queries_do_not_grow_with_comments(plan, official, viewer, settings):
    settings.RATELIMIT_ENABLED = False
    citizens = [make_user(display_name=f"Citizen {i}") for i in range(4)]
    user = official if viewer == "official" else None
    add_comments(plan, official, citizens, 2)
    few = queries_for(plan.get_absolute_url(), user)
    add_comments(plan, official, citizens, 12)
    assert queries_for(plan.get_absolute_url(), user) <= few


@pytest.mark.parametrize("viewer", ["visitor", "official"])
def test_section_page_queries_do_not_grow_with_comments(
    plan, official, viewer, settings
):
    settings.RATELIMIT_ENABLED = False
    citizens = [make_user(display_name=f"Citizen {i}") for i in range(4)]
    user = official if viewer == "official" else None
    key = plan.current_version.sections.order_by("ordinal").first().key
    path = f"/plans/{plan.slug}/sections/{key}/"
    add_comments(plan, official, citizens, 4)
    few = queries_for(path, user)
    add_comments(plan, official, citizens, 40)
    assert queries_for(path, user) <= few
    assert queries_for(path + "?page=2", user) <= few


def test_session_page_queries_do_not_grow_with_questions(moderator, settings):
    settings.RATELIMIT_ENABLED = False
    session = ForumSessionFactory(
        moderators=[moderator], status="live", login_required=False
    )

    def ask(n: int, start: int) -> None:
        for i in range(start, start + n):
            who = Participant(user=AnonymousUser(), key=f"guest:{i}", ip="10.0.0.1")
            question = forum.ask_question(
                session_id=session.pk, participant=who, body=f"Question {i}?"
            )
            forum.set_upvote(question_id=question.pk, participant=who, upvoted=True)

    path = f"/sessions/{session.pk}/"
    ask(2, 0)
    few = queries_for(path), queries_for(path, moderator)
    ask(12, 2)
    assert queries_for(path) <= few[0]
    assert queries_for(path, moderator) <= few[1]


def test_report_page_queries_do_not_grow_with_participants(conversation, settings):
    settings.RATELIMIT_ENABLED = False
    path = f"/conversations/{conversation.pk}/report/"
    vote_in_groups(conversation, 8, seed=1)
    run_analysis(conversation.pk, force=True)
    few = queries_for(path)
    vote_in_groups(conversation, 40, seed=2)
    run_analysis(conversation.pk, force=True)
    assert queries_for(path) <= few
