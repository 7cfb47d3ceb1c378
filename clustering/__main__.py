"""Command line: re-analyse a Polis export folder offline (no Django, no database).

python -m clustering analyze EXPORT_DIR [--json OUT] [--seed N] [--replay TICKS]
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from clustering.math import AnalysisResult, Parameters, analyze, replay
from clustering.math.types import Id
from clustering.polis_io import PolisExport, read_export


def adjusted_rand_index(a: Sequence[int], b: Sequence[int]) -> float:
    """Adjusted Rand index of two labelings (same formula as scikit-learn)."""
    n = len(a)
    if n != len(b):
        raise ValueError("labelings differ in length")
    if n < 2:
        return 1.0
    _, ia = np.unique(np.asarray(a), return_inverse=True)
    _, ib = np.unique(np.asarray(b), return_inverse=True)
    table = np.zeros((int(ia.max()) + 1, int(ib.max()) + 1), dtype=np.int64)
    np.add.at(table, (ia, ib), 1)

    def pairs(x: npt.NDArray[np.int64]) -> float:
        return float((x * (x - 1) // 2).sum())

    sum_ij = pairs(table)
    sum_a = pairs(table.sum(axis=1))
    sum_b = pairs(table.sum(axis=0))
    expected = sum_a * sum_b / (n * (n - 1) / 2)
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:
        return 1.0
    return (sum_ij - expected) / (maximum - expected)


def compare_with_polis(
    result: AnalysisResult, polis: Mapping[Id, int]
) -> tuple[float, int] | None:
    """ARI between our groups and Polis's over participants grouped by both."""
    ours = result.group_of()
    common = [p for p in polis if p in ours]
    if not common:
        return None
    return adjusted_rand_index(
        [polis[p] for p in common], [ours[p] for p in common]
    ), len(common)


def run_analysis(
    export: PolisExport, *, seed: int = 0, ticks: int = 0
) -> AnalysisResult:
    params = Parameters(seed=seed)
    if ticks > 0:
        return replay(
            export.timed_votes(),
            moderated_out=export.moderated_out,
            meta=export.meta,
            ticks=ticks,
            params=params,
        )
    return analyze(
        export.vote_triples(),
        moderated_out=export.moderated_out,
        meta=export.meta,
        params=params,
    )


def _short(text: str, width: int) -> str:
    one_line = " ".join(text.split())
    return textwrap.shorten(one_line, width=width, placeholder="…") if one_line else "?"


def summary_text(
    result: AnalysisResult, export: PolisExport, *, elapsed: float, width: int = 100
) -> str:
    texts = export.comment_text()
    topic = dict(export.summary).get("topic", "")
    lines: list[str] = []
    if topic:
        lines.append(f"Conversation: {topic}")
    n_mod = sum(1 for s in result.statements if s.moderated_out)
    lines.append(
        f"Votes: {result.n_votes} · participants: {result.n_participants} · "
        f"statements: {len(result.statements)} ({n_mod} moderated out or meta)"
    )
    scores = ", ".join(f"k={k}: {s:.3f}" for k, s in result.k_scores)
    lines.append(
        f"Participants clustered: {result.n_clustered} · base clusters: "
        f"{result.n_base_clusters} · groups: {result.k}"
        + (f" (silhouette {scores})" if scores else "")
    )
    polis = export.polis_groups()
    if polis:
        cmp = compare_with_polis(result, polis)
        if cmp is not None:
            n_polis = len(set(polis.values()))
            lines.append(
                f"Agreement with Polis's published groups: ARI {cmp[0]:.3f} over "
                f"{cmp[1]} participants (Polis had {n_polis} groups)"
            )
    lines.append(f"Computed in {elapsed:.2f} s")
    for g in result.groups:
        lines.append("")
        lines.append(f"Group {g.id}: {len(g.participants)} participants")
        for r in g.repness:
            pct = round(100 * r.n_success / r.n_trials) if r.n_trials else 0
            lines.append(
                f"  {r.repful_for:>8} {pct:3d}% ({r.n_success}/{r.n_trials})  "
                f"#{r.tid}  {_short(texts.get(r.tid, ''), width - 40)}"
            )
    for label, records in (
        ("agree", result.consensus_agree),
        ("disagree", result.consensus_disagree),
    ):
        if records:
            lines.append("")
            lines.append(f"Consensus ({label}):")
            for c in records:
                pct = round(100 * c.n_success / c.n_trials) if c.n_trials else 0
                lines.append(
                    f"  {pct:3d}% ({c.n_success}/{c.n_trials})  #{c.tid}  "
                    f"{_short(texts.get(c.tid, ''), width - 30)}"
                )
    if result.divisive:
        lines.append("")
        lines.append("Divisive (spread of group agree-probability):")
        for d in result.divisive:
            lines.append(
                f"  {d.spread:.2f} (group {d.most_agree_group} vs "
                f"{d.least_agree_group})  #{d.tid}  "
                f"{_short(texts.get(d.tid, ''), width - 36)}"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m clustering")
    sub = parser.add_subparsers(dest="command", required=True)
    an = sub.add_parser("analyze", help="analyse a Polis export folder")
    an.add_argument("export_dir", type=Path)
    an.add_argument("--json", type=Path, help="write the full result JSON here")
    an.add_argument("--state-json", type=Path, help="write the warm-start state here")
    an.add_argument("--seed", type=int, default=0)
    an.add_argument(
        "--replay",
        type=int,
        default=0,
        metavar="TICKS",
        help="replay the vote history in TICKS warm-started ticks",
    )
    args = parser.parse_args(argv)

    if not args.export_dir.is_dir():
        parser.error(f"{args.export_dir} is not a folder")
    export = read_export(args.export_dir)
    started = time.perf_counter()
    result = run_analysis(export, seed=args.seed, ticks=args.replay)
    elapsed = time.perf_counter() - started
    print(summary_text(result, export, elapsed=elapsed))
    if args.json:
        args.json.write_text(
            json.dumps(result.to_json(), ensure_ascii=False, allow_nan=False) + "\n",
            encoding="utf-8",
        )
        print(f"\nWrote {args.json}")
    if args.state_json:
        args.state_json.write_text(
            json.dumps(result.state.to_json(), allow_nan=False) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
