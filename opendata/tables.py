"""The table registry: every open-data table, its schema and its rows.

Each :class:`Table` has a name (the file name), a title and description, a
Frictionless Table Schema (fields with types and constraints, primary and
foreign keys) and a generator of rows over a :class:`~opendata.scopes.Scope`.
The generators read only what a visitor may see, through the apps' rules:
hidden comments, questions that are not public, statements that are not
accepted, unpublished plans and private conversations are left out.

Participants appear only by a pseudonym: the first 16 hex digits of
HMAC-SHA256(salt, participant key) with a random salt per export, so one
person has the same id in every table of one export and unrelated ids across
exports. No table has an e-mail address or an account id. Names appear only
where the site shows them publicly (comment authors, named question authors).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from clustering.models import (
    Analysis,
    AnalysisStatus,
    Participant,
    Statement,
    StatementStatus,
    Vote,
)
from clustering.report import suppress
from consultation.models import Comment, OfficialResponse, PlanVersion, Section
from consultation.selectors import moderation_log
from forum.events import question_data
from forum.models import PUBLIC_STATUSES, AgendaItem, Question, QuestionVote
from opendata.scopes import CONVERSATION, PLAN, SESSION, SITE, Scope

Row = dict[str, Any]
CHUNK = 2000


class Pseudonyms:
    """Per-export participant ids: HMAC-SHA256(salt, key), 16 hex digits."""

    def __init__(self, salt: bytes) -> None:
        self._salt = salt
        self._cache: dict[str, str] = {}

    def of(self, key: str) -> str:
        if not key:
            return ""
        found = self._cache.get(key)
        if found is None:
            digest = hmac.new(self._salt, key.encode(), hashlib.sha256)
            found = self._cache[key] = digest.hexdigest()[:16]
        return found


def participant_key(participant: Participant) -> str:
    """The same person in forum and clustering data has the same key
    (``user:<id>``, as ``forum.participants`` keys upvotes)."""
    if participant.user_id is not None:
        return f"user:{participant.user_id}"
    return f"conversation-participant:{participant.pk}"


@dataclass
class Export:
    """What the row generators share during one export."""

    scope: Scope
    pseudonyms: Pseudonyms
    generated_at: datetime = field(default_factory=timezone.now)


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    group: str  # PLAN, SESSION, CONVERSATION or SITE (every scope)
    fields: list[dict[str, Any]]
    rows: Callable[[Export], Iterator[Row]]
    primary_key: list[str] = field(default_factory=list)
    foreign_keys: list[dict[str, Any]] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return [f["name"] for f in self.fields]

    def applies_to(self, scope: Scope) -> bool:
        return self.group == SITE or self.group in scope.groups

    def schema(self, names: set[str]) -> dict[str, Any]:
        """The Table Schema; foreign keys only to tables in ``names``."""
        schema: dict[str, Any] = {"fields": self.fields}
        if self.primary_key:
            schema["primaryKey"] = self.primary_key
        keys = [k for k in self.foreign_keys if k["reference"]["resource"] in names]
        if keys:
            schema["foreignKeys"] = keys
        return schema


def F(
    name: str, type_: str, description: str, *, required: bool = False, **more: Any
) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": name, "type": type_, "description": description}
    if "format" in more:
        spec["format"] = more.pop("format")
    constraints = dict(more)
    if required:
        constraints["required"] = True
    if constraints:
        spec["constraints"] = constraints
    return spec


def FK(
    fields: str | list[str], resource: str, target: str | list[str]
) -> dict[str, Any]:
    return {"fields": fields, "reference": {"resource": resource, "fields": target}}


def iso(value: datetime | None) -> str:
    """UTC, whole seconds, ``Z`` suffix (the Table Schema datetime format)."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _day(value: datetime) -> date:
    return timezone.localtime(value).date()


# --- Plans --------------------------------------------------------------------


