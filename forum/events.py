"""Typed payload builders for everything the forum pushes to browsers.

Every frame is a JSON object with a ``type``. Events that change state carry
the ``seq`` of their stream (added when recorded, see services); ``tally`` and
``presence`` frames are state and carry no ``seq``. Payloads hold only what
the audience may see: display names (never e-mail), ``null`` for anonymous
authors, no body for hidden or dismissed questions in the public stream.
Builders return JSON-native dicts (tests round-trip them through ``json``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal, TypedDict

from forum.models import (
    PUBLIC_STATUSES,
    AgendaItem,
    ForumSession,
    Question,
)
from forum.streams import embed_for

# Frame types (documented in docs/realtime.md).
QUESTION_ADDED = "question.added"
QUESTION_UPDATED = "question.updated"
AGENDA_UPDATED = "agenda.updated"
SESSION_UPDATED = "session.updated"
SNAPSHOT = "snapshot"
TALLY = "tally"
PRESENCE = "presence"
ERROR = "error"
PONG = "pong"
# Process-internal messages between fan-out hubs; never forwarded to browsers.
TALLY_DIRTY = "tally.dirty"
PRESENCE_REPORT = "presence.report"

AuthorKind = Literal["member", "anonymous", "guest"]


class QuestionData(TypedDict):
    id: int
    body: str
    author: str | None
    author_kind: AuthorKind
    agenda_item: int | None
    status: str
    upvotes: int
    created_at: str
    answered_at: str | None


class AgendaItemData(TypedDict):
    id: int
    title: str
    description: str
    position: int
    duration_minutes: int | None


class SessionData(TypedDict):
    id: int
    title: str
    status: str
    starts_at: str
    ends_at: str
    started_at: str | None
    ended_at: str | None
    current_item: int | None
    highlighted: int | None
    premoderation: bool
    allow_anonymous: bool
    login_required: bool
    url: str
    embed: dict[str, str] | None
    recording_url: str
    has_minutes: bool


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def author_kind(question: Question) -> AuthorKind:
    if question.author_id is None:
        return "guest"
    return "anonymous" if question.anonymous else "member"


def question_data(question: Question, *, redact: bool = False) -> QuestionData:
    """A question as viewers see it. ``redact`` drops the text (public stream
    copies of hidden or dismissed questions)."""
    kind = author_kind(question)
    author = (
        question.author.display_name if kind == "member" and question.author else None
    )
    return {
        "id": question.pk,
        "body": "" if redact else question.body,
        "author": None if redact else author,
        "author_kind": kind,
        "agenda_item": question.agenda_item_id,
        "status": question.status,
        "upvotes": question.upvote_count,
        "created_at": _iso(question.created_at) or "",
        "answered_at": _iso(question.answered_at),
    }


def public_question_data(question: Question) -> QuestionData:
    return question_data(question, redact=question.status not in PUBLIC_STATUSES)


def agenda_item_data(item: AgendaItem) -> AgendaItemData:
    return {
        "id": item.pk,
        "title": item.title,
        "description": item.description,
        "position": item.position,
        "duration_minutes": item.duration_minutes,
    }


def session_data(session: ForumSession) -> SessionData:
    return {
        "id": session.pk,
        "title": session.title,
        "status": session.status,
        "starts_at": _iso(session.starts_at) or "",
        "ends_at": _iso(session.ends_at) or "",
        "started_at": _iso(session.started_at),
        "ended_at": _iso(session.ended_at),
        "current_item": session.current_item_id,
        "highlighted": session.highlighted_id,
        "premoderation": session.premoderation,
        "allow_anonymous": session.allow_anonymous,
        "login_required": session.login_required,
        "url": session.get_absolute_url(),
        "embed": embed_for(session.stream_url),
        "recording_url": session.recording_url,
        "has_minutes": bool(session.minutes_html),
    }


# --- Events (seq is added by services.record_event) ---------------------------


def question_added(question: QuestionData) -> dict[str, Any]:
    return {"type": QUESTION_ADDED, "question": question}


def question_updated(question: QuestionData) -> dict[str, Any]:
    return {"type": QUESTION_UPDATED, "question": question}


def agenda_updated(items: Iterable[AgendaItem], current: int | None) -> dict[str, Any]:
    return {
        "type": AGENDA_UPDATED,
        "current": current,
        "items": [agenda_item_data(item) for item in items],
    }


def session_updated(session: ForumSession) -> dict[str, Any]:
    return {"type": SESSION_UPDATED, "session": session_data(session)}


# --- State frames -------------------------------------------------------------


def snapshot(
    *,
    seq: int,
    stream: str,
    session: SessionData,
    agenda: list[AgendaItemData],
    questions: list[QuestionData],
    viewers: int,
) -> dict[str, Any]:
    return {
        "type": SNAPSHOT,
        "seq": seq,
        "stream": stream,
        "session": session,
        "agenda": agenda,
        "questions": questions,
        "viewers": viewers,
    }


def tally(counts: Mapping[int, int]) -> dict[str, Any]:
    return {"type": TALLY, "counts": {str(pk): n for pk, n in sorted(counts.items())}}


def presence(viewers: int) -> dict[str, Any]:
    return {"type": PRESENCE, "viewers": viewers}


def error(code: str, message: str) -> dict[str, Any]:
    return {"type": ERROR, "code": code, "message": message}


def pong() -> dict[str, Any]:
    return {"type": PONG}


def tally_dirty(question_ids: Iterable[int]) -> dict[str, Any]:
    return {"type": TALLY_DIRTY, "questions": sorted(set(question_ids))}


def presence_report(hub: str, viewers: int) -> dict[str, Any]:
    return {"type": PRESENCE_REPORT, "hub": hub, "viewers": viewers}
