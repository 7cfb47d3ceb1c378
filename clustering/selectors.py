"""Reads for pages, the API and the consumer. Bounded queries; no computing.

Pages and the API only read the latest saved ``Analysis``; the math never runs
here. Large JSON columns are loaded only where needed (``only()`` / key
lookups), so a page of a 30,000-participant conversation stays cheap.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KeyTransform

from clustering import conf
from clustering.models import (
    Analysis,
    AnalysisStatus,
    Conversation,
    Participant,
    Statement,
    StatementFlag,
    StatementStatus,
    Vote,
)
from clustering.services.participation import visible_statements
from consultation.models import Plan
from forum.models import ForumSession

LIGHT_FIELDS = (
    "pk",
    "conversation_id",
    "status",
    "computed_at",
    "n_votes",
    "n_participants",
    "n_clustered",
    "k",
    "last_vote_at",
    "summary",
)


def list_conversations() -> QuerySet[Conversation]:
    statements = (
        Statement.objects.filter(
            conversation=OuterRef("pk"), status=StatementStatus.ACCEPTED
        )
        .values("conversation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    participants = (
        Participant.objects.filter(conversation=OuterRef("pk"))
        .values("conversation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Conversation.objects.select_related("agency", "plan", "session").annotate(
        n_statements=Subquery(statements), n_participants=Subquery(participants)
    )


def latest_analysis(conversation_id: int, *fields: str) -> Analysis | None:
    """The latest successful analysis (only the given heavy fields loaded)."""
    return (
        Analysis.objects.filter(
            conversation_id=conversation_id, status=AnalysisStatus.OK
        )
        .order_by("-pk")
        .only(*LIGHT_FIELDS, *fields)
        .first()
    )


def priorities(conversation_id: int) -> Mapping[str, float]:
    analysis = latest_analysis(conversation_id, "priorities")
    return analysis.priorities if analysis is not None else {}


def voted_ids(participant: Participant | None) -> set[int]:
    if participant is None:
        return set()
    return set(
        Vote.objects.filter(participant=participant).values_list(
            "statement_id", flat=True
        )
    )


def next_statement(
    conversation: Conversation,
    participant: Participant | None,
    *,
    rng: random.Random | None = None,
) -> Statement | None:
    """Polis routing: a weighted draw over unvoted statements.

    Weights are the latest analysis's priorities; a statement the analysis has
    not seen yet (new) weighs 1 (POLIS_MATH.md §15).
    """
    seen = voted_ids(participant)
    candidates = list(
        visible_statements(conversation)
        .exclude(pk__in=seen)
        .only("pk", "text", "is_meta")
    )
    if not candidates:
        return None
    prio = priorities(conversation.pk)
    weights = [max(float(prio.get(str(s.pk), 1.0)), 1e-9) for s in candidates]
    chooser = rng or random.SystemRandom()
    picked: Statement = chooser.choices(candidates, weights=weights, k=1)[0]
    return picked


def progress(
    conversation: Conversation, participant: Participant | None
) -> tuple[int, int]:
    """(voted, total) over the statements shown to voters."""
    visible = visible_statements(conversation)
    total = visible.count()
    if participant is None:
        return 0, total
    voted = Vote.objects.filter(participant=participant, statement__in=visible).count()
    return voted, total


def my_votes(conversation: Conversation, participant: Participant | None) -> list[Vote]:
    if participant is None:
        return []
    return list(
        Vote.objects.filter(participant=participant)
        .filter(statement__in=visible_statements(conversation))
        .select_related("statement")
        .order_by("-updated_at", "-pk")
    )


def statement_texts(conversation: Conversation) -> dict[str, dict[str, Any]]:
    """Texts of the statements a report may show (never rejected or pending)."""
    rows = Statement.objects.filter(
        conversation=conversation, status=StatementStatus.ACCEPTED
    ).values_list("pk", "text", "is_meta", "source_question_id")
    return {
        str(pk): {"text": text, "meta": meta, "from_question": q is not None}
        for pk, text, meta, q in rows
    }


def report_data(conversation: Conversation) -> dict[str, Any] | None:
    analysis = latest_analysis(conversation.pk, "report")
    if analysis is None or not analysis.report:
        return None
    texts = statement_texts(conversation)
    report = dict(analysis.report)
    report["statements"] = {
        tid: s
        for tid, s in report["statements"].items()
        if tid in texts and not s["out"]
    }
    return {
        "analysis": {
            "id": analysis.pk,
            "computed_at": analysis.computed_at.isoformat(),
            "last_vote_at": analysis.last_vote_at.isoformat()
            if analysis.last_vote_at
            else None,
        },
        "report": report,
        "texts": {tid: texts[tid] for tid in report["statements"]},
    }


def participant_position(analysis_id: int, participant_id: int) -> list[Any] | None:
    """One participant's [x, y, group, n_votes] without loading every position."""
    value = (
        Analysis.objects.filter(pk=analysis_id)
        .annotate(me=KeyTransform(f"p{participant_id}", "positions"))
        .values_list("me", flat=True)
        .first()
    )
    return value if isinstance(value, list) else None