def _plans(export: Export) -> Iterator[Row]:
    for plan in export.scope.plans:
        version = plan.current_version
        yield {
            "slug": plan.slug,
            "title": plan.title,
            "summary": plan.summary,
            "agency": plan.agency.name,
            "status": plan.status,
            "opens_at": iso(plan.opens_at),
            "closes_at": iso(plan.closes_at),
            "current_version": version.number if version else None,
            "created_at": iso(plan.created_at),
            "url": url(plan.get_absolute_url()),
        }


def _versions(export: Export) -> Iterator[Row]:
    versions = (
        PlanVersion.objects.filter(
            plan__in=export.scope.plans, published_at__isnull=False
        )
        .select_related("plan")
        .order_by("plan__created_at", "plan_id", "number")
    )
    for version in versions.iterator(chunk_size=CHUNK):
        yield {
            "plan": version.plan.slug,
            "number": version.number,
            "published_at": iso(version.published_at),
            "change_summary": version.change_summary,
            "markdown": version.body,
        }


def _sections(export: Export) -> Iterator[Row]:
    sections = (
        Section.objects.filter(
            version__plan__in=export.scope.plans,
            version__published_at__isnull=False,
        )
        .select_related("version__plan", "agency")
        .order_by("version__plan_id", "version__number", "ordinal")
    )
    for section in sections.iterator(chunk_size=CHUNK):
        yield {
            "plan": section.version.plan.slug,
            "version": section.version.number,
            "key": section.key,
            "position": section.ordinal,
            "level": section.level,
            "heading": section.heading,
            "markdown": section.source,
            "responsible_agency": section.agency.name if section.agency else "",
            "milestones": json.dumps(section.milestones, ensure_ascii=False)
            if section.milestones
            else "",
        }


def _public_comments(export: Export) -> Any:
    return Comment.objects.filter(
        plan__in=export.scope.plans, hidden_at__isnull=True
    ).order_by("created_at", "pk")


def _comments(export: Export) -> Iterator[Row]:
    comments = (
        _public_comments(export)
        .select_related("plan", "author", "section__version")
        .annotate(endorsement_total=Count("endorsements", distinct=True))
    )
    for comment in comments.iterator(chunk_size=CHUNK):
        visible = comment.is_visible  # a withdrawn comment keeps no text
        author = comment.author if visible else None
        yield {
            "id": comment.pk,
            "plan": comment.plan.slug,
            "version": comment.section.version.number,
            "section": comment.section_key,
            "in_reply_to": comment.parent_id,
            "status": str(comment.status),
            "author": author.display_name if author else "",
            "author_sector": author.sector if author else "",
            "stance": comment.stance if visible else "",
            "quote": comment.quote if visible else "",
            "markdown": comment.body if visible else "",
            "posted_at": iso(comment.created_at),
            "edited_at": iso(comment.edited_at),
            "endorsements": comment.endorsement_total,
            "url": url(comment.get_absolute_url()),
        }


def _responses(export: Export) -> Iterator[Row]:
    comments = _public_comments(export).prefetch_related(
        Prefetch(
            "responses",
            queryset=OfficialResponse.objects.select_related(
                "agency", "addressed_in"
            ).order_by("created_at", "pk"),
        )
    )
    for comment in comments.iterator(chunk_size=CHUNK):
        responses = list(comment.responses.all())
        for index, response in enumerate(responses):
            addressed = response.addressed_in
            yield {
                "id": response.pk,
                "comment": comment.pk,
                "agency": response.agency.name,
                "disposition": response.disposition,
                "markdown": response.body,
                "addressed_in_version": addressed.number
                if addressed and addressed.is_published
                else None,
                "responded_at": iso(response.created_at),
                "is_current": index == len(responses) - 1,
            }


