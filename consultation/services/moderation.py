"""Flags, hiding and restoring comments, and the moderation log."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import is_member
from accounts.services import NotificationText, notify
from common import ratelimit
from consultation import permissions as perms
from consultation.models import Comment, Flag, FlagReason, ModerationAction
from consultation.services._text import Errors, choice, multi_line, optional_text

MAX_NOTE = 1_000
FLAG_RATE = "20/hour"


def flag_comment(*, user: User, comment: Comment, reason: str, note: str = "") -> Flag:
    """Report a comment to the moderators (once per person and comment)."""
    if not perms.can_flag(user, comment):
        if is_member(user) and comment.author_id == user.pk:
            raise PermissionDenied(_("You cannot flag your own comment."))
        raise PermissionDenied(_("You cannot flag this comment."))
    errors = Errors()
    reason = choice(errors, "reason", reason, FlagReason.values)
    note = optional_text(errors, "note", multi_line(note), max_length=MAX_NOTE)
    errors.raise_if_any()
    ratelimit.check("consultation-flag", f"user:{user.pk}", FLAG_RATE)
    try:
        with transaction.atomic():
            return Flag.objects.create(
                comment=comment, reporter=user, reason=reason, note=note
            )
    except IntegrityError:
        errors.add("reason", _("You have already flagged this comment."))
        errors.raise_if_any()
        raise  # pragma: no cover - raise_if_any always raises here


def _check_moderator(user: User) -> None:
    if not perms.can_moderate(user):
        raise PermissionDenied(_("Only moderators can do this."))


def hide_comment(
    *, user: User, comment: Comment, reason: str, note: str = ""
) -> ModerationAction:
    """Hide a comment's text from everyone, with a public reason code."""
    _check_moderator(user)
    errors = Errors()
    if comment.is_hidden:
        errors.add("reason", _("This comment is already hidden."))
    reason = choice(errors, "reason", reason, FlagReason.values)
    note = optional_text(errors, "note", multi_line(note), max_length=MAX_NOTE)
    errors.raise_if_any()
    now = timezone.now()
    with transaction.atomic():
        comment.hidden_at, comment.hidden_reason = now, reason
        comment.save(update_fields=["hidden_at", "hidden_reason"])
        comment.flags.filter(resolved_at__isnull=True).update(resolved_at=now)
        action = ModerationAction.objects.create(
            comment=comment,
            moderator=user,
            action=ModerationAction.Action.HIDE,
            reason=reason,
            note=note,
            created_at=now,
        )
        if comment.author is not None:
            notify(
                recipient=comment.author,
                kind="consultation.hidden",
                url=comment.get_absolute_url(),
                compose=lambda: NotificationText(
                    title=_(
                        "A moderator hid your comment on section %(key)s of "
                        "“%(plan)s” (reason: %(reason)s)."
                    )
                    % {
                        "key": comment.section_key,
                        "plan": comment.plan.title,
                        "reason": comment.get_hidden_reason_display(),
                    }
                ),
            )
    return action


def restore_comment(*, user: User, comment: Comment, note: str) -> ModerationAction:
    """Show a hidden comment again; the moderator says why."""
    _check_moderator(user)
    errors = Errors()
    if not comment.is_hidden:
        errors.add("note", _("This comment is not hidden."))
    note = multi_line(note)
    if not note:
        errors.add("note", _("Say why the comment is restored."))
    optional_text(errors, "note", note, max_length=MAX_NOTE)
    errors.raise_if_any()
    with transaction.atomic():
        previous = comment.hidden_reason
        comment.hidden_at, comment.hidden_reason = None, ""
        comment.save(update_fields=["hidden_at", "hidden_reason"])
        return ModerationAction.objects.create(
            comment=comment,
            moderator=user,
            action=ModerationAction.Action.RESTORE,
            reason=previous,
            note=note,
        )


def dismiss_flags(*, user: User, comment: Comment, note: str = "") -> ModerationAction:
    """Close a comment's open flags without hiding it."""
    _check_moderator(user)
    errors = Errors()
    note = optional_text(errors, "note", multi_line(note), max_length=MAX_NOTE)
    errors.raise_if_any()
    now = timezone.now()
    with transaction.atomic():
        comment.flags.filter(resolved_at__isnull=True).update(resolved_at=now)
        return ModerationAction.objects.create(
            comment=comment,
            moderator=user,
            action=ModerationAction.Action.DISMISS,
            note=note,
            created_at=now,
        )
