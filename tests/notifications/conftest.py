"""People, a plan open for comment and a forum session, built through the
real services; ``committed`` runs a block and its on-commit callbacks (the
e-mail tasks, which the test settings run immediately)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import EmailFrequency
from accounts.roles import Role
from consultation import services
from tests.consultation.conftest import make_plan
from tests.factories import AgencyFactory, make_user
from tests.forum.factories import ForumSessionFactory


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def agency(db):
    return AgencyFactory(slug="ministry-of-data", name="Ministry of Data")


@pytest.fixture
def official(agency):
    return make_user(
        Role.OFFICIAL, agency=agency, display_name="Olu Official", email="olu@gov.test"
    )


@pytest.fixture
def plan(official):
    return make_plan(
        official,
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=30),
    )


def person(name: str, frequency: str = EmailFrequency.IMMEDIATELY):
    return make_user(
        display_name=name,
        email=f"{name.lower()}@example.org",
        email_notifications=frequency,
    )


@pytest.fixture
def ada(db):
    return person("Ada")


@pytest.fixture
def bo(db):
    return person("Bo")


@pytest.fixture
def cy(db):
    return person("Cy")


@pytest.fixture
def moderator(db):
    return make_user(
        Role.MODERATOR, display_name="Mo Moderator", email="mo@example.org"
    )


@pytest.fixture
def forum_session(moderator):
    return ForumSessionFactory(title="Open budget hearing", moderators=[moderator])


def comment_on(plan, user, body="I have a thought.", key="3.1"):
    return services.post_comment(user=user, plan=plan, section_key=key, body=body)
