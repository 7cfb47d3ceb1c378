"""Seeded public and hidden data for the open-data tests, built through the
real services: a published plan with comments (one hidden), a response, a
draft plan; a forum session with public, hidden, dismissed and pending
questions and upvotes; a public conversation with accepted and rejected
statements and votes, and a private one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.roles import Role
from clustering import services as clustering
from clustering.models import Conversation, Statement
from clustering.services import Actor
from consultation import services as consultation
from consultation.models import Comment, Plan
from forum import services as forum
from forum.models import ForumSession, Question
from tests.consultation.conftest import make_plan
from tests.factories import AgencyFactory, make_user
from tests.forum.factories import AgendaItemFactory, ForumSessionFactory, guest, member

HIDDEN_COMMENT = "HIDDEN-COMMENT: my neighbour's phone number is 0912"
HIDDEN_QUESTION = "HIDDEN-QUESTION: insult about the minister"
DISMISSED_QUESTION = "DISMISSED-QUESTION: off topic"
PENDING_QUESTION = "PENDING-QUESTION: not yet approved"
REJECTED_STATEMENT = "REJECTED-STATEMENT: buy cheap pills now"
PENDING_STATEMENT = "PENDING-STATEMENT: waiting for a moderator"
DRAFT_PLAN_TEXT = "DRAFT-PLAN-TEXT: the secret draft"
PRIVATE_TOPIC = "PRIVATE-CONVERSATION topic"
HIDDEN_TEXTS = [
    HIDDEN_COMMENT,
    HIDDEN_QUESTION,
    DISMISSED_QUESTION,
    PENDING_QUESTION,
    REJECTED_STATEMENT,
    PENDING_STATEMENT,
    DRAFT_PLAN_TEXT,
    PRIVATE_TOPIC,
]


@dataclass
class Seeded:
    plan: Plan
    draft: Plan
    comment: Comment
    hidden: Comment
    session: ForumSession
    other_session: ForumSession
    question: Question
    conversation: Conversation
    private: Conversation
    users: list[Any]


@pytest.fixture
def opendata_cache(settings, tmp_path):
    settings.AGORA_OPENDATA_CACHE = tmp_path / "opendata-cache"
    return settings.AGORA_OPENDATA_CACHE


@pytest.fixture
def seeded(db, opendata_cache) -> Seeded:
    agency = AgencyFactory(slug="ministry-of-data", name="Ministry of Data")
    official = make_user(
        Role.OFFICIAL,
        agency=agency,
        display_name="Olu Official",
        email="olu.official@ministry.example",
    )
    moderator = make_user(
        Role.MODERATOR,
        display_name="Mo Moderator",
        email="mo.moderator@moderators.example",
    )
    citizen = make_user(display_name="Ada Citizen", email="ada.secret@mail.example")
    troll = make_user(display_name="Tro Ll", email="troll-address@mail.example")

    plan = make_plan(official)
    # Not published: a draft version only.
    draft = consultation.create_plan(
        user=official,
        agency=agency,
        title="Unpublished plan",
        slug="unpublished-plan",
        summary=DRAFT_PLAN_TEXT,
    )
    consultation.save_draft_version(user=official, plan=draft, body=DRAFT_PLAN_TEXT)
    comment = consultation.post_comment(
        user=citizen,
        plan=plan,
        section_key="3.1",
        body="Please publish the inventory as CSV.",
        stance="supports",
    )
    consultation.post_comment(user=official, plan=plan, body="We will.", parent=comment)
    hidden = consultation.post_comment(
        user=troll, plan=plan, section_key="3.2", body=HIDDEN_COMMENT
    )
    consultation.hide_comment(
        user=moderator, comment=hidden, reason="personal_data", note="private note"
    )
    consultation.respond_to_comment(
        user=official,
        comment=comment,
        disposition="adopted",
        body="The inventory will be published as CSV.",
    )

    session = ForumSessionFactory(
        moderators=[moderator],
        status="live",
        title="Open parliament forum",
        login_required=False,
    )
    other_session = ForumSessionFactory(moderators=[moderator], title="Other forum")
    item = AgendaItemFactory(session=session, title="Opening")
    question = forum.ask_question(
        session_id=session.pk,
        participant=member(citizen),
        body="How will the inventory be kept up to date?",
        agenda_item_id=item.pk,
    )
    forum.ask_question(
        session_id=other_session.pk,
        participant=member(citizen),
        body="A question in the other forum",
    )
    for n in range(3):
        forum.set_upvote(question_id=question.pk, participant=guest(n), upvoted=True)
    for text, action in (
        (HIDDEN_QUESTION, "hide"),
        (DISMISSED_QUESTION, "dismiss"),
    ):
        asked = forum.ask_question(
            session_id=session.pk, participant=member(troll), body=text
        )
        forum.moderate_question(question_id=asked.pk, user=moderator, action=action)
    session.premoderation = True
    session.save(update_fields=["premoderation"])
    forum.ask_question(
        session_id=session.pk, participant=member(troll), body=PENDING_QUESTION
    )

    conversation = clustering.create_conversation(
        user=moderator, topic="How should the open data portal evolve?"
    )
    clustering.seed_statements(
        conversation=conversation,
        user=moderator,
        text="Publish every dataset\nKeep old versions\nAdd an API",
    )
    troll_actor = Actor(user=troll, ip="10.0.0.9")
    rejected = clustering.add_statement(
        conversation=conversation, actor=troll_actor, text=REJECTED_STATEMENT
    )
    clustering.add_statement(
        conversation=conversation,
        actor=Actor(user=citizen, ip="10.0.0.8"),
        text=PENDING_STATEMENT,
    )
    clustering.moderate_statements(
        conversation=conversation,
        user=moderator,
        statement_ids=[rejected.pk],
        action="reject",
        reason="spam",
    )
    accepted = list(
        Statement.objects.filter(conversation=conversation, status="accepted")
    )
    voters = [
        Actor(user=citizen, ip="10.0.0.1"),
        Actor(user=AnonymousUser(), browser_token="browser-1", ip="10.0.0.2"),
        Actor(user=AnonymousUser(), browser_token="browser-2", ip="10.0.0.3"),
    ]
    for i, actor in enumerate(voters):
        for j, statement in enumerate(accepted):
            clustering.record_vote(
                conversation=conversation,
                actor=actor,
                statement_id=statement.pk,
                value=[1, -1, 0][(i + j) % 3],
            )
    private = clustering.create_conversation(
        user=moderator, topic=PRIVATE_TOPIC, is_private=True
    )
    clustering.seed_statements(
        conversation=private, user=moderator, text="A private statement"
    )
    return Seeded(
        plan=plan,
        draft=draft,
        comment=comment,
        hidden=hidden,
        session=session,
        other_session=other_session,
        question=question,
        conversation=conversation,
        private=private,
        users=[official, moderator, citizen, troll],
    )
