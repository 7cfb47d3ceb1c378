"""The HTTP JSON API: status codes, payloads, CSRF, rate limits, hostile input,
and the permission table (role × action)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from accounts.roles import Role
from forum import services
from forum.models import ForumSession, Question, QuestionVote
from tests.data import naughty_strings
from tests.factories import make_user
from tests.forum.factories import AgendaItemFactory, ForumSessionFactory, member
from tests.helpers import post_json

pytestmark = pytest.mark.django_db


def client_for(user=None, **kwargs) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def session(moderator):
    return ForumSessionFactory(moderators=[moderator], status="live")


def test_ask_returns_201_with_the_question(session, citizen):
    item = AgendaItemFactory(session=session)
    response = post_json(
        client_for(citizen),
        f"/api/sessions/{session.pk}/questions/",
        {
            "body": "How will this be funded?",
            "anonymous": False,
            "agenda_item": item.pk,
        },
    )
    assert response.status_code == 201
    data = response.json()
    assert data["body"] == "How will this be funded?"
    assert data["author"] == "Ada Citizen"
    assert data["agenda_item"] == item.pk and data["status"] == "visible"
    assert citizen.email not in response.content.decode()


def test_anonymous_question_shows_no_name_in_the_api(session, citizen):
    response = post_json(
        client_for(citizen),
        f"/api/sessions/{session.pk}/questions/",
        {"body": "Quiet question", "anonymous": True, "agenda_item": None},
    )
    assert response.status_code == 201
    assert response.json()["author"] is None
    detail = client_for().get(f"/api/sessions/{session.pk}/").json()
    assert detail["questions"][0]["author_kind"] == "anonymous"
    assert "Ada" not in json.dumps(detail)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "body"),
        ({"body": 12}, "body"),
        ({"body": ""}, "body"),
        ({"body": "x" * 501}, "body"),
        ({"body": "ok", "anonymous": "maybe"}, "anonymous"),
        ({"body": "ok", "agenda_item": "first"}, "agenda_item"),
        ({"body": "ok", "agenda_item": 999999}, "agenda_item"),
        ([1, 2], "non_field_errors"),
    ],
)
def test_invalid_questions_get_a_clear_400(session, citizen, payload, field):
    response = post_json(
        client_for(citizen), f"/api/sessions/{session.pk}/questions/", payload
    )
    assert response.status_code == 400
    assert field in response.json()
    assert all(isinstance(m, str) and m for m in response.json()[field])


def test_malformed_json_is_a_400(session, citizen):
    response = client_for(citizen).post(
        f"/api/sessions/{session.pk}/questions/",
        data="{nope",
        content_type="application/json",
    )
    assert response.status_code == 400


def test_question_rate_limit_is_a_429_with_retry_after(session, citizen):
    client = client_for(citizen)
    url = f"/api/sessions/{session.pk}/questions/"
    for n in range(3):
        assert post_json(client, url, {"body": f"q{n}"}).status_code == 201
    response = post_json(client, url, {"body": "one too many"})
    assert response.status_code == 429
    assert 1 <= response.json()["retry_after"] <= 60
    assert int(response["Retry-After"]) == response.json()["retry_after"]
    assert "Please wait" in response.json()["detail"]


def test_upvote_post_and_delete_are_idempotent(session, citizen):
    question = services.ask_question(
        session_id=session.pk, participant=member(citizen), body="Vote"
    )
    client = client_for(make_user())
    url = f"/api/questions/{question.pk}/upvote/"
    assert client.post(url).json() == {
        "question": question.pk,
        "upvoted": True,
        "upvotes": 1,
    }
    assert client.post(url).json()["upvotes"] == 1
    assert client.delete(url).json() == {
        "question": question.pk,
        "upvoted": False,
        "upvotes": 0,
    }
    assert client.delete(url).status_code == 200
    assert QuestionVote.objects.count() == 0


def test_unknown_question_or_session_is_404(citizen):
    client = client_for(citizen)
    assert client.post("/api/questions/999999/upvote/").status_code == 404
    assert (
        post_json(
            client, "/api/questions/999999/moderate/", {"action": "hide"}
        ).status_code
        == 404
    )
    assert (
        post_json(client, "/api/sessions/999999/questions/", {"body": "x"}).status_code
        == 404
    )
    assert client.get("/api/sessions/999999/").status_code == 404


def test_session_list_and_detail(session, citizen, moderator):
    services.ask_question(
        session_id=session.pk, participant=member(citizen), body="Listed"
    )
    ForumSession.objects.filter(pk=session.pk).update(premoderation=True)
    pending = services.ask_question(
        session_id=session.pk, participant=member(moderator), body="Pending one"
    )
    listing = client_for().get("/api/sessions/").json()
    assert listing["count"] == 1 and listing["results"][0]["id"] == session.pk
    assert listing["results"][0]["ical"].endswith("/calendar.ics")
    public = client_for().get(f"/api/sessions/{session.pk}/").json()
    assert [q["body"] for q in public["questions"]] == ["Listed"]
    assert public["can_moderate"] is False
    as_moderator = client_for(moderator).get(f"/api/sessions/{session.pk}/").json()
    assert {q["body"] for q in as_moderator["questions"]} == {"Listed", "Pending one"}
    assert pending.status == "pending"


def test_guests_take_part_when_login_is_not_required_with_csrf(moderator):
    session = ForumSessionFactory(login_required=False, moderators=[moderator])
    strict = Client(enforce_csrf_checks=True)
    url = f"/api/sessions/{session.pk}/questions/"
    # Without a CSRF token: refused, even for a visitor.
    assert post_json(strict, url, {"body": "No token"}).status_code == 403
    page = strict.get(session.get_absolute_url())
    token = page.cookies["csrftoken"].value
    response = post_json(strict, url, {"body": "With token"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201
    assert response.json()["author_kind"] == "guest"
    question = Question.objects.get(body="With token")
    assert question.participant.startswith("guest:") and question.author is None
    # One upvote per browser session.
    vote = f"/api/questions/{question.pk}/upvote/"
    assert strict.post(vote, HTTP_X_CSRFTOKEN=token).json()["upvotes"] == 1
    assert strict.post(vote, HTTP_X_CSRFTOKEN=token).json()["upvotes"] == 1
    assert Client().post(vote).status_code == 200  # another visitor, another vote
    assert Question.objects.get(pk=question.pk).upvote_count == 2


def test_logged_in_writes_need_csrf(session, citizen):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(citizen)
    response = post_json(
        strict, f"/api/sessions/{session.pk}/questions/", {"body": "x"}
    )
    assert response.status_code == 403


def test_every_naughty_string_is_201_or_a_clear_400(session, citizen, settings):
    settings.RATELIMIT_ENABLED = False
    client = client_for(citizen)
    url = f"/api/sessions/{session.pk}/questions/"
    statuses = {}
    for text in naughty_strings():
        response = post_json(client, url, {"body": text})
        statuses[text] = response.status_code
        assert response.status_code in (201, 400), (text, response.status_code)
        if response.status_code == 201:
            body = response.json()["body"]
            assert body == services.clean_text(text).strip()
        else:
            assert response.json()["body"]
    assert list(statuses.values()).count(201) > 450
    detail = client_for().get(f"/api/sessions/{session.pk}/")
    assert detail.status_code == 200


# --- Permission table ---------------------------------------------------------

ROLES = [
    "anonymous",
    "citizen",
    "session_moderator",
    "other_moderator",
    "admin",
    "official",
]
RUNS_THE_ROOM = {"session_moderator", "admin"}


@pytest.fixture
def people(moderator):
    return {
        "anonymous": None,
        "citizen": make_user(),
        "session_moderator": moderator,
        "other_moderator": make_user(Role.MODERATOR),
        "admin": make_user(Role.ADMINISTRATOR),
        "official": make_user(Role.OFFICIAL),
    }


def _act(action, client, session, question, item):
    if action == "view_session":
        return client.get(f"/api/sessions/{session.pk}/").status_code
    if action == "ask":
        return post_json(
            client, f"/api/sessions/{session.pk}/questions/", {"body": "?"}
        ).status_code
    if action == "upvote":
        return client.post(f"/api/questions/{question.pk}/upvote/").status_code
    if action == "moderate":
        return post_json(
            client, f"/api/questions/{question.pk}/moderate/", {"action": "highlight"}
        ).status_code
    if action == "agenda":
        return post_json(
            client, f"/api/sessions/{session.pk}/agenda/current/", {"item": item.pk}
        ).status_code
    if action == "status":
        return post_json(
            client, f"/api/sessions/{session.pk}/status/", {"status": "ended"}
        ).status_code
    if action == "console":
        return client.get(f"/sessions/{session.pk}/moderate/").status_code
    if action == "minutes":
        return client.get(f"/sessions/{session.pk}/minutes/").status_code
    raise AssertionError(action)


EXPECTED = {
    # action: (anonymous, member who is not running the room, running the room)
    "view_session": (200, 200, 200),
    "ask": (403, 201, 201),
    "upvote": (403, 200, 200),
    "moderate": (403, 403, 200),
    "agenda": (403, 403, 200),
    "status": (403, 403, 200),
    "console": (302, 403, 200),
    "minutes": (302, 403, 200),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(EXPECTED))
def test_permission_table(people, session, citizen, role, action):
    question = services.ask_question(
        session_id=session.pk, participant=member(citizen), body="Table"
    )
    item = AgendaItemFactory(session=session)
    client = client_for(people[role])
    anonymous, member_status, runner = EXPECTED[action]
    if role == "anonymous":
        expected = anonymous
    elif role in RUNS_THE_ROOM:
        expected = runner
    else:
        expected = member_status
    assert _act(action, client, session, question, item) == expected
