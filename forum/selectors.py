"""Reads: session lists, the questions a viewer may see, snapshots, replays."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from common.realtime import encode
from forum import events
from forum.models import (
    PUBLIC_STATUSES,
    ForumSession,
    Question,
    QuestionStatus,
    QuestionVote,
    SessionEvent,
    SessionFollow,
    SessionStatus,
    Stream,
)
from forum.participants import Participant
from forum.permissions import can_moderate_session

# A viewer more than this many events behind gets a snapshot, not a replay.
REPLAY_LIMIT = 500


@dataclass
class SessionLists:
    live: list[ForumSession]
    upcoming: list[ForumSession]
    past: list[ForumSession]


def list_sessions() -> SessionLists:
    sessions = list(ForumSession.objects.select_related("agency"))
    live = [s for s in sessions if s.status == SessionStatus.LIVE]
    upcoming = [s for s in sessions if s.status == SessionStatus.SCHEDULED]
    past = sorted(
        (s for s in sessions if s.status == SessionStatus.ENDED),
        key=lambda s: s.starts_at,
        reverse=True,
    )
    return SessionLists(live=live, upcoming=upcoming, past=past)


def sessions_for_plan(plan: Any) -> list[ForumSession]:
    """Forum sessions that discuss ``plan`` (for the plan page), latest first.
    One query."""
    return list(
        ForumSession.objects.filter(plan=plan).order_by("-starts_at", "-pk")[:20]
    )


def upcoming_sessions() -> QuerySet[ForumSession]:
    return ForumSession.objects.filter(
        status__in=[SessionStatus.SCHEDULED, SessionStatus.LIVE]
    ).order_by("starts_at", "pk")


def visible_questions(
    session: ForumSession, participant: Participant
) -> QuerySet[Question]:
    """What this participant may see: moderators everything; others the
    public questions and their own pending ones."""
    questions = Question.objects.filter(session=session).select_related("author")
    if can_moderate_session(participant.user, session):
        return questions
    condition = Q(status__in=PUBLIC_STATUSES)
    if participant.key:
        condition |= Q(status=QuestionStatus.PENDING, participant=participant.key)
    return questions.filter(condition)


def questions_upvoted_by(session: ForumSession, participant: Participant) -> list[int]:
    if not participant.key:
        return []
    return sorted(
        QuestionVote.objects.filter(
            question__session=session, participant=participant.key
        ).values_list("question_id", flat=True)
    )


def stream_for(session: ForumSession, participant: Participant) -> str:
    if can_moderate_session(participant.user, session):
        return Stream.MODERATORS
    return Stream.PUBLIC


def current_seq(session: ForumSession, stream: str) -> int:
    return session.moderator_seq if stream == Stream.MODERATORS else session.public_seq


def build_snapshot(
    session_id: int, participant: Participant, *, viewers: int = 0
) -> dict[str, Any]:
    """The state a viewer starts from. The session row (and so ``seq``) is read
    before the questions: the data is at least as new as ``seq``, and events
    carry whole objects, so re-applying a later event is harmless."""
    session = ForumSession.objects.get(pk=session_id)
    stream = stream_for(session, participant)
    questions = visible_questions(session, participant)
    return events.snapshot(
        seq=current_seq(session, stream),
        stream=stream,
        session=events.session_data(session),
        agenda=[events.agenda_item_data(i) for i in session.agenda_items.all()],
        questions=[events.question_data(q) for q in questions],
        viewers=viewers,
    )


def events_since(session_id: int, stream: str, since: int) -> list[str] | None:
    """The frames after ``since`` on ``stream``, or None when a snapshot is
    needed (too far behind, or ``since`` from the future)."""
    session = ForumSession.objects.only("public_seq", "moderator_seq").get(
        pk=session_id
    )
    latest = current_seq(session, stream)
    if since > latest or latest - since > REPLAY_LIMIT:
        return None
    rows = list(
        SessionEvent.objects.filter(
            session_id=session_id, stream=stream, seq__gt=since, seq__lte=latest
        )
        .order_by("seq")
        .values_list("seq", "payload")
    )
    if [seq for seq, _ in rows] != list(range(since + 1, latest + 1)):
        return None
    return [encode(payload) for _, payload in rows]


def latest_seqs(session_id: int) -> dict[str, int]:
    row = ForumSession.objects.filter(pk=session_id).values(
        "public_seq", "moderator_seq"
    )
    found = row.first() or {"public_seq": 0, "moderator_seq": 0}
    return {
        Stream.PUBLIC: found["public_seq"],
        Stream.MODERATORS: found["moderator_seq"],
    }


def event_frames(
    session_id: int, stream: str, after: int, upto: int
) -> list[tuple[int, str]]:
    rows = SessionEvent.objects.filter(
        session_id=session_id, stream=stream, seq__gt=after, seq__lte=upto
    ).order_by("seq")
    return [
        (seq, encode(payload)) for seq, payload in rows.values_list("seq", "payload")
    ]


def upvote_counts(
    session_id: int, question_ids: Iterable[int] | None
) -> dict[int, int]:
    """Current counts of public questions (all of them when ids is None)."""
    rows = Question.objects.filter(session_id=session_id, status__in=PUBLIC_STATUSES)
    if question_ids is not None:
        rows = rows.filter(pk__in=list(question_ids))
    return dict(rows.values_list("pk", "upvote_count"))


def is_following_session(user: Any, session: ForumSession) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return SessionFollow.objects.filter(session=session, user=user).exists()
