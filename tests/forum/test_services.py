"""Forum services: the rules, the recorded events and the exact broadcasts."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from accounts.roles import Role
from common.ratelimit import RateLimited
from forum import events, services
from forum.models import (
    ForumSession,
    Question,
    QuestionStatus,
    QuestionVote,
    SessionEvent,
    SessionStatus,
)
from tests.factories import make_user
from tests.forum.conftest import strip_at
from tests.forum.factories import AgendaItemFactory, ForumSessionFactory, guest, member

pytestmark = pytest.mark.django_db

PUBLIC = "forum.session.{}"
MODS = "forum.session.{}.moderators"


def q_data(question: Question) -> dict:
    question.refresh_from_db()
    return json.loads(json.dumps(events.question_data(question)))


def test_question_on_open_session_goes_to_both_groups(citizen, broadcasts):
    session = ForumSessionFactory()
    with broadcasts() as sent:
        question = services.ask_question(
            session_id=session.pk, participant=member(citizen), body="  Why?  "
        )
    assert question.body == "Why?"
    assert question.status == QuestionStatus.VISIBLE
    data = q_data(question)
    assert data["author"] == "Ada Citizen" and data["author_kind"] == "member"
    assert strip_at(sent) == [
        (
            PUBLIC.format(session.pk),
            {"type": "question.added", "question": data, "seq": 1},
        ),
        (
            MODS.format(session.pk),
            {"type": "question.added", "question": data, "seq": 1},
        ),
    ]
    rows = SessionEvent.objects.filter(session=session).order_by("stream")
    assert [(r.stream, r.seq, r.type) for r in rows] == [
        ("moderators", 1, "question.added"),
        ("public", 1, "question.added"),
    ]
    # The stored frame is exactly what was broadcast (replays are identical).
    assert rows[1].payload == sent[0][1]


def test_premoderated_question_reaches_only_the_moderators(citizen, broadcasts):
    session = ForumSessionFactory(premoderation=True)
    with broadcasts() as sent:
        question = services.ask_question(
            session_id=session.pk, participant=member(citizen), body="Pending?"
        )
    assert question.status == QuestionStatus.PENDING
    assert [group for group, _ in sent] == [MODS.format(session.pk)]
    assert not SessionEvent.objects.filter(stream="public").exists()


def test_approving_adds_it_for_the_public_and_updates_it_for_moderators(
    citizen, moderator, broadcasts
):
    session = ForumSessionFactory(premoderation=True, moderators=[moderator])
    question = services.ask_question(
        session_id=session.pk, participant=member(citizen), body="Pending?"
    )
    with broadcasts() as sent:
        services.moderate_question(
            question_id=question.pk, user=moderator, action="approve"
        )
    data = q_data(question)
    assert data["status"] == "visible"
    assert strip_at(sent) == [
        (
            PUBLIC.format(session.pk),
            {"type": "question.added", "question": data, "seq": 1},
        ),
        (
            MODS.format(session.pk),
            {"type": "question.updated", "question": data, "seq": 2},
        ),
    ]


def test_anonymous_question_never_names_its_author(citizen, broadcasts):
    session = ForumSessionFactory(allow_anonymous=True)
    with broadcasts() as sent:
        question = services.ask_question(
            session_id=session.pk,
            participant=member(citizen),
            body="Who am I?",
            anonymous=True,
        )
    assert question.author == citizen  # still tied to the account
    for _group, payload in sent:
        assert payload["question"]["author"] is None
        assert payload["question"]["author_kind"] == "anonymous"
        assert "Ada" not in json.dumps(payload) and citizen.email not in json.dumps(
            payload
        )


def test_anonymous_refused_when_the_session_does_not_allow_it(citizen):
    session = ForumSessionFactory(allow_anonymous=False)
    with pytest.raises(ValidationError) as info:
        services.ask_question(
            session_id=session.pk, participant=member(citizen), body="x", anonymous=True
        )
    assert "anonymous" in info.value.message_dict


@pytest.mark.parametrize(
    ("body", "field"),
    [("", "body"), ("   \n ", "body"), ("\x00\x01", "body"), ("x" * 501, "body")],
)
def test_question_text_is_validated(citizen, body, field):
    session = ForumSessionFactory()
    with pytest.raises(ValidationError) as info:
        services.ask_question(
            session_id=session.pk, participant=member(citizen), body=body
        )
    assert field in info.value.message_dict


def test_question_of_500_characters_is_accepted_and_cleaned(citizen):
    session = ForumSessionFactory()
    question = services.ask_question(
        session_id=session.pk, participant=member(citizen), body="é" * 499 + "\x00!"
    )
    assert question.body == "é" * 499 + "!"


def test_agenda_item_must_belong_to_the_session(citizen):
    session = ForumSessionFactory()
    other = AgendaItemFactory()
    with pytest.raises(ValidationError) as info:
        services.ask_question(
            session_id=session.pk,
            participant=member(citizen),
            body="x",
            agenda_item_id=other.pk,
        )
    assert "agenda_item" in info.value.message_dict
    mine = AgendaItemFactory(session=session)
    question = services.ask_question(
        session_id=session.pk,
        participant=member(citizen),
        body="x",
        agenda_item_id=mine.pk,
    )
    assert question.agenda_item == mine


def test_login_required_refuses_guests_and_open_sessions_take_them():
    closed = ForumSessionFactory(login_required=True)
    with pytest.raises(PermissionDenied):
        services.ask_question(session_id=closed.pk, participant=guest(1), body="x")
    opened = ForumSessionFactory(login_required=False)
    question = services.ask_question(
        session_id=opened.pk, participant=guest(1), body="x"
    )
    assert question.author is None and question.participant == "guest:test-1"
    assert events.question_data(question)["author_kind"] == "guest"


def test_ended_session_takes_no_questions(citizen):
    session = ForumSessionFactory(status=SessionStatus.ENDED)
    with pytest.raises(PermissionDenied):
        services.ask_question(
            session_id=session.pk, participant=member(citizen), body="x"
        )


def test_questions_are_rate_limited_per_participant(citizen, moderator):
    session = ForumSessionFactory()
    for n in range(3):
        services.ask_question(
            session_id=session.pk, participant=member(citizen), body=f"{n}"
        )
    with translation.override("en"), pytest.raises(RateLimited) as info:
        services.ask_question(
            session_id=session.pk, participant=member(citizen), body="4"
        )
    assert 1 <= info.value.retry_after <= 60
    assert "Please wait" in str(info.value)
    # Someone else is not limited by it.
    services.ask_question(
        session_id=session.pk, participant=member(moderator), body="x"
    )


def test_upvote_is_idempotent_removable_and_broadcasts_a_tally_notice(
    citizen, broadcasts
):
    session = ForumSessionFactory(login_required=False)
    question = services.ask_question(
        session_id=session.pk, participant=member(citizen), body="Vote?"
    )
    with broadcasts() as sent:
        first = services.set_upvote(
            question_id=question.pk, participant=guest(1), upvoted=True
        )
        again = services.set_upvote(
            question_id=question.pk, participant=guest(1), upvoted=True
        )
    assert (first.upvotes, again.upvotes) == (1, 1)
    assert QuestionVote.objects.filter(question=question).count() == 1
    # Counts are state, not events: one notice for the one real change.
    assert sent == [
        (PUBLIC.format(session.pk), {"type": "tally.dirty", "questions": [question.pk]})
    ]
    removed = services.set_upvote(
        question_id=question.pk, participant=guest(1), upvoted=False
    )
    removed_again = services.set_upvote(
        question_id=question.pk, participant=guest(1), upvoted=False
    )
    assert (removed.upvotes, removed_again.upvotes) == (0, 0)
    assert removed.upvoted is False


def test_upvote_needs_an_open_question(citizen, moderator):
    session = ForumSessionFactory(premoderation=True, moderators=[moderator])
    question = services.ask_question(
        session_id=session.pk, participant=member(citizen), body="Pending"
    )
    with pytest.raises(ValidationError):
        services.set_upvote(
            question_id=question.pk, participant=member(citizen), upvoted=True
        )


def test_upvotes_are_rate_limited(citizen):
    session = ForumSessionFactory(login_required=False)
    questions = [
        services.ask_question(session_id=session.pk, participant=guest(n), body=f"q{n}")
        for n in range(3)
    ]
    with pytest.raises(RateLimited):
        for n in range(40):
            services.set_upvote(
                question_id=questions[n % 3].pk,
                participant=member(citizen),
                upvoted=n % 2 == 0,
            )


def test_highlight_then_answer_clears_the_highlight(citizen, moderator, broadcasts):
    session = ForumSessionFactory(moderators=[moderator])
    question = services.ask_question(
        session_id=session.pk, participant=member(citizen), body="Now?"
    )
    with broadcasts() as sent:
        services.moderate_question(
            question_id=question.pk, user=moderator, action="highlight"
        )
    session.refresh_from_db()
    assert session.highlighted == question
    session_frame = json.loads(json.dumps(events.session_updated(session)))
    assert strip_at(sent) == [
        (PUBLIC.format(session.pk), {**session_frame, "seq": 2}),
        (MODS.format(session.pk), {**session_frame, "seq": 2}),
    ]
    with broadcasts() as sent:
        services.moderate_question(
            question_id=question.pk, user=moderator, action="answer"
        )
    session.refresh_from_db()
    question.refresh_from_db()
    assert session.highlighted is None
    assert question.status == QuestionStatus.ANSWERED and question.answered_at
    assert [(g, p["type"], p["seq"]) for g, p in sent] == [
        (PUBLIC.format(session.pk), "question.updated", 3),
        (MODS.format(session.pk), "question.updated", 3),
        (PUBLIC.format(session.pk), "session.updated", 4),
        (MODS.format(session.pk), "session.updated", 4),
    ]


def test_hidden_question_is_redacted_for_the_public_only(
    citizen, moderator, broadcasts
):
    session = ForumSessionFactory(moderators=[moderator])
    question = services.ask_question(
        session_id=session.pk, participant=member(citizen), body="Rude words"
    )
    with broadcasts() as sent:
        services.moderate_question(
            question_id=question.pk, user=moderator, action="hide"
        )
    public, mods = (payload for _g, payload in sent)
    assert public["question"]["status"] == "hidden"
    assert public["question"]["body"] == "" and public["question"]["author"] is None
    assert mods["question"]["body"] == "Rude words"
    with broadcasts() as sent:
        services.moderate_question(
            question_id=question.pk, user=moderator, action="restore"
        )
    assert [(g, p["type"]) for g, p in sent] == [
        (PUBLIC.format(session.pk), "question.added"),
        (MODS.format(session.pk), "question.updated"),
    ]


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("pending", "answer"),
        ("pending", "highlight"),
        ("visible", "approve"),
        ("answered", "approve"),
        ("dismissed", "answer"),
        ("visible", "restore"),
    ],
)
def test_impossible_moderation_is_a_validation_error(
    citizen, moderator, status, action
):
    session = ForumSessionFactory(moderators=[moderator])
    question = services.ask_question(
        session_id=session.pk, participant=member(citizen), body="x"
    )
    Question.objects.filter(pk=question.pk).update(status=status)
    with pytest.raises(ValidationError) as info:
        services.moderate_question(
            question_id=question.pk, user=moderator, action=action
        )
    assert "action" in info.value.message_dict


def test_unknown_action_is_refused(citizen, moderator):
    session = ForumSessionFactory(moderators=[moderator])
    question = services.ask_question(
        session_id=session.pk, participant=member(citizen), body="x"
    )
    with pytest.raises(ValidationError):
        services.moderate_question(
            question_id=question.pk, user=moderator, action="explode"
        )


def test_start_sets_the_first_agenda_item_and_end_clears_the_highlight(
    citizen, moderator, broadcasts
):
    session = ForumSessionFactory(moderators=[moderator])
    first = AgendaItemFactory(session=session, position=1)
    AgendaItemFactory(session=session, position=2)
    with broadcasts() as sent:
        services.set_session_status(
            session_id=session.pk, user=moderator, status="live"
        )
    session.refresh_from_db()
    assert session.status == "live" and session.started_at
    assert session.current_item == first
    assert [(g, p["type"]) for g, p in sent] == [
        (PUBLIC.format(session.pk), "agenda.updated"),
        (MODS.format(session.pk), "agenda.updated"),
        (PUBLIC.format(session.pk), "session.updated"),
        (MODS.format(session.pk), "session.updated"),
    ]
    question = services.ask_question(
        session_id=session.pk, participant=member(citizen), body="x"
    )
    services.moderate_question(
        question_id=question.pk, user=moderator, action="highlight"
    )
    services.set_session_status(session_id=session.pk, user=moderator, status="ended")
    session.refresh_from_db()
    assert (
        session.status == "ended" and session.highlighted is None and session.ended_at
    )
    with pytest.raises(ValidationError):
        services.set_session_status(
            session_id=session.pk, user=moderator, status="live"
        )
    with pytest.raises(ValidationError):
        services.set_session_status(
            session_id=session.pk, user=moderator, status="paused"
        )


def test_current_agenda_item_event(moderator, broadcasts):
    session = ForumSessionFactory(moderators=[moderator])
    items = [AgendaItemFactory(session=session, position=n) for n in range(2)]
    with broadcasts() as sent:
        services.set_current_agenda_item(
            session_id=session.pk, user=moderator, item_id=items[1].pk
        )
    payload = json.loads(json.dumps(events.agenda_updated(items, items[1].pk)))
    assert strip_at(sent) == [
        (PUBLIC.format(session.pk), {**payload, "seq": 1}),
        (MODS.format(session.pk), {**payload, "seq": 1}),
    ]
    with pytest.raises(ValidationError):
        services.set_current_agenda_item(
            session_id=session.pk, user=moderator, item_id=AgendaItemFactory().pk
        )


def test_only_the_sessions_moderators_and_admins_run_it(citizen, moderator, admin_user):
    session = ForumSessionFactory(moderators=[moderator])
    outsider = make_user(Role.MODERATOR)
    for user in (citizen, outsider):
        with pytest.raises(PermissionDenied):
            services.set_session_status(session_id=session.pk, user=user, status="live")
    services.set_session_status(session_id=session.pk, user=admin_user, status="live")


def test_minutes_are_sanitised_and_published_after_the_session(moderator):
    session = ForumSessionFactory(moderators=[moderator])
    with pytest.raises(ValidationError):
        services.publish_minutes(
            session_id=session.pk, user=moderator, minutes="# Early", recording_url=""
        )
    ForumSession.objects.filter(pk=session.pk).update(status="ended")
    session = services.publish_minutes(
        session_id=session.pk,
        user=moderator,
        minutes=(
            "## Decisions\n\n<script>alert(1)</script> **agreed** "
            "[x](javascript:alert(1))"
        ),
        recording_url="https://video.example/rec",
    )
    assert "<h2>Decisions</h2>" in session.minutes_html
    assert "<strong>agreed</strong>" in session.minutes_html
    assert "<script" not in session.minutes_html
    assert 'href="javascript' not in session.minutes_html
    with pytest.raises(ValidationError):
        services.publish_minutes(
            session_id=session.pk, user=moderator, minutes="", recording_url="ftp://x"
        )


def test_seq_increases_by_one_per_event_per_stream(citizen, moderator):
    session = ForumSessionFactory(premoderation=True, moderators=[moderator])
    for n in range(3):
        q = services.ask_question(
            session_id=session.pk, participant=member(citizen), body=str(n)
        )
        services.moderate_question(question_id=q.pk, user=moderator, action="approve")
    seqs = {
        stream: list(
            SessionEvent.objects.filter(session=session, stream=stream)
            .order_by("seq")
            .values_list("seq", flat=True)
        )
        for stream in ("public", "moderators")
    }
    assert seqs == {"public": [1, 2, 3], "moderators": [1, 2, 3, 4, 5, 6]}
    session.refresh_from_db()
    assert (session.public_seq, session.moderator_seq) == (3, 6)


def test_a_rolled_back_change_records_and_sends_nothing(
    citizen, broadcasts, monkeypatch
):
    session = ForumSessionFactory()

    def boom(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.EventLog, "save", boom)
    with broadcasts() as sent, pytest.raises(RuntimeError):
        services.ask_question(
            session_id=session.pk, participant=member(citizen), body="x"
        )
    assert sent == [] and not Question.objects.exists()
