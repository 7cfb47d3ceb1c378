"""Splitting plan Markdown into sections with stable keys (no database)."""

from __future__ import annotations

import pytest

from consultation.sections import Milestone, SectionError, parse_sections
from tests.consultation.conftest import PLAN_V1


def keys(markdown: str) -> list[str]:
    return [s.key for s in parse_sections(markdown)]


def test_headings_split_sections_and_numbers_become_keys():
    sections = parse_sections(PLAN_V1)
    assert [s.key for s in sections] == [
        "preamble", "background", "3", "3.1", "3.2", "3.3",
    ]  # fmt: skip
    assert [s.ordinal for s in sections] == list(range(6))
    assert [s.level for s in sections] == [0, 2, 2, 3, 3, 3]
    three_two = sections[4]
    assert three_two.heading == "3.2 Open committee meetings"
    assert (
        three_two.body == "Every committee meeting will be streamed live and archived."
    )


def test_explicit_anchor_wins_and_is_removed_from_the_heading():
    (section,) = parse_sections("## 7.1 Access to information {#foi}\n\nText")
    assert (section.key, section.heading) == ("foi", "7.1 Access to information")


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("3.2 Open data", "3.2"),
        ("3.2. Open data", "3.2"),
        ("12 Monitoring", "12"),
        ("3.2.1: Detail", "3.2.1"),
        ("3.2 開放國會資料", "3.2"),
        ("Background", "background"),
        ("背景說明", "背景說明"),
        ("Open data {#open-data}", "open-data"),
    ],
)
def test_key_of_a_heading(heading, key):
    assert keys(f"## {heading}\n\ntext") == [key]


def test_the_same_clause_keeps_its_key_when_its_heading_is_reworded():
    v1 = keys("### 3.2 Open committee meetings\n\nA")
    v2 = keys("### 3.2 Committee meetings open to everyone\n\nB")
    assert v1 == v2 == ["3.2"]


def test_headings_in_code_blocks_and_quotes_do_not_split():
    text = "## 1 One\n\n```\n## not a heading\n```\n\n> # quoted\n\n## 2 Two\n"
    sections = parse_sections(text)
    assert [s.key for s in sections] == ["1", "2"]
    assert "## not a heading" in sections[0].body


def test_setext_headings_split_too():
    assert keys("Intro\n\n1 First\n=======\n\nText\n\n2 Second\n--------\n") == [
        "preamble",
        "1",
        "2",
    ]


def test_agency_and_milestones_are_read_from_the_top_of_a_section():
    (section,) = parse_sections(
        "### 3.1 Open data\n"
        "Agency: ministry-of-data\n"
        "Milestone: 2026-06 Publish the inventory\n"
        "Milestone: 2026-12-31 — Open the API\n"
        "里程碑：完成評估報告\n"
        "\n"
        "Body text.\n"
        "Milestone: this line is body text, not metadata\n"
    )
    assert section.agency == "ministry-of-data"
    assert section.milestones == (
        Milestone("2026-06", "Publish the inventory"),
        Milestone("2026-12-31", "Open the API"),
        Milestone("", "完成評估報告"),
    )
    assert section.is_commitment
    assert section.body.startswith("Body text.")
    assert "this line is body text" in section.body
    assert section.source.startswith("Agency: ministry-of-data")


def test_chinese_metadata_keys_work():
    (section,) = parse_sections("### 3.1 開放資料\n主辦機關：數位發展部\n\n內容")
    assert section.agency == "數位發展部"


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        ("", "empty"),
        ("   \n\n", "empty"),
        ("## 3.2 A\n\n## 3.2 B\n", "have the key “3.2”"),
        ("## A {#bad key!}\n", "not a valid section key"),
        ("## 3.1 A\nMilestone: 2026-13 Never\n", "not a valid date"),
        ("## 3.1 A\nMilestone: 2026-06\n", "without a description"),
        ("## 3.1 A\nAgency: x\nAgency: y\n", "more than one responsible agency"),
        ("## 3.1 A\nAgency:\n", "write the agency"),
        ("## " + "x" * 301 + "\n", "longer than 300"),
    ],
)
def test_problems_are_reported_with_a_message_each(markdown, message):
    with pytest.raises(SectionError) as caught:
        parse_sections(markdown)
    assert any(message in m for m in caught.value.messages), caught.value.messages


def test_every_problem_is_reported_at_once():
    with pytest.raises(SectionError) as caught:
        parse_sections("## 1 A\n\n## 1 B\n\n## 2 C\nMilestone: 2026-99 x\n")
    assert len(caught.value.messages) == 2


def test_text_without_headings_is_one_preamble_section():
    (section,) = parse_sections("Just a paragraph.")
    assert (section.key, section.level, section.heading) == ("preamble", 0, "")
