"""Plans, comments, responses and sessions for the API and feed tests, built
through the services (the consultation fixtures are reused as they are)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts.roles import Role
from consultation import services
from consultation.models import Comment, Disposition, Plan
from tests.consultation.conftest import (  # noqa: F401 - fixtures
    agency,
    official,
    plan,
    publish_v2,
)
from tests.factories import UserFactory, make_user


@dataclass
class Consultation:
    plan: Plan
    kept: Comment
    hidden: Comment


@pytest.fixture
def consultation(plan, official) -> Consultation:  # noqa: F811
    """A plan with two versions, a comment answered in version 2 and a hidden
    comment that was answered before it was hidden."""
    citizen = UserFactory(display_name="Mei", email="mei@example.org")
    kept = services.post_comment(
        user=citizen, plan=plan, section_key="3.2", body="Please add **captions**."
    )
    hidden = services.post_comment(
        user=citizen, plan=plan, section_key="3.2", body="SECRET-ABUSE text"
    )
    version = publish_v2(plan, official)
    services.respond_to_comment(
        user=official,
        comment=kept,
        disposition=Disposition.ADOPTED,
        body="Captions are in **version 2**.",
        addressed_in=version.number,
    )
    services.respond_to_comment(
        user=official,
        comment=hidden,
        disposition=Disposition.NOT_ADOPTED,
        body="SECRET-RESPONSE to a hidden comment",
    )
    moderator = make_user(Role.MODERATOR)
    services.hide_comment(user=moderator, comment=hidden, reason="abuse")
    hidden.refresh_from_db()
    return Consultation(plan=plan, kept=kept, hidden=hidden)
