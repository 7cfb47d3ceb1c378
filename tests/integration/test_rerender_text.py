"""``manage.py rerender_text`` brings every app's stored HTML in line with the
sanitiser's current allow-list."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from common import sanitize
from common.rerender import registered_fields
from consultation import services as consultation_services
from consultation.models import Comment, OfficialResponse, Section
from forum import services as forum_services
from forum.models import ForumSession

pytestmark = pytest.mark.django_db


def test_every_app_registers_its_stored_html():
    names = {(label, field.name) for label, field in registered_fields()}
    assert names == {
        ("consultation", "comments"),
        ("consultation", "revisions"),
        ("consultation", "responses"),
        ("consultation", "sections"),
        ("forum", "minutes"),
    }


def test_changing_the_allow_list_changes_stored_html(
    plan, official, session, session_moderator, monkeypatch, capsys
):
    comment = consultation_services.post_comment(
        user=official, plan=plan, section_key="3.2", body="**Bold** idea"
    )
    response = consultation_services.respond_to_comment(
        user=official, comment=comment, disposition="adopted", body="**Done**"
    )
    for status in ("live", "ended"):
        forum_services.set_session_status(
            session_id=session.pk, user=session_moderator, status=status
        )
    forum_services.publish_minutes(
        session_id=session.pk,
        user=session_moderator,
        minutes="## Summary\n\n**Agreed**",
        recording_url="",
    )
    session.refresh_from_db()
    assert "<strong>Agreed</strong>" in session.minutes_html
    assert comment.body_html == "<p><strong>Bold</strong> idea</p>"

    # <strong> leaves the allow-list (bleach strips the tag, keeps the text).
    monkeypatch.setattr(sanitize, "ALLOWED_TAGS", sanitize.ALLOWED_TAGS - {"strong"})
    call_command("rerender_text", "--dry-run")
    out = capsys.readouterr().out
    assert "consultation.comments: 1 checked, 1 would change" in out
    assert "forum.minutes: 1 checked, 1 would change" in out
    comment.refresh_from_db()
    assert comment.body_html == "<p><strong>Bold</strong> idea</p>"  # dry run

    call_command("rerender_text")
    out = capsys.readouterr().out
    assert "consultation.responses: 1 checked, 1 changed" in out
    assert "forum.minutes: 1 checked, 1 changed" in out
    comment.refresh_from_db()
    response.refresh_from_db()
    session.refresh_from_db()
    assert comment.body_html == "<p>Bold idea</p>"
    assert response.body_html == "<p>Done</p>"
    assert session.minutes_html == "<h2>Summary</h2>\n<p>Agreed</p>"
    assert not Section.objects.filter(body_html__contains="<strong>").exists()

    # Nothing left to do: a second run changes nothing.
    call_command("rerender_text")
    assert " 0 changed" in capsys.readouterr().out
    assert Comment.objects.get(pk=comment.pk).body_html == "<p>Bold idea</p>"
    assert OfficialResponse.objects.get(pk=response.pk).body_html == "<p>Done</p>"
    assert ForumSession.objects.get(pk=session.pk).minutes_html.startswith("<h2>")
