"""Official responses to comments, and the notification of their authors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import NotificationText, notify
from common.sanitize import render_markdown
from consultation import permissions as perms
from consultation.models import Comment, Disposition, OfficialResponse, PlanVersion
from consultation.services._text import Errors, choice, multi_line, required_text

MAX_RESPONSE = 10_000


@transaction.atomic  # the response and its notification: both or neither
def respond_to_comment(
    *,
    user: User,
    comment: Comment,
    disposition: str,
    body: str,
    addressed_in: int | None = None,
) -> OfficialResponse:
    """Answer a comment for the plan's agency.

    ``addressed_in`` is the number of the version that deals with the comment
    (published, or the draft being prepared); it must come after the version
    the comment was made on. A later response supersedes an earlier one; both
    stay on record. The comment's author is notified on the site and by e-mail.
    """
    if not perms.can_respond(user, comment):
        if perms.can_manage_plan(user, comment.plan):
            raise PermissionDenied(
                _("Responses go to visible top-level comments, not to replies.")
            )
        raise PermissionDenied(
            _("Only officials of the plan's agency can respond to comments.")
        )
    errors = Errors()
    disposition = choice(errors, "disposition", disposition, Disposition.values)
    body = required_text(errors, "body", multi_line(body), max_length=MAX_RESPONSE)
    version: PlanVersion | None = None
    if addressed_in is not None:
        commented = comment.section.version.number
        version = comment.plan.versions.filter(number=addressed_in).first()
        if version is None:
            errors.add(
                "addressed_in",
                _("This plan has no version %(number)s.") % {"number": addressed_in},
            )
        elif version.number <= commented:
            errors.add(
                "addressed_in",
                _("The comment was made on version %(number)d; choose a later version.")
                % {"number": commented},
            )
    errors.raise_if_any()
    response = OfficialResponse.objects.create(
        comment=comment,
        agency=comment.plan.agency,
        author=user,
        disposition=disposition,
        body=body,
        body_html=render_markdown(body),
        addressed_in=version,
    )
    _notify_author(comment, response)
    return response


def _notify_author(comment: Comment, response: OfficialResponse) -> None:
    author = comment.author
    if author is None or author.pk == response.author_id:
        return
    plan = comment.plan

    def compose() -> NotificationText:
        # Runs in the author's language: the disposition label too.
        values = {
            "agency": plan.agency.name,
            "key": comment.section_key,
            "plan": plan.title,
            "disposition": response.get_disposition_display(),
        }
        title = (
            _(
                "%(agency)s responded to your comment on section %(key)s of "
                "“%(plan)s”: %(disposition)s"
            )
            % values
        )
        body = "\n\n".join(
            [
                _("Hello %(name)s,") % {"name": author.display_name},
                _(
                    "%(agency)s has responded to your comment on section %(key)s "
                    "of “%(plan)s”."
                )
                % values,
                _("Disposition: %(disposition)s") % values,
                response.body,
            ]
        )
        return NotificationText(
            title=title,
            email_subject=_("Response to your comment on “%(plan)s”") % values,
            email_body=body,
        )

    notify(
        recipient=author,
        kind="consultation.response",
        url=comment.get_absolute_url(),
        compose=compose,
    )
