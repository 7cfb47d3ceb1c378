"""Business rules: votes, statements, seeding, moderation, flags, routing, bridge."""

from __future__ import annotations

import random

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from clustering import selectors, services
from clustering.models import (
    Analysis,
    Participant,
    Statement,
    StatementFlag,
    Vote,
    VoteHistory,
)
from clustering.services import Actor
from clustering.services.analysis import load_inputs
from tests.clustering_web.conftest import browser
from tests.helpers import capture_broadcasts


@pytest.fixture
def ids(conversation):
    return list(conversation.statements.values_list("pk", flat=True))


@pytest.mark.django_db
def test_changing_a_vote_replaces_it_and_keeps_history(conversation, ids):
    actor = browser("x")
    first = services.record_vote(
        conversation=conversation, actor=actor, statement_id=ids[0], value=1
    )
    again = services.record_vote(
        conversation=conversation, actor=actor, statement_id=ids[0], value="1"
    )
    changed = services.record_vote(
        conversation=conversation, actor=actor, statement_id=ids[0], value=-1
    )
    assert first.changed and not again.changed and changed.changed
    assert changed.previous == 1
    assert Vote.objects.get().value == -1
    assert list(
        VoteHistory.objects.order_by("pk").values_list("value", "previous_value")
    ) == [
        (1, None),
        (-1, 1),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("value", [2, "yes", None, True, 0.5])
def test_bad_vote_values_are_refused_per_field(conversation, ids, value):
    with pytest.raises(ValidationError) as exc:
        services.record_vote(
            conversation=conversation,
            actor=browser("x"),
            statement_id=ids[0],
            value=value,
        )
    assert "value" in exc.value.message_dict


@pytest.mark.django_db
def test_votes_on_pending_rejected_or_foreign_statements_are_refused(
    conversation, citizen, moderator
):
    pending = services.add_statement(
        conversation=conversation, actor=Actor(citizen), text="A brand new idea"
    )
    assert pending.status == "pending"
    other = services.create_conversation(user=moderator, topic="Another")
    foreign = services.seed_statements(
        conversation=other, user=moderator, text="Elsewhere"
    ).created[0]
    for sid in (pending.pk, foreign.pk, 10**12, "abc"):
        with pytest.raises(ValidationError):
            services.record_vote(
                conversation=conversation, actor=browser("y"), statement_id=sid, value=1
            )


@pytest.mark.django_db
def test_members_only_and_closed_conversations(conversation, citizen, ids):
    conversation.vote_policy = "members"
    conversation.save()
    with pytest.raises(PermissionDenied):
        services.record_vote(
            conversation=conversation,
            actor=browser("anon"),
            statement_id=ids[0],
            value=1,
        )
    services.record_vote(
        conversation=conversation, actor=Actor(citizen), statement_id=ids[0], value=1
    )
    conversation.is_open = False
    conversation.save()
    with pytest.raises(PermissionDenied):
        services.record_vote(
            conversation=conversation,
            actor=Actor(citizen),
            statement_id=ids[1],
            value=1,
        )


@pytest.mark.django_db
def test_anonymous_votes_follow_the_person_when_they_log_in(conversation, citizen, ids):
    services.record_vote(
        conversation=conversation, actor=browser("tok"), statement_id=ids[0], value=1
    )
    actor = Actor(citizen, browser_token="tok")
    services.record_vote(
        conversation=conversation, actor=actor, statement_id=ids[1], value=-1
    )
    participant = Participant.objects.get()
    assert participant.user == citizen
    assert participant.votes.count() == 2


@pytest.mark.django_db
def test_statement_rules(conversation, citizen, moderator):
    actor = Actor(citizen)
    s = services.add_statement(
        conversation=conversation, actor=actor, text="  Roads   should be safer  "
    )
    assert (s.text, s.status, s.author) == ("Roads should be safer", "pending", citizen)
    # The author's own statement counts as their agree vote.
    assert Vote.objects.get(statement=s).value == 1
    with pytest.raises(ValidationError, match="already"):
        services.add_statement(
            conversation=conversation, actor=actor, text="roads should be SAFER"
        )
    with pytest.raises(ValidationError, match="280"):
        services.add_statement(conversation=conversation, actor=actor, text="x" * 281)
    with pytest.raises(ValidationError):
        services.add_statement(conversation=conversation, actor=actor, text=" \n\t ")
    trusted = services.add_statement(
        conversation=conversation, actor=Actor(moderator), text="A moderator's line"
    )
    assert trusted.status == "accepted"
    conversation.statement_policy = "moderators"
    conversation.save()
    with pytest.raises(PermissionDenied):
        services.add_statement(
            conversation=conversation, actor=actor, text="Something else"
        )


@pytest.mark.django_db
def test_pending_statements_stay_out_of_a_strict_analysis(conversation, citizen):
    s = services.add_statement(
        conversation=conversation, actor=Actor(citizen), text="Pending idea"
    )
    assert all(sid != s.pk for _p, sid, _v in load_inputs(conversation).votes)
    conversation.strict_moderation = False
    conversation.save()
    assert any(sid == s.pk for _p, sid, _v in load_inputs(conversation).votes)


@pytest.mark.django_db
def test_seed_paste_reports_every_refused_line(conversation, moderator, citizen):
    text = "\n".join(
        [
            "Fresh statement one",
            "",
            "y" * 300,
            "fresh statement ONE",
            "Statement number 3 about open data",  # already in the conversation
            "Fresh statement two",
        ]
    )
    report = services.seed_statements(
        conversation=conversation, user=moderator, text=text
    )
    assert [s.text for s in report.created] == [
        "Fresh statement one",
        "Fresh statement two",
    ]
    assert [(line, why) for line, _t, why in report.rejected] == [
        (3, "longer than 280 characters (300)"),
        (4, "same as line 1"),
        (5, "already in the conversation"),
    ]
    assert report.blank_lines == 1
    with pytest.raises(PermissionDenied):
        services.seed_statements(conversation=conversation, user=citizen, text="nope")


@pytest.mark.django_db
def test_bulk_moderation_with_reason_resolves_flags_and_notifies(
    conversation, citizen, moderator, ids, django_capture_on_commit_callbacks
):
    a = services.add_statement(
        conversation=conversation, actor=Actor(citizen), text="First idea"
    )
    b = services.add_statement(
        conversation=conversation, actor=Actor(citizen), text="Second idea"
    )
    with pytest.raises(ValidationError, match="reason"):
        services.moderate_statements(
            conversation=conversation,
            user=moderator,
            statement_ids=[a.pk],
            action="reject",
        )
    with pytest.raises(PermissionDenied):
        services.moderate_statements(
            conversation=conversation,
            user=citizen,
            statement_ids=[a.pk],
            action="accept",
        )
    with capture_broadcasts() as sent, django_capture_on_commit_callbacks(execute=True):
        services.moderate_statements(
            conversation=conversation,
            user=moderator,
            statement_ids=[a.pk, b.pk],
            action="accept",
        )
    assert set(
        Statement.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)
    ) == {"accepted"}
    assert {p["statement"]["id"] for _g, p in sent if p["type"] == "statement"} == {
        a.pk,
        b.pk,
    }
    flag = services.flag_statement(
        conversation=conversation,
        actor=browser("f"),
        statement_id=ids[0],
        reason="spam",
    )
    assert (
        services.flag_statement(
            conversation=conversation,
            actor=browser("f"),
            statement_id=ids[0],
            reason="spam",
        )
        == flag
    )
    services.moderate_statements(
        conversation=conversation,
        user=moderator,
        statement_ids=[ids[0]],
        action="reject",
        reason="spam",
    )
    flag.refresh_from_db()
    assert flag.resolved_by == moderator
    assert Statement.objects.get(pk=ids[0]).rejection_reason == "spam"
    assert not StatementFlag.objects.filter(resolved_at__isnull=True).exists()


