"""Split a plan version's Markdown into sections with stable keys.

This module is pure (no database): :func:`parse_sections` takes the Markdown of
a version and returns :class:`ParsedSection` values, or raises
:class:`SectionError` listing every problem found.

The format (also documented in ``consultation/README.md``):

* Every top-level heading (``#`` … ``######``, or a Setext heading) starts a
  section; the section runs to the next heading. Headings inside block quotes,
  lists or code blocks do not split.
* A section's **key** identifies the same clause across versions:

  1. an explicit anchor at the end of the heading: ``## Open data {#open-data}``;
  2. otherwise the clause number the heading starts with:
     ``### 3.2 Open parliamentary data`` → ``3.2`` (``3.2.`` works too);
  3. otherwise a slug of the heading text (``## Background`` → ``background``),
     which stays stable only while the heading text does — use a number or an
     anchor for anything people will comment on.

  Text before the first heading becomes the section ``preamble``.
* A commitment names its responsible agency and its milestones on the first
  lines of its section, one per line, before any other text::

      ### 3.2 Open parliamentary data
      Agency: national-development-council
      Milestone: 2025-06 Publish the inventory of legislative datasets
      Milestone: 2025-12-31 Open the bulk-download API

  ``Agency`` takes the agency's slug or exact name (``主辦機關`` /
  ``負責機關`` work too); ``Milestone`` (or ``里程碑``) takes an optional due date
  (``YYYY-MM`` or ``YYYY-MM-DD``) and a description. These lines are shown as
  structured data, not as body text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.utils.text import slugify
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from markdown_it.token import Token

MAX_KEY_LENGTH = 40
MAX_HEADING_LENGTH = 300
MAX_SECTIONS = 400
PREAMBLE_KEY = "preamble"

KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_ANCHOR = re.compile(r"\s*\{#([^{}]*)\}\s*$")
_NUMBER = re.compile(r"^(\d{1,4}(?:\.\d{1,4}){0,5})\.?(?=$|[\s:：、)）])")
_AGENCY_LINE = re.compile(
    r"^\s*(?:agency|lead agency|responsible agency|主辦機關|負責機關)"
    r"\s*[:：]\s*(.*?)\s*$",
    re.IGNORECASE,
)
_MILESTONE_LINE = re.compile(r"^\s*(?:milestone|里程碑)\s*[:：]\s*(.*?)\s*$", re.I)
_DUE = re.compile(r"^(\d{4}-\d{2}(?:-\d{2})?)\b\s*[-–—:：]?\s*(.*)$")

_parser = MarkdownIt("commonmark")


class SectionError(ValueError):
    """The Markdown cannot be published; ``messages`` says why, one per problem."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("; ".join(messages))


@dataclass(frozen=True)
class Milestone:
    due: str  # "YYYY-MM" or "YYYY-MM-DD", or "" when undated
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"due": self.due, "text": self.text}


@dataclass(frozen=True)
class ParsedSection:
    key: str
    ordinal: int
    level: int  # 1-6 for headings, 0 for the preamble
    heading: str
    source: str  # the Markdown under the heading, as written (metadata included)
    body: str  # the Markdown to render (metadata lines removed)
    agency: str = ""  # the agency reference as written ("" when none)
    milestones: tuple[Milestone, ...] = field(default_factory=tuple)

    @property
    def is_commitment(self) -> bool:
        return bool(self.agency or self.milestones)


def _plain_text(inline: Token) -> str:
    parts: list[str] = []
    for child in inline.children or []:
        if child.type in {"text", "code_inline"}:
            parts.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
    return " ".join("".join(parts).split())


def _key_for(heading: str, ordinal: int) -> tuple[str, str, str | None]:
    """(key, heading without anchor, error or None)."""
    anchor = _ANCHOR.search(heading)
    if anchor:
        key = anchor.group(1).strip()
        heading = heading[: anchor.start()].rstrip()
        if not KEY_PATTERN.match(key) or len(key) > MAX_KEY_LENGTH:
            return (
                key,
                heading,
                _(
                    "The anchor {#%(key)s} is not a valid section key: use up to "
                    "%(max)d letters, digits, dots, hyphens or underscores."
                )
                % {"key": key, "max": MAX_KEY_LENGTH},
            )
        return key, heading, None
    number = _NUMBER.match(heading)
    if number:
        return number.group(1), heading, None
    slug = slugify(heading, allow_unicode=True)[:MAX_KEY_LENGTH].strip("-")
    return (slug or f"s{ordinal}"), heading, None


