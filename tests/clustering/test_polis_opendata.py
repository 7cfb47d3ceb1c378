"""Agreement with Polis's published groups on five real conversations.

ARI between our groups and the export's ``group-id`` column over participants
grouped on both sides, with floors we actually reach (see docs/analysis.md).
Polis's groups come from thousands of warm-started ticks, so the history replay
(``replay``) is the faithful mode; the one-shot analysis is a cold start.
"""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest
from sklearn.metrics import adjusted_rand_score

from clustering.__main__ import adjusted_rand_index
from clustering.math import AnalysisResult, analyze, replay
from clustering.polis_io import PolisExport, read_export
from tests.clustering.conftest import OPENDATA

# dataset: (one-shot floor, replay floor, Polis k reproduced by the replay)
FLOORS = {
    "15-per-hour-seattle": (0.55, 0.85, True),
    "canadian-electoral-reform": (0.15, 0.85, True),
    "scoop-hivemind.biodiversity": (0.95, 0.90, True),
    # Polis grouped all 234 voters (40 with a single vote): its groups are not
    # reproducible from the final votes; see docs/analysis.md
    "scoop-hivemind.ubi": (0.03, 0.03, False),
    "vtaiwan.uberx": (0.90, 0.85, True),
}
REPLAY_TICKS = 50


def _ari(result: AnalysisResult, export: PolisExport) -> tuple[float, int]:
    ours = result.group_of()
    theirs = export.polis_groups()
    common = [p for p in theirs if p in ours]
    a = [theirs[p] for p in common]
    b = [ours[p] for p in common]
    score = adjusted_rand_score(a, b)
    assert adjusted_rand_index(a, b) == pytest.approx(score, abs=1e-12)
    return float(score), len(common)


@pytest.fixture(scope="module")
def exports(shared_data: Path) -> dict[str, PolisExport]:
    root = shared_data / "polis" / "opendata"
    return {name: read_export(root / name) for name in OPENDATA}


@pytest.fixture(scope="module")
def replays(exports: dict[str, PolisExport]) -> dict[str, AnalysisResult]:
    return {
        name: replay(
            ex.timed_votes(),
            moderated_out=ex.moderated_out,
            meta=ex.meta,
            ticks=REPLAY_TICKS,
        )
        for name, ex in exports.items()
    }


@pytest.mark.parametrize("name", OPENDATA)
def test_one_shot_agreement(name: str, exports: dict[str, PolisExport]) -> None:
    ex = exports[name]
    result = analyze(ex.vote_triples(), moderated_out=ex.moderated_out, meta=ex.meta)
    score, common = _ari(result, ex)
    assert common >= 0.7 * len(ex.polis_groups())
    assert score >= FLOORS[name][0]


@pytest.mark.parametrize("name", OPENDATA)
def test_replay_agreement(
    name: str,
    exports: dict[str, PolisExport],
    replays: dict[str, AnalysisResult],
) -> None:
    ex = exports[name]
    result = replays[name]
    score, common = _ari(result, ex)
    assert common >= 0.7 * len(ex.polis_groups())
    assert score >= FLOORS[name][1]
    polis_k = len(set(ex.polis_groups().values()))
    if FLOORS[name][2]:
        assert result.k == polis_k


def test_replay_median_beats_red_dwarf(
    exports: dict[str, PolisExport], replays: dict[str, AnalysisResult]
) -> None:
    scores = [_ari(replays[n], exports[n])[0] for n in OPENDATA]
    assert statistics.median(scores) > 0.64  # red-dwarf 0.4.0's median
