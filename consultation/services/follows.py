"""Following plans, and telling followers and commenters about new versions.

Commenting on a plan counts as following its new versions, without a row; an
explicit unfollow (a row with ``following=False``) wins over having commented.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import is_member
from accounts.services import NotificationText, notify_many
from common import ratelimit
from consultation.models import Comment, Plan, PlanFollow, PlanVersion

FOLLOW_RATE = "30/minute"


def set_plan_follow(*, user: User, plan: Plan, follow: bool) -> bool:
    """Follow (or unfollow) ``plan``'s new versions; idempotent. Returns the
    new state. The caller has checked that ``user`` may see the plan."""
    if not is_member(user):
        raise PermissionDenied(_("Log in to follow a plan."))
    ratelimit.check("consultation-follow", f"user:{user.pk}", FOLLOW_RATE)
    PlanFollow.objects.update_or_create(
        plan=plan, user=user, defaults={"following": follow}
    )
    return follow


def is_following_plan(user: Any, plan: Plan) -> bool:
    """An explicit choice if there is one, otherwise: has commented on it."""
    if not is_member(user):
        return False
    choice = (
        PlanFollow.objects.filter(plan=plan, user=user)
        .values_list("following", flat=True)
        .first()
    )
    if choice is not None:
        return choice
    return Comment.objects.filter(plan=plan, author=user).exists()


def plan_audience(plan: Plan) -> QuerySet[User]:
    """Everyone who follows ``plan`` or commented on it and did not unfollow
    it: one query, each person once."""
    follows = PlanFollow.objects.filter(plan=plan, user=OuterRef("pk"))
    commented = Comment.objects.filter(plan=plan, author=OuterRef("pk"))
    return (
        User.objects.filter(is_active=True)
        .filter(Q(Exists(follows.filter(following=True))) | Q(Exists(commented)))
        .exclude(Exists(follows.filter(following=False)))
        .order_by("pk")
    )


def notify_new_version(*, version: PlanVersion, actor: User) -> None:
    """Tell the plan's audience (not the publisher) about a published version."""
    plan = version.plan
    values = {"plan": plan.title, "number": version.number}
    summary = version.change_summary.strip()

    def compose() -> NotificationText:
        # Once per language among the audience.
        return NotificationText(
            title=_("Version %(number)d of “%(plan)s” was published.") % values,
            email_subject=_("New version of “%(plan)s”") % values,
            email_body=(
                _("What changed: %(summary)s") % {"summary": summary} if summary else ""
            ),
        )

    notify_many(
        recipients=plan_audience(plan).exclude(pk=actor.pk),
        kind="consultation.version",
        url=version.get_absolute_url(),
        compose=compose,
    )
