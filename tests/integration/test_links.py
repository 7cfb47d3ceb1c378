"""Links between the apps are foreign keys: forms list what may be linked,
the service validates the section key against the plan's current version, and
the pages and APIs show the links both ways."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from clustering import services
from clustering.forms import ConversationForm
from clustering.models import Conversation
from tests.consultation.conftest import make_plan, publish_v2
from tests.forum.factories import ForumSessionFactory

pytestmark = pytest.mark.django_db


def test_a_conversation_links_to_a_plan_section_and_a_session(
    plan, session, session_moderator
):
    conversation = services.create_conversation(
        user=session_moderator,
        topic="Streaming committees",
        plan=plan,
        section_key=" 3.2 ",
        session=session,
    )
    conversation.refresh_from_db()
    assert (conversation.plan, conversation.section_key, conversation.session) == (
        plan,
        "3.2",
        session,
    )
    assert list(plan.conversations.all()) == [conversation]
    assert list(session.conversations.all()) == [conversation]


def test_links_are_validated_with_clear_messages(plan, official, session_moderator):
    def errors(**links):
        with pytest.raises(ValidationError) as exc:
            services.create_conversation(user=session_moderator, topic="T", **links)
        return exc.value.message_dict

    assert errors(section_key="3.2") == {
        "section_key": ["Choose the plan the section belongs to."]
    }
    assert errors(plan=plan, section_key="9.9") == {
        "section_key": [
            "The current version of “Open Parliament Action Plan” has no section "
            "“9.9”. Use a key shown on the plan page, for example 3.2."
        ]
    }
    draft = make_plan(official, slug="a-draft", publish=False, status="draft")
    assert errors(plan=draft) == {
        "plan": ["This plan is not published yet; choose a published one."]
    }
    # Section keys are checked against the current version: 3.3 is gone in v2.
    services.create_conversation(
        user=session_moderator, topic="T", plan=plan, section_key="3.3"
    )
    publish_v2(plan, official)
    assert "section_key" in errors(plan=plan, section_key="3.3")


def test_the_form_lists_published_plans_and_sessions(plan, official, session):
    draft = make_plan(official, slug="a-draft", publish=False, status="draft")
    form = ConversationForm()
    plans = list(form.fields["plan"].queryset)
    assert plan in plans and draft not in plans
    assert list(form.fields["session"].queryset) == [session]
    bound = ConversationForm(
        data={
            "topic": "T",
            "vote_policy": "anyone",
            "statement_policy": "anyone",
            "plan": draft.pk,
        }
    )
    assert not bound.is_valid()
    assert bound.errors["plan"] == ["Choose one of the published plans."]


def test_creating_a_linked_conversation_through_the_page(
    client, plan, session, session_moderator
):
    client.force_login(session_moderator)
    response = client.post(
        "/conversations/new/",
        {
            "topic": "Committee streaming",
            "vote_policy": "anyone",
            "statement_policy": "anyone",
            "is_open": "on",
            "plan": plan.pk,
            "section_key": "3.2",
            "session": session.pk,
        },
    )
    assert response.status_code == 302
    conversation = Conversation.objects.get(topic="Committee streaming")
    assert (conversation.plan, conversation.section_key, conversation.session) == (
        plan,
        "3.2",
        session,
    )
    page = client.get(conversation.get_absolute_url()).content.decode()
    assert f'href="/plans/{plan.slug}/#section-3.2"' in page
    assert f'href="/sessions/{session.pk}/"' in page

    response = client.post(
        "/conversations/new/",
        {
            "topic": "Bad section",
            "vote_policy": "anyone",
            "statement_policy": "anyone",
            "plan": plan.pk,
            "section_key": "9.9",
        },
    )
    assert response.status_code == 200
    assert "has no section “9.9”" in response.content.decode()


def test_the_plan_page_lists_linked_sessions_and_conversations(
    plan, session, conversation, session_moderator, django_assert_max_num_queries
):
    on_section = services.create_conversation(
        user=session_moderator, topic="Streaming every committee", plan=plan,
        section_key="3.2",
    )  # fmt: skip
    client = Client()
    client.get("/")
    with django_assert_max_num_queries(12):
        html = client.get(f"/plans/{plan.slug}/").content.decode()
    assert "Discuss this plan elsewhere on Agora" in html
    assert f'href="/sessions/{session.pk}/"' in html
    assert conversation.topic in html
    # The section's conversation is shown beside section 3.2 itself.
    section = html[html.index('id="section-3.2"') :]
    section = section[: section.index("</section>")]
    assert "Vote on statements: Streaming every committee" in section
    assert on_section.get_absolute_url() in section


def test_the_session_page_shows_its_plan_and_conversations(plan, session, conversation):
    html = Client().get(f"/sessions/{session.pk}/").content.decode()
    assert "Plan under discussion:" in html
    assert f'href="/plans/{plan.slug}/"' in html
    assert "Vote on statements" in html and "Vote now" in html
    assert conversation.get_absolute_url() in html


def test_a_session_without_links_shows_neither(db):
    session = ForumSessionFactory()
    html = Client().get(f"/sessions/{session.pk}/").content.decode()
    assert "Plan under discussion:" not in html
    assert "Vote on statements" not in html


def test_apis_expose_links_by_public_keys_never_emails(
    plan, session, conversation, session_moderator
):
    client = Client()
    data = client.get(f"/api/conversations/{conversation.pk}/").json()
    assert data["plan"] == {
        "slug": plan.slug,
        "title": plan.title,
        "url": f"/plans/{plan.slug}/",
    }
    assert data["session"] == {
        "id": session.pk,
        "slug": session.slug,
        "title": session.title,
        "url": f"/sessions/{session.pk}/",
    }
    listing = client.get("/api/conversations/").json()["results"]
    assert listing[0]["session"]["id"] == session.pk
    forum = client.get(f"/api/sessions/{session.pk}/").json()
    assert forum["plan"]["slug"] == plan.slug
    assert forum["conversations"] == [
        {
            "id": conversation.pk,
            "topic": conversation.topic,
            "is_open": True,
            "url": conversation.get_absolute_url(),
        }
    ]
    sessions = client.get("/api/sessions/").json()["results"]
    assert sessions[0]["plan"]["slug"] == plan.slug
    for body in (data, forum, sessions):
        assert "@" not in str(body)


def test_deleting_a_plan_or_session_keeps_the_conversation(plan, session, conversation):
    session.delete()
    conversation.refresh_from_db()
    assert conversation.session is None
    plan.delete()
    conversation.refresh_from_db()
    assert conversation.plan is None


def test_the_admin_offers_published_plans_and_checks_section_keys(
    plan, official, session, conversation, admin_user
):
    draft = make_plan(official, slug="a-draft", publish=False, status="draft")
    client = Client()
    client.force_login(admin_user)
    page = client.get(f"/admin/forum/forumsession/{session.pk}/change/")
    assert page.status_code == 200
    choices = {str(c[0].value) for c in page.context["adminform"].form.fields[
        "plan"
    ].choices if c[0]}  # fmt: skip
    assert str(plan.pk) in choices and str(draft.pk) not in choices
    url = f"/admin/clustering/conversation/{conversation.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        name: form[name].value() if form[name].value() is not None else ""
        for name in form.fields
    }
    data.update({"plan": plan.pk, "section_key": "9.9", "session": session.pk})
    data = {k: v for k, v in data.items() if v is not False and k != "created_at"}
    local = timezone.localtime(conversation.created_at)
    data["created_at_0"] = local.strftime("%Y-%m-%d")
    data["created_at_1"] = local.strftime("%H:%M:%S")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "has no section “9.9”" in response.content.decode()
    data["section_key"] = "3.2"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    conversation.refresh_from_db()
    assert conversation.section_key == "3.2"