def _moderation(export: Export) -> Iterator[Row]:
    actions = (
        moderation_log(public=True)
        .filter(comment__plan__in=export.scope.plans)
        .order_by("created_at", "pk")
    )
    for action in actions.iterator(chunk_size=CHUNK):
        yield {
            "date": iso(action.created_at),
            "plan": action.comment.plan.slug,
            "comment": action.comment_id,
            "action": action.action,
            "reason": action.reason,
        }


# --- Forum sessions -----------------------------------------------------------


def _sessions(export: Export) -> Iterator[Row]:
    for session in export.scope.sessions:
        plan = session.plan
        yield {
            "id": session.pk,
            "slug": session.slug,
            "title": session.title,
            "description": session.description,
            "agency": session.agency.name if session.agency else "",
            "plan": plan.slug if plan and plan.is_published else "",
            "status": session.status,
            "starts_at": iso(session.starts_at),
            "ends_at": iso(session.ends_at),
            "started_at": iso(session.started_at),
            "ended_at": iso(session.ended_at),
            "recording_url": session.recording_url,
            "minutes": session.minutes,
            "url": url(session.get_absolute_url()),
        }


def _agenda(export: Export) -> Iterator[Row]:
    items = AgendaItem.objects.filter(session__in=export.scope.sessions).order_by(
        "session__starts_at", "session_id", "position", "pk"
    )
    for item in items.iterator(chunk_size=CHUNK):
        yield {
            "id": item.pk,
            "session": item.session_id,
            "position": item.position,
            "title": item.title,
            "description": item.description,
            "duration_minutes": item.duration_minutes,
        }


def _public_questions(export: Export) -> Any:
    return Question.objects.filter(
        session__in=export.scope.sessions, status__in=PUBLIC_STATUSES
    )


def _questions(export: Export) -> Iterator[Row]:
    questions = (
        _public_questions(export)
        .select_related("author")
        .order_by("session_id", "created_at", "pk")
    )
    for question in questions.iterator(chunk_size=CHUNK):
        public = question_data(question)  # what viewers of the session see
        yield {
            "id": question.pk,
            "session": question.session_id,
            "agenda_item": question.agenda_item_id,
            "author": public["author"] or "",
            "author_kind": public["author_kind"],
            "status": question.status,
            "text": question.body,
            "upvotes": question.upvote_count,
            "asked_at": iso(question.created_at),
            "answered_at": iso(question.answered_at),
        }


def _upvotes(export: Export) -> Iterator[Row]:
    votes = QuestionVote.objects.filter(
        question__in=_public_questions(export)
    ).order_by("question_id", "pk")
    names = export.pseudonyms
    for vote in votes.iterator(chunk_size=CHUNK):
        yield {
            "question": vote.question_id,
            "participant": names.of(vote.participant),
            "created_at": iso(vote.created_at),
        }


# --- Conversations ------------------------------------------------------------


def _conversations(export: Export) -> Iterator[Row]:
    for conversation in export.scope.conversations:
        plan, session = conversation.plan, conversation.session
        yield {
            "id": conversation.pk,
            "slug": conversation.slug or "",
            "topic": conversation.topic,
            "description": conversation.description,
            "agency": conversation.agency.name if conversation.agency else "",
            "plan": plan.slug if plan and plan.is_published else "",
            "section": conversation.section_key,
            "session": conversation.session_id if session else None,
            "is_open": conversation.is_open,
            "source_url": conversation.source_url,
            "attribution": conversation.attribution,
            "created_at": iso(conversation.created_at),
            "url": url(conversation.get_absolute_url()),
        }


def _accepted(export: Export) -> Any:
    return Statement.objects.filter(
        conversation__in=export.scope.conversations, status=StatementStatus.ACCEPTED
    )


def _statements(export: Export) -> Iterator[Row]:
    statements = _accepted(export).select_related("author_participant")
    names = export.pseudonyms
    for statement in statements.order_by("conversation_id", "pk").iterator(
        chunk_size=CHUNK
    ):
        author = statement.author_participant
        yield {
            "id": statement.pk,
            "conversation": statement.conversation_id,
            "text": statement.text,
            "author": names.of(participant_key(author)) if author else "",
            "is_meta": statement.is_meta,
            "is_seed": statement.is_seed,
            "from_forum_question": statement.source_question_id is not None,
            "created_at": iso(statement.created_at),
        }


