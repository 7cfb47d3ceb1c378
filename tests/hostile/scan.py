"""Read a page the way an attacker hopes a browser would, with the standard
library's HTML parser: what text a reader sees, and whether any markup could
run script (inline ``<script>``, ``on*`` attributes, ``javascript:`` URLs).

Also checks that stored rich-text HTML stays inside the sanitiser's
allow-list (common/sanitize.py).
"""

from __future__ import annotations

from html.parser import HTMLParser

from common.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_PROTOCOLS, ALLOWED_TAGS

URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
)
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
# Text in these elements is not shown as text (scripts carry json_script data).
HIDDEN_TEXT = frozenset({"script", "style", "template", "title"})


def _scheme_of(value: str) -> str:
    # Browsers ignore ASCII whitespace and control characters inside a scheme.
    return "".join(ch for ch in value if ch > " ").lower()


class PageScan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append((tag, values))
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler attribute")
            dangerous = _scheme_of(value or "").startswith(DANGEROUS_SCHEMES)
            if name in URL_ATTRIBUTES and dangerous:
                self.problems.append(f"<{tag} {name}={value!r:.40}> script URL")
            if name == "srcdoc":
                self.problems.append(f"<{tag} srcdoc> inline document")
        if tag == "script" and not (
            values.get("src") or values.get("type") == "application/json"
        ):
            self.problems.append("inline <script> element")
        if tag in {"object", "embed", "base"}:
            self.problems.append(f"<{tag}> element")
        if tag in HIDDEN_TEXT:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN_TEXT and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._text.append(data)

    @property
    def text(self) -> str:
        """The visible text, whitespace collapsed."""
        return squash(" ".join(self._text))

    def attribute_values(self, name: str) -> list[str]:
        return [v.get(name) or "" for _tag, v in self.tags if name in v]


def squash(text: str) -> str:
    return " ".join(text.split())


def scan(html: str | bytes) -> PageScan:
    parser = PageScan()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    parser.close()
    return parser


def sanitiser_problems(fragment: str) -> list[str]:
    """What in a stored HTML fragment lies outside the one allow-list."""
    parsed = scan(fragment)
    problems = list(parsed.problems)
    for tag, attrs in parsed.tags:
        if tag not in ALLOWED_TAGS:
            problems.append(f"tag <{tag}> outside the allow-list")
            continue
        for name, value in attrs.items():
            if name not in ALLOWED_ATTRIBUTES.get(tag, []):
                problems.append(f"attribute {name} on <{tag}> outside the allow-list")
            if name == "href" and value and ":" in value.split("/")[0]:
                scheme = _scheme_of(value).split(":", 1)[0]
                if scheme not in ALLOWED_PROTOCOLS:
                    problems.append(f"link scheme {scheme!r}")
    return problems
