"""The report view model, and the sector cross-table's small-cell suppression."""

from __future__ import annotations

import itertools
import re

import pytest
from django.test import Client

from accounts.models import Sector
from clustering.models import Participant
from clustering.report import build_report, sector_table, suppress
from clustering.services import Actor, record_vote, run_analysis
from tests.factories import UserFactory


def test_primary_and_secondary_suppression():
    table = [
        [3, 10, 7, 20],
        [12, 0, 9, 21],
        [15, 10, 16, 41],
    ]
    hidden = suppress(table, 5)
    assert hidden[0][0]  # 3 < 5
    # Its row and column would give it away by subtraction: hidden too.
    assert sum(hidden[0]) >= 2
    assert sum(row[0] for row in hidden) >= 2
    # No row or column is left with a single hidden cell.
    for line in [*hidden, *zip(*hidden, strict=True)]:
        assert sum(line) != 1
    assert not hidden[1][1]  # zero is shown


@pytest.mark.parametrize("seed", range(30))
def test_no_line_ever_keeps_exactly_one_hidden_cell(seed):
    import random

    rng = random.Random(seed)
    body = [
        [rng.choice([0, 1, 2, 3, 4, 5, 8, 13, 40]) for _ in range(5)] for _ in range(3)
    ]
    rows = [[*r, sum(r)] for r in body]
    table = [*rows, [sum(c) for c in zip(*rows, strict=True)]]
    hidden = suppress(table, 5)
    for r, c in itertools.product(range(len(table)), range(len(table[0]))):
        if 0 < table[r][c] < 5:
            assert hidden[r][c]
    for line in [*hidden, *zip(*hidden, strict=True)]:
        assert sum(line) != 1


def test_sector_table_hides_small_counts():
    members = {
        0: ["ngo"] * 12 + ["business"] * 2 + [None] * 6,
        1: ["ngo"] * 7 + ["business"] * 9 + [None] * 5,
    }
    out = sector_table(members, ["ngo", "business"])
    assert out["columns"] == ["ngo", "business", "none"]
    cells = [[c["n"] for c in row["cells"]] for row in out["rows"]]
    flags = [[c["hidden"] for c in row["cells"]] for row in out["rows"]]
    assert flags[0][1] and cells[0][1] is None  # the 2 business people of group 0
    visible = [n for row in cells for n in row if n is not None]
    assert all(n >= 5 or n == 0 for n in visible)
    assert sum(c["hidden"] for c in out["total"]) != 1


@pytest.mark.django_db
def test_report_page_marks_suppressed_cells(conversation):
    ids = list(conversation.statements.values_list("pk", flat=True))
    sectors = [Sector.NGO] * 16 + [Sector.BUSINESS] * 2 + [Sector.ACADEMIA] * 14
    for n, sector in enumerate(sectors):
        user = UserFactory(sector=sector)
        side = 1 if n % 2 else -1
        for i, sid in enumerate(ids):
            record_vote(
                conversation=conversation,
                actor=Actor(user, ip=f"10.9.0.{n}"),
                statement_id=sid,
                value=side if i % 2 else -side,
            )
    assert run_analysis(conversation.pk).status == "ok"
    data = Client().get(f"/conversations/{conversation.pk}/report/data/").json()
    table = data["report"]["sectors"]
    business = table["columns"].index("business")
    for row in table["rows"]:
        cell = row["cells"][business]
        assert cell["hidden"] and cell["n"] is None
    for row in [*table["rows"], {"cells": table["total"]}]:
        for cell in row["cells"]:
            assert cell["hidden"] or cell["n"] == 0 or cell["n"] >= 5
    page = Client().get(f"/conversations/{conversation.pk}/report/").content.decode()
    assert 'class="suppressed"' in page
    assert "hidden (fewer than 5, or would reveal one)" in page
    assert Participant.objects.count() == len(sectors)


def test_build_report_shapes_repness_with_group_and_rest_shares():
    result = {
        "n_participants": 4, "n_clustered": 4, "n_votes": 8, "n_statements": 2, "k": 2,
        "groups": [
            {"id": 0, "n_participants": 2, "participants": [1, 2], "center": [1, 0],
             "repness": [{"tid": 10, "repful_for": "agree"}]},
            {"id": 1, "n_participants": 2, "participants": [3, 4], "center": [-1, 0],
             "repness": [{"tid": 10, "repful_for": "disagree"}]},
        ],
        "statements": {
            "10": {"agree": 2, "disagree": 2, "pass": 0, "seen": 4,
                   "groups": {"0": {"agree": 2, "disagree": 0, "pass": 0, "seen": 2},
                              "1": {"agree": 0, "disagree": 2, "pass": 0, "seen": 2}},
                   "group_informed_consensus": 0.1, "priority": 2.0,
                   "projection": [0.5, 0.1], "meta": False, "moderated_out": False,
                   "id": 10},
        },
        "participants": {str(p): {"id": p, "x": p, "y": 0.0, "group": 0 if p < 3 else 1,
                                  "n_votes": 2} for p in (1, 2, 3, 4)},
        "consensus": {"agree": [], "disagree": []},
        "divisive": [],
    }  # fmt: skip
    report, positions = build_report(result, {1: "ngo"}, sector_order=["ngo"])
    assert report["groups"][0]["repness"][0] == {
        "tid": 10, "for": "agree", "in": 100, "rest": 0, "n_in": 2, "n_rest": 2
    }  # fmt: skip
    assert report["groups"][1]["label"] == "B"
    assert positions["p3"][2] == 1 and len(report["points"]) == 4


@pytest.mark.django_db
def test_the_cached_report_body_follows_analyses_moderation_and_language(
    conversation, moderator
):
    from clustering import services as conversations
    from tests.clustering_web.conftest import vote_in_groups

    def participants(html: str) -> int:
        found = re.search(r'data-stat="participants">(\d+)<', html)
        assert found
        return int(found.group(1))

    vote_in_groups(conversation, 12, seed=3)
    assert run_analysis(conversation.pk, force=True).status == "ok"
    path = f"/conversations/{conversation.pk}/report/"
    first = Client().get(path).content.decode()
    body = Client().get(path + "?part=html").content.decode()
    assert body in first  # the page embeds the same body (from the cache)
    assert participants(first) == 12 and "<html" not in body
    # A new analysis shows its own figures.
    vote_in_groups(conversation, 20, seed=4)
    assert run_analysis(conversation.pk, force=True).status == "ok"
    assert participants(Client().get(path).content.decode()) == 20
    # A statement rejected after the analysis leaves the report at once.
    text = "Statement number 7 about open data"
    assert text in Client().get(path).content.decode()
    conversations.moderate_statements(
        conversation=conversation,
        user=moderator,
        statement_ids=[conversation.statements.get(text=text).pk],
        action="reject",
        reason="off_topic",
    )
    assert text not in Client().get(path).content.decode()
    assert text not in Client().get(path + "?part=html").content.decode()
    # Each language has its own copy.
    chinese = Client(headers={"accept-language": "zh-hant"}).get(path)
    assert "所有陳述" in chinese.content.decode()
    assert "All statements" in Client().get(path).content.decode()