def _valid_due(value: str) -> bool:
    try:
        if len(value) == 7:
            date.fromisoformat(f"{value}-01")
        else:
            date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _metadata(
    lines: list[str], key: str
) -> tuple[str, tuple[Milestone, ...], list[str], list[str]]:
    """Read the leading ``Agency:`` / ``Milestone:`` lines of a section.

    Returns (agency, milestones, remaining body lines, errors).
    """
    agency = ""
    milestones: list[Milestone] = []
    errors: list[str] = []
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    while index < len(lines):
        line = lines[index]
        if match := _AGENCY_LINE.match(line):
            if agency:
                errors.append(
                    _("Section %(key)s names more than one responsible agency.")
                    % {"key": key}
                )
            agency = match.group(1)
        elif match := _MILESTONE_LINE.match(line):
            value = match.group(1)
            due, text = "", value
            if dated := _DUE.match(value):
                due, text = dated.group(1), dated.group(2).strip()
                if not _valid_due(due):
                    errors.append(
                        _("Section %(key)s: %(due)s is not a valid date.")
                        % {"key": key, "due": due}
                    )
            if not text:
                errors.append(
                    _("Section %(key)s has a milestone without a description.")
                    % {"key": key}
                )
            milestones.append(Milestone(due=due, text=text))
        else:
            break
        index += 1
    if agency == "" and any(_AGENCY_LINE.match(x) for x in lines[:index]):
        errors.append(
            _("Section %(key)s: write the agency's name after “Agency:”.")
            % {"key": key}
        )
    return agency, tuple(milestones), lines[index:], errors


def parse_sections(markdown: str) -> list[ParsedSection]:
    """Split ``markdown`` into sections; raise :class:`SectionError` on problems."""
    sections, errors = split_sections(markdown)
    if errors:
        raise SectionError(errors)
    return sections


def split_sections(markdown: str) -> tuple[list[ParsedSection], list[str]]:
    """Split ``markdown`` into sections, with every problem found (for previews:
    the sections are shown even while the text cannot be published yet)."""
    text = markdown.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    tokens = _parser.parse(text)
    headings: list[tuple[int, int, int, str]] = []  # start, end, level, text
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0 and token.map:
            inline = tokens[index + 1]
            headings.append(
                (token.map[0], token.map[1], int(token.tag[1]), _plain_text(inline))
            )

    errors: list[str] = []
    raw: list[tuple[str, int, str, list[str]]] = []  # key, level, heading, lines
    preamble = lines[: headings[0][0]] if headings else lines
    if "\n".join(preamble).strip():
        raw.append((PREAMBLE_KEY, 0, "", preamble))
    for position, (_start, end, level, heading) in enumerate(headings):
        stop = headings[position + 1][0] if position + 1 < len(headings) else len(lines)
        key, heading, error = _key_for(heading, len(raw))
        if error:
            errors.append(error)
        if not heading:
            errors.append(_("A heading has no text (section %(key)s).") % {"key": key})
        elif len(heading) > MAX_HEADING_LENGTH:
            errors.append(
                _("The heading of section %(key)s is longer than %(max)d characters.")
                % {"key": key, "max": MAX_HEADING_LENGTH}
            )
        raw.append((key, level, heading, lines[end:stop]))

    if not raw:
        return [], [_("The plan text is empty.")]
    if len(raw) > MAX_SECTIONS:
        errors.append(
            _("A version may have at most %(max)d sections.") % {"max": MAX_SECTIONS}
        )

    seen: dict[str, int] = {}
    for key, *_rest in raw:
        seen[key] = seen.get(key, 0) + 1
    for key, count in seen.items():
        if count > 1:
            errors.append(
                _(
                    "%(count)d sections have the key “%(key)s”. Give each a distinct "
                    "number or an explicit {#key} anchor."
                )
                % {"count": count, "key": key}
            )

    sections: list[ParsedSection] = []
    for ordinal, (key, level, heading, body_lines) in enumerate(raw):
        agency, milestones, rest, meta_errors = _metadata(body_lines, key)
        errors.extend(meta_errors)
        sections.append(
            ParsedSection(
                key=key,
                ordinal=ordinal,
                level=level,
                heading=heading,
                source="\n".join(body_lines).strip("\n"),
                body="\n".join(rest).strip("\n"),
                agency=agency,
                milestones=milestones,
            )
        )
    return sections, errors
