from __future__ import annotations

import time

import pytest
from django.core.management import call_command
from django.test import override_settings

from clustering.demo import SLUG
from clustering.models import Analysis, Conversation, Statement


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_adds_an_analysed_conversation_quickly_and_idempotently():
    started = time.perf_counter()
    call_command("seed_demo")
    elapsed = time.perf_counter() - started
    conversation = Conversation.objects.get(slug=SLUG)
    assert (
        38
        <= Statement.objects.filter(
            conversation=conversation, status="accepted"
        ).count()
        <= 42
    )
    analyses = Analysis.objects.filter(conversation=conversation, status="ok")
    assert analyses.count() == 4
    latest = analyses.order_by("-pk").first()
    assert latest.n_participants >= 250 and latest.k >= 2
    assert elapsed < 20, elapsed
    # Linked to the demo plan and to the live forum session about it.
    assert conversation.plan.slug == "open-parliament-action-plan"
    assert conversation.session.slug == "ogp-action-plan-forum-live"
    assert conversation.session.plan == conversation.plan
    call_command("seed_demo")
    assert Conversation.objects.filter(slug=SLUG).count() == 1
    assert Analysis.objects.filter(conversation=conversation).count() == 4