@pytest.mark.django_db
def test_routing_draws_by_priority_and_new_statements_weigh_one(conversation, ids):
    Analysis.objects.create(
        conversation=conversation,
        priorities={str(ids[0]): 10.0, **{str(i): 0.001 for i in ids[1:-1]}},
    )
    rng = random.Random(3)
    picks = [
        selectors.next_statement(conversation, None, rng=rng).pk for _ in range(300)
    ]
    assert picks.count(ids[0]) > 200
    assert ids[-1] in picks  # missing from the analysis: weight 1, never starved
    participant = services.get_or_create_participant(conversation, browser("r"))
    for sid in ids:
        services.record_vote(
            conversation=conversation, actor=browser("r"), statement_id=sid, value=0
        )
    assert selectors.next_statement(conversation, participant) is None
    assert selectors.progress(conversation, participant) == (len(ids), len(ids))


@pytest.mark.django_db
def test_conversation_settings_validation(moderator, citizen, official):
    with pytest.raises(PermissionDenied):
        services.create_conversation(user=citizen, topic="Mine")
    with pytest.raises(ValidationError) as exc:
        services.create_conversation(user=moderator, topic="", vote_policy="everyone")
    assert set(exc.value.message_dict) >= {"topic", "vote_policy"}
    with pytest.raises(ValidationError) as exc:
        services.create_conversation(user=moderator, topic="T", section_key="3.2")
    assert "section_key" in exc.value.message_dict
    conv = services.create_conversation(user=official, topic="Agency topic")
    assert conv.agency == official.agency
    services.update_conversation(
        conversation=conv, user=official, topic="Renamed", is_private=True
    )
    conv.refresh_from_db()
    assert conv.topic == "Renamed" and conv.is_private


def test_anonymous_actor_needs_a_browser_token():
    actor = Actor(AnonymousUser())
    assert actor.key == "browser:None"
