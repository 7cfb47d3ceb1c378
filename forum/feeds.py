"""Atom feed of upcoming (and live) forum sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.sanitize import clean_text
from forum import selectors
from forum.models import ForumSession


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


class UpcomingSessionsFeed(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed
    title = gettext_lazy("Upcoming forum sessions")
    description = gettext_lazy("Forum sessions that are scheduled or live now.")

    def link(self) -> str:
        return absolute(reverse("forum:session_list"))

    def feed_url(self) -> str:
        return absolute(reverse("forum:upcoming_feed"))

    def items(self) -> Any:
        return selectors.upcoming_sessions().select_related("agency")[:50]

    def item_title(self, session: ForumSession) -> str:
        return clean_text(session.title)

    def item_description(self, session: ForumSession) -> str:
        when = formats.date_format(
            timezone.localtime(session.starts_at), "DATETIME_FORMAT"
        )
        text = _("Starts %(when)s.") % {"when": when}
        description = clean_text(session.description)
        return linebreaks(escape(f"{text}\n\n{description}".strip()))

    def item_link(self, session: ForumSession) -> str:
        return absolute(session.get_absolute_url())

    def item_pubdate(self, session: ForumSession) -> datetime:
        return session.created_at

    def item_updateddate(self, session: ForumSession) -> datetime:
        return session.updated_at
