"""What one download covers: the whole site, one plan, one session or one
conversation, and a cheap fingerprint of its data.

A scope holds the querysets of the public plans, forum sessions and
conversations it covers. "Public" is decided by the apps' own rules, reused
here: a plan is public once published (``consultation.selectors.visible_plans``
for a visitor), every forum session is public (``forum.permissions``), and a
conversation's data is public unless its results are private
(``clustering.permissions.can_view_report``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max, Model, QuerySet, Sum
from django.http import Http404

from clustering.models import (
    Analysis,
    AnalysisSchedule,
    Conversation,
    Participant,
    Statement,
)
from clustering.permissions import can_view_report
from consultation.models import (
    Comment,
    Endorsement,
    ModerationAction,
    OfficialResponse,
    Plan,
    PlanVersion,
)
from consultation.selectors import visible_plans
from forum.models import AgendaItem, ForumSession, Question, QuestionVote

# Bump when the tables or their columns change: cached files are rebuilt.
FORMAT_VERSION = "1"

PLAN, SESSION, CONVERSATION, SITE = "plan", "session", "conversation", "site"


def public_plans() -> QuerySet[Plan]:
    return visible_plans(AnonymousUser()).order_by("created_at", "pk")


def public_sessions() -> QuerySet[ForumSession]:
    return ForumSession.objects.select_related("agency", "plan").order_by(
        "starts_at", "pk"
    )


def public_conversations() -> QuerySet[Conversation]:
    # The queryset form of clustering.permissions.can_view_report for a visitor.
    return (
        Conversation.objects.filter(is_private=False)
        .select_related("agency", "plan", "session")
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class Scope:
    kind: str
    key: str  # plan slug, session id, conversation id; "" for the site
    title: str
    plans: QuerySet[Plan]
    sessions: QuerySet[ForumSession]
    conversations: QuerySet[Conversation]

    @property
    def name(self) -> str:
        """File-name stem: ``site``, ``plan-<slug>``, ``session-<id>``, …"""
        return SITE if self.kind == SITE else f"{self.kind}-{self.key}"

    @property
    def groups(self) -> set[str]:
        if self.kind == SITE:
            return {PLAN, SESSION, CONVERSATION}
        return {self.kind}


def site_scope() -> Scope:
    return Scope(
        kind=SITE,
        key="",
        title=str(settings.AGORA_SITE_NAME),
        plans=public_plans(),
        sessions=public_sessions(),
        conversations=public_conversations(),
    )


def scope_of(kind: str, obj: Any) -> Scope:
    """The scope of one public plan, session or conversation (no query)."""
    plans = Plan.objects.none()
    sessions = ForumSession.objects.none()
    conversations = Conversation.objects.none()
    if kind == PLAN:
        key, title = obj.slug, obj.title
        plans = public_plans().filter(pk=obj.pk)
    elif kind == SESSION:
        key, title = str(obj.pk), obj.title
        sessions = public_sessions().filter(pk=obj.pk)
    else:
        kind, key, title = CONVERSATION, str(obj.pk), obj.topic
        conversations = public_conversations().filter(pk=obj.pk)
    return Scope(kind, key, title, plans, sessions, conversations)


def plan_scope(slug: str) -> Scope:
    plan = public_plans().filter(slug=slug).first()
    if plan is None:
        raise Http404
    return scope_of(PLAN, plan)


def session_scope(session_id: int) -> Scope:
    session = public_sessions().filter(pk=session_id).first()
    if session is None:
        raise Http404
    return scope_of(SESSION, session)


def conversation_scope(conversation_id: int) -> Scope:
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None or not can_view_report(AnonymousUser(), conversation):
        raise Http404
    return scope_of(CONVERSATION, conversation)


def get_scope(kind: str, key: str | int = "") -> Scope:
    """The scope named in a URL; 404 when it is unknown or not public."""
    if kind == SITE:
        return site_scope()
    if kind == PLAN:
        return plan_scope(str(key))
    try:
        number = int(key)
    except (TypeError, ValueError):
        raise Http404 from None
    if number <= 0 or number > 2**62:
        raise Http404
    if kind == SESSION:
        return session_scope(number)
    if kind == CONVERSATION:
        return conversation_scope(number)
    raise Http404


# --- Fingerprint --------------------------------------------------------------


def _aggregate(queryset: QuerySet[Any], *fields: str, total: str = "") -> list[Any]:
    """Count, latest timestamps (and a sum) over ``queryset``: one query."""
    aggregates: dict[str, Any] = {"n": Count("pk"), "top": Max("pk")}
    aggregates.update({f"max_{f}": Max(f) for f in fields})
    if total:
        aggregates["total"] = Sum(total)
    values = queryset.aggregate(**aggregates)
    return [str(values[k]) for k in sorted(values)]


def _rows(model: type[Model], **filters: Any) -> QuerySet[Any]:
    return model._default_manager.filter(**filters)


def fingerprint(scope: Scope) -> str:
    """Changes whenever anything the export of ``scope`` shows changes.

    Built from counts and latest timestamps (a handful of aggregate queries),
    plus the format version and the licence, so that a new comment, an edit,
    a hide or restore, a vote or a new analysis gives a new fingerprint.
    """
    parts: list[Any] = [FORMAT_VERSION, scope.kind, scope.key]
    parts.append(sorted(settings.AGORA_DATA_LICENCE.items()))
    if PLAN in scope.groups:
        plans = scope.plans
        parts += _aggregate(plans, "updated_at")
        parts += _aggregate(_rows(PlanVersion, plan__in=plans), "published_at")
        parts += _aggregate(
            _rows(Comment, plan__in=plans),
            "created_at",
            "edited_at",
            "withdrawn_at",
            "hidden_at",
        )
        parts += _aggregate(
            _rows(OfficialResponse, comment__plan__in=plans), "created_at"
        )
        parts += _aggregate(_rows(Endorsement, comment__plan__in=plans), "created_at")
        parts += _aggregate(
            _rows(ModerationAction, comment__plan__in=plans), "created_at"
        )
    if SESSION in scope.groups:
        sessions = scope.sessions
        parts += _aggregate(sessions, "updated_at")
        parts += _aggregate(_rows(Question, session__in=sessions), "updated_at")
        parts += _aggregate(
            _rows(QuestionVote, question__session__in=sessions), "created_at"
        )
        # Agenda items carry no timestamp: their content is small, hash it.
        parts.append(
            list(
                _rows(AgendaItem, session__in=sessions)
                .order_by("pk")
                .values_list("pk", "position", "title", "description")
            )
        )
    if CONVERSATION in scope.groups:
        conversations = scope.conversations
        parts += _aggregate(conversations, "updated_at")
        # ``changes`` is bumped with every vote and moderation decision.
        parts += _aggregate(
            _rows(AnalysisSchedule, conversation__in=conversations), total="changes"
        )
        parts += _aggregate(_rows(Participant, conversation__in=conversations))
        parts += _aggregate(
            _rows(Statement, conversation__in=conversations), "moderated_at"
        )
        parts += _aggregate(_rows(Analysis, conversation__in=conversations))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]
