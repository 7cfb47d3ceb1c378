"""Participation: who is voting, recording votes, adding and flagging statements."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import is_member
from clustering import conf, events, permissions
from clustering.models import (
    STATEMENT_MAX_LENGTH,
    Conversation,
    FlagReason,
    Participant,
    Statement,
    StatementFlag,
    StatementStatus,
    Vote,
    VoteHistory,
    VoteValue,
)
from clustering.services.analysis import note_change
from common import ratelimit
from common.realtime import broadcast_on_commit
from common.sanitize import clean_text

SESSION_KEY = "clustering_browser"


@dataclass(frozen=True)
class Actor:
    """Whoever acts: an account and/or a browser (a token kept in the session)."""

    user: Any
    browser_token: str | None = None
    ip: str = ""

    @property
    def is_member(self) -> bool:
        return is_member(self.user)

    @property
    def key(self) -> str:
        if self.is_member:
            return f"user:{self.user.pk}"
        return f"browser:{self.browser_token}"


def browser_token(session: Any, *, create: bool) -> str | None:
    """The anonymous participant token kept in the Django session.

    It lives in the session data (not the session key), so it survives the
    session key rotation at log-in, which lets a participant keep their votes.
    """
    token: str | None = session.get(SESSION_KEY)
    if token is None and create:
        token = secrets.token_urlsafe(24)
        session[SESSION_KEY] = token
    return token


def find_participant(conversation: Conversation, actor: Actor) -> Participant | None:
    qs = Participant.objects.filter(conversation=conversation)
    if actor.is_member:
        found = qs.filter(user=actor.user).first()
        if found is not None:
            return found
    if actor.browser_token:
        found = qs.filter(browser_token=actor.browser_token).first()
        if found is not None and (found.user_id is None or not actor.is_member):
            return found
    return None


def get_or_create_participant(conversation: Conversation, actor: Actor) -> Participant:
    """The actor's participant row in this conversation (race-safe).

    A participant who voted anonymously and then logs in keeps their votes:
    the browser's participant is attached to the account when the account has
    none in this conversation yet.
    """
    if not actor.is_member and not actor.browser_token:
        raise PermissionDenied(_("Your browser must accept cookies to take part."))
    for _attempt in range(3):
        found = find_participant(conversation, actor)
        if found is not None:
            if actor.is_member and found.user_id is None:
                claimed = Participant.objects.filter(
                    pk=found.pk, user__isnull=True
                ).update(user=actor.user)
                if claimed:
                    found.user = actor.user
                    return found
                continue
            return found
        try:
            with transaction.atomic():
                return Participant.objects.create(
                    conversation=conversation,
                    user=actor.user if actor.is_member else None,
                    browser_token=actor.browser_token,
                )
        except IntegrityError:
            continue  # created concurrently: look it up again
    raise PermissionDenied(_("Please try again."))


def visible_statements(conversation: Conversation) -> Any:
    """Statements shown to voters: accepted, and pending unless moderation is strict."""
    qs = Statement.objects.filter(conversation=conversation)
    if conversation.strict_moderation:
        return qs.filter(status=StatementStatus.ACCEPTED)
    return qs.exclude(status=StatementStatus.REJECTED)


def _check_rate(scope: str, actor: Actor, rate: str, ip_rate: str) -> None:
    ratelimit.check(f"clustering.{scope}", actor.key, rate)
    if actor.ip:
        ratelimit.check(f"clustering.{scope}.ip", f"ip:{actor.ip}", ip_rate)


@dataclass(frozen=True)
class VoteOutcome:
    vote: Vote
    changed: bool
    previous: int | None


def _parse_value(value: Any) -> int:
    if isinstance(value, bool) or value not in (1, 0, -1, "1", "0", "-1"):
        raise ValidationError(
            {"value": [_("A vote is 1 (agree), -1 (disagree) or 0 (pass).")]}
        )
    return int(value)


@transaction.atomic  # a first vote creates the participant too: both or neither
def record_vote(
    *, conversation: Conversation, actor: Actor, statement_id: Any, value: Any
) -> VoteOutcome:
    """Record (or change) the actor's vote; only writes the vote.

    Voting the same value again is a no-op; changing the vote replaces it and
    appends to the history. The analysis is scheduled after commit.
    """
    if not permissions.can_vote(actor.user, conversation):
        if not conversation.is_open:
            raise PermissionDenied(_("This conversation is closed."))
        raise PermissionDenied(_("Log in to vote in this conversation."))
    number = _parse_value(value)
    try:
        sid = int(statement_id)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError({"statement": [_("Choose a statement.")]}) from None
    statement = visible_statements(conversation).filter(pk=sid).first()
    if statement is None:
        raise ValidationError(
            {"statement": [_("This statement is not open for votes here.")]}
        )
    _check_rate("vote", actor, conf.vote_rate(), conf.vote_ip_rate())
    participant = get_or_create_participant(conversation, actor)
    return _write_vote(conversation, participant, statement, number)


def _write_vote(
    conversation: Conversation,
    participant: Participant,
    statement: Statement,
    value: int,
) -> VoteOutcome:
    for _attempt in range(3):
        try:
            with transaction.atomic():
                now = timezone.now()
                vote = (
                    Vote.objects.select_for_update()
                    .filter(participant=participant, statement=statement)
                    .first()
                )
                previous: int | None = None
                if vote is not None:
                    if vote.value == value:
                        return VoteOutcome(vote, False, value)
                    previous = vote.value
                    vote.value = value
                    vote.updated_at = now
                    vote.save(update_fields=["value", "updated_at"])
                else:
                    vote = Vote.objects.create(
                        conversation=conversation,
                        participant=participant,
                        statement=statement,
                        value=value,
                        created_at=now,
                        updated_at=now,
                    )
                VoteHistory.objects.create(
                    conversation=conversation,
                    participant=participant,
                    statement=statement,
                    value=value,
                    previous_value=previous,
                    created_at=now,
                )
                note_change(conversation.pk)
                return VoteOutcome(vote, True, previous)
        except IntegrityError:
            continue  # the same vote was inserted concurrently: update it instead
    raise PermissionDenied(_("Please try again."))


def clean_statement_text(text: Any) -> str:
    if not isinstance(text, str):
        raise ValidationError({"text": [_("Write the statement as text.")]})
    cleaned = " ".join(clean_text(text).split())
    if not cleaned:
        raise ValidationError({"text": [_("Write a statement.")]})
    if len(cleaned) > STATEMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "text": [
                    _("Keep statements to %(max)d characters (this one has %(n)d).")
                    % {"max": STATEMENT_MAX_LENGTH, "n": len(cleaned)}
                ]
            }
        )
    return cleaned


def is_duplicate(conversation: Conversation, text: str) -> bool:
    return (
        Statement.objects.filter(conversation=conversation, text__iexact=text)
        .exclude(status=StatementStatus.REJECTED)
        .exists()
    )


@transaction.atomic
def add_statement(*, conversation: Conversation, actor: Actor, text: Any) -> Statement:
    """A participant's new statement; pending when moderation is strict.

    As in Polis, the author's own statement counts as their agree vote.
    """
    if not permissions.can_add_statement(actor.user, conversation):
        if not conversation.is_open:
            raise PermissionDenied(_("This conversation is closed."))
        raise PermissionDenied(_("You may not add statements to this conversation."))
    cleaned = clean_statement_text(text)
    if is_duplicate(conversation, cleaned):
        raise ValidationError(
            {"text": [_("This statement is already in the conversation.")]}
        )
    _check_rate("statement", actor, conf.statement_rate(), conf.statement_ip_rate())
    participant = get_or_create_participant(conversation, actor)
    trusted = permissions.can_moderate_conversation(actor.user, conversation)
    accepted = trusted or not conversation.strict_moderation
    with transaction.atomic():
        statement = Statement.objects.create(
            conversation=conversation,
            text=cleaned,
            author=actor.user if actor.is_member else None,
            author_participant=participant,
            status=StatementStatus.ACCEPTED if accepted else StatementStatus.PENDING,
            moderated_by=actor.user if trusted else None,
            moderated_at=timezone.now() if trusted else None,
        )
        broadcast_on_commit(
            events.moderator_group(conversation.pk), events.statement_event(statement)
        )
        if statement.status != StatementStatus.REJECTED:
            now = timezone.now()
            Vote.objects.create(
                conversation=conversation,
                participant=participant,
                statement=statement,
                value=VoteValue.AGREE,
                created_at=now,
                updated_at=now,
            )
            VoteHistory.objects.create(
                conversation=conversation,
                participant=participant,
                statement=statement,
                value=VoteValue.AGREE,
                created_at=now,
            )
            if accepted:
                note_change(conversation.pk)
    return statement


@transaction.atomic
def flag_statement(
    *,
    conversation: Conversation,
    actor: Actor,
    statement_id: Any,
    reason: Any,
    note: Any = "",
) -> StatementFlag:
    if not permissions.can_flag_statement(actor.user, conversation):
        raise PermissionDenied(_("Log in to flag statements."))
    errors: dict[str, list[str]] = {}
    if reason not in FlagReason.values:
        errors["reason"] = [_("Choose a reason.")]
    note_text = " ".join(clean_text(note if isinstance(note, str) else "").split())
    if len(note_text) > 500:
        errors["note"] = [_("Keep the note to 500 characters.")]
    try:
        statement = visible_statements(conversation).get(pk=int(statement_id))
    except (Statement.DoesNotExist, TypeError, ValueError, OverflowError):
        errors["statement"] = [_("Choose a statement.")]
    if errors:
        raise ValidationError(errors)
    _check_rate("flag", actor, "10/hour", "200/hour")
    participant = get_or_create_participant(conversation, actor)
    existing = StatementFlag.objects.filter(
        statement=statement, participant=participant, resolved_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            flag = StatementFlag.objects.create(
                statement=statement,
                participant=participant,
                reason=reason,
                note=note_text,
            )
            broadcast_on_commit(
                events.moderator_group(conversation.pk),
                events.statement_event(statement),
            )
            return flag
    except IntegrityError:
        return StatementFlag.objects.get(
            statement=statement, participant=participant, resolved_at__isnull=True
        )