def standing(
    conversation: Conversation, participant: Participant | None
) -> dict[str, Any]:
    """'Where you stand': own position and group, the group's agreements and
    where it differs from the others (after WHERE_YOU_STAND_VOTES votes)."""
    voted, total = progress(conversation, participant)
    out: dict[str, Any] = {
        "voted": voted,
        "total": total,
        "needed": conf.WHERE_YOU_STAND_VOTES,
        "remaining": max(min(conf.WHERE_YOU_STAND_VOTES, total) - voted, 0),
        "unlocked": voted >= min(conf.WHERE_YOU_STAND_VOTES, max(total, 1)),
        "participant": participant.pk if participant is not None else None,
        "position": None,
        "group": None,
    }
    if participant is None or not out["unlocked"]:
        return out
    data = report_data(conversation)
    if data is None:
        return out
    out["analysis"] = data["analysis"]
    report = data["report"]
    position = participant_position(data["analysis"]["id"], participant.pk)
    out["position"] = position
    out["map"] = {
        "groups": report["groups"],
        "points": report["points"],
        "n_points": report["n_points"],
    }
    out["texts"] = data["texts"]
    if position is None or position[2] is None:
        return out
    gid = position[2]
    group = next((g for g in report["groups"] if g["id"] == gid), None)
    if group is None:
        return out
    agreed = []
    for tid, s in report["statements"].items():
        t = s["g"].get(str(gid))
        if not t or t[3] < 2 or s["meta"]:
            continue
        agreed.append((t[0] / t[3], t[3], tid))
    agreed.sort(key=lambda x: (-x[0], -x[1], x[2]))
    out["group"] = {
        "id": gid,
        "label": group["label"],
        "size": group["size"],
        "agrees": [
            {"tid": tid, "pct": round(100 * share)}
            for share, _n, tid in agreed[:5]
            if share > 0.5
        ],
        "differs": [r for r in group["repness"] if str(r["tid"]) in data["texts"]],
    }
    return out


def history(conversation: Conversation, limit: int = 120) -> list[dict[str, Any]]:
    """How participation and groups evolved (at most ``limit`` points)."""
    rows = list(
        Analysis.objects.filter(conversation=conversation, status=AnalysisStatus.OK)
        .order_by("pk")
        .values_list("computed_at", "n_votes", "n_participants", "summary")
    )
    if len(rows) > limit:
        step = (len(rows) - 1) / (limit - 1)
        rows = [rows[round(i * step)] for i in range(limit)]
    return [
        {
            "at": at.isoformat(),
            "votes": votes,
            "participants": people,
            "groups": [g["size"] for g in summary.get("groups", [])],
        }
        for at, votes, people, summary in rows
    ]


# The moderation page lists at most this many pending statements (oldest first)
# and says how many more are waiting.
QUEUE_PAGE = 500


def moderation_queue(conversation: Conversation) -> dict[str, Any]:
    waiting = Statement.objects.filter(
        conversation=conversation, status=StatementStatus.PENDING
    )
    pending = list(
        waiting.select_related("author").order_by("created_at", "pk")[:QUEUE_PAGE]
    )
    pending_total = len(pending) if len(pending) < QUEUE_PAGE else waiting.count()
    flagged = list(
        Statement.objects.filter(
            conversation=conversation, flags__resolved_at__isnull=True
        )
        .annotate(
            n_flags=Count(
                "flags", filter=Q(flags__resolved_at__isnull=True), distinct=True
            )
        )
        .order_by("-n_flags", "pk")[:200]
    )
    reasons: dict[int, list[str]] = {}
    for sid, reason in StatementFlag.objects.filter(
        statement__in=[s.pk for s in flagged], resolved_at__isnull=True
    ).values_list("statement_id", "reason"):
        reasons.setdefault(sid, []).append(reason)
    return {
        "pending": pending,
        "pending_total": pending_total,
        "flagged": flagged,
        "reasons": reasons,
    }


def accepted_statements(conversation: Conversation) -> QuerySet[Statement]:
    return Statement.objects.filter(conversation=conversation).exclude(
        status=StatementStatus.PENDING
    )


def linkable_sessions() -> QuerySet[ForumSession]:
    """Forum sessions a conversation may be linked to (every session is public)."""
    return ForumSession.objects.order_by("-starts_at", "-pk")


def linked_conversations(
    *, session: ForumSession | None = None, plan: Plan | None = None
) -> list[Conversation]:
    """Conversations linked to a forum session or a plan (for their pages),
    open ones first. One query."""
    if session is None and plan is None:
        return []
    qs = Conversation.objects.all()
    qs = qs.filter(session=session) if session is not None else qs.filter(plan=plan)
    return list(qs.order_by("-is_open", "-created_at", "-pk")[:20])


def bridge_targets(session: ForumSession) -> list[dict[str, Any]]:
    """The open conversations a moderator of ``session`` may add its questions
    to, each with the ids of the questions already added (two queries)."""
    conversations = list(
        Conversation.objects.filter(session=session, is_open=True).order_by(
            "created_at", "pk"
        )
    )
    added: dict[int, list[int]] = {c.pk: [] for c in conversations}
    for conversation_id, question_id in Statement.objects.filter(
        conversation__in=conversations, source_question__isnull=False
    ).values_list("conversation_id", "source_question_id"):
        added[conversation_id].append(question_id)
    return [
        {
            "id": c.pk,
            "topic": c.topic,
            "url": c.get_absolute_url(),
            "added": sorted(added[c.pk]),
        }
        for c in conversations
    ]
