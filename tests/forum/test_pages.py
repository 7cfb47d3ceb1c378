"""Pages, calendars, QR code, stream embeds and the Content-Security-Policy."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from forum import services
from forum.models import ForumSession
from forum.streams import embed_for
from tests.forum.factories import AgendaItemFactory, ForumSessionFactory, member

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_session_list_groups_live_upcoming_and_past():
    now = timezone.now()
    ForumSessionFactory(title="Happening", status="live")
    ForumSessionFactory(title="Tomorrow", starts_at=now + timedelta(days=1))
    ForumSessionFactory(
        title="Last week", status="ended", starts_at=now - timedelta(days=7)
    )
    page = Client().get("/sessions/").content.decode()
    live, upcoming, past = (
        page.index(t) for t in ("Live now", "Upcoming", "Past sessions")
    )
    assert live < page.index("Happening") < upcoming < page.index("Tomorrow") < past
    assert past < page.index("Last week")


def test_empty_session_list():
    page = Client().get("/sessions/").content.decode()
    assert "No forum sessions are scheduled yet." in page


def test_session_page_has_agenda_live_client_and_no_inline_script(moderator):
    session = ForumSessionFactory(
        stream_url="https://www.youtube.com/watch?v=abcdefghijk", status="live"
    )
    AgendaItemFactory(session=session, title="Opening")
    response = Client().get(session.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Opening" in page
    assert 'src="https://www.youtube-nocookie.com/embed/abcdefghijk"' in page
    assert 'id="forum-live-config"' in page and "forum/live.js" in page
    # Scripts are external files or JSON data, never inline code.
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S):
        assert 'src="' in attrs or 'type="application/json"' in attrs, attrs
        assert "src" in attrs or body.strip().startswith("{")
    csp = response["Content-Security-Policy"]
    assert "frame-src https://www.youtube-nocookie.com" in csp
    assert "'unsafe-inline'" not in csp


def test_streams_are_embedded_only_from_the_allow_list(settings):
    settings.STREAM_MEDIA_HOSTS = ["peertube.example.org", "live.example.tw"]
    assert embed_for("https://youtu.be/abcdefghijk") == {
        "kind": "iframe",
        "src": "https://www.youtube-nocookie.com/embed/abcdefghijk",
    }
    assert embed_for("https://vimeo.com/123456") == {
        "kind": "iframe",
        "src": "https://player.vimeo.com/video/123456",
    }
    assert embed_for("https://peertube.example.org/w/9c9de5e8-0a1e-484a-b099") == {
        "kind": "iframe",
        "src": "https://peertube.example.org/videos/embed/9c9de5e8-0a1e-484a-b099",
    }
    assert embed_for("https://live.example.tw/hls/forum.m3u8") == {
        "kind": "hls",
        "src": "https://live.example.tw/hls/forum.m3u8",
    }
    for refused in [
        "https://evil.example/stream.m3u8",
        "https://peertube.evil.example/w/abcdefgh",
        "http://www.youtube.com/watch?v=abcdefghijk",
        "https://www.youtube.com/watch?v=<script>",
        "javascript:alert(1)",
        "https://vimeo.com/not-a-number",
        "",
    ]:
        assert embed_for(refused) is None, refused
    settings.STREAM_EMBED_HOSTS = []
    assert embed_for("https://youtu.be/abcdefghijk") is None


def test_admin_validation_refuses_a_stream_it_cannot_embed():
    session = ForumSessionFactory.build(stream_url="https://evil.example/live")
    with pytest.raises(ValidationError) as info:
        services.validate_session(session)
    assert "stream_url" in info.value.message_dict


def test_hls_session_loads_the_vendored_player(settings):
    settings.STREAM_MEDIA_HOSTS = ["live.example.tw"]
    session = ForumSessionFactory(stream_url="https://live.example.tw/a/index.m3u8")
    page = Client().get(session.get_absolute_url()).content.decode()
    assert "vendor/hls.js/hls.min.js" in page
    assert 'data-hls-src="https://live.example.tw/a/index.m3u8"' in page


def test_unlisted_stream_is_a_plain_link_not_an_embed():
    session = ForumSessionFactory()
    ForumSession.objects.filter(pk=session.pk).update(
        stream_url="https://other.example/x"
    )
    page = Client().get(session.get_absolute_url()).content.decode()
    assert "<iframe" not in page
    assert 'href="https://other.example/x"' in page


def test_presenter_view_shows_how_to_join():
    session = ForumSessionFactory()
    page = Client().get(f"/sessions/{session.pk}/presenter/").content.decode()
    assert f"http://testserver/sessions/{session.pk}/" in page
    assert f'src="/sessions/{session.pk}/join.svg"' in page


def test_join_qr_code_is_an_svg():
    session = ForumSessionFactory()
    response = Client().get(f"/sessions/{session.pk}/join.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    body = response.content.decode()
    assert body.startswith("<svg") and "<path" in body and "<script" not in body


def test_session_calendar_parses():
    session = ForumSessionFactory(
        title="Open data forum", description="Bring questions."
    )
    response = Client().get(f"/sessions/{session.pk}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Open data forum"
    assert event.decoded("dtstart") == session.starts_at.replace(microsecond=0)
    assert event.decoded("dtend") == session.ends_at.replace(microsecond=0)
    assert str(event["url"]) == f"http://testserver/sessions/{session.pk}/"
    assert "Bring questions." in str(event["description"])
    assert str(event["uid"]) == f"forum-session-{session.pk}@testserver"


def test_upcoming_calendar_has_only_upcoming_and_live_sessions():
    ForumSessionFactory(title="Next")
    ForumSessionFactory(title="Now", status="live")
    ForumSessionFactory(title="Over", status="ended")
    calendar = Calendar.from_ical(Client().get("/sessions/calendar.ics").content)
    assert sorted(str(e["summary"]) for e in calendar.walk("VEVENT")) == ["Next", "Now"]


def test_moderator_console_renders_for_the_sessions_moderator(moderator):
    session = ForumSessionFactory(moderators=[moderator])
    page = (
        logged_in(moderator).get(f"/sessions/{session.pk}/moderate/").content.decode()
    )
    assert "Awaiting moderation" in page and "Keyboard shortcuts" in page
    assert 'data-forum-page="moderator"' in page


def test_minutes_form_publishes_sanitised_minutes(moderator):
    session = ForumSessionFactory(moderators=[moderator], status="ended")
    client = logged_in(moderator)
    response = client.post(
        f"/sessions/{session.pk}/minutes/",
        {"minutes": "## Agreed\n\n<img src=x onerror=alert(1)>", "recording_url": ""},
    )
    assert response.status_code == 302
    page = Client().get(session.get_absolute_url()).content.decode()
    assert "<h2>Agreed</h2>" in page
    assert "<img src=x" not in page  # raw HTML is shown as text, never run


def test_minutes_form_shows_errors_before_the_end(moderator):
    session = ForumSessionFactory(moderators=[moderator], status="live")
    response = logged_in(moderator).post(
        f"/sessions/{session.pk}/minutes/", {"minutes": "x", "recording_url": ""}
    )
    assert response.status_code == 400
    assert (
        "Minutes are published after the session has ended."
        in response.content.decode()
    )


def test_home_page_lists_the_live_session():
    ForumSessionFactory(title="On air now", status="live")
    page = Client().get("/").content.decode()
    assert "On air now" in page


def test_session_page_in_traditional_chinese(citizen):
    session = ForumSessionFactory(status="live")
    services.ask_question(session_id=session.pk, participant=member(citizen), body="x")
    client = Client()
    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    page = client.get(session.get_absolute_url()).content.decode()
    assert "議程" in page  # "Agenda"
    catalogue = client.get("/sessions/jsi18n/").content.decode()
    # "Anonymous" for the live client (the catalogue escapes non-ASCII).
    assert '"Anonymous": "\\u533f\\u540d"' in catalogue
