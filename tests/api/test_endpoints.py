"""Every public object is readable through the API, paginated and filtered by
date and status; bad filters are a 400 naming the parameter; hidden content
and private data never appear."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from forum import services as forum_services
from forum.models import SessionStatus
from tests.factories import UserFactory
from tests.forum.factories import ForumSessionFactory, guest


def get(url: str, **params):
    return Client().get(url, params)


def test_versions_of_a_plan_with_markdown_and_sections(consultation):
    slug = consultation.plan.slug
    listing = get(f"/api/plans/{slug}/versions/").json()
    assert listing["count"] == 2
    assert [v["number"] for v in listing["results"]] == [1, 2]
    one = get(f"/api/plans/{slug}/versions/2/").json()
    assert one["change_summary"] == "Captions; youth."
    assert "captions" in one["body"].lower()
    assert "3.2" in [s["key"] for s in one["sections"]]
    assert get(f"/api/plans/{slug}/versions/3/").status_code == 404
    assert get(f"/api/plans/{slug}/versions/99999999999999999999/").status_code == 404


def test_versions_filtered_by_publication_date(consultation):
    url = f"/api/plans/{consultation.plan.slug}/versions/"
    tomorrow = (timezone.now() + timedelta(days=1)).isoformat()
    assert get(url, published_after=tomorrow).json()["count"] == 0
    assert get(url, published_before=tomorrow).json()["count"] == 2


def test_official_responses_of_a_plan_leave_out_hidden_comments(consultation):
    response = get(f"/api/plans/{consultation.plan.slug}/responses/")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    (item,) = data["results"]
    assert item["comment"] == consultation.kept.pk
    assert item["disposition"] == "adopted" and item["addressed_in"] == 2
    assert item["comment_url"].endswith(f"/comments/{consultation.kept.pk}/")
    assert "SECRET" not in response.content.decode()
    url = f"/api/plans/{consultation.plan.slug}/responses/"
    assert get(url, disposition="not_adopted").json()["count"] == 0


def test_comment_detail_and_status_filter(consultation):
    kept = get(f"/api/comments/{consultation.kept.pk}/").json()
    assert kept["author"]["display_name"] == "Mei"
    assert "mei@example.org" not in str(kept)
    hidden = get(f"/api/comments/{consultation.hidden.pk}/")
    assert hidden.status_code == 200
    assert hidden.json()["status"] == "hidden"
    assert "SECRET" not in hidden.content.decode()
    url = f"/api/plans/{consultation.plan.slug}/comments/"
    assert [c["id"] for c in get(url, status="hidden").json()["results"]] == [
        consultation.hidden.pk
    ]
    assert [c["id"] for c in get(url, status="published").json()["results"]] == [
        consultation.kept.pk
    ]
    assert get("/api/comments/0/").status_code == 404


def test_date_filters_on_plans_and_comments(consultation):
    past = (timezone.now() - timedelta(days=1)).date().isoformat()
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert get("/api/plans/", created_after=past).json()["count"] == 1
    assert get("/api/plans/", created_after=future).json()["count"] == 0
    assert get("/api/plans/", updated_after=future).json()["count"] == 0
    url = f"/api/plans/{consultation.plan.slug}/comments/"
    assert get(url, created_before=past).json()["count"] == 0
    # The hidden comment changed (was hidden) after it was posted.
    assert get(url, updated_after=past).json()["count"] == 2
    assert get(url, updated_after=future).json()["count"] == 0


@pytest.mark.parametrize(
    ("url", "param", "value"),
    [
        ("/api/plans/", "status", "nonsense"),
        ("/api/plans/", "created_after", "yesterday"),
        ("/api/plans/", "updated_after", "2026-02-30"),
        ("/api/plans/", "created_before", "9" * 200),
        ("/api/sessions/", "status", "cancelled"),
        ("/api/sessions/", "starts_after", "2026-13-01T00:00"),
        ("/api/conversations/", "status", "maybe"),
        ("/api/conversations/", "created_after", "\x00"),
    ],
)
def test_bad_filters_are_a_400_naming_the_parameter(db, url, param, value):
    response = get(url, **{param: value})
    assert response.status_code == 400
    assert param in response.json()
    assert response.json()[param][0]


def test_plan_filters_by_comment_and_plan_status(consultation):
    slug = consultation.plan.slug
    assert get(f"/api/plans/{slug}/comments/", status="bogus").status_code == 400
    assert get(f"/api/plans/{slug}/responses/", disposition="x").status_code == 400
    assert get("/api/plans/", status="open").json()["count"] == 1


def test_sessions_filtered_by_status_and_start(db):
    now = timezone.now()
    ForumSessionFactory(title="Next week", starts_at=now + timedelta(days=7))
    ForumSessionFactory(
        title="Last week",
        starts_at=now - timedelta(days=7),
        status=SessionStatus.ENDED,
    )

    def titles(**params):
        return [s["title"] for s in get("/api/sessions/", **params).json()["results"]]

    assert titles(status="ended") == ["Last week"]
    assert titles(starts_after=now.isoformat()) == ["Next week"]
    assert titles(starts_before=now.isoformat()) == ["Last week"]
    # An unencoded "+" of the offset arrives as a space: still understood.
    long_ago = (now - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S 08:00")
    assert titles(starts_after=long_ago) == ["Last week", "Next week"]


def test_public_questions_of_a_session(db):
    session = ForumSessionFactory(login_required=False, premoderation=True)
    asked = forum_services.ask_question(
        session_id=session.pk, participant=guest(1), body="Will there be captions?"
    )
    forum_services.ask_question(
        session_id=session.pk, participant=guest(2), body="PENDING-SECRET"
    )
    moderator = UserFactory()
    session.moderators.add(moderator)
    forum_services.moderate_question(
        question_id=asked.pk, user=moderator, action="approve"
    )
    response = get(f"/api/sessions/{session.pk}/questions/")
    assert response.status_code == 200
    assert [q["body"] for q in response.json()["results"]] == [
        "Will there be captions?"
    ]
    assert "PENDING-SECRET" not in response.content.decode()
    url = f"/api/sessions/{session.pk}/questions/"
    assert get(url, status="pending").status_code == 400
    assert get(url, status="answered").json()["count"] == 0
    assert get("/api/sessions/999999/questions/").status_code == 404


def test_session_detail_carries_minutes(db):
    session = ForumSessionFactory(minutes="x", minutes_html="<p>Decided: captions</p>")
    data = get(f"/api/sessions/{session.pk}/").json()
    assert data["minutes_html"] == "<p>Decided: captions</p>"
    assert data["has_minutes"] is True


def test_statements_of_a_conversation_are_listed_without_rejected_ones(db):
    from clustering.models import Conversation, Statement, StatementStatus

    conversation = Conversation.objects.create(topic="Captions", slug="captions")
    Statement.objects.create(
        conversation=conversation, text="Captions help", status="accepted"
    )
    Statement.objects.create(
        conversation=conversation, text="REJECTED-SPAM", status=StatementStatus.REJECTED
    )
    response = get(f"/api/conversations/{conversation.pk}/statements/")
    assert response.status_code == 200
    assert [s["text"] for s in response.json()["results"]] == ["Captions help"]
    assert get("/api/conversations/", status="open").json()["count"] == 1
    assert get("/api/conversations/", status="closed").json()["count"] == 0
