"""The forum → statement bridge: a moderator of a session turns one of its
questions into an accepted statement of the conversation linked to it."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from accounts.roles import Role
from clustering import services
from clustering.models import Statement
from forum import services as forum_services
from tests.factories import make_user
from tests.helpers import capture_broadcasts
from tests.integration.conftest import ask

pytestmark = pytest.mark.django_db


def test_a_question_becomes_one_accepted_statement_crediting_it(
    session,
    conversation,
    session_moderator,
    citizen,
    django_capture_on_commit_callbacks,
):
    question = ask(session, citizen, "  Will the  data be open? ")
    with (
        capture_broadcasts() as sent,
        django_capture_on_commit_callbacks(execute=True),
    ):
        statement, created = services.create_statement_from_question(
            question=question, user=session_moderator
        )
    assert created
    assert (statement.conversation, statement.text, statement.status) == (
        conversation,
        "Will the data be open?",
        "accepted",
    )
    assert statement.source_question == question
    assert list(question.statements.all()) == [statement]
    assert statement.moderated_by == session_moderator
    # The conversation's moderators hear about the new statement.
    assert sent == [
        (
            f"clustering.moderators.{conversation.pk}",
            {
                "type": "statement",
                "statement": {"id": statement.pk, "status": "accepted"},
            },
        )
    ]


def test_the_bridge_is_idempotent(session, conversation, session_moderator, citizen):
    question = ask(session, citizen)
    first, created = services.create_statement_from_question(
        question=question, user=session_moderator, conversation=conversation
    )
    again, created_again = services.create_statement_from_question(
        question=question, user=session_moderator
    )
    assert created and not created_again and first == again
    assert Statement.objects.filter(source_question=question).count() == 1


def test_a_question_over_280_characters_is_refused_clearly(
    session, conversation, session_moderator, citizen
):
    question = ask(session, citizen, "Why " + "x" * 296 + "?")
    with pytest.raises(ValidationError) as exc:
        services.create_statement_from_question(
            question=question, user=session_moderator
        )
    assert exc.value.message_dict == {
        "question": [
            "This question has 301 characters; a statement has at most 280. Add "
            "a shorter statement on the conversation page instead."
        ]
    }
    assert not Statement.objects.filter(source_question=question).exists()
    exactly = ask(session, citizen, "y" * 280)
    statement, _created = services.create_statement_from_question(
        question=exactly, user=session_moderator
    )
    assert len(statement.text) == 280


def test_the_bridge_needs_an_open_conversation_linked_to_the_session(
    plan, session, conversation, session_moderator, citizen
):
    question = ask(session, citizen)
    unrelated = services.create_conversation(user=session_moderator, topic="Other")
    with pytest.raises(ValidationError) as exc:
        services.create_statement_from_question(
            question=question, user=session_moderator, conversation=unrelated
        )
    assert "not linked" in exc.value.message_dict["conversation"][0]
    second = services.create_conversation(
        user=session_moderator, topic="Second", session=session
    )
    with pytest.raises(ValidationError) as exc:
        services.create_statement_from_question(
            question=question, user=session_moderator
        )
    assert "choose one" in exc.value.message_dict["conversation"][0]
    services.update_conversation(
        conversation=second, user=session_moderator, topic="Second", is_open=False,
        session=session,
    )  # fmt: skip
    services.update_conversation(
        conversation=conversation, user=session_moderator, topic="Closed",
        is_open=False, session=session,
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        services.create_statement_from_question(
            question=question, user=session_moderator
        )
    assert exc.value.message_dict == {
        "conversation": ["No open conversation is linked to this session."]
    }


def test_hidden_questions_are_not_turned_into_statements(
    session, conversation, session_moderator, citizen
):
    question = ask(session, citizen)
    forum_services.moderate_question(
        question_id=question.pk, user=session_moderator, action="hide"
    )
    question.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.create_statement_from_question(
            question=question, user=session_moderator
        )
    assert "question" in exc.value.message_dict


ROLES = ["anonymous", "citizen", "session moderator", "other moderator",
         "official", "admin"]  # fmt: skip
ALLOWED = {"session moderator", "admin"}


def _user(role, session_moderator, other_moderator, official, admin_user, citizen):
    return {
        "anonymous": AnonymousUser(),
        "citizen": citizen,
        "session moderator": session_moderator,
        "other moderator": other_moderator,
        "official": official,
        "admin": admin_user,
    }[role]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_add_a_question_to_the_conversation(
    role, session, conversation, session_moderator, other_moderator, official,
    admin_user, citizen,
):  # fmt: skip
    user = _user(role, session_moderator, other_moderator, official, admin_user,
                 citizen)  # fmt: skip
    question = ask(session, citizen)
    if role in ALLOWED:
        statement, created = services.create_statement_from_question(
            question=question, user=user
        )
        assert created and statement.source_question == question
    else:
        with pytest.raises(PermissionDenied):
            services.create_statement_from_question(question=question, user=user)
        assert not Statement.objects.filter(source_question=question).exists()


@pytest.mark.parametrize("role", ROLES)
def test_the_api_permission_table(
    role, session, conversation, session_moderator, other_moderator, official,
    admin_user, citizen,
):  # fmt: skip
    user = _user(role, session_moderator, other_moderator, official, admin_user,
                 citizen)  # fmt: skip
    question = ask(session, citizen)
    client = Client()
    if role != "anonymous":
        client.force_login(user)
    response = client.post(
        f"/api/questions/{question.pk}/to-statement/",
        data=json.dumps({}),
        content_type="application/json",
    )
    if role in ALLOWED:
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["conversation"] == conversation.pk
        assert body["question"] == question.pk and body["created"] is True
        again = client.post(
            f"/api/questions/{question.pk}/to-statement/",
            data=json.dumps({"conversation": conversation.pk}),
            content_type="application/json",
        )
        assert again.status_code == 200 and again.json()["id"] == body["id"]
    else:
        assert response.status_code == 403
        assert not Statement.objects.filter(source_question=question).exists()


def test_the_api_refuses_long_questions_unknown_ids_and_missing_csrf(
    session, conversation, session_moderator, citizen
):
    client = Client()
    client.force_login(session_moderator)
    long = ask(session, citizen, "z" * 300)
    response = client.post(
        f"/api/questions/{long.pk}/to-statement/", content_type="application/json"
    )
    assert response.status_code == 400
    assert "at most 280" in response.json()["question"][0]
    assert (
        client.post(
            "/api/questions/999999/to-statement/", content_type="application/json"
        ).status_code
        == 404
    )
    question = ask(session, citizen)
    response = client.post(
        f"/api/questions/{question.pk}/to-statement/",
        data=json.dumps({"conversation": 999999}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"conversation": ["No such conversation."]}
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(session_moderator)
    response = strict.post(
        f"/api/questions/{question.pk}/to-statement/", content_type="application/json"
    )
    assert response.status_code == 403
    assert not Statement.objects.filter(source_question=question).exists()


def _live_config(html: str) -> dict:
    start = html.index('<script id="forum-live-config" type="application/json">')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


def test_the_console_offers_the_bridge_only_with_an_open_linked_conversation(
    session, conversation, session_moderator, citizen
):
    question = ask(session, citizen)
    services.create_statement_from_question(question=question, user=session_moderator)
    client = Client()
    client.force_login(session_moderator)
    html = client.get(f"/sessions/{session.pk}/moderate/").content.decode()
    bridge = _live_config(html)["bridge"]
    assert bridge["url"] == "/api/questions/0/to-statement/"
    assert bridge["conversations"] == [
        {
            "id": conversation.pk,
            "topic": conversation.topic,
            "url": conversation.get_absolute_url(),
            "added": [question.pk],
        }
    ]
    assert "Questions can be added as statements to the linked conversation" in html
    services.update_conversation(
        conversation=conversation, user=session_moderator, topic=conversation.topic,
        is_open=False, session=session,
    )  # fmt: skip
    html = client.get(f"/sessions/{session.pk}/moderate/").content.decode()
    assert _live_config(html)["bridge"]["conversations"] == []
    assert "Questions can be added as statements" not in html


def test_only_the_sessions_moderators_open_the_console(
    session, conversation, other_moderator
):
    client = Client()
    client.force_login(other_moderator)
    assert client.get(f"/sessions/{session.pk}/moderate/").status_code == 403
    client.force_login(make_user(Role.OFFICIAL))
    assert client.get(f"/sessions/{session.pk}/moderate/").status_code == 403
