"""Analysis entry points: analyze, replay and group_statistics."""

from __future__ import annotations

import functools
import platform
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata

import numpy as np

from clustering.math import cluster, reduce, stats
from clustering.math.matrix import (
    BoolArray,
    FloatArray,
    IntArray,
    RatingMatrix,
    build_rating_matrix,
    count_votes,
    zero_columns,
)
from clustering.math.types import (
    AnalysisInput,
    AnalysisResult,
    AnalysisState,
    Cluster,
    ConsensusRecord,
    DivisiveRecord,
    GroupResult,
    Id,
    Parameters,
    ParticipantResult,
    RepnessRecord,
    SmootherState,
    StatementResult,
    Tally,
    VoteTable,
    VoteTriple,
    id_sort_key,
)

ENGINE_VERSION = "1.0"

VotesLike = VoteTable | AnalysisInput | Iterable[VoteTriple]


@functools.cache
def library_versions() -> tuple[tuple[str, str], ...]:
    def dist(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover
            return "absent"

    return (
        ("engine", ENGINE_VERSION),
        ("python", platform.python_version()),
        ("numpy", dist("numpy")),
        ("scipy", dist("scipy")),
        ("scikit-learn", dist("scikit-learn")),
    )


# ---------------------------------------------------------------- statistics


@dataclass(frozen=True, eq=False)
class GroupStatistics:
    """Statistics for a given assignment of participants to groups."""

    group_ids: tuple[int, ...]
    row_group: IntArray  # per row: index into group_ids, or -1
    group_agree: IntArray  # (g, n) raw tallies of group members ("group-votes")
    group_disagree: IntArray
    group_seen: IntArray
    repness: tuple[tuple[RepnessRecord, ...], ...]  # per group, in group_ids order
    consensus_agree: tuple[ConsensusRecord, ...]
    consensus_disagree: tuple[ConsensusRecord, ...]
    gic: FloatArray
    divisive: tuple[DivisiveRecord, ...]
    overall: tuple[IntArray, IntArray, IntArray]  # (1, n) raw tallies, all rows


def _statistics(
    rm: RatingMatrix, row_group: IntArray, group_ids: Sequence[int], params: Parameters
) -> GroupStatistics:
    table = rm.table
    n_g = len(group_ids)
    g_a, g_d, g_s = count_votes(table, row_group, n_g)
    sizes = np.bincount(row_group[row_group >= 0], minlength=n_g).astype(np.int64)
    r_a, r_d, r_s = zero_columns((g_a, g_d, g_s), rm.mod_out, sizes)
    st = stats.repness_stats(r_a, r_d, r_s)
    repness = tuple(
        stats.select_repness(
            table.tids, rm.mod_out, st, g, z=params.z_90, top=params.repness_top
        )
        for g in range(n_g)
    )
    everyone = np.zeros(table.n_rows, dtype=np.int64)
    overall = count_votes(table, everyone, 1)
    n_all = np.asarray([table.n_rows], dtype=np.int64)
    c_a, c_d, c_s = zero_columns(overall, rm.mod_out, n_all)
    cons_a, cons_d = stats.consensus(
        table.tids,
        rm.mod_out,
        c_a[0],
        c_d[0],
        c_s[0],
        z=params.z_90,
        top=params.consensus_top,
    )
    return GroupStatistics(
        group_ids=tuple(group_ids),
        row_group=row_group,
        group_agree=g_a,
        group_disagree=g_d,
        group_seen=g_s,
        repness=repness,
        consensus_agree=cons_a,
        consensus_disagree=cons_d,
        gic=stats.group_informed_consensus(g_a, g_s),
        divisive=stats.divisive(
            table.tids,
            rm.mod_out,
            group_ids,
            g_a,
            g_s,
            z=params.z_90,
            top=params.divisive_top,
        ),
        overall=overall,
    )


def group_statistics(
    votes: VotesLike,
    *,
    groups: Mapping[int, Iterable[Id]],
    moderated_out: Iterable[Id] = (),
    meta: Iterable[Id] = (),
    params: Parameters | None = None,
) -> GroupStatistics:
    """Tallies, repness, consensus, GIC and divisiveness for *given* groups.

    This is what :func:`analyze` runs after clustering; it is public so the
    statistics can be checked against Polis's own clusters.
    """
    params = params or Parameters()
    inp = _as_input(votes, moderated_out, meta)
    rm = build_rating_matrix(inp.votes, inp.moderated_out, inp.meta)
    index = {p: i for i, p in enumerate(inp.votes.pids)}
    group_ids = sorted(groups)
    row_group = np.full(inp.votes.n_rows, -1, dtype=np.int64)
    for gi, gid in enumerate(group_ids):
        for pid in groups[gid]:
            if pid in index:
                row_group[index[pid]] = gi
    return _statistics(rm, row_group, group_ids, params)


# --------------------------------------------------------------------- input


def _as_input(
    votes: VotesLike, moderated_out: Iterable[Id], meta: Iterable[Id]
) -> AnalysisInput:
    if isinstance(votes, AnalysisInput):
        return AnalysisInput(
            votes.votes,
            votes.moderated_out | frozenset(moderated_out),
            votes.meta | frozenset(meta),
        )
    table = votes if isinstance(votes, VoteTable) else VoteTable.from_votes(votes)
    return AnalysisInput(table, frozenset(moderated_out), frozenset(meta))


def _apply_caps(table: VoteTable, params: Parameters) -> VoteTable:
    """Polis's customs: ignore rows/columns beyond the caps (in table order)."""
    if (
        table.n_rows <= params.max_participants
        and table.n_cols <= params.max_statements
    ):
        return table
    keep = (table.rows < params.max_participants) & (table.cols < params.max_statements)
    return VoteTable(
        table.pids[: params.max_participants],
        table.tids[: params.max_statements],
        table.rows[keep],
        table.cols[keep],
        table.values[keep],
    )


def _in_conv(
    rm: RatingMatrix, state: AnalysisState | None, params: Parameters
) -> BoolArray:
    """Participants that are clustered (§4): threshold, sticky, greedy top-up."""
    counts = rm.raw_counts
    threshold = min(params.min_votes, rm.n_cols)
    mask: BoolArray = counts >= max(threshold, 1)
    if state is not None and state.in_conv:
        before = frozenset(state.in_conv)
        mask |= np.fromiter(
            (p in before for p in rm.table.pids), dtype=np.bool_, count=rm.n_rows
        )
    missing = params.top_up - int(mask.sum())
    if missing > 0:
        rest = np.flatnonzero(~mask & (counts > 0))
        order = rest[np.lexsort((rest, -counts[rest]))]
        mask[order[:missing]] = True
    return mask


# ------------------------------------------------------------------ analysis


@dataclass(frozen=True, eq=False)
class _Grouping:
    base: tuple[Cluster, ...]
    base_labels: IntArray  # per in-conv row: index into base
    clusterings: tuple[tuple[int, tuple[Cluster, ...]], ...]
    scores: tuple[tuple[int, float], ...]
    smoother: SmootherState
    groups: tuple[Cluster, ...]  # published clustering (members = base ids)


def _group(
    points: FloatArray,
    keys: Sequence[Id],
    state: AnalysisState | None,
    params: Parameters,
) -> _Grouping:
    prev_smoother = state.smoother if state is not None else SmootherState()
    base, base_labels = cluster.kmeans(
        points,
        np.ones(points.shape[0]),
        keys,
        params.base_k,
        previous=state.base_clusters if state is not None else None,
        max_iters=params.base_iters,
        tol=params.kmeans_tol,
    )
    n_base = len(base)
    if n_base == 0:
        return _Grouping(base, base_labels, (), (), prev_smoother, ())
    centers = np.asarray([b.center for b in base], dtype=np.float64)
    weights = np.asarray([len(b.members) for b in base], dtype=np.float64)
    base_ids = [b.id for b in base]
    if n_base < 2 or cluster.n_distinct(centers) < 2:
        only = Cluster(0, tuple(base_ids), _weighted_center(centers, weights))
        return _Grouping(base, base_labels, (), (), prev_smoother, (only,))
    clusterings: dict[int, tuple[Cluster, ...]] = {}
    scores: dict[int, float] = {}
    for k in range(2, cluster.max_group_k(n_base, params.max_groups) + 1):
        groups, labels = cluster.kmeans(
            centers,
            weights,
            base_ids,
            k,
            previous=state.group_clustering(k) if state is not None else None,
            max_iters=params.group_iters,
            tol=params.kmeans_tol,
        )
        clusterings[k] = groups
        scores[k] = cluster.silhouette(centers, labels)
    this_k = cluster.choose_k(scores)
    smoother = cluster.smooth_k(
        prev_smoother, this_k, params.k_buffer, sorted(clusterings)
    )
    chosen = clusterings[smoother.smoothed_k or this_k]
    return _Grouping(
        base,
        base_labels,
        tuple(sorted(clusterings.items())),
        tuple(sorted(scores.items())),
        smoother,
        chosen,
    )


def _weighted_center(centers: FloatArray, weights: FloatArray) -> tuple[float, float]:
    tw = float(weights.sum())
    if tw <= 0:
        return (0.0, 0.0)
    c = (centers * weights[:, None]).sum(axis=0) / tw
    return (float(c[0]), float(c[1]))


def _prior_totals(
    tids: Sequence[Id], state: AnalysisState | None, current: GroupStatistics
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Vote totals for priorities: last tick's when warm, else this tick's."""
    if state is None:
        return (
            current.group_agree.sum(axis=0).astype(np.float64),
            current.group_disagree.sum(axis=0).astype(np.float64),
            current.group_seen.sum(axis=0).astype(np.float64),
        )
    prev = {t: (a, d, s) for t, a, d, s in state.vote_totals}
    arr = np.asarray([prev.get(t, (0, 0, 0)) for t in tids], dtype=np.float64)
    arr = arr.reshape(-1, 3)
    return arr[:, 0], arr[:, 1], arr[:, 2]


def analyze(
    votes: VotesLike,
    *,
    moderated_out: Iterable[Id] = (),
    meta: Iterable[Id] = (),
    state: AnalysisState | None = None,
    params: Parameters | None = None,
) -> AnalysisResult:
    """Run one Polis-style tick over ``votes``.

    ``votes`` is a :class:`VoteTable`, an :class:`AnalysisInput`, or an
    iterable of ``(participant, statement, value)`` triples in the order the
    votes were cast (value +1 agree, -1 disagree, 0 pass; the last vote per
    participant and statement wins; rows follow first appearance).  Meta
    statements are treated as moderated out.  With ``state`` (the previous
    result's ``state``) the tick is warm-started: sticky participants, PCA
    sign alignment, base and group clusters, the k smoother, priorities.
    """
    params = params or Parameters()
    inp = _as_input(votes, moderated_out, meta)
    table = _apply_caps(inp.votes, params)
    rm = build_rating_matrix(table, inp.moderated_out, inp.meta)

    comps = reduce.principal_components(
        rm,
        seed=params.seed,
        prev_tids=state.pca_tids if state is not None else (),
        prev_comps=state.pca_comps if state is not None else (),
    )
    proj = reduce.project_participants(rm, comps)
    sproj, extremity = reduce.project_statements(rm.center, comps)

    in_conv = _in_conv(rm, state, params)
    conv_rows = np.flatnonzero(in_conv)
    conv_pids = [table.pids[i] for i in conv_rows.tolist()]
    grouping = _group(proj[conv_rows], conv_pids, state, params)

    # rows -> published group index
    group_ids = [g.id for g in grouping.groups]
    base_to_group = {b: gi for gi, g in enumerate(grouping.groups) for b in g.members}
    base_group = np.asarray(
        [base_to_group.get(b.id, -1) for b in grouping.base], dtype=np.int64
    )
    row_group = np.full(rm.n_rows, -1, dtype=np.int64)
    if conv_rows.size and base_group.size:
        row_group[conv_rows] = base_group[grouping.base_labels]

    gs = _statistics(rm, row_group, group_ids, params)
    pa, pd, ps = _prior_totals(table.tids, state, gs)
    prio = stats.priorities(
        pa, pd, ps, extremity, rm.meta, meta_priority=params.meta_priority
    )

    all_a, all_d, all_s = gs.overall
    statements = _statement_results(
        rm, comps, sproj, extremity, gs, prio, (all_a[0], all_d[0], all_s[0])
    )
    groups = _group_results(grouping.groups, gs, table.pids)
    participants = _participant_results(rm, proj, row_group, group_ids)

    totals = tuple(
        (t, int(a), int(d), int(s))
        for t, a, d, s in zip(
            table.tids,
            gs.group_agree.sum(axis=0).tolist(),
            gs.group_disagree.sum(axis=0).tolist(),
            gs.group_seen.sum(axis=0).tolist(),
            strict=True,
        )
    )
    new_state = AnalysisState(
        tick=(state.tick if state is not None else 0) + 1,
        in_conv=tuple(conv_pids),
        pca_tids=table.tids,
        pca_comps=tuple(tuple(float(x) for x in row) for row in comps.tolist()),
        base_clusters=grouping.base,
        group_clusterings=grouping.clusterings,
        smoother=grouping.smoother,
        vote_totals=totals,
    )
    return AnalysisResult(
        params=params,
        versions=library_versions(),
        tick=new_state.tick,
        n_votes=table.n_votes,
        n_base_clusters=len(grouping.base),
        k=len(groups),
        k_scores=grouping.scores,
        groups=groups,
        consensus_agree=gs.consensus_agree,
        consensus_disagree=gs.consensus_disagree,
        divisive=gs.divisive,
        participants=participants,
        statements=statements,
        state=new_state,
    )


def _statement_results(
    rm: RatingMatrix,
    comps: FloatArray,
    sproj: FloatArray,
    extremity: FloatArray,
    gs: GroupStatistics,
    prio: FloatArray,
    overall: tuple[IntArray, IntArray, IntArray],
) -> tuple[StatementResult, ...]:
    a, d, s = (x.tolist() for x in overall)
    ga, gd, gsn = gs.group_agree.tolist(), gs.group_disagree.tolist(), gs.group_seen
    gsl = gsn.tolist()
    out = []
    for j, tid in enumerate(rm.table.tids):
        out.append(
            StatementResult(
                id=tid,
                moderated_out=bool(rm.mod_out[j]),
                meta=bool(rm.meta[j]),
                tally=Tally(a[j], d[j], s[j] - a[j] - d[j]),
                group_tallies=tuple(
                    (gid, Tally(ga[g][j], gd[g][j], gsl[g][j] - ga[g][j] - gd[g][j]))
                    for g, gid in enumerate(gs.group_ids)
                ),
                center=float(rm.center[j]),
                comps=(float(comps[0, j]), float(comps[1, j])),
                projection=(float(sproj[j, 0]), float(sproj[j, 1])),
                extremity=float(extremity[j]),
                group_informed_consensus=float(gs.gic[j]),
                priority=float(prio[j]),
            )
        )
    return tuple(out)


def _group_results(
    groups: Sequence[Cluster], gs: GroupStatistics, pids: Sequence[Id]
) -> tuple[GroupResult, ...]:
    members: list[list[Id]] = [[] for _ in groups]
    for row, g in enumerate(gs.row_group.tolist()):
        if g >= 0:
            members[g].append(pids[row])
    return tuple(
        GroupResult(
            id=g.id,
            participants=tuple(members[gi]),
            center=g.center,
            base_clusters=tuple(int(b) for b in g.members),
            repness=gs.repness[gi],
        )
        for gi, g in enumerate(groups)
    )


def _participant_results(
    rm: RatingMatrix, proj: FloatArray, row_group: IntArray, group_ids: Sequence[int]
) -> tuple[ParticipantResult, ...]:
    xs, ys = proj[:, 0].tolist(), proj[:, 1].tolist()
    counts = rm.raw_counts.tolist()
    gids = [group_ids[g] if g >= 0 else None for g in row_group.tolist()]
    return tuple(
        ParticipantResult(pid, x, y, g, n)
        for pid, x, y, g, n in zip(rm.table.pids, xs, ys, gids, counts, strict=True)
    )


# -------------------------------------------------------------------- replay


def replay(
    votes: Sequence[tuple[float, Id, Id, int]],
    *,
    moderated_out: Iterable[Id] = (),
    meta: Iterable[Id] = (),
    ticks: int = 50,
    params: Parameters | None = None,
    state: AnalysisState | None = None,
) -> AnalysisResult:
    """Re-run a conversation's history: ``ticks`` warm-started analyses.

    ``votes`` are ``(timestamp, participant, statement, value)``.  They are
    sorted by time and cut into ``ticks`` batches of equal size; like the Polis
    poller, each batch is appended in (statement, participant, time) order, so
    the participant row order is the order of first appearance tick by tick.
    Every tick uses the final moderation (the history of moderation is not in
    an export).  Returns the last tick's result.
    """
    params = params or Parameters()
    mod = frozenset(moderated_out)
    met = frozenset(meta)
    ordered = sorted(votes, key=lambda v: v[0])
    n = len(ordered)
    if n == 0:
        return analyze(VoteTable.empty(), state=state, params=params)
    ticks = max(1, min(ticks, n))
    bounds = [round(n * (i + 1) / ticks) for i in range(ticks)]
    seq: list[tuple[Id, Id, int]] = []
    start = 0
    for end in bounds:
        batch = sorted(
            ordered[start:end],
            key=lambda v: (id_sort_key(v[2]), id_sort_key(v[1]), v[0]),
        )
        seq.extend((p, t, int(x)) for _, p, t, x in batch)
        start = end
    # global codes: rows by first appearance, columns by statement id
    pid_index: dict[Id, int] = {}
    rows = np.fromiter(
        (pid_index.setdefault(p, len(pid_index)) for p, _, _ in seq),
        dtype=np.int64,
        count=n,
    )
    tids_sorted = sorted({t for _, t, _ in seq}, key=id_sort_key)
    tid_index = {t: i for i, t in enumerate(tids_sorted)}
    cols = np.fromiter((tid_index[t] for _, t, _ in seq), dtype=np.int64, count=n)
    vals = np.fromiter((v for _, _, v in seq), dtype=np.int8, count=n)
    pids = list(pid_index)
    result: AnalysisResult | None = None
    for end in bounds:
        r, c, v = rows[:end], cols[:end], vals[:end]
        present = np.unique(c)
        remap = np.full(len(tids_sorted), -1, dtype=np.int64)
        remap[present] = np.arange(present.size)
        table = VoteTable.from_arrays(
            r,
            remap[c],
            v,
            pids=pids[: int(r.max()) + 1],
            tids=[tids_sorted[i] for i in present.tolist()],
        )
        result = analyze(table, moderated_out=mod, meta=met, state=state, params=params)
        state = result.state
    if result is None:  # pragma: no cover - bounds is never empty
        raise RuntimeError("replay produced no tick")
    return result
