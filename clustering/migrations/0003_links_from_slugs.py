"""Carry the links over: slugs → plan / session, bare question ids →
source_question. Slugs and ids that name nothing are dropped (a section key
without its plan too)."""

from django.db import migrations, models


def slugs_to_keys(apps, schema_editor):
    Conversation = apps.get_model("clustering", "Conversation")
    Statement = apps.get_model("clustering", "Statement")
    Plan = apps.get_model("consultation", "Plan")
    ForumSession = apps.get_model("forum", "ForumSession")
    Question = apps.get_model("forum", "Question")
    plans = dict(Plan.objects.values_list("slug", "pk"))
    sessions = dict(ForumSession.objects.values_list("slug", "pk"))
    for conversation in Conversation.objects.iterator():
        conversation.plan_id = plans.get(conversation.plan_slug)
        conversation.session_id = sessions.get(conversation.session_slug)
        if conversation.plan_id is None:
            conversation.section_key = ""
        conversation.save(update_fields=["plan", "session", "section_key"])
    for statement in Statement.objects.filter(
        old_source_question_id__isnull=False
    ).iterator():
        if Question.objects.filter(pk=statement.old_source_question_id).exists():
            statement.source_question_id = statement.old_source_question_id
            statement.save(update_fields=["source_question"])


def keys_to_slugs(apps, schema_editor):
    Conversation = apps.get_model("clustering", "Conversation")
    Statement = apps.get_model("clustering", "Statement")
    for conversation in Conversation.objects.select_related("plan", "session"):
        conversation.plan_slug = conversation.plan.slug if conversation.plan else ""
        conversation.session_slug = (
            conversation.session.slug if conversation.session else ""
        )
        conversation.save(update_fields=["plan_slug", "session_slug"])
    Statement.objects.filter(source_question__isnull=False).update(
        old_source_question_id=models.F("source_question_id")
    )


class Migration(migrations.Migration):
    dependencies = [("clustering", "0002_real_links")]

    operations = [migrations.RunPython(slugs_to_keys, keys_to_slugs)]
