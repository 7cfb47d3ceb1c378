"""Section-aware comparison of two plan versions (pure; no database).

Sections are matched by their stable key. Each key is *added* (only in the
newer version), *removed* (only in the older), *changed* (heading, text,
agency or milestones differ) or *unchanged*. Re-wrapping the lines of a
paragraph is not a change (Markdown ignores single line breaks). Inside a
changed section the text is compared word by word with :mod:`difflib`;
Chinese, Japanese and Korean ideographs count as one word each, since those
scripts do not separate words with spaces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal, Protocol

Op = Literal["equal", "insert", "delete"]
Status = Literal["added", "removed", "changed", "unchanged"]

_TOKEN = re.compile(
    r"\s+"
    r"|[\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3040-\u30ff\u3400-\u4dbf"
    r"\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
    r"|\w+"
    r"|[^\w\s]",
)


class SectionLike(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def heading(self) -> str: ...
    @property
    def source(self) -> str: ...


@dataclass(frozen=True)
class Segment:
    op: Op
    text: str


@dataclass(frozen=True)
class SectionChange:
    key: str
    status: Status
    old: SectionLike | None
    new: SectionLike | None
    heading: tuple[Segment, ...]
    body: tuple[Segment, ...]

    @property
    def section(self) -> SectionLike:
        """The newer section, or the removed one."""
        if self.new is not None:
            return self.new
        if self.old is None:  # pragma: no cover - _change never builds this
            raise ValueError("A change needs a section.")
        return self.old

    @property
    def words_added(self) -> int:
        return sum(len(_words(s.text)) for s in self.body if s.op == "insert")

    @property
    def words_removed(self) -> int:
        return sum(len(_words(s.text)) for s in self.body if s.op == "delete")


_META = re.compile(
    r"^\s*(?:agency|lead agency|responsible agency|milestone|主辦機關|負責機關|里程碑)"
    r"\s*[:：]",
    re.IGNORECASE,
)
_KEEP_BREAK_BEFORE = re.compile(r"^\s*(?:$|[-*+>#|]|\d+[.)]\s|```|~~~)")


def reflow(markdown: str) -> str:
    """Join the lines of each paragraph, as a reader sees them.

    Markdown ignores single line breaks inside a paragraph, so re-wrapping a
    paragraph is no change; list items, quotes, headings, table rows,
    metadata lines and blank lines keep their line breaks.
    """
    lines = markdown.replace("\r\n", "\n").split("\n")
    out: list[str] = []
    fenced = False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
            out.append(line)
            continue
        joinable = (
            out
            and not fenced
            and out[-1].strip()
            and not out[-1].lstrip().startswith(("```", "~~~", "#", "|"))
            and not _KEEP_BREAK_BEFORE.match(line)
            and not _META.match(line)
            and not _META.match(out[-1])
        )
        if joinable:
            out[-1] = out[-1].rstrip() + " " + stripped
        else:
            out.append(line.rstrip())
    return "\n".join(out).strip("\n")


def tokenize(text: str) -> list[str]:
    """Words, single ideographs, runs of whitespace and punctuation marks."""
    return _TOKEN.findall(text)


def _words(text: str) -> list[str]:
    return [t for t in tokenize(text) if not t.isspace()]


def _merge(segments: list[Segment]) -> tuple[Segment, ...]:
    merged: list[Segment] = []
    for segment in segments:
        if not segment.text:
            continue
        if merged and merged[-1].op == segment.op:
            merged[-1] = Segment(segment.op, merged[-1].text + segment.text)
        else:
            merged.append(segment)
    return tuple(merged)


def word_diff(old: str, new: str) -> tuple[Segment, ...]:
    """The changes from ``old`` to ``new`` as equal / delete / insert segments.

    Joining the equal and delete segments gives ``old`` back; joining the equal
    and insert segments gives ``new``.
    """
    a, b = tokenize(old), tokenize(new)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(Segment("equal", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            segments.append(Segment("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            segments.append(Segment("insert", "".join(b[j1:j2])))
    return _merge(segments)


def _change(old: SectionLike | None, new: SectionLike | None) -> SectionChange:
    if old is None:
        if new is None:  # pragma: no cover - callers pass at least one
            raise ValueError("Compare at least one section.")
        return SectionChange(
            key=new.key,
            status="added",
            old=None,
            new=new,
            heading=(Segment("insert", new.heading),) if new.heading else (),
            body=(Segment("insert", reflow(new.source)),) if new.source else (),
        )
    if new is None:
        return SectionChange(
            key=old.key,
            status="removed",
            old=old,
            new=None,
            heading=(Segment("delete", old.heading),) if old.heading else (),
            body=(Segment("delete", reflow(old.source)),) if old.source else (),
        )
    old_text, new_text = reflow(old.source), reflow(new.source)
    same = old.heading == new.heading and old_text == new_text
    return SectionChange(
        key=new.key,
        status="unchanged" if same else "changed",
        old=old,
        new=new,
        heading=word_diff(old.heading, new.heading),
        body=word_diff(old_text, new_text),
    )


def compare_sections(
    old: Sequence[SectionLike], new: Sequence[SectionLike]
) -> list[SectionChange]:
    """Match sections by key and describe each one's change.

    The result follows the newer version's order; a removed section appears
    right after the section that preceded it in the older version.
    """
    old_by_key = {s.key: s for s in old}
    new_keys = {s.key for s in new}
    # Removed sections, grouped under the nearest preceding key that survives.
    after: dict[str | None, list[SectionLike]] = {}
    anchor: str | None = None
    for section in old:
        if section.key in new_keys:
            anchor = section.key
        else:
            after.setdefault(anchor, []).append(section)

    changes = [_change(s, None) for s in after.get(None, [])]
    for section in new:
        changes.append(_change(old_by_key.get(section.key), section))
        changes.extend(_change(s, None) for s in after.get(section.key, []))
    return changes
