"""Links by slug become foreign keys now that every app is always installed.

0002 adds ``Conversation.plan`` / ``session`` and ``Statement.source_question``
(the old bare id is renamed out of the way), 0003 carries the data over, 0004
drops the old columns: separate migrations so that PostgreSQL never alters a
table with pending foreign-key checks.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clustering", "0001_initial"),
        ("consultation", "0001_initial"),
        ("forum", "0002_session_plan"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="statement",
            name="clustering_statement_one_per_question",
        ),
        migrations.RenameField(
            model_name="statement",
            old_name="source_question_id",
            new_name="old_source_question_id",
        ),
        migrations.AddField(
            model_name="conversation",
            name="plan",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="conversations",
                to="consultation.plan",
                verbose_name="linked plan",
            ),
        ),
        migrations.AddField(
            model_name="conversation",
            name="session",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="conversations",
                to="forum.forumsession",
                verbose_name="linked forum session",
            ),
        ),
        migrations.AddField(
            model_name="statement",
            name="source_question",
            field=models.ForeignKey(
                blank=True,
                help_text="The forum question this statement was made from.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="statements",
                to="forum.question",
                verbose_name="forum question",
            ),
        ),
    ]
