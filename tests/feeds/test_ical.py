"""iCalendar files of one session and of all upcoming sessions parse with
icalendar, with the right instants, stable UIDs and links to the session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from forum.models import SessionStatus
from tests.forum.factories import ForumSessionFactory


def calendar(url: str) -> Calendar:
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def test_one_session(db):
    # 09:30 in Taipei is 01:30 UTC: the instant must survive, whatever zone.
    starts = datetime(2030, 3, 1, 1, 30, tzinfo=UTC)
    session = ForumSessionFactory(
        title="Open parliament forum",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )
    cal = calendar(f"/sessions/{session.pk}/calendar.ics")
    assert str(cal["version"]) == "2.0"
    (event,) = cal.walk("VEVENT")
    assert event.decoded("dtstart") == starts
    assert event.decoded("dtend") == starts + timedelta(hours=2)
    assert event.decoded("dtstart").utcoffset() == timedelta(0)
    assert str(event["summary"]) == "Open parliament forum"
    assert str(event["uid"]).startswith(f"forum-session-{session.pk}@")
    assert str(event["url"]).endswith(f"/sessions/{session.pk}/")
    assert str(event["url"]).startswith("http")
    again = calendar(f"/sessions/{session.pk}/calendar.ics")
    assert str(again.walk("VEVENT")[0]["uid"]) == str(event["uid"])


def test_upcoming_sessions(db):
    now = timezone.now()
    soon = ForumSessionFactory(title="Soon", starts_at=now + timedelta(days=1))
    ForumSessionFactory(
        title="Over", starts_at=now - timedelta(days=3), status=SessionStatus.ENDED
    )
    cal = calendar("/sessions/calendar.ics")
    events = cal.walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Soon"]
    assert events[0].decoded("dtstart") == soon.starts_at.replace(microsecond=0)
    assert len({str(e["uid"]) for e in events}) == len(events)


def test_unknown_session_calendar_is_a_404(db):
    assert Client().get("/sessions/999999/calendar.ics").status_code == 404
