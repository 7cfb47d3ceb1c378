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
from clustering import events, links, permissions
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
from clustering.services.participation import clean_statement_text
from common.realtime import broadcast_on_commit
from common.sanitize import clean_text

SETTINGS_FIELDS = (
    "topic",
    "description",
    "is_open",
    "is_private",
    "vote_policy",
    "statement_policy",
    "strict_moderation",
    "plan_slug",
    "section_key",
    "session_slug",
)


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
    for name, limit in (("plan_slug", 80), ("section_key", 40), ("session_slug", 80)):
        value = str(data.get(name, "") or "").strip()
        if len(value) > limit:
            errors[name] = [_("This is too long.")]
        out[name] = value
    errors.update(
        links.validate_links(
            plan_slug=out["plan_slug"],
            section_key=out["section_key"],
            session_slug=out["session_slug"],
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
    conversation: Conversation,
    question_text: str,
    question_id: int,
    moderator: Any,
) -> Statement:
    """Forum bridge: turn a forum question into an accepted statement.

    Idempotent per (conversation, question): calling it twice returns the same
    statement. The statement credits the question (``source_question_id``).
    Raises ValidationError when the text does not fit a statement (280
    characters); the caller may shorten it and call again.
    """
    if not permissions.can_moderate_conversation(moderator, conversation):
        raise PermissionDenied(_("Only moderators turn questions into statements."))
    if not conversation.is_open:
        raise ValidationError({"conversation": [_("This conversation is closed.")]})
    existing = Statement.objects.filter(
        conversation=conversation, source_question_id=question_id
    ).first()
    if existing is not None:
        return existing
    text = clean_statement_text(question_text)
    now = timezone.now()
    try:
        with transaction.atomic():
            statement = Statement.objects.create(
                conversation=conversation,
                text=text,
                author=moderator,
                status=StatementStatus.ACCEPTED,
                moderated_by=moderator,
                moderated_at=now,
                source_question_id=question_id,
            )
    except IntegrityError:
        return Statement.objects.get(
            conversation=conversation, source_question_id=question_id
        )
    return statement
