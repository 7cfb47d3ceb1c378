"""The HTML the forum stores (see ``common/rerender.py``): session minutes."""

from __future__ import annotations

from common.rerender import RenderedField
from forum.models import ForumSession

RENDERED_FIELDS = [
    RenderedField(
        "minutes",
        lambda: ForumSession.objects.only("pk", "minutes", "minutes_html"),
        lambda row: row.minutes,
        target="minutes_html",
        render_empty=False,
    ),
]
