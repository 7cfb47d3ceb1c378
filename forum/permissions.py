"""Who may do what in a forum session: pure predicates over a user and a row.

Sessions are public: anyone may watch and read. Taking part (asking, upvoting)
depends on the session's settings and status; running the room is for the
session's own moderators and administrators.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from accounts.permissions import is_admin, is_member
from forum.models import ForumSession, SessionStatus


def can_moderate_session(user: Any, session: ForumSession) -> bool:
    """Administrators, and the members named as this session's moderators."""
    if is_admin(user):
        return True
    if not is_member(user):
        return False
    cache: dict[int, bool] = getattr(user, "_forum_moderates", None) or {}
    if session.pk not in cache:
        cache[session.pk] = session.moderators.filter(pk=user.pk).exists()
        user._forum_moderates = cache
    return cache[session.pk]


def is_open_for_questions(session: ForumSession) -> bool:
    """Questions are taken before the session and while it is live."""
    return session.status in (SessionStatus.SCHEDULED, SessionStatus.LIVE)


def participation_refusal(user: Any, session: ForumSession) -> str | None:
    """Why ``user`` may not ask or upvote in ``session`` (None: they may)."""
    if not is_open_for_questions(session):
        return _("This session has ended; it no longer takes questions.")
    if session.login_required and not is_member(user):
        return _("Log in to take part in this session.")
    return None


def can_publish_minutes(user: Any, session: ForumSession) -> bool:
    return can_moderate_session(user, session)


def access_session(session_id: int | str) -> ForumSession:
    """Fetch a session (every session is public); 404 when missing."""
    try:
        return ForumSession.objects.select_related("plan").get(pk=int(session_id))
    except (ForumSession.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such forum session.")) from None
