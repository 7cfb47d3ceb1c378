"""Hand-made conversations with known answers, edge cases and determinism."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from clustering.math import (
    AnalysisResult,
    AnalysisState,
    Parameters,
    VoteTable,
    analyze,
)
from clustering.math.types import VoteTriple


def _blocs(
    n_per_bloc: int = 30,
    n_statements: int = 20,
    noise: float = 0.1,
    seed: int = 1,
    offset: int = 0,
) -> list[VoteTriple]:
    """Bloc A agrees with the first half and disagrees with the second; B the
    opposite.  Participants 0.. are A, then B; a few votes are flipped."""
    rng = np.random.default_rng(seed)
    votes: list[VoteTriple] = []
    for bloc in (0, 1):
        for i in range(n_per_bloc):
            pid = offset + bloc * n_per_bloc + i
            for tid in range(n_statements):
                first_half = tid < n_statements // 2
                v = 1 if first_half == (bloc == 0) else -1
                if rng.random() < noise:
                    v = -v
                votes.append((pid, tid, v))
    return votes


def _dumps(result: AnalysisResult) -> str:
    return json.dumps(result.to_json(), allow_nan=False)


def _check_valid(result: AnalysisResult) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_dumps(result))
    json.dumps(result.state.to_json(), allow_nan=False)
    assert data["k"] == len(data["groups"])
    grouped = [p for g in data["groups"] for p in g["participants"]]
    assert len(grouped) == len(set(grouped)) == data["n_clustered"]
    for pid in grouped:
        assert data["participants"][str(pid)]["group"] is not None
    return data


def test_two_clear_blocs() -> None:
    votes = _blocs()
    result = analyze(votes)
    assert result.k == 2
    groups = {frozenset(g.participants) for g in result.groups}
    assert groups == {frozenset(range(30)), frozenset(range(30, 60))}
    for g in result.groups:
        assert g.repness, "each bloc has representative statements"
        agree = {r.tid for r in g.repness if r.repful_for == "agree"}
        # bloc A is represented by agreeing with the first half, B the second
        a_side = 0 in g.participants
        assert agree <= (set(range(10)) if a_side else set(range(10, 20)))
    # the blocs sit on opposite sides of the first component
    xs = {
        g.id: np.mean([p.x for p in result.participants if p.group == g.id])
        for g in result.groups
    }
    assert min(xs.values()) < 0 < max(xs.values())
    assert not result.consensus_agree and not result.consensus_disagree
    assert {d.tid for d in result.divisive} <= set(range(20))
    assert len(result.divisive) == 5


def test_unanimous_statements_are_consensus() -> None:
    votes = _blocs()
    for pid in range(60):
        votes += [(pid, 100, 1), (pid, 101, 1), (pid, 102, -1)]
    result = analyze(votes)
    assert {c.tid for c in result.consensus_agree} >= {100, 101}
    assert [c.tid for c in result.consensus_disagree][:1] == [102]
    by_id = {s.id: s for s in result.statements}
    # group-informed consensus is highest for the statements everyone agrees on
    gic = sorted(by_id, key=lambda t: by_id[t].group_informed_consensus)
    assert set(gic[-2:]) == {100, 101}
    assert by_id[100].tally.agree == 60


def test_group_defined_by_disagreement_keeps_repness() -> None:
    """red-dwarf 0.4.0 returns no statements for such a group; Polis does."""
    votes: list[VoteTriple] = []
    for pid in range(30):  # group A never agrees with anything
        for tid in range(20):
            votes.append((pid, tid, -1 if tid < 10 else 0))
    for pid in range(30, 60):  # group B agrees with everything
        for tid in range(20):
            votes.append((pid, tid, 1))
    result = analyze(votes)
    assert result.k == 2
    a = next(g for g in result.groups if 0 in g.participants)
    assert set(a.participants) == set(range(30))
    assert a.repness
    assert all(r.repful_for == "disagree" for r in a.repness)
    assert not any(r.best_agree for r in a.repness)
    assert {r.tid for r in a.repness} <= set(range(10))


@pytest.mark.parametrize(
    "votes",
    [
        [],
        [(1, 1, 1)],
        [(1, 1, 0)],
        [(p, 7, 1) for p in range(20)],
        [(p, 7, (p % 3) - 1) for p in range(20)],
        [(p, t, 0) for p in range(25) for t in range(10)],
        [(1, t, 1) for t in range(12)],
        [(1, 1, 1), (2, 1, -1)],
        [("a", "x", 1), ("b", "y", -1), ("c", "x", 0)],
    ],
    ids=[
        "no-votes",
        "one-vote",
        "one-pass",
        "one-statement-unanimous",
        "one-statement-mixed",
        "all-pass",
        "one-participant",
        "two-participants",
        "string-ids",
    ],
)
def test_tiny_conversations_return_valid_results(votes: list[VoteTriple]) -> None:
    result = analyze(votes)
    data = _check_valid(result)
    assert data["n_votes"] == len({(p, t) for p, t, _ in votes})
    # and a warm-started second tick works too
    again = analyze(votes, state=AnalysisState.from_json(result.state.to_json()))
    _check_valid(again)


def test_all_pass_puts_everyone_at_the_origin() -> None:
    result = analyze([(p, t, 0) for p in range(25) for t in range(10)])
    assert all(p.x == 0 and p.y == 0 for p in result.participants)
    assert result.k == 1
    assert len(result.groups[0].participants) == 25


def test_meta_and_moderated_out_statements() -> None:
    votes = _blocs()
    votes += [(p, 50, 1) for p in range(60)] + [(p, 51, 1) for p in range(60)]
    result = analyze(votes, moderated_out={51}, meta={50})
    by_id = {s.id: s for s in result.statements}
    assert by_id[50].meta and by_id[50].moderated_out and by_id[50].priority == 49
    assert by_id[51].moderated_out and not by_id[51].meta
    assert by_id[51].priority != 49
    assert by_id[50].comps == (0.0, 0.0) == by_id[51].comps
    shown = {c.tid for c in result.consensus_agree}
    shown |= {r.tid for g in result.groups for r in g.repness}
    assert not shown & {50, 51}
    # their real tallies are still reported
    assert by_id[51].tally.agree == 60


def test_determinism_identical_json_bytes() -> None:
    votes = _blocs(noise=0.3, seed=7)
    a = _dumps(analyze(votes, params=Parameters(seed=3)))
    b = _dumps(analyze(list(votes), params=Parameters(seed=3)))
    assert a == b
    # the Polis row order makes the result independent of the vote order
    shuffled = list(votes)
    np.random.default_rng(0).shuffle(shuffled)  # type: ignore[arg-type]
    assert _dumps(analyze(shuffled, params=Parameters(seed=3))) == a


def test_seed_only_changes_the_recorded_parameters_on_small_input() -> None:
    """Small problems use an exact eigensolver, so the seed has no effect."""
    votes = _blocs(noise=0.2)
    a = analyze(votes, params=Parameters(seed=1)).to_json()
    b = analyze(votes, params=Parameters(seed=2)).to_json()
    assert a.pop("params") != b.pop("params")
    assert a == b


def test_warm_start_keeps_group_ids_stable() -> None:
    first = analyze(_blocs(n_per_bloc=40, noise=0.15, seed=2))
    ids = first.group_of()
    state = AnalysisState.from_json(json.loads(json.dumps(first.state.to_json())))
    more = _blocs(n_per_bloc=40, noise=0.15, seed=2) + _blocs(
        n_per_bloc=15, noise=0.15, seed=9, offset=1000
    )
    second = analyze(more, state=state)
    assert second.k == first.k == 2
    after = second.group_of()
    assert all(after[p] == g for p, g in ids.items())
    assert second.tick == first.tick + 1
    # newcomers 1000..1014 voted like bloc A (ids 0..39)
    assert {after[p] for p in range(1000, 1015)} == {ids[0]}


def test_warm_start_aligns_pca_signs() -> None:
    votes = _blocs(noise=0.2, seed=4)
    first = analyze(votes)
    flipped_state = AnalysisState.from_json(
        {
            **first.state.to_json(),
            "pca": {
                "tids": list(first.state.pca_tids),
                "comps": [[-x for x in c] for c in first.state.pca_comps],
            },
        }
    )
    second = analyze(votes, state=flipped_state)
    for s1, s2 in zip(first.statements, second.statements, strict=True):
        assert s2.comps == pytest.approx((-s1.comps[0], -s1.comps[1]))


def test_in_conv_threshold_sticky_and_top_up() -> None:
    # 20 participants who vote on 3 statements: min(7, 3) = 3 lets all in
    votes = [(p, t, 1 if (p + t) % 2 else -1) for p in range(20) for t in range(3)]
    first = analyze(votes)
    assert first.n_clustered == 20
    # 10 new statements with 20 heavy voters: the 3-vote people stay in only
    # because membership is sticky
    heavy = [
        (p, t, 1 if (p * t) % 3 else -1) for p in range(100, 120) for t in range(13)
    ]
    cold = analyze(votes + heavy)
    warm = analyze(votes + heavy, state=first.state)
    assert set(range(20)).isdisjoint(cold.group_of())
    assert set(range(20)) <= set(warm.group_of())
    # greedy top-up: fewer than 15 qualify, so the busiest voters fill to 15
    light = [(p, t, 1) for p in range(30) for t in range(1 + p % 5)]
    light += [(999, t, -1) for t in range(10)]
    topped = analyze(light)
    assert topped.n_clustered == 15
    in_conv = set(topped.group_of())
    assert 999 in in_conv
    counts = {p.id: p.n_votes for p in topped.participants}
    assert min(counts[p] for p in in_conv) >= max(
        counts[p] for p in counts if p not in in_conv
    )


def test_state_and_result_json_round_trip() -> None:
    votes = [(f"p{p}", f"s{t}", v) for p, t, v in _blocs(noise=0.2)]
    result = analyze(votes)
    state_json = json.loads(json.dumps(result.state.to_json()))
    state = AnalysisState.from_json(state_json)
    assert state == result.state
    data = json.loads(json.dumps(result.to_json()))
    back = AnalysisResult.from_json(data, state)
    assert back.to_json() == result.to_json()
    assert back == result
    assert all(isinstance(p, str) for g in data["groups"] for p in g["participants"])


def test_vote_table_latest_vote_wins() -> None:
    t = VoteTable.from_votes([(1, 1, 1), (2, 1, -1), (1, 1, -1), (1, 2, 0)])
    assert t.to_triples() == [(1, 1, -1), (1, 2, 0), (2, 1, -1)]
    with pytest.raises(ValueError, match="vote value"):
        VoteTable.from_votes([(1, 1, 2)])
    arr = VoteTable.from_arrays([0, 0, 1], [0, 0, 1], [1, -1, 0])
    assert arr.values.tolist() == [-1, 0]


def test_participant_cap() -> None:
    votes = _blocs(n_per_bloc=20)
    result = analyze(votes, params=Parameters(max_participants=25, max_statements=8))
    assert result.n_participants == 25
    assert len(result.statements) == 8
