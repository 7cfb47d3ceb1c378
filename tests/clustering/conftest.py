"""Shared fixtures for the clustering tests (no database, no Django)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from clustering.math import VoteTable

PROJECT_ROOT = Path(__file__).resolve().parents[2]

FIXTURES = (
    "150ptpt-3gp-no-strict-no-meta",
    "25ptpt-3gp-no-strict-with-meta",
    "50ptpt-3gp-strict-no-meta",
    "above-100-ptpts",
    "below-100-ptpts",
)
OPENDATA = (
    "15-per-hour-seattle",
    "canadian-electoral-reform",
    "scoop-hivemind.biodiversity",
    "scoop-hivemind.ubi",
    "vtaiwan.uberx",
)


def shared_data_dir() -> Path:
    """$AGORA_SHARED_DATA, else <project root>/../shared/data."""
    env = os.environ.get("AGORA_SHARED_DATA")
    return Path(env) if env else PROJECT_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    # missing data is a failure, never a skip
    assert (path / "polis" / "opendata").is_dir(), (
        f"shared test data not found at {path}; set AGORA_SHARED_DATA"
    )
    assert (path / "polis" / "reddwarf-fixtures").is_dir()
    return path


@dataclass(frozen=True)
class MathFixture:
    name: str
    blob: dict[str, Any]
    table: VoteTable
    moderated_out: frozenset[int]
    meta: frozenset[int]

    def polis_groups(self) -> dict[int, list[int]]:
        """Polis's group id -> participant ids, via its base clusters."""
        bc = self.blob["base-clusters"]
        members = dict(zip(bc["id"], bc["members"], strict=True))
        return {
            g["id"]: [p for b in g["members"] for p in members[b]]
            for g in self.blob["group-clusters"]
        }


def _field(row: dict[str, Any], *names: str) -> Any:
    for n in names:
        if n in row:
            return row[n]
    raise KeyError(names)


def load_math_fixture(shared: Path, name: str) -> MathFixture:
    folder = shared / "polis" / "reddwarf-fixtures" / name
    blob = json.loads((folder / "math-pca2.json").read_text())
    votes = json.loads((folder / "votes.json").read_text())
    votes.sort(key=lambda v: float(_field(v, "modified")))
    triples = [
        (
            int(_field(v, "participant_id", "pid")),
            int(_field(v, "statement_id", "tid")),
            int(_field(v, "vote")),  # already agree = +1 (red-dwarf's sign fix)
        )
        for v in votes
    ]
    return MathFixture(
        name=name,
        blob=blob,
        table=VoteTable.from_votes(triples),
        moderated_out=frozenset(blob["mod-out"]),
        meta=frozenset(blob["meta-tids"]),
    )


@pytest.fixture(scope="session", params=FIXTURES)
def math_fixture(request: pytest.FixtureRequest, shared_data: Path) -> MathFixture:
    return load_math_fixture(shared_data, request.param)
