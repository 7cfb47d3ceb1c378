"""One of everything, owned by agency A, for the security sweeps.

Built through the real services (as the other suites do): an open plan of
agency A with a published version and a comment by a separate author, a
scheduled forum session of agency A whose named moderator is ``moderator``
with a visible question, and an open conversation of agency A with a statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import Agency
from accounts.roles import Role
from accounts.services import unsubscribe_token
from clustering import services as clustering_services
from clustering.models import Conversation, Statement
from consultation import services as consultation_services
from consultation.models import Comment, Plan, PlanStatus
from forum import services as forum_services
from forum.models import ForumSession, Question
from tests.factories import AgencyFactory, make_user
from tests.forum.factories import AgendaItemFactory, ForumSessionFactory, member

PLAN_BODY = """\
Introductory text.

## 1 Background {#background}

Why this plan exists.
"""


@dataclass
class World:
    agency: Agency
    other_agency: Agency
    users: dict[str, Any]
    author: Any
    plan: Plan
    comment: Comment
    session: ForumSession
    question: Question
    conversation: Conversation
    statement: Statement
    extra: dict[str, Any] = field(default_factory=dict)

    def url_kwargs(self, route_name: str, names: tuple[str, ...]) -> dict[str, Any]:
        """Values for a route's URL kwargs (KeyError names an unknown kwarg)."""
        app = route_name.split(":", 1)[0] if ":" in route_name else ""
        forum = app == "forum" or route_name.startswith("forum-")
        values: dict[str, Any] = {
            "slug": self.agency.slug
            if route_name.endswith("agency_detail")
            else self.plan.slug,
            "number": 1,
            # a plan section's key; the open-data downloads' scope key
            "key": self.plan.slug
            if route_name.startswith("opendata_")
            else "background",
            "comment_id": self.comment.pk,
            "pk": self.session.pk if forum else self.conversation.pk,
            "session_id": self.session.pk,
            "question_id": self.question.pk,
            "id": self.conversation.pk,
            "statement_id": self.statement.pk,
            # accounts:unsubscribe: the signed token from the author's e-mails
            "token": unsubscribe_token(self.author),
            # open-data downloads: the plan's scope, its plans table as CSV
            "kind": "plan",
            "table": "plans",
            "fmt": "csv",
        }
        unknown = [name for name in names if name not in values]
        if unknown:
            raise LookupError(
                f"{route_name}: no value for URL argument(s) {unknown}; add "
                "one in tests/security/world.py (World.url_kwargs)"
            )
        return {name: values[name] for name in names}

    def body(self, route_name: str) -> dict[str, Any]:
        """A valid request body for the API writes (validation must not hide
        the permission check); ``{}`` for the others."""
        bodies: dict[str, dict[str, Any]] = {
            "consultation-api:plan-comments": {
                "section": "background",
                "body": "A comment from the sweep.",
            },
            "consultation-api:comment-responses": {
                "disposition": "adopted",
                "body": "We agree.",
            },
            "forum-ask-question": {"body": "A question from the sweep?"},
            "forum-current-agenda-item": {"item": self.extra["agenda_item"].pk},
            "forum-session-status": {"status": "live"},
            "forum-moderate": {"action": "highlight"},
            "clustering-api:conversation-votes": {
                "statement": self.statement.pk,
                "value": 1,
            },
            "clustering-api:conversation-statements": {
                "text": "A statement from the sweep."
            },
            "clustering-api:question-to-statement": {
                "conversation": self.conversation.pk
            },
        }
        return bodies.get(route_name, {})


def build_world() -> World:
    agency = AgencyFactory(slug="agency-a", name="Agency A")
    other_agency = AgencyFactory(slug="agency-b", name="Agency B")
    users: dict[str, Any] = {
        "anonymous": AnonymousUser(),
        "citizen": make_user(display_name="Cit Izen"),
        "moderator": make_user(Role.MODERATOR, display_name="Mo Derator"),
        "official": make_user(Role.OFFICIAL, agency=agency, display_name="Off A"),
        "other_official": make_user(
            Role.OFFICIAL, agency=other_agency, display_name="Off B"
        ),
        "admin": make_user(Role.ADMINISTRATOR, display_name="Ad Min"),
    }
    author = make_user(display_name="Au Thor")
    official = users["official"]

    plan = consultation_services.create_plan(
        user=official,
        agency=agency,
        title="Security sweep plan",
        slug="sweep-plan",
        summary="A plan open for comment.",
    )
    consultation_services.publish_version(user=official, plan=plan, body=PLAN_BODY)
    consultation_services.update_plan(
        user=official,
        plan=plan,
        title=plan.title,
        summary=plan.summary,
        status=PlanStatus.OPEN,
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=30),
    )
    plan.refresh_from_db()
    comment = consultation_services.post_comment(
        user=author, plan=plan, section_key="background", body="A first comment."
    )

    session = ForumSessionFactory(
        agency=agency, moderators=[users["moderator"]], login_required=False
    )
    agenda_item = AgendaItemFactory(session=session)
    asked = forum_services.ask_question(
        session_id=session.pk, participant=member(author), body="Why now?"
    )
    question = Question.objects.get(pk=getattr(asked, "pk", asked))

    conversation = clustering_services.create_conversation(
        user=official,
        agency=agency,
        topic="How should open data evolve?",
        description="Vote on short statements.",
        strict_moderation=False,
    )
    clustering_services.seed_statements(
        conversation=conversation, user=official, text="Publish more data sets."
    )
    statement = conversation.statements.get()
    conversation.session = session  # the forum bridge's target
    conversation.save(update_fields=["session"])
    return World(
        agency=agency,
        other_agency=other_agency,
        users=users,
        author=author,
        plan=plan,
        comment=comment,
        session=session,
        question=question,
        conversation=conversation,
        statement=statement,
        extra={"agenda_item": agenda_item},
    )
