"""The HTML the consultation app stores (see ``common/rerender.py``).

Comments, their earlier revisions and official responses keep their Markdown
in ``body``; a section's Markdown is its part of the published version's text.
"""

from __future__ import annotations

from functools import lru_cache

from common.rerender import RenderedField
from consultation.models import (
    Comment,
    CommentRevision,
    OfficialResponse,
    Section,
)
from consultation.sections import SectionError, parse_sections


@lru_cache(maxsize=8)
def _parsed(version_body: str) -> dict[str, str] | None:
    try:
        return {s.key: s.body for s in parse_sections(version_body)}
    except SectionError:
        return None  # published text always parsed; nothing to redo


def _section_source(section: Section) -> str | None:
    parsed = _parsed(section.version.body)
    return None if parsed is None else parsed.get(section.key, "")


RENDERED_FIELDS = [
    RenderedField(
        "comments",
        lambda: Comment.objects.only("pk", "body", "body_html"),
        lambda row: row.body,
    ),
    RenderedField(
        "revisions",
        lambda: CommentRevision.objects.only("pk", "body", "body_html"),
        lambda row: row.body,
    ),
    RenderedField(
        "responses",
        lambda: OfficialResponse.objects.only("pk", "body", "body_html"),
        lambda row: row.body,
    ),
    RenderedField(
        "sections",
        lambda: (
            Section.objects.filter(version__published_at__isnull=False)
            .select_related("version")
            .only("pk", "key", "body_html", "version__body")
            .order_by("version_id", "ordinal")
        ),
        _section_source,
    ),
]
