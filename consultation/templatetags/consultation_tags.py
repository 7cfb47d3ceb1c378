"""Template helpers of the consultation app."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from consultation.diff import Segment

register = template.Library()


@register.filter
def diff_html(segments: Iterable[Segment]) -> SafeString:
    """Word-level changes as <ins>/<del>, escaped, with words for screen readers."""
    parts: list[str] = []
    for segment in segments:
        if segment.op == "equal":
            parts.append(escape(segment.text))
        elif segment.op == "insert":
            parts.append(
                format_html(
                    '<ins><span class="visually-hidden">{}</span>{}'
                    '<span class="visually-hidden">{}</span></ins>',
                    _("[added: "),
                    segment.text,
                    "]",
                )
            )
        else:
            parts.append(
                format_html(
                    '<del><span class="visually-hidden">{}</span>{}'
                    '<span class="visually-hidden">{}</span></del>',
                    _("[removed: "),
                    segment.text,
                    "]",
                )
            )
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


@register.filter
def heading_has_key(heading: str, key: str) -> bool:
    """Whether the heading already shows the section's key (e.g. "3.2 …")."""
    return heading.startswith(key)
