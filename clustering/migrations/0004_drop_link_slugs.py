from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("clustering", "0003_links_from_slugs")]

    operations = [
        migrations.RemoveIndex(
            model_name="conversation",
            name="clustering__plan_sl_2d6c1d_idx",
        ),
        migrations.RemoveIndex(
            model_name="conversation",
            name="clustering__session_0eb599_idx",
        ),
        migrations.RemoveField(model_name="conversation", name="plan_slug"),
        migrations.RemoveField(model_name="conversation", name="session_slug"),
        migrations.RemoveField(model_name="statement", name="old_source_question_id"),
        migrations.AddConstraint(
            model_name="statement",
            constraint=models.UniqueConstraint(
                condition=models.Q(("source_question__isnull", False)),
                fields=("conversation", "source_question"),
                name="clustering_statement_one_per_question",
            ),
        ),
    ]
