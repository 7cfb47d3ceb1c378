"""Comments: post, reply, edit (with history), withdraw, endorse."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import is_member
from accounts.services import NotificationText, notify_many
from common import ratelimit
from common.sanitize import render_markdown
from consultation import permissions as perms
from consultation.models import (
    Comment,
    CommentRevision,
    Endorsement,
    Plan,
    Section,
    Stance,
)
from consultation.services._text import (
    Errors,
    choice,
    multi_line,
    optional_text,
    plain_text_of,
    required_text,
    single_line,
)

MAX_COMMENT = 10_000
MAX_QUOTE = 1_000
COMMENT_RATE = "10/minute"


def closed_message(plan: Plan) -> str:
    state = perms.comment_window(plan)
    if state == "not_yet":
        return _("This plan is not open for comment yet.")
    return _("Comments on this plan are closed.")


def _check_can_comment(user: User, plan: Plan) -> None:
    if not is_member(user):
        raise PermissionDenied(_("Log in to comment."))
    if not perms.can_comment(user, plan):
        raise PermissionDenied(closed_message(plan))


def _rate_limit(user: User) -> None:
    ratelimit.check("consultation-comment", f"user:{user.pk}", COMMENT_RATE)


def _validate_text(
    errors: Errors, section: Section | None, body: str, stance: str, quote: str
) -> tuple[str, str, str]:
    body = required_text(errors, "body", multi_line(body), max_length=MAX_COMMENT)
    stance = choice(errors, "stance", stance, ["", *Stance.values])
    quote = optional_text(errors, "quote", single_line(quote), max_length=MAX_QUOTE)
    if quote and section is not None and len(quote) <= MAX_QUOTE:
        passage = plain_text_of(f"{section.heading} {section.body_html}")
        if quote not in passage:
            errors.add(
                "quote",
                _("The quoted passage must be copied exactly from section %(key)s.")
                % {"key": section.key},
            )
    return body, stance, quote


def post_comment(
    *,
    user: User,
    plan: Plan,
    section_key: str | None = None,
    body: str,
    stance: str = "",
    quote: str = "",
    parent: Comment | None = None,
) -> Comment:
    """Comment on a section of the plan's current version, or reply to a
    comment (replies join the thread of the top-level comment)."""
    _check_can_comment(user, plan)
    errors = Errors()
    section: Section | None = None
    answered = parent
    if parent is not None:
        if parent.plan_id != plan.pk or not parent.is_visible:
            errors.add("parent", _("You can only reply to a visible comment."))
        else:
            if parent.parent is not None:
                parent = parent.parent  # replies join the top-level thread
            section = parent.section
            if section_key and section_key != parent.section_key:
                errors.add(
                    "section",
                    _("A reply belongs to the section of the comment it answers."),
                )
    else:
        key = single_line(section_key or "")
        if not key:
            errors.add("section", _("Choose the section you are commenting on."))
        else:
            section = (
                Section.objects.filter(version_id=plan.current_version_id, key=key)
                .select_related("version")
                .first()
            )
            if section is None:
                errors.add(
                    "section",
                    _("The current version has no section “%(key)s”.")
                    % {"key": key[:40]},
                )
    body, stance, quote = _validate_text(errors, section, body, stance, quote)
    if section is None:
        errors.raise_if_any()
        raise ValidationError({"section": [_("Choose a section.")]})
    errors.raise_if_any()
    _rate_limit(user)
    with transaction.atomic():
        comment = Comment.objects.create(
            plan=plan,
            section=section,
            section_key=section.key,
            parent=parent,
            author=user,
            stance=stance,
            quote=quote,
            body=body,
            body_html=render_markdown(body),
        )
        if answered is not None:
            _notify_reply(comment, answered)
    return comment


def _notify_reply(reply: Comment, answered: Comment) -> None:
    """Tell the author of the comment answered, and the author of the thread it
    is in, about a reply (never the replier; each person once)."""
    thread = reply.parent.author_id if reply.parent else None
    author_ids = {
        pk
        for pk in (answered.author_id, thread)
        if pk is not None and pk != reply.author_id
    }
    if not author_ids:
        return
    values = {
        "name": reply.author.display_name if reply.author else "",
        "key": reply.section_key,
        "plan": reply.plan.title,
    }
    notify_many(
        recipients=User.objects.filter(pk__in=author_ids, is_active=True),
        kind="consultation.reply",
        url=reply.get_absolute_url(),
        compose=lambda: NotificationText(
            title=_(
                "%(name)s replied to your comment on section %(key)s of “%(plan)s”."
            )
            % values,
            email_subject=_("Reply to your comment on “%(plan)s”") % values,
            email_body=reply.body,
        ),
    )


def edit_comment(
    *, user: User, comment: Comment, body: str, stance: str = "", quote: str = ""
) -> Comment:
    """Change a comment within 15 minutes of posting; the old text is kept."""
    if not perms.can_edit_comment(user, comment):
        if perms.is_author(user, comment) and comment.is_visible:
            raise PermissionDenied(
                _(
                    "Comments can be edited for 15 minutes after posting, while "
                    "the plan is open. You can still withdraw it."
                )
            )
        raise PermissionDenied(_("You can only edit your own comments."))
    errors = Errors()
    body, stance, quote = _validate_text(errors, comment.section, body, stance, quote)
    errors.raise_if_any()
    if (body, stance, quote) == (comment.body, comment.stance, comment.quote):
        return comment
    _rate_limit(user)
    now = timezone.now()
    with transaction.atomic():
        CommentRevision.objects.create(
            comment=comment,
            stance=comment.stance,
            quote=comment.quote,
            body=comment.body,
            body_html=comment.body_html,
            written_at=comment.edited_at or comment.created_at,
            replaced_at=now,
        )
        comment.body, comment.stance, comment.quote = body, stance, quote
        comment.body_html = render_markdown(body)
        comment.edited_at = now
        comment.save(
            update_fields=["body", "body_html", "stance", "quote", "edited_at"]
        )
    return comment


def withdraw_comment(*, user: User, comment: Comment) -> Comment:
    """The author takes a comment back; its text is no longer shown."""
    if not perms.can_withdraw_comment(user, comment):
        raise PermissionDenied(_("You can only withdraw your own comments."))
    comment.withdrawn_at = timezone.now()
    comment.save(update_fields=["withdrawn_at"])
    return comment


def endorse_comment(*, user: User, comment: Comment) -> bool:
    """Endorse a comment; returns False if the user had already endorsed it.

    One endorsement per person and comment is a database constraint, so two
    simultaneous clicks still count once.
    """
    if not perms.can_endorse(user, comment):
        if is_member(user) and comment.author_id == user.pk:
            raise PermissionDenied(_("You cannot endorse your own comment."))
        if is_member(user) and comment.is_visible:
            raise PermissionDenied(closed_message(comment.plan))
        raise PermissionDenied(_("You cannot endorse this comment."))
    try:
        with transaction.atomic():
            Endorsement.objects.create(comment=comment, user=user)
    except IntegrityError:
        return False
    return True


def withdraw_endorsement(*, user: User, comment: Comment) -> bool:
    """Take an endorsement back while the plan is open; False if there was none."""
    if not perms.can_endorse(user, comment):
        raise PermissionDenied(_("You cannot change endorsements of this comment."))
    deleted, _rows = Endorsement.objects.filter(comment=comment, user=user).delete()
    return deleted > 0


def endorsement_count(comment: Comment) -> int:
    return Endorsement.objects.filter(comment=comment).count()