def _participants(export: Export) -> Iterator[Row]:
    participants = (
        Participant.objects.filter(conversation__in=export.scope.conversations)
        .annotate(
            n_votes=Count(
                "votes", filter=Q(votes__statement__status=StatementStatus.ACCEPTED)
            )
        )
        .order_by("conversation_id", "pk")
    )
    names = export.pseudonyms
    for participant in participants.iterator(chunk_size=CHUNK):
        yield {
            "conversation": participant.conversation_id,
            "participant": names.of(participant_key(participant)),
            "votes": participant.n_votes,
            "joined_at": iso(participant.created_at),
        }


def _votes(export: Export) -> Iterator[Row]:
    votes = (
        Vote.objects.filter(statement__in=_accepted(export))
        .select_related("participant")
        .only(
            "conversation_id",
            "statement_id",
            "value",
            "updated_at",
            "participant__id",
            "participant__user_id",
        )
        .order_by("conversation_id", "pk")
    )
    names = export.pseudonyms
    for vote in votes.iterator(chunk_size=CHUNK):
        yield {
            "conversation": vote.conversation_id,
            "statement": vote.statement_id,
            "participant": names.of(participant_key(vote.participant)),
            "vote": vote.value,
            "voted_at": iso(vote.updated_at),
        }


def _analyses(export: Export) -> Iterator[Row]:
    analyses = Analysis.objects.filter(
        conversation__in=export.scope.conversations, status=AnalysisStatus.OK
    ).only(
        "pk",
        "conversation_id",
        "computed_at",
        "last_vote_at",
        "n_votes",
        "n_participants",
        "n_clustered",
        "k",
    )
    for analysis in analyses.order_by("conversation_id", "pk").iterator(
        chunk_size=CHUNK
    ):
        yield {
            "id": analysis.pk,
            "conversation": analysis.conversation_id,
            "computed_at": iso(analysis.computed_at),
            "last_vote_at": iso(analysis.last_vote_at),
            "votes": analysis.n_votes,
            "participants": analysis.n_participants,
            "participants_in_groups": analysis.n_clustered,
            "groups": analysis.k,
        }


# --- Statistics ---------------------------------------------------------------


def _by_sector(
    scope: str, subject: str, activity: str, counts: Counter[str]
) -> Iterator[Row]:
    """Counts by stakeholder sector, small cells suppressed as in the
    opinion-group reports (``clustering.report.suppress``)."""
    keys = sorted(counts)
    if not keys:
        return
    values = [counts[k] for k in keys]
    hidden = suppress([[*values, sum(values)]])[0]
    for index, key in enumerate(keys):
        yield {
            "scope": scope,
            "subject": subject,
            "activity": activity,
            "dimension": "sector",
            "key": key,
            "count": None if hidden[index] else values[index],
        }


def _by_day(
    scope: str, subject: str, activity: str, days: Counter[date]
) -> Iterator[Row]:
    for day in sorted(days):
        yield {
            "scope": scope,
            "subject": subject,
            "activity": activity,
            "dimension": "day",
            "key": day.isoformat(),
            "count": days[day],
        }


