"""Creating and configuring conversations; seed statements; moderation; bridge."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency
from clustering import events, permissions
from clustering.models import (
    STATEMENT_MAX_LENGTH,
    Conversation,
    RejectionReason,
    Statement,
    StatementFlag,
    StatementPolicy,
    StatementStatus,
    VotePolicy,
)
from clustering.services.analysis import ensure_schedule, note_change
from clustering.services.participation import clean_statement_text, is_duplicate
from common.realtime import broadcast_on_commit
from common.sanitize import clean_text
from consultation.models import Plan, Section
from forum.models import ForumSession, Question, QuestionStatus

SETTINGS_FIELDS = (
    "topic",
    "description",
    "is_open",
    "is_private",
    "vote_policy",
    "statement_policy",
    "strict_moderation",
    "plan",
    "section_key",
    "session",
)


def link_errors(
    *, plan: Plan | None, section_key: str, session: ForumSession | None
) -> dict[str, list[str]]:
    """Why the links of a conversation are refused (field → messages).

    A plan must be published; a section is named by its key, which must be
    one of the plan's current version (keys are stable across versions).
    """
    errors: dict[str, list[str]] = {}
    if plan is not None and not isinstance(plan, Plan):
        errors["plan"] = [_("Choose one of the published plans.")]
        plan = None
    elif plan is not None and plan.current_version_id is None:
        errors["plan"] = [_("This plan is not published yet; choose a published one.")]
    if session is not None and not isinstance(session, ForumSession):
        errors["session"] = [_("Choose one of the forum sessions.")]
    if section_key:
        if len(section_key) > 40:
            errors["section_key"] = [_("A section key has at most 40 characters.")]
        elif plan is None:
            errors.setdefault(
                "section_key", [_("Choose the plan the section belongs to.")]
            )
        elif plan.current_version_id is not None and not (
            Section.objects.filter(
                version_id=plan.current_version_id, key=section_key
            ).exists()
        ):
            errors["section_key"] = [
                _(
                    "The current version of “%(plan)s” has no section “%(key)s”. "
                    "Use a key shown on the plan page, for example 3.2."
                )
                % {"plan": plan.title, "key": section_key}
            ]
    return errors


def _clean_settings(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    topic = " ".join(clean_text(str(data.get("topic", ""))).split())
    if not topic:
        errors["topic"] = [_("Give the conversation a topic.")]
    elif len(topic) > 200:
        errors["topic"] = [_("Keep the topic to 200 characters.")]
    out["topic"] = topic
    out["description"] = clean_text(str(data.get("description", ""))).strip()
    if len(out["description"]) > 5000:
        errors["description"] = [_("Keep the description to 5,000 characters.")]
    for name in ("is_open", "is_private", "strict_moderation"):
        out[name] = bool(data.get(name, False))
    vote_policy = data.get("vote_policy", VotePolicy.ANYONE)
    if vote_policy not in VotePolicy.values:
        errors["vote_policy"] = [_("Choose who may vote.")]
    out["vote_policy"] = vote_policy
    statement_policy = data.get("statement_policy", StatementPolicy.ANYONE)
    if statement_policy not in StatementPolicy.values:
        errors["statement_policy"] = [_("Choose who may add statements.")]
    out["statement_policy"] = statement_policy
    out["plan"] = data.get("plan")
    out["section_key"] = " ".join(str(data.get("section_key", "") or "").split())
    out["session"] = data.get("session")
    errors.update(
        link_errors(
            plan=out["plan"], section_key=out["section_key"], session=out["session"]
        )
    )
    if errors:
        raise ValidationError(errors)
    return out


def create_conversation(
    *, user: Any, agency: Agency | None = None, **data: Any
) -> Conversation:
    if not permissions.can_create_conversation(user):
        raise PermissionDenied(_("Only moderators and officials start conversations."))
    values = _clean_settings({"is_open": True, "strict_moderation": True, **data})
    if agency is None and getattr(user, "agency_id", None):
        agency = user.agency
    with transaction.atomic():
        conversation = Conversation.objects.create(
            **values, agency=agency, created_by=user
        )
        ensure_schedule(conversation.pk)
    return conversation


def update_conversation(
    *, conversation: Conversation, user: Any, **data: Any
) -> Conversation:
    if not permissions.can_manage_conversation(user, conversation):
        raise PermissionDenied(_("You may not change this conversation."))
    values = _clean_settings(data)
    strictness_changed = values["strict_moderation"] != conversation.strict_moderation
    with transaction.atomic():
        for name, value in values.items():
            setattr(conversation, name, value)
        conversation.save()
        if strictness_changed:  # pending statements join or leave the analysis
            note_change(conversation.pk)
    return conversation


@dataclass
class SeedReport:
    created: list[Statement] = field(default_factory=list)
    rejected: list[tuple[int, str, str]] = field(
        default_factory=list
    )  # line, text, why
    blank_lines: int = 0


def seed_statements(*, conversation: Conversation, user: Any, text: str) -> SeedReport:
    """Add accepted statements, one per pasted line; report every line refused."""
    if not permissions.can_manage_conversation(user, conversation):
        raise PermissionDenied(_("You may not add seed statements here."))
    report = SeedReport()
    existing = {
        s.lower(): True
        for s in Statement.objects.filter(conversation=conversation)
        .exclude(status=StatementStatus.REJECTED)
        .values_list("text", flat=True)
    }
    seen: dict[str, int] = {}
    to_create: list[Statement] = []
    for number, line in enumerate(clean_text(text or "").split("\n"), start=1):
        cleaned = " ".join(line.split())
        if not cleaned:
            report.blank_lines += 1
            continue
        if len(cleaned) > STATEMENT_MAX_LENGTH:
            report.rejected.append(
                (
                    number,
                    cleaned,
                    _("longer than %(max)d characters (%(n)d)")
                    % {"max": STATEMENT_MAX_LENGTH, "n": len(cleaned)},
                )
            )
            continue
        key = cleaned.lower()
        if key in seen:
            report.rejected.append(
                (number, cleaned, _("same as line %(line)d") % {"line": seen[key]})
            )
            continue
        if key in existing:
            report.rejected.append((number, cleaned, _("already in the conversation")))
            continue
        seen[key] = number
        now = timezone.now()
        to_create.append(
            Statement(
                conversation=conversation,
                text=cleaned,
                author=user,
                status=StatementStatus.ACCEPTED,
                is_seed=True,
                moderated_by=user,
                moderated_at=now,
                created_at=now,
            )
        )
    if to_create:
        with transaction.atomic():
            for statement in to_create:
                statement.save()
            report.created = to_create
    return report


def moderate_statements(
    *,
    conversation: Conversation,
    user: Any,
    statement_ids: Iterable[Any],
    action: str,
    reason: str = "",
    note: str = "",
) -> list[Statement]:
    """Accept or reject statements (bulk); rejection needs a reason."""
    if not permissions.can_moderate_conversation(user, conversation):
        raise PermissionDenied(_("Only moderators moderate statements."))
    if action not in ("accept", "reject"):
        raise ValidationError({"action": [_("Choose accept or reject.")]})
    if action == "reject" and reason not in RejectionReason.values:
        raise ValidationError({"reason": [_("Give a reason for rejecting.")]})
    note = " ".join(clean_text(note or "").split())[:280]
    try:
        ids = {int(i) for i in statement_ids}
    except (TypeError, ValueError, OverflowError):
        raise ValidationError({"statements": [_("Choose statements.")]}) from None
    if not ids:
        raise ValidationError({"statements": [_("Choose at least one statement.")]})
    now = timezone.now()
    with transaction.atomic():
        statements = list(
            Statement.objects.select_for_update().filter(
                conversation=conversation, pk__in=ids
            )
        )
        if len(statements) != len(ids):
            raise ValidationError(
                {"statements": [_("Some statements are not in this conversation.")]}
            )
        for s in statements:
            s.status = (
                StatementStatus.ACCEPTED
                if action == "accept"
                else StatementStatus.REJECTED
            )
            s.rejection_reason = reason if action == "reject" else ""
            s.moderation_note = note if action == "reject" else ""
            s.moderated_by = user
            s.moderated_at = now
            s.save(
                update_fields=[
                    "status",
                    "rejection_reason",
                    "moderation_note",
                    "moderated_by",
                    "moderated_at",
                ]
            )
            broadcast_on_commit(
                events.moderator_group(conversation.pk), events.statement_event(s)
            )
        StatementFlag.objects.filter(
            statement__in=statements, resolved_at__isnull=True
        ).update(resolved_at=now, resolved_by=user)
        note_change(conversation.pk)
    return statements


def set_meta(
    *, conversation: Conversation, user: Any, statement_id: Any, is_meta: bool
) -> Statement:
    if not permissions.can_moderate_conversation(user, conversation):
        raise PermissionDenied(_("Only moderators moderate statements."))
    with transaction.atomic():
        statement = Statement.objects.select_for_update().get(
            conversation=conversation, pk=int(statement_id)
        )
        statement.is_meta = bool(is_meta)
        statement.save(update_fields=["is_meta"])
        note_change(conversation.pk)
    return statement


def dismiss_flags(*, conversation: Conversation, user: Any, statement_id: Any) -> int:
    """Keep the statement; close its open flags."""
    if not permissions.can_moderate_conversation(user, conversation):
        raise PermissionDenied(_("Only moderators handle flags."))
    return StatementFlag.objects.filter(
        statement__conversation=conversation,
        statement_id=int(statement_id),
        resolved_at__isnull=True,
    ).update(resolved_at=timezone.now(), resolved_by=user)


def create_statement_from_question(
    *,
    question: Question,
    user: Any,
    conversation: Conversation | None = None,
) -> tuple[Statement, bool]:
    """Forum bridge: turn a forum question into an accepted statement of an open
    conversation linked to the question's session. Returns (statement, created).

    For the session's moderators and administrators. ``conversation`` may be
    left out when the session has exactly one linked open conversation.
    Idempotent per (conversation, question): a second call returns the same
    statement. The statement credits the question (``source_question``).
    ValidationError when the question is too long for a statement (280
    characters) or was dismissed or hidden.
    """
    session = question.session
    if not permissions.can_add_question_as_statement(user, session):
        raise PermissionDenied(
            _("Only this session's moderators turn its questions into statements.")
        )
    if conversation is None:
        targets = list(Conversation.objects.filter(session=session, is_open=True)[:2])
        if not targets:
            raise ValidationError(
                {"conversation": [_("No open conversation is linked to this session.")]}
            )
        if len(targets) > 1:
            raise ValidationError(
                {
                    "conversation": [
                        _(
                            "Several conversations are linked to this session; "
                            "choose one."
                        )
                    ]
                }
            )
        conversation = targets[0]
    if conversation.session_id != session.pk:
        raise ValidationError(
            {
                "conversation": [
                    _("This conversation is not linked to the question's session.")
                ]
            }
        )
    existing = Statement.objects.filter(
        conversation=conversation, source_question=question
    ).first()
    if existing is not None:
        return existing, False
    if not conversation.is_open:
        raise ValidationError({"conversation": [_("This conversation is closed.")]})
    if question.status in (QuestionStatus.DISMISSED, QuestionStatus.HIDDEN):
        raise ValidationError(
            {
                "question": [
                    _(
                        "This question was dismissed or hidden; restore it before "
                        "making it a statement."
                    )
                ]
            }
        )
    text = " ".join(clean_text(question.body).split())
    if len(text) > STATEMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "question": [
                    _(
                        "This question has %(n)d characters; a statement has at "
                        "most %(max)d. Add a shorter statement on the "
                        "conversation page instead."
                    )
                    % {"n": len(text), "max": STATEMENT_MAX_LENGTH}
                ]
            }
        )
    text = clean_statement_text(text)
    if is_duplicate(conversation, text):
        raise ValidationError(
            {"question": [_("This text is already a statement of the conversation.")]}
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            statement = Statement.objects.create(
                conversation=conversation,
                text=text,
                author=user,
                status=StatementStatus.ACCEPTED,
                moderated_by=user,
                moderated_at=now,
                source_question=question,
            )
            broadcast_on_commit(
                events.moderator_group(conversation.pk),
                events.statement_event(statement),
            )
    except IntegrityError:
        return (
            Statement.objects.get(conversation=conversation, source_question=question),
            False,
        )
    return statement, True
