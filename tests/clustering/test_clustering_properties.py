"""Property checks on random small conversations (hypothesis)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clustering.math import AnalysisState, analyze

votes_strategy = st.lists(
    st.tuples(st.integers(0, 30), st.integers(0, 12), st.sampled_from([-1, 0, 1])),
    max_size=250,
)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(votes=votes_strategy, mod=st.sets(st.integers(0, 12), max_size=3))
def test_any_conversation_gives_a_valid_deterministic_result(
    votes: list[tuple[int, int, int]], mod: set[int]
) -> None:
    first = analyze(votes, moderated_out=mod)
    text = json.dumps(first.to_json(), allow_nan=False)
    assert json.dumps(analyze(votes, moderated_out=mod).to_json()) == text
    data = json.loads(text)
    clustered = [p for g in data["groups"] for p in g["participants"]]
    assert len(clustered) == len(set(clustered))
    # everyone with min(7, n_statements) votes is clustered
    n_cols = data["n_statements"]
    for pid, rec in data["participants"].items():
        if n_cols and rec["n_votes"] >= min(7, n_cols):
            assert rec["group"] is not None, pid
    for g in data["groups"]:
        assert len(g["repness"]) <= 5
        assert not {r["tid"] for r in g["repness"]} & mod
    # a warm second tick on the same votes keeps every clustered participant
    state = AnalysisState.from_json(json.loads(json.dumps(first.state.to_json())))
    second = analyze(votes, moderated_out=mod, state=state)
    assert set(first.group_of()) <= set(second.group_of())