def _statistics(export: Export) -> Iterator[Row]:
    """Participation by stakeholder sector and by day, per plan, session and
    conversation. A person without a sector (or a guest) counts as "none"."""
    for plan in export.scope.plans:
        comments = list(
            Comment.objects.filter(
                plan=plan, hidden_at__isnull=True, withdrawn_at__isnull=True
            ).values_list("created_at", "author__sector")
        )
        sectors = Counter(sector or "none" for _at, sector in comments)
        yield from _by_sector(PLAN, plan.slug, "comments", sectors)
        yield from _by_day(
            PLAN, plan.slug, "comments", Counter(_day(at) for at, _s in comments)
        )
    for session in export.scope.sessions:
        rows = list(
            Question.objects.filter(
                session=session, status__in=PUBLIC_STATUSES
            ).values_list("created_at", "author__sector")
        )
        subject = str(session.pk)
        sectors = Counter(sector or "none" for _at, sector in rows)
        yield from _by_sector(SESSION, subject, "questions", sectors)
        yield from _by_day(
            SESSION, subject, "questions", Counter(_day(at) for at, _s in rows)
        )
    for conversation in export.scope.conversations:
        subject = str(conversation.pk)
        sectors = Counter(
            sector or "none"
            for sector in Participant.objects.filter(
                conversation=conversation
            ).values_list("user__sector", flat=True)
        )
        yield from _by_sector(CONVERSATION, subject, "participants", sectors)
        votes = Counter(
            _day(at)
            for at in Vote.objects.filter(
                conversation=conversation, statement__status=StatementStatus.ACCEPTED
            )
            .values_list("created_at", flat=True)
            .iterator(chunk_size=CHUNK)
        )
        yield from _by_day(CONVERSATION, subject, "votes", votes)


# --- The registry -------------------------------------------------------------

ISO = "ISO 8601, UTC"
PARTICIPANT = (
    "Pseudonymous participant id (HMAC of a per-export random salt): the same "
    "person has the same id in every table of this export, and another id in "
    "other exports."
)

