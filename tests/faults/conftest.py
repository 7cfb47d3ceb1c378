"""Fault tests reuse the apps' fixtures: a plan open for comment (with its
agency's official) and an open conversation with statements."""

from __future__ import annotations

import pytest

from tests.clustering_web.conftest import conversation
from tests.consultation.conftest import agency, official, plan
from tests.forum.factories import ForumSessionFactory

__all__ = ["agency", "conversation", "official", "plan"]


@pytest.fixture
def live_session(moderator):
    return ForumSessionFactory(moderators=[moderator], status="live")
