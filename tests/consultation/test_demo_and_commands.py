"""Demo data and the re-render command."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from consultation.demo import SLUG
from consultation.diff import compare_sections
from consultation.models import Comment, OfficialResponse, Plan, Section
from consultation.permissions import is_open_for_comment


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_adds_an_open_action_plan_and_is_idempotent():
    call_command("seed_demo")
    counts = (Plan.objects.count(), Comment.objects.count(), Section.objects.count())
    call_command("seed_demo")
    assert (
        Plan.objects.count(),
        Comment.objects.count(),
        Section.objects.count(),
    ) == counts

    plan = Plan.objects.get(slug=SLUG)
    assert is_open_for_comment(plan)
    v1, v2 = plan.versions.order_by("number")
    assert v1.is_published and v2.is_published and plan.current_version == v2
    commitments = [s for s in v1.sections.all() if s.is_commitment]
    assert len(commitments) >= 5
    assert all(s.agency_id and s.milestones for s in commitments)
    changes = compare_sections(list(v1.sections.all()), list(v2.sections.all()))
    statuses = {c.status for c in changes}
    assert {"changed", "added", "removed"} <= statuses

    sectors = set(
        Comment.objects.filter(plan=plan).values_list("author__sector", flat=True)
    )
    assert len(sectors) >= 4
    assert OfficialResponse.objects.filter(comment__plan=plan).count() >= 4
    assert OfficialResponse.objects.filter(addressed_in=v2).exists()
    assert Comment.objects.filter(plan=plan, hidden_at__isnull=False).exists()

    for url in [
        plan.get_absolute_url(),
        f"/plans/{SLUG}/compare/",
        f"/plans/{SLUG}/register/",
        "/moderation/log/",
        "/agencies/national-development-council/",
    ]:
        assert Client().get(url).status_code == 200, url


def test_rerender_updates_stored_html(plan, monkeypatch, capsys):
    from consultation import services

    comment = services.post_comment(
        user=plan.created_by, plan=plan, section_key="3.2", body="**bold**"
    )
    Comment.objects.filter(pk=comment.pk).update(body_html="<p>stale</p>")
    Section.objects.filter(version=plan.current_version, key="3.2").update(
        body_html="stale"
    )
    call_command("rerender_text", "--dry-run")
    assert "consultation.comments: 1 checked, 1 would change" in (
        capsys.readouterr().out
    )
    comment.refresh_from_db()
    assert comment.body_html == "<p>stale</p>"

    call_command("rerender_text")
    out = capsys.readouterr().out
    assert "consultation.comments: 1 checked, 1 changed" in out
    assert "consultation.sections: 6 checked, 1 changed" in out
    comment.refresh_from_db()
    assert comment.body_html == "<p><strong>bold</strong></p>"
    section = Section.objects.get(version=plan.current_version, key="3.2")
    assert section.body_html.startswith("<p>Every committee meeting")
