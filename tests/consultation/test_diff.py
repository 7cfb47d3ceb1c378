"""The section-aware, word-level comparison of versions (no database)."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from consultation.diff import compare_sections, reflow, tokenize, word_diff
from consultation.sections import parse_sections
from tests.consultation.conftest import PLAN_V1, PLAN_V2


@dataclass
class S:
    key: str
    heading: str
    source: str


def join(segments, ops):
    return "".join(s.text for s in segments if s.op in ops)


def test_word_diff_marks_inserted_and_deleted_words():
    segments = word_diff("Two committees will pilot", "Four committees will pilot")
    assert [(s.op, s.text) for s in segments] == [
        ("delete", "Two"),
        ("insert", "Four"),
        ("equal", " committees will pilot"),
    ]


def test_chinese_is_compared_character_by_character():
    assert tokenize("開放資料") == ["開", "放", "資", "料"]
    segments = word_diff("每月更新", "每週更新")
    assert [(s.op, s.text) for s in segments] == [
        ("equal", "每"),
        ("delete", "月"),
        ("insert", "週"),
        ("equal", "更新"),
    ]


@given(st.text(max_size=200), st.text(max_size=200))
def test_word_diff_reconstructs_both_texts(old, new):
    segments = word_diff(old, new)
    assert join(segments, {"equal", "delete"}) == old
    assert join(segments, {"equal", "insert"}) == new


def test_rewrapping_a_paragraph_is_not_a_change():
    old = [S("1", "1 A", "one two\nthree four")]
    new = [S("1", "1 A", "one two three\nfour")]
    (change,) = compare_sections(old, new)
    assert change.status == "unchanged"


def test_reflow_keeps_list_items_and_metadata_lines_apart():
    text = "Agency: x\nMilestone: 2026 y\n\na\nb\n- c\n- d"
    assert reflow(text) == "Agency: x\nMilestone: 2026 y\n\na b\n- c\n- d"


def test_compare_matches_sections_by_key_and_keeps_removed_ones_in_place():
    changes = compare_sections(parse_sections(PLAN_V1), parse_sections(PLAN_V2))
    summary = [(c.key, c.status) for c in changes]
    assert summary == [
        ("preamble", "unchanged"),
        ("background", "unchanged"),
        ("3", "unchanged"),
        ("3.1", "unchanged"),
        ("3.2", "changed"),
        ("3.3", "removed"),
        ("3.4", "added"),
    ]
    three_two = changes[4]
    inserted = join(three_two.body, {"insert"})
    assert "captions" in inserted
    assert three_two.words_added >= 3 and three_two.words_removed == 0


def test_a_removed_first_section_comes_first():
    changes = compare_sections([S("a", "A", "x"), S("b", "B", "y")], [S("b", "B", "y")])
    assert [(c.key, c.status) for c in changes] == [
        ("a", "removed"),
        ("b", "unchanged"),
    ]
    assert changes[0].section.heading == "A"


def test_a_changed_heading_alone_is_a_change():
    (change,) = compare_sections([S("3.2", "3.2 Old", "x")], [S("3.2", "3.2 New", "x")])
    assert change.status == "changed"
    assert join(change.heading, {"insert"}) == "New"
