"""ForumSession.plan: the published plan a session discusses (0003 fills it
from the old ``plan_url``, 0004 drops ``plan_url``; three migrations so that
PostgreSQL never alters a table with pending foreign-key checks)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consultation", "0001_initial"),
        ("forum", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="forumsession",
            name="plan",
            field=models.ForeignKey(
                blank=True,
                help_text="The published plan this session discusses (optional).",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="forum_sessions",
                to="consultation.plan",
                verbose_name="plan under discussion",
            ),
        ),
    ]
