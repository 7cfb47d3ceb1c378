"""Rows that link the three apps: a published plan, a forum session about it
with its own moderator, and a conversation linked to both."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from clustering import services as clustering_services
from clustering.models import Conversation
from forum import services as forum_services
from forum.models import ForumSession, Question
from tests.consultation.conftest import make_plan
from tests.factories import AgencyFactory, make_user
from tests.forum.factories import ForumSessionFactory, member


@pytest.fixture
def agency(db):
    return AgencyFactory(slug="ministry-of-data", name="Ministry of Data")


@pytest.fixture
def official(agency):
    return make_user(Role.OFFICIAL, agency=agency, display_name="Olu Official")


@pytest.fixture
def plan(official):
    return make_plan(
        official,
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=30),
    )


@pytest.fixture
def session_moderator(db):
    return make_user(Role.MODERATOR, display_name="Sam Session-Moderator")


@pytest.fixture
def other_moderator(db):
    return make_user(Role.MODERATOR, display_name="Otto Other-Moderator")


@pytest.fixture
def admin_user(db):
    return make_user(Role.ADMINISTRATOR, display_name="Ad Admin")


@pytest.fixture
def session(plan, session_moderator) -> ForumSession:
    return ForumSessionFactory(
        title="Open data forum",
        plan=plan,
        moderators=[session_moderator],
        starts_at=timezone.now() - timedelta(minutes=10),
    )


@pytest.fixture
def conversation(session, plan, session_moderator) -> Conversation:
    return clustering_services.create_conversation(
        user=session_moderator,
        topic="What should the open data portal do first?",
        plan=plan,
        session=session,
    )


def ask(session: ForumSession, user, body: str = "Will the data be open?") -> Question:
    return forum_services.ask_question(
        session_id=session.pk, participant=member(user), body=body
    )
