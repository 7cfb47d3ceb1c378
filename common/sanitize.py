"""The one sanitiser: every piece of user text reaches HTML through here.

Rich text (comments, minutes, plan versions) is Markdown: rendered with
markdown-it (raw HTML disabled) and then cleaned by bleach against one
allow-list; links get ``rel="nofollow noopener"``. Plain text (questions,
statements, names) is cleaned of characters that break storage or display
(NUL, other C0 controls, lone surrogates) and is otherwise kept exactly as
written; templates escape it on output.

Text is sanitised once, when it is written, and the HTML is stored. If the
allow-list changes, re-render stored HTML with ``manage.py rerender_text``.
"""

from __future__ import annotations

import re
import unicodedata

import bleach
from bleach.linkifier import Linker
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel"],
    "ol": ["start"],
    "th": ["align"],
    "td": ["align"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

# C0 controls except tab, newline and carriage return; DEL; lone surrogates.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|[\ud800-\udfff]")

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)


def _set_rel(
    attrs: dict[tuple[str | None, str], str], new: bool = False
) -> dict[tuple[str | None, str], str]:
    href_key = (None, "href")
    if href_key not in attrs:
        return attrs
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs


_linker = Linker(callbacks=[_set_rel], skip_tags={"pre", "code"})


def clean_text(text: str) -> str:
    """Normalise user text for storage: NFC, no control characters.

    Keeps everything a person could have meant (emoji, RTL marks, zero-width
    joiners, any script); removes what databases or browsers choke on.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text)


def render_markdown(text: str) -> str:
    """Markdown in, safe HTML out (store the result; mark it safe on output)."""
    html = _markdown.render(clean_text(text))
    cleaned = bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
    )
    linked: str = _linker.linkify(cleaned)
    return linked.strip()
