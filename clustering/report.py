"""The report view model: built once per analysis by the worker, served as is.

``build_report(result_json, sectors)`` turns the engine's JSON (docs/analysis.md)
into what the pages draw: group sizes and centres, a bounded sample of map
points, per-group representative statements with % in the group vs. the rest,
consensus, divisive statements, per-statement tallies and the opinion group ×
stakeholder sector table with small cells suppressed. Statement *text* is not
stored here; it is joined when served, so moderation applies at once.

Pure functions; no database access.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from clustering.conf import MAP_POINTS, SUPPRESS_BELOW

NO_SECTOR = "none"


def group_label(index: int) -> str:
    """A, B, C … (by order of group id), as in Polis reports."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return letters[index] if index < len(letters) else str(index + 1)


def _pct(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _tally(t: Mapping[str, Any]) -> list[int]:
    return [int(t["agree"]), int(t["disagree"]), int(t["pass"]), int(t["seen"])]


def _round(v: float) -> float:
    return round(float(v), 4)


def suppress(
    table: Sequence[Sequence[int]], threshold: int = SUPPRESS_BELOW
) -> list[list[bool]]:
    """Which cells of a table (margins included) must be hidden.

    Primary: every count from 1 to ``threshold - 1``. Secondary: a row or
    column with exactly one hidden cell would give it away by subtraction from
    its total, so the smallest other non-zero cell of that line is hidden too,
    repeated until no line has a single hidden cell.
    """
    n_rows = len(table)
    n_cols = len(table[0]) if n_rows else 0
    hidden = [
        [0 < table[r][c] < threshold for c in range(n_cols)] for r in range(n_rows)
    ]
    lines = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    lines += [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(hidden[r][c] for r, c in line) != 1:
                continue
            candidates = [
                (table[r][c], r, c)
                for r, c in line
                if not hidden[r][c] and table[r][c] > 0
            ]
            if candidates:
                _value, r, c = min(candidates)
                hidden[r][c] = True
                changed = True
    return hidden


def sector_table(
    members: Mapping[int, Sequence[str | None]],
    sector_order: Sequence[str],
    threshold: int = SUPPRESS_BELOW,
) -> dict[str, Any]:
    """Opinion group × stakeholder sector counts with small cells suppressed.

    ``members`` maps a group id to its members' sectors (None = no sector:
    anonymous or imported participants). Returns columns (sectors that occur,
    in ``sector_order``, then "none"), one row per group and a total row; each
    cell is ``{"n": int | None, "hidden": bool}``.
    """
    present = {s or NO_SECTOR for sectors in members.values() for s in sectors}
    columns = [s for s in [*sector_order, NO_SECTOR] if s in present]
    group_ids = sorted(members)
    counts = []
    for gid in group_ids:
        row = [0] * len(columns)
        for s in members[gid]:
            row[columns.index(s or NO_SECTOR)] += 1
        counts.append([*row, sum(row)])
    totals = [sum(col) for col in zip(*counts, strict=True)] if counts else []
    full = [*counts, totals] if counts else []
    hidden = suppress(full, threshold) if full else []

    def cells(r: int) -> list[dict[str, Any]]:
        return [
            {"n": None if hidden[r][c] else v, "hidden": hidden[r][c]}
            for c, v in enumerate(full[r])
        ]

    return {
        "columns": columns,
        "rows": [{"group": gid, "cells": cells(i)} for i, gid in enumerate(group_ids)],
        "total": cells(len(group_ids)) if full else [],
        "threshold": threshold,
    }


def _sample(pids: Sequence[str], limit: int) -> list[str]:
    if len(pids) <= limit:
        return list(pids)
    step = len(pids) / limit
    return [pids[int(i * step)] for i in range(limit)]


def build_report(
    result: Mapping[str, Any],
    sectors: Mapping[int, str | None],
    *,
    sector_order: Sequence[str] | None = None,
    max_points: int = MAP_POINTS,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(report, positions) from the engine's JSON and participants' sectors."""
    if sector_order is None:
        from accounts.models import Sector

        sector_order = list(Sector.values)
    statements = result["statements"]
    groups_in = sorted(result["groups"], key=lambda g: g["id"])
    gids = [int(g["id"]) for g in groups_in]
    labels = {gid: group_label(i) for i, gid in enumerate(gids)}

    stats: dict[str, Any] = {}
    for key, s in statements.items():
        stats[key] = {
            "t": _tally(s),
            "g": {g: _tally(t) for g, t in s["groups"].items()},
            "gic": _round(s["group_informed_consensus"]),
            "pri": _round(s["priority"]),
            "proj": [_round(s["projection"][0]), _round(s["projection"][1])],
            "meta": bool(s["meta"]),
            "out": bool(s["moderated_out"]),
        }

    groups = []
    for g in groups_in:
        gid = int(g["id"])
        rep = []
        for r in g["repness"]:
            s = statements.get(str(r["tid"]))
            if s is None:
                continue
            idx = 0 if r["repful_for"] == "agree" else 1
            mine = _tally(
                s["groups"].get(
                    str(gid), {"agree": 0, "disagree": 0, "pass": 0, "seen": 0}
                )
            )
            rest = [0, 0, 0, 0]
            for other, t in s["groups"].items():
                if int(other) != gid:
                    rest = [a + b for a, b in zip(rest, _tally(t), strict=True)]
            rep.append(
                {
                    "tid": r["tid"],
                    "for": r["repful_for"],
                    "in": _pct(mine[idx], mine[3]),
                    "rest": _pct(rest[idx], rest[3]),
                    "n_in": mine[3],
                    "n_rest": rest[3],
                }
            )
        groups.append(
            {
                "id": gid,
                "label": labels[gid],
                "size": int(g["n_participants"]),
                "center": [_round(g["center"][0]), _round(g["center"][1])],
                "repness": rep,
            }
        )

    participants = result["participants"]
    # Keys are "p<id>": a JSON key lookup on a digit string would be read as an
    # array index by the database (see selectors.participant_position).
    positions = {
        f"p{key}": [_round(p["x"]), _round(p["y"]), p["group"], int(p["n_votes"])]
        for key, p in participants.items()
    }
    clustered = sorted(
        (key for key, p in participants.items() if p["group"] is not None),
        key=lambda k: (len(k), k),
    )
    points = [
        [participants[k]["id"], *positions[f"p{k}"][:3]]
        for k in _sample(clustered, max_points)
    ]

    def consensus(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return [
            {
                "tid": c["tid"],
                "pct": _pct(int(c["n_success"]), int(c["n_trials"])),
                "n": int(c["n_trials"]),
            }
            for c in records
        ]

    ranked = sorted(
        (
            (s["group_informed_consensus"], s["id"])
            for s in statements.values()
            if not s["moderated_out"] and s["seen"] > 0
        ),
        key=lambda x: (-x[0], str(x[1])),
    )
    members: dict[int, list[str | None]] = {gid: [] for gid in gids}
    for g in groups_in:
        for pid in g["participants"]:
            members[int(g["id"])].append(
                sectors.get(int(pid)) if str(pid).isdigit() else None
            )

    summary = {
        "n_participants": int(result["n_participants"]),
        "n_clustered": int(result["n_clustered"]),
        "n_votes": int(result["n_votes"]),
        "n_statements": int(result["n_statements"]),
        "k": int(result["k"]),
        "groups": [
            {"id": g["id"], "label": g["label"], "size": g["size"]} for g in groups
        ],
    }
    report = {
        "summary": summary,
        "groups": groups,
        "points": points,
        "n_points": len(clustered),
        "statements": stats,
        "consensus": {
            "agree": consensus(result["consensus"]["agree"]),
            "disagree": consensus(result["consensus"]["disagree"]),
        },
        "gic": [{"tid": tid, "gic": _round(v)} for v, tid in ranked[:5]],
        "divisive": [
            {
                "tid": d["tid"],
                "spread": _round(d["spread"]),
                "p_agree": {g: _round(p) for g, p in d["p_agree"].items()},
            }
            for d in result["divisive"]
        ],
        "sectors": sector_table(members, sector_order),
    }
    return report, positions