TABLES: list[Table] = [
    Table(
        name="plans",
        title="Plans",
        description="Published action plans put to public comment.",
        group=PLAN,
        rows=_plans,
        primary_key=["slug"],
        fields=[
            F("slug", "string", "Stable name of the plan (in its URL).", required=True),
            F("title", "string", "Title.", required=True),
            F("summary", "string", "Summary."),
            F("agency", "string", "Agency that owns the plan.", required=True),
            F(
                "status",
                "string",
                "draft, open (for comment), closed or final.",
                required=True,
                enum=["draft", "open", "closed", "final"],
            ),
            F("opens_at", "datetime", f"When comments open ({ISO})."),
            F("closes_at", "datetime", f"When comments close ({ISO})."),
            F("current_version", "integer", "Number of the latest published version."),
            F("created_at", "datetime", f"Created ({ISO}).", required=True),
            F("url", "string", "Page of the plan.", format="uri", required=True),
        ],
    ),
    Table(
        name="plan_versions",
        title="Plan versions",
        description="Every published version of each plan, as Markdown.",
        group=PLAN,
        rows=_versions,
        primary_key=["plan", "number"],
        foreign_keys=[FK("plan", "plans", "slug")],
        fields=[
            F("plan", "string", "Plan slug.", required=True),
            F("number", "integer", "Version number (1, 2, …).", required=True),
            F("published_at", "datetime", f"Published ({ISO}).", required=True),
            F("change_summary", "string", "What changed from the previous version."),
            F("markdown", "string", "Full text of the version (Markdown)."),
        ],
    ),
    Table(
        name="sections",
        title="Sections",
        description=(
            "The sections of each published version. A section key is stable "
            "across versions, so comments can be followed from one to the next."
        ),
        group=PLAN,
        rows=_sections,
        primary_key=["plan", "version", "key"],
        foreign_keys=[FK(["plan", "version"], "plan_versions", ["plan", "number"])],
        fields=[
            F("plan", "string", "Plan slug.", required=True),
            F("version", "integer", "Version number.", required=True),
            F("key", "string", "Section key, stable across versions.", required=True),
            F("position", "integer", "Order of the section in the version."),
            F("level", "integer", "Heading level (1-6)."),
            F("heading", "string", "Heading."),
            F("markdown", "string", "Text of the section (Markdown)."),
            F("responsible_agency", "string", "Agency responsible (commitments)."),
            F("milestones", "string", "Milestones as a JSON list."),
        ],
    ),
    Table(
        name="comments",
        title="Comments",
        description=(
            "Public comments and replies on plan sections. Comments hidden by "
            "moderators are left out; withdrawn ones are listed without text."
        ),
        group=PLAN,
        rows=_comments,
        primary_key=["id"],
        foreign_keys=[FK("plan", "plans", "slug")],
        fields=[
            F("id", "integer", "Comment number.", required=True),
            F("plan", "string", "Plan slug.", required=True),
            F("version", "integer", "Version commented on.", required=True),
            F("section", "string", "Section key.", required=True),
            F("in_reply_to", "integer", "Comment this one replies to."),
            F(
                "status",
                "string",
                "published or withdrawn.",
                required=True,
                enum=["published", "withdrawn"],
            ),
            F("author", "string", "Author's public display name."),
            F("author_sector", "string", "Author's stakeholder sector."),
            F("stance", "string", "supports, concerns or neutral."),
            F("quote", "string", "Passage of the section quoted."),
            F("markdown", "string", "Text of the comment (Markdown)."),
            F("posted_at", "datetime", f"Posted ({ISO}).", required=True),
            F("edited_at", "datetime", f"Last edited ({ISO})."),
            F("endorsements", "integer", "Number of endorsements.", minimum=0),
            F("url", "string", "Page of the comment.", format="uri"),
        ],
    ),
    Table(
        name="official_responses",
        title="Official responses (response register)",
        description=(
            "Agencies' reasoned responses to comments with their disposition; "
            "the latest response to a comment is the current one."
        ),
        group=PLAN,
        rows=_responses,
        primary_key=["id"],
        foreign_keys=[FK("comment", "comments", "id")],
        fields=[
            F("id", "integer", "Response number.", required=True),
            F("comment", "integer", "Comment answered.", required=True),
            F("agency", "string", "Responding agency.", required=True),
            F(
                "disposition",
                "string",
                "What happened to the comment.",
                required=True,
                enum=[
                    "adopted",
                    "partly_adopted",
                    "not_adopted",
                    "under_consideration",
                    "out_of_scope",
                ],
            ),
            F("markdown", "string", "Reasons (Markdown)."),
            F("addressed_in_version", "integer", "Version that made the change."),
            F("responded_at", "datetime", f"Responded ({ISO}).", required=True),
            F("is_current", "boolean", "The latest response to the comment."),
        ],
    ),
    Table(
        name="moderation_log",
        title="Public moderation log",
        description=(
            "Comments hidden or restored by moderators, with the reason code "
            "and date (never the hidden text or the moderators' notes)."
        ),
        group=PLAN,
        rows=_moderation,
        fields=[
            F("date", "datetime", f"When ({ISO}).", required=True),
            F("plan", "string", "Plan slug.", required=True),
            F("comment", "integer", "Comment number.", required=True),
            F("action", "string", "hide or restore.", enum=["hide", "restore"]),
            F("reason", "string", "Reason code (spam, abuse, off_topic, …)."),
        ],
    ),
    Table(
        name="sessions",
        title="Forum sessions",
        description="Live-streamed multistakeholder forum sessions, with minutes.",
        group=SESSION,
        rows=_sessions,
        primary_key=["id"],
        fields=[
            F("id", "integer", "Session number.", required=True),
            F("slug", "string", "Stable name.", required=True),
            F("title", "string", "Title.", required=True),
            F("description", "string", "Description."),
            F("agency", "string", "Organising agency."),
            F("plan", "string", "Slug of the plan discussed."),
            F(
                "status",
                "string",
                "scheduled, live or ended.",
                required=True,
                enum=["scheduled", "live", "ended"],
            ),
            F("starts_at", "datetime", f"Scheduled start ({ISO}).", required=True),
            F("ends_at", "datetime", f"Scheduled end ({ISO}).", required=True),
            F("started_at", "datetime", f"Actual start ({ISO})."),
            F("ended_at", "datetime", f"Actual end ({ISO})."),
            F("recording_url", "string", "Recording."),
            F("minutes", "string", "Minutes (Markdown)."),
            F("url", "string", "Page of the session.", format="uri"),
        ],
    ),
    Table(
        name="agenda_items",
        title="Agenda items",
        description="The agenda of each session, in order.",
        group=SESSION,
        rows=_agenda,
        primary_key=["id"],
        foreign_keys=[FK("session", "sessions", "id")],
        fields=[
            F("id", "integer", "Item number.", required=True),
            F("session", "integer", "Session.", required=True),
            F("position", "integer", "Order in the agenda."),
            F("title", "string", "Title.", required=True),
            F("description", "string", "Description."),
            F("duration_minutes", "integer", "Planned duration in minutes."),
        ],
    ),
    Table(
        name="questions",
        title="Questions",
        description=(
            "Questions from viewers that moderators let through (open or "
            "answered); pending, dismissed and hidden questions are left out."
        ),
        group=SESSION,
        rows=_questions,
        primary_key=["id"],
        foreign_keys=[FK("session", "sessions", "id")],
        fields=[
            F("id", "integer", "Question number.", required=True),
            F("session", "integer", "Session.", required=True),
            F("agenda_item", "integer", "Agenda item asked under."),
            F("author", "string", "Display name, unless asked anonymously."),
            F(
                "author_kind",
                "string",
                "member, anonymous or guest.",
                enum=["member", "anonymous", "guest"],
            ),
            F(
                "status",
                "string",
                "visible (open) or answered.",
                required=True,
                enum=["visible", "answered"],
            ),
            F("text", "string", "The question.", required=True),
            F("upvotes", "integer", "Number of upvotes.", minimum=0),
            F("asked_at", "datetime", f"Asked ({ISO}).", required=True),
            F("answered_at", "datetime", f"Marked answered ({ISO})."),
        ],
    ),
    Table(
        name="question_upvotes",
        title="Question upvotes",
        description="Each upvote on a public question, by pseudonymous participant.",
        group=SESSION,
        rows=_upvotes,
        primary_key=["question", "participant"],
        foreign_keys=[FK("question", "questions", "id")],
        fields=[
            F("question", "integer", "Question.", required=True),
            F("participant", "string", PARTICIPANT, required=True),
            F("created_at", "datetime", f"Upvoted ({ISO}).", required=True),
        ],
    ),
    Table(
        name="conversations",
        title="Opinion conversations",
        description="Polis-style conversations whose results are public.",
        group=CONVERSATION,
        rows=_conversations,
        primary_key=["id"],
        fields=[
            F("id", "integer", "Conversation number.", required=True),
            F("slug", "string", "Stable name (optional)."),
            F("topic", "string", "Topic.", required=True),
            F("description", "string", "Description."),
            F("agency", "string", "Owning agency."),
            F("plan", "string", "Slug of the linked plan."),
            F("section", "string", "Key of the linked plan section."),
            F("session", "integer", "Linked forum session."),
            F("is_open", "boolean", "Still open for votes."),
            F("source_url", "string", "Original source of imported data."),
            F("attribution", "string", "Credit required for imported data."),
            F("created_at", "datetime", f"Created ({ISO}).", required=True),
            F("url", "string", "Page of the conversation.", format="uri"),
        ],
    ),
    Table(
        name="statements",
        title="Statements",
        description=(
            "Statements accepted by moderators (pending and rejected ones are "
            "left out)."
        ),
        group=CONVERSATION,
        rows=_statements,
        primary_key=["id"],
        foreign_keys=[FK("conversation", "conversations", "id")],
        fields=[
            F("id", "integer", "Statement number.", required=True),
            F("conversation", "integer", "Conversation.", required=True),
            F("text", "string", "The statement (plain text).", required=True),
            F("author", "string", "Pseudonymous author (empty: moderators, seeds)."),
            F("is_meta", "boolean", "About the conversation itself."),
            F("is_seed", "boolean", "Written by the organisers."),
            F("from_forum_question", "boolean", "Made from a forum question."),
            F("created_at", "datetime", f"Created ({ISO}).", required=True),
        ],
    ),
    Table(
        name="participants",
        title="Participants",
        description=(
            "Everyone who took part in a conversation, by pseudonym. No sector "
            "per person: sectors appear only as suppressed counts (statistics)."
        ),
        group=CONVERSATION,
        rows=_participants,
        primary_key=["conversation", "participant"],
        foreign_keys=[FK("conversation", "conversations", "id")],
        fields=[
            F("conversation", "integer", "Conversation.", required=True),
            F("participant", "string", PARTICIPANT, required=True),
            F("votes", "integer", "Votes on accepted statements.", minimum=0),
            F("joined_at", "datetime", f"First seen ({ISO}).", required=True),
        ],
    ),
    Table(
        name="votes",
        title="Votes",
        description=(
            "The current vote of each participant on each accepted statement: "
            "1 agree, -1 disagree, 0 pass (as in Polis exports)."
        ),
        group=CONVERSATION,
        rows=_votes,
        primary_key=["statement", "participant"],
        foreign_keys=[
            FK("statement", "statements", "id"),
            FK(
                ["conversation", "participant"],
                "participants",
                ["conversation", "participant"],
            ),
        ],
        fields=[
            F("conversation", "integer", "Conversation.", required=True),
            F("statement", "integer", "Statement.", required=True),
            F("participant", "string", PARTICIPANT, required=True),
            F("vote", "integer", "1 agree, -1 disagree, 0 pass.", enum=[-1, 0, 1]),
            F("voted_at", "datetime", f"Last cast ({ISO}).", required=True),
        ],
    ),
    Table(
        name="analyses",
        title="Analyses",
        description=(
            "Each opinion-group analysis of a conversation (the full results "
            "are in the conversation's analysis JSON download)."
        ),
        group=CONVERSATION,
        rows=_analyses,
        primary_key=["id"],
        foreign_keys=[FK("conversation", "conversations", "id")],
        fields=[
            F("id", "integer", "Analysis number.", required=True),
            F("conversation", "integer", "Conversation.", required=True),
            F("computed_at", "datetime", f"Computed ({ISO}).", required=True),
            F("last_vote_at", "datetime", f"Latest vote included ({ISO})."),
            F("votes", "integer", "Votes analysed.", minimum=0),
            F("participants", "integer", "Participants.", minimum=0),
            F("participants_in_groups", "integer", "Participants grouped.", minimum=0),
            F("groups", "integer", "Number of opinion groups.", minimum=0),
        ],
    ),
    Table(
        name="statistics",
        title="Participation statistics",
        description=(
            "Participation by stakeholder sector and by day. Sector counts "
            "below 5 are suppressed (empty), with a second cell when one "
            "would give the other away, as in the opinion-group reports."
        ),
        group=SITE,
        rows=_statistics,
        fields=[
            F(
                "scope",
                "string",
                "plan, session or conversation.",
                required=True,
                enum=[PLAN, SESSION, CONVERSATION],
            ),
            F("subject", "string", "Plan slug, session or conversation number."),
            F("activity", "string", "comments, questions, participants or votes."),
            F("dimension", "string", "sector or day.", enum=["sector", "day"]),
            F("key", "string", "Sector code (none: no sector) or date."),
            F("count", "integer", "Count (empty: suppressed).", minimum=0),
        ],
    ),
]

BY_NAME = {table.name: table for table in TABLES}


def tables_for(scope: Scope) -> list[Table]:
    return [t for t in TABLES if t.applies_to(scope)]
