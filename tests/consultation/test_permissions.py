"""Who may do what: every role × every action, through the site as a user
would try it, while the plan is open and after it closed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from consultation import permissions as perms
from consultation import services
from consultation.models import (
    Comment,
    Endorsement,
    Flag,
    OfficialResponse,
    PlanStatus,
)
from tests.consultation.conftest import PLAN_V2, make_plan
from tests.factories import UserFactory, make_user
from tests.helpers import post_json

ROLES = ["anonymous", "citizen", "moderator", "official", "other_official", "admin"]

Y, N = True, False
# action: anonymous, citizen, moderator, official of the agency, other official, admin
OPEN_PLAN = {
    "read":            (Y, Y, Y, Y, Y, Y),
    "read_draft":      (N, N, N, Y, N, Y),
    "comment":         (N, Y, Y, Y, Y, Y),
    "reply":           (N, Y, Y, Y, Y, Y),
    "endorse":         (N, Y, Y, Y, Y, Y),
    "respond":         (N, N, N, Y, N, Y),
    "publish_version": (N, N, N, Y, N, Y),
    "flag":            (N, Y, Y, Y, Y, Y),
    "hide":            (N, N, Y, N, N, Y),
}  # fmt: skip
# Once comments close, only the participation actions change.
CLOSED_PLAN = {
    **OPEN_PLAN,
    "comment": (N, N, N, N, N, N),
    "reply":   (N, N, N, N, N, N),
    "endorse": (N, N, N, N, N, N),
}  # fmt: skip


def cases(table):
    return [
        pytest.param(action, role, allowed, id=f"{action}-{role}")
        for action, row in table.items()
        for role, allowed in zip(ROLES, row, strict=True)
    ]


@pytest.fixture
def world(db, agency, other_agency):
    official = make_user(Role.OFFICIAL, agency=agency, display_name="Official")
    users = {
        "anonymous": None,
        "citizen": UserFactory(display_name="Citizen"),
        "moderator": make_user(Role.MODERATOR),
        "official": official,
        "other_official": make_user(Role.OFFICIAL, agency=other_agency),
        "admin": make_user(Role.ADMINISTRATOR),
    }
    plan = make_plan(
        official,
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=1),
    )
    draft_plan = make_plan(
        official, slug="draft-plan", publish=False, status=PlanStatus.DRAFT
    )
    author = UserFactory(display_name="Author")
    comment = services.post_comment(
        user=author, plan=plan, section_key="3.2", body="A comment"
    )
    return {"users": users, "plan": plan, "draft": draft_plan, "comment": comment}


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def attempt(action, client, world):
    """Try ``action`` through the site; return whether it took effect."""
    plan, comment = world["plan"], world["comment"]
    if action == "read":
        return client.get(f"/plans/{plan.slug}/").status_code == 200
    if action == "read_draft":
        return client.get(f"/plans/{world['draft'].slug}/").status_code == 200
    if action == "comment":
        response = client.post(
            f"/plans/{plan.slug}/sections/3.2/comment/", {"body": "New comment"}
        )
        created = Comment.objects.filter(body="New comment").exists()
        if created:
            assert response["Location"].startswith(f"/plans/{plan.slug}/#comment-")
        return created
    if action == "reply":
        client.post(f"/comments/{comment.pk}/reply/", {"body": "A reply"})
        return Comment.objects.filter(parent=comment).exists()
    if action == "endorse":
        client.post(f"/comments/{comment.pk}/endorse/", {"endorse": "1"})
        return Endorsement.objects.filter(comment=comment).exists()
    if action == "respond":
        client.post(
            f"/comments/{comment.pk}/respond/",
            {"disposition": "adopted", "body": "Adopted."},
        )
        return OfficialResponse.objects.filter(comment=comment).exists()
    if action == "publish_version":
        client.post(
            f"/plans/{plan.slug}/versions/next/",
            {"body": PLAN_V2, "change_summary": "Changes.", "action": "publish"},
        )
        plan.refresh_from_db()
        return plan.current_version.number == 2
    if action == "flag":
        client.post(f"/comments/{comment.pk}/flag/", {"reason": "spam"})
        return Flag.objects.filter(comment=comment).exists()
    if action == "hide":
        client.post(
            f"/comments/{comment.pk}/moderate/", {"action": "hide", "reason": "spam"}
        )
        comment.refresh_from_db()
        return comment.is_hidden
    raise AssertionError(action)


@pytest.mark.parametrize(("action", "role", "allowed"), cases(OPEN_PLAN))
def test_while_the_plan_is_open(world, action, role, allowed):
    client = client_for(world["users"][role])
    assert attempt(action, client, world) is allowed


@pytest.mark.parametrize(("action", "role", "allowed"), cases(CLOSED_PLAN))
def test_after_comments_closed(world, action, role, allowed):
    plan = world["plan"]
    plan.closes_at = timezone.now() - timedelta(seconds=1)
    plan.save(update_fields=["closes_at"])
    client = client_for(world["users"][role])
    assert attempt(action, client, world) is allowed


@pytest.mark.parametrize(("action", "role", "allowed"), cases(OPEN_PLAN))
def test_the_predicates_agree_with_the_site(world, action, role, allowed):
    user = world["users"][role]
    plan, comment = world["plan"], world["comment"]
    predicate = {
        "read": lambda: perms.can_view_plan(user, plan),
        "read_draft": lambda: perms.can_view_plan(user, world["draft"]),
        "comment": lambda: perms.can_comment(user, plan),
        "reply": lambda: perms.can_reply(user, comment),
        "endorse": lambda: perms.can_endorse(user, comment),
        "respond": lambda: perms.can_respond(user, comment),
        "publish_version": lambda: perms.can_publish_version(user, plan),
        "flag": lambda: perms.can_flag(user, comment),
        "hide": lambda: perms.can_hide_comment(user, comment),
    }[action]
    assert predicate() is allowed


API_ACTIONS = {
    # action: anonymous, citizen, moderator, official, other official, admin
    "comment": (N, Y, Y, Y, Y, Y),
    "endorse": (N, Y, Y, Y, Y, Y),
    "respond": (N, N, N, Y, N, Y),
}


@pytest.mark.parametrize(("action", "role", "allowed"), cases(API_ACTIONS))
def test_the_api_applies_the_same_rules(world, action, role, allowed):
    client = client_for(world["users"][role])
    plan, comment = world["plan"], world["comment"]
    if action == "comment":
        response = post_json(
            client, f"/api/plans/{plan.slug}/comments/", {"section": "3.2", "body": "x"}
        )
    elif action == "endorse":
        response = client.post(f"/api/comments/{comment.pk}/endorse/")
    else:
        response = post_json(
            client,
            f"/api/comments/{comment.pk}/responses/",
            {"disposition": "adopted", "body": "Yes."},
        )
    assert (response.status_code in (200, 201)) is allowed
    if not allowed:
        assert response.status_code == 403
        assert response.json()["detail"]


@pytest.mark.parametrize("role", ROLES)
def test_missing_and_forbidden_plans_look_the_same(world, role):
    client = client_for(world["users"][role])
    missing = client.get("/plans/no-such-plan/")
    draft = client.get(f"/plans/{world['draft'].slug}/")
    api_missing = client.get("/api/plans/no-such-plan/")
    api_draft = client.get(f"/api/plans/{world['draft'].slug}/")
    assert missing.status_code == 404
    if role in ("official", "admin"):
        assert draft.status_code == api_draft.status_code == 200
    else:
        assert draft.status_code == 404
        assert api_draft.status_code == api_missing.status_code == 404
        assert api_draft.json() == api_missing.json()
