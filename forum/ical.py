"""iCalendar (RFC 5545) files of forum sessions, built with ``icalendar``."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from forum.models import ForumSession


def _event(session: ForumSession, base_url: str) -> Event:
    event = Event()
    event.add("uid", f"forum-session-{session.pk}@{urlsplit(base_url).hostname}")
    event.add("dtstamp", session.updated_at)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", session.title)
    url = base_url + session.get_absolute_url()
    event.add("description", f"{session.description.strip()}\n\n{url}".strip())
    event.add("url", url)
    event.add("location", url)
    event.add("status", "CONFIRMED")
    return event


def build_calendar(
    sessions: Iterable[ForumSession], *, name: str, base_url: str
) -> bytes:
    """``base_url``: scheme and host of the site, without a trailing slash."""
    calendar = Calendar()
    calendar.add("prodid", "-//Agora//Forum sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for session in sessions:
        calendar.add_component(_event(session, base_url))
    return bytes(calendar.to_ical())
