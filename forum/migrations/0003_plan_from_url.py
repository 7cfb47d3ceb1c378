"""ForumSession.plan_url (a URL) becomes ForumSession.plan (a foreign key).

A URL whose path is a plan page (``/plans/<slug>/…``) of an existing plan is
linked to that plan; any other URL is kept at the end of the description so
that nothing written is lost.
"""

import re
from urllib.parse import urlsplit

from django.db import migrations

PLAN_PATH = re.compile(r"^/plans/(?P<slug>[-\w]+)(?:/|$)")


def plan_slug_of(url):
    match = PLAN_PATH.match(urlsplit(url.strip()).path or "")
    return match["slug"] if match else None


def url_to_plan(apps, schema_editor):
    ForumSession = apps.get_model("forum", "ForumSession")
    Plan = apps.get_model("consultation", "Plan")
    for session in ForumSession.objects.exclude(plan_url="").iterator():
        slug = plan_slug_of(session.plan_url)
        plan = Plan.objects.filter(slug=slug).first() if slug else None
        if plan is not None:
            session.plan = plan
            session.save(update_fields=["plan"])
        else:
            note = f"Related plan: {session.plan_url}"
            session.description = (
                f"{session.description.rstrip()}\n\n{note}"
                if session.description.strip()
                else note
            )
            session.save(update_fields=["description"])


def plan_to_url(apps, schema_editor):
    ForumSession = apps.get_model("forum", "ForumSession")
    for session in ForumSession.objects.filter(plan__isnull=False).select_related(
        "plan"
    ):
        session.plan_url = f"/plans/{session.plan.slug}/"
        session.save(update_fields=["plan_url"])


class Migration(migrations.Migration):
    dependencies = [("forum", "0002_session_plan")]

    operations = [migrations.RunPython(url_to_plan, plan_to_url)]
