"""Who may do what in a consultation: pure predicates, plus ``access_*`` helpers.

Predicates take the user, the object and (for time windows) ``now``; they
never query the database beyond the role facts of :mod:`accounts.permissions`
(cached on the user). ``access_<noun>`` fetch an object and check that the
user may see it, raising the same ``Http404`` whether it is missing or
hidden from them, so that nothing leaks through status codes.

| action         | who                                                        |
|----------------|------------------------------------------------------------|
| read           | everyone, once a version is published; before that the     |
|                | owning agency's officials and administrators               |
| comment, reply | logged-in members while the plan is open for comment       |
| endorse        | logged-in members, not their own comment, while open       |
| edit           | the author, within 15 minutes, while open                  |
| withdraw       | the author, at any time                                    |
| respond        | officials of the owning agency, administrators             |
| manage/publish | officials of the owning agency, administrators             |
| flag           | logged-in members, not their own comment                   |
| hide / restore | moderators and administrators                              |
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.http import Http404
from django.utils import timezone

from accounts.models import Agency
from accounts.permissions import (
    can_act_for_agency,
    is_admin,
    is_member,
    is_moderator,
    is_official,
)
from consultation.models import Comment, Plan, PlanStatus

EDIT_WINDOW = timedelta(minutes=15)


# --- Plans --------------------------------------------------------------------


def can_manage_plan(user: Any, plan: Plan) -> bool:
    """Edit the plan, write and publish versions, answer comments."""
    return can_act_for_agency(user, plan.agency_id)


def can_view_plan(user: Any, plan: Plan) -> bool:
    return plan.current_version_id is not None or can_manage_plan(user, plan)


def can_create_plan(user: Any, agency: Agency | int | None = None) -> bool:
    if agency is None:
        return is_admin(user) or is_official(user)
    return can_act_for_agency(user, agency)


def can_publish_version(user: Any, plan: Plan) -> bool:
    return can_manage_plan(user, plan) and plan.status != PlanStatus.FINAL


def is_open_for_comment(plan: Plan, now: datetime | None = None) -> bool:
    """The comment window: status "open", a published version, and now inside
    ``opens_at``–``closes_at`` (either end may be left open)."""
    if plan.status != PlanStatus.OPEN or plan.current_version_id is None:
        return False
    now = now or timezone.now()
    if plan.opens_at is not None and now < plan.opens_at:
        return False
    return not (plan.closes_at is not None and now >= plan.closes_at)


def comment_window(plan: Plan, now: datetime | None = None) -> str:
    """Where the plan is in its comment window: "open", "not_yet" or "closed"."""
    if is_open_for_comment(plan, now):
        return "open"
    now = now or timezone.now()
    if plan.status == PlanStatus.DRAFT or (
        plan.status == PlanStatus.OPEN
        and plan.opens_at is not None
        and now < plan.opens_at
    ):
        return "not_yet"
    return "closed"


# --- Comments -----------------------------------------------------------------


def can_comment(user: Any, plan: Plan, now: datetime | None = None) -> bool:
    return is_member(user) and is_open_for_comment(plan, now)


def can_reply(user: Any, comment: Comment, now: datetime | None = None) -> bool:
    return comment.is_visible and can_comment(user, comment.plan, now)


def is_author(user: Any, comment: Comment) -> bool:
    return is_member(user) and comment.author_id == user.pk


def can_edit_comment(user: Any, comment: Comment, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        is_author(user, comment)
        and comment.is_visible
        and now - comment.created_at <= EDIT_WINDOW
        and is_open_for_comment(comment.plan, now)
    )


def can_withdraw_comment(user: Any, comment: Comment) -> bool:
    return is_author(user, comment) and not comment.is_withdrawn


def can_endorse(user: Any, comment: Comment, now: datetime | None = None) -> bool:
    return (
        is_member(user)
        and comment.is_visible
        and comment.author_id != user.pk
        and is_open_for_comment(comment.plan, now)
    )


def can_respond(user: Any, comment: Comment) -> bool:
    """Officials answer top-level comments; replies are participants' discussion."""
    return (
        comment.parent_id is None
        and comment.is_visible
        and can_manage_plan(user, comment.plan)
    )


def can_flag(user: Any, comment: Comment) -> bool:
    return is_member(user) and comment.is_visible and comment.author_id != user.pk


def can_moderate(user: Any) -> bool:
    return is_moderator(user)


def can_hide_comment(user: Any, comment: Comment) -> bool:
    return is_moderator(user) and not comment.is_hidden


def can_restore_comment(user: Any, comment: Comment) -> bool:
    return is_moderator(user) and comment.is_hidden


# --- Fetch and check ----------------------------------------------------------

MAX_ID = 2**63 - 1


def as_id(value: object) -> int | None:
    """A database id from user input, or None (never an out-of-range integer)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None
    return number if 0 < number <= MAX_ID else None


def access_plan(user: Any, slug: str) -> Plan:
    """The plan ``slug`` if ``user`` may read it; Http404 otherwise."""
    plan = (
        Plan.objects.select_related("agency", "current_version")
        .filter(slug=slug)
        .first()
    )
    if plan is None or not can_view_plan(user, plan):
        raise Http404("No such plan.")
    return plan


def access_comment(user: Any, comment_id: int | str) -> Comment:
    """The comment if ``user`` may read its plan; Http404 otherwise."""
    pk = as_id(comment_id)
    if pk is None:
        raise Http404("No such comment.")
    comment = (
        Comment.objects.select_related(
            "plan__agency",
            "plan__current_version",
            "section__version",
            "author",
            "parent",
        )
        .filter(pk=pk)
        .first()
    )
    if comment is None or not can_view_plan(user, comment.plan):
        raise Http404("No such comment.")
    return comment
