from __future__ import annotations

from html.parser import HTMLParser

from common.sanitize import ALLOWED_TAGS, clean_text, render_markdown
from tests.data import naughty_strings


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.found


def has_handler(tag: tuple[str, dict[str, str | None]]) -> bool:
    return any(name.startswith("on") for name in tag[1])


def test_markdown_is_rendered_and_scripts_are_removed():
    html = render_markdown(
        "**bold** <script>alert(1)</script> [x](javascript:alert(1))"
    )
    assert "<strong>bold</strong>" in html
    assert "<script" not in html
    assert 'href="javascript' not in html


def test_links_get_nofollow_noopener():
    html = render_markdown("[site](https://example.org) and https://g0v.tw")
    assert html.count('rel="nofollow noopener"') == 2


def test_raw_html_attributes_never_survive():
    html = render_markdown(
        '<img src=x onerror="alert(1)"><a href="#" onclick="x()">a</a>'
    )
    assert "&lt;img" in html  # shown as text
    assert not [t for t in tags(html) if t[0] == "img" or has_handler(t)]


def test_clean_text_removes_what_breaks_storage_and_keeps_the_rest():
    assert clean_text("a\x00b\x07c") == "abc"
    assert clean_text("line\r\nnext") == "line\nnext"
    assert clean_text("\ud800x") == "x"
    kept = "台灣 👩‍👩‍👧 \u200f\u202eRTL\u200b"
    assert clean_text(kept) == kept


def test_every_naughty_string_renders_without_script():
    for text in naughty_strings():
        html = render_markdown(text)
        for name, attrs in tags(html):
            assert name in ALLOWED_TAGS, (text, html)
            assert not has_handler((name, attrs)), (text, html)
            href = (attrs.get("href") or "").strip().lower()
            assert not href.startswith(("javascript", "data", "vbscript")), text
