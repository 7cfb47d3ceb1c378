from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("forum", "0003_plan_from_url")]

    operations = [migrations.RemoveField(model_name="forumsession", name="plan_url")]
