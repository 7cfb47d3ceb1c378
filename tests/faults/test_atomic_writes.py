"""The database failing in the middle of a multi-row write saves nothing.

Each test lets the first INSERT of a write through and makes the second one
fail as a dropped connection does (``OperationalError``), then checks that the
person gets a 503 saying nothing was saved (page or JSON) and that the first
row is not left behind on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core import mail
from django.db import OperationalError, connection
from django.test import Client

from accounts.models import Notification
from clustering.models import Participant, Vote
from consultation import services as consultation
from consultation.models import OfficialResponse
from forum.models import Question, SessionEvent
from tests.helpers import post_json

NOTHING_SAVED = "Nothing was saved"


@contextmanager
def fail_nth_insert(n: int, *, and_after: bool = False) -> Iterator[list[str]]:
    """Run the block with the n-th INSERT failing like a lost connection
    (``and_after``: every later one too, as when the database is gone)."""
    inserts: list[str] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith("INSERT"):
            inserts.append(sql)
            if len(inserts) == n or (and_after and len(inserts) > n):
                raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield inserts


def client_for(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def comment(plan, citizen):
    return consultation.post_comment(
        user=citizen, plan=plan, section_key="3.2", body="Please add captions."
    )


def assert_html_503(response: Any) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert NOTHING_SAVED in response.content.decode()


def assert_json_503(response: Any) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert NOTHING_SAVED in response.json()["detail"]


@pytest.mark.django_db
def test_response_form_keeps_no_response_when_the_notification_insert_fails(
    comment, official
):
    client = client_for(official)
    with fail_nth_insert(2) as inserts:
        response = client.post(
            f"/comments/{comment.pk}/respond/",
            {"disposition": "adopted", "body": "We will caption every meeting."},
        )
    assert "consultation_officialresponse" in inserts[0]
    assert "accounts_notification" in inserts[1]
    assert_html_503(response)
    assert not OfficialResponse.objects.exists()
    assert not Notification.objects.exists()
    assert not mail.outbox


@pytest.mark.django_db
def test_response_api_keeps_no_response_when_the_notification_insert_fails(
    comment, official
):
    client = client_for(official)
    with fail_nth_insert(2) as inserts:
        response = post_json(
            client,
            f"/api/comments/{comment.pk}/responses/",
            {"disposition": "adopted", "body": "We will caption every meeting."},
        )
    assert "accounts_notification" in inserts[1]
    assert_json_503(response)
    assert not OfficialResponse.objects.exists()
    assert not Notification.objects.exists()
    # Once the database is back, the same request goes through.
    response = post_json(
        client,
        f"/api/comments/{comment.pk}/responses/",
        {"disposition": "adopted", "body": "We will caption every meeting."},
    )
    assert response.status_code == 201
    assert OfficialResponse.objects.count() == Notification.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("api", [False, True], ids=["page", "api"])
def test_first_vote_keeps_no_participant_when_the_vote_insert_fails(conversation, api):
    statement = conversation.statements.first()
    client = Client(raise_request_exception=False)
    with fail_nth_insert(2, and_after=True) as inserts:
        if api:
            response = post_json(
                client,
                f"/api/conversations/{conversation.pk}/votes/",
                {"statement": statement.pk, "value": 1},
            )
        else:
            response = client.post(
                f"/conversations/{conversation.pk}/vote/",
                {"statement": statement.pk, "value": "1"},
            )
    assert "clustering_participant" in inserts[0]
    assert "clustering_vote" in inserts[1]
    assert len(inserts) == 2  # the new visitor's session is not saved on a 503
    (assert_json_503 if api else assert_html_503)(response)
    assert not Participant.objects.exists()
    assert not Vote.objects.exists()


@pytest.mark.django_db
def test_question_keeps_no_half_event_when_the_event_insert_fails(
    live_session, citizen
):
    client = client_for(citizen)
    events_before = SessionEvent.objects.count()
    with fail_nth_insert(2) as inserts:
        response = post_json(
            client,
            f"/api/sessions/{live_session.pk}/questions/",
            {"body": "Will the minutes be published?"},
        )
    assert "forum_question" in inserts[0]
    assert_json_503(response)
    assert not Question.objects.exists()
    assert SessionEvent.objects.count() == events_before


@contextmanager
def database_gone() -> Iterator[None]:
    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        raise OperationalError("connection refused")

    with connection.execute_wrapper(wrapper):
        yield


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/plans/", "/api/plans/"])
def test_signed_in_person_gets_503_when_every_query_fails(official, path):
    """The first query of a request may come from a middleware (loading the
    signed-in user), before any view runs."""
    client = client_for(official)
    with database_gone():
        response = client.get(path)
    if path.startswith("/api/"):
        assert_json_503(response)
    else:
        assert_html_503(response)
