from __future__ import annotations

import random

import pytest

from clustering import services
from clustering.models import Conversation
from clustering.services import Actor


@pytest.fixture
def conversation(moderator) -> Conversation:
    conv = services.create_conversation(
        user=moderator,
        topic="How should the open data portal evolve?",
        description="Vote on short statements.",
        strict_moderation=True,
    )
    services.seed_statements(
        conversation=conv,
        user=moderator,
        text="\n".join(f"Statement number {i} about open data" for i in range(12)),
    )
    return conv


def browser(token: str, ip: str = "10.0.0.1") -> Actor:
    from django.contrib.auth.models import AnonymousUser

    return Actor(user=AnonymousUser(), browser_token=token, ip=ip)


def vote_in_groups(conversation, n_people=40, seed=1):
    """Two latent opinion groups voting on the conversation's statements."""
    rng = random.Random(seed)
    ids = list(conversation.statements.values_list("pk", flat=True))
    for p in range(n_people):
        actor = browser(f"person-{p}", ip=f"10.1.{p // 200}.{p % 200}")
        side = 1 if p % 2 else -1
        for i, sid in enumerate(ids):
            lean = side if i % 2 else -side
            value = lean if rng.random() < 0.85 else rng.choice([0, -lean])
            services.record_vote(
                conversation=conversation, actor=actor, statement_id=sid, value=value
            )
