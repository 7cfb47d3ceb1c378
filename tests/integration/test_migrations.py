"""The migrations to foreign keys carry the old text links over."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("consultation", "0001_initial"),
    ("forum", "0001_initial"),
    ("clustering", "0001_initial"),
]


@pytest.mark.django_db(transaction=True)
def test_text_links_become_foreign_keys():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    agency = old.get_model("accounts", "Agency").objects.create(
        name="Ministry", slug="ministry"
    )
    plan = old.get_model("consultation", "Plan").objects.create(
        title="Plan", slug="open-plan", agency=agency
    )
    Session = old.get_model("forum", "ForumSession")
    now = timezone.now()

    def session(slug, plan_url, description=""):
        return Session.objects.create(
            title=slug, slug=slug, plan_url=plan_url, description=description,
            starts_at=now, ends_at=now + timedelta(hours=1),
        )  # fmt: skip

    absolute = session("absolute", "https://agora.example/plans/open-plan/")
    deep = session("deep", "/plans/open-plan/versions/2/")
    elsewhere = session("elsewhere", "https://ogp.example/plan.pdf", "About.")
    missing = session("missing", "/plans/no-such-plan/")
    none = session("none", "")
    question = old.get_model("forum", "Question").objects.create(
        session=absolute, participant="user:1", body="Why?"
    )
    Conversation = old.get_model("clustering", "Conversation")
    linked = Conversation.objects.create(
        topic="Linked", plan_slug="open-plan", section_key="3.2",
        session_slug="absolute",
    )  # fmt: skip
    dangling = Conversation.objects.create(
        topic="Dangling", plan_slug="gone", section_key="1", session_slug="gone"
    )
    Statement = old.get_model("clustering", "Statement")
    credited = Statement.objects.create(
        conversation=linked, text="Why?", source_question_id=question.pk
    )
    orphan = Statement.objects.create(
        conversation=linked, text="Lost", source_question_id=question.pk + 1000
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    new = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps
    Session = new.get_model("forum", "ForumSession")
    plans = dict(Session.objects.values_list("slug", "plan_id"))
    assert plans == {
        "absolute": plan.pk,
        "deep": plan.pk,
        "elsewhere": None,
        "missing": None,
        "none": None,
    }
    descriptions = dict(Session.objects.values_list("slug", "description"))
    assert descriptions["elsewhere"] == (
        "About.\n\nRelated plan: https://ogp.example/plan.pdf"
    )
    assert descriptions["missing"] == "Related plan: /plans/no-such-plan/"
    assert descriptions["absolute"] == descriptions["none"] == ""
    Conversation = new.get_model("clustering", "Conversation")
    assert Conversation.objects.filter(pk=linked.pk).values(
        "plan_id", "section_key", "session_id"
    ).get() == {"plan_id": plan.pk, "section_key": "3.2", "session_id": absolute.pk}
    assert Conversation.objects.filter(pk=dangling.pk).values(
        "plan_id", "section_key", "session_id"
    ).get() == {"plan_id": None, "section_key": "", "session_id": None}
    Statement = new.get_model("clustering", "Statement")
    sources = dict(Statement.objects.values_list("pk", "source_question_id"))
    assert sources == {credited.pk: question.pk, orphan.pk: None}
    assert {deep.pk, elsewhere.pk, missing.pk, none.pk} <= set(
        Session.objects.values_list("pk", flat=True)
    )

    # And back: the keys become text links again.
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    assert old.get_model("clustering", "Conversation").objects.filter(
        pk=linked.pk
    ).values("plan_slug", "session_slug").get() == {
        "plan_slug": "open-plan",
        "session_slug": "absolute",
    }
    assert old.get_model("forum", "ForumSession").objects.get(pk=deep.pk).plan_url == (
        "/plans/open-plan/"
    )
    assert old.get_model("clustering", "Statement").objects.get(
        pk=credited.pk
    ).source_question_id == (question.pk)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
