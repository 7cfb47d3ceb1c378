"""Frozen data types for the clustering engine: input, parameters, state, result.

Identifiers (participants and statements) are kept exactly as the caller gives
them (``int`` or ``str``).  In JSON, lists hold them natively and object keys hold
``str(id)``; every keyed record also carries its native ``"id"``.

Vote values use the export convention: agree = +1, disagree = -1, pass = 0.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

Id: TypeAlias = int | str
VoteTriple: TypeAlias = tuple[Id, Id, int]
JSONDict: TypeAlias = dict[str, Any]

SCHEMA_VERSION = "agora.clustering/1"
STATE_SCHEMA_VERSION = "agora.clustering.state/1"


def id_sort_key(value: Id) -> tuple[int, int, str]:
    """Total order over mixed ids: all ints (numerically) before all strings."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"ids must be int or str, got {type(value).__name__}")
    if isinstance(value, int):
        return (0, value, "")
    return (1, 0, value)


def _check_id(value: object) -> Id:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"ids must be int or str, got {type(value).__name__}")
    return value


@dataclass(frozen=True)
class Parameters:
    """Tunable constants; the defaults are Polis's (POLIS_MATH.md)."""

    seed: int = 0
    min_votes: int = 7
    top_up: int = 15
    base_k: int = 100
    base_iters: int = 100
    group_iters: int = 20
    kmeans_tol: float = 0.01
    max_groups: int = 5
    k_buffer: int = 4
    z_90: float = 1.2816
    repness_top: int = 5
    consensus_top: int = 5
    divisive_top: int = 5
    max_participants: int = 100_000
    max_statements: int = 10_000
    meta_priority: float = 49.0

    def to_json(self) -> JSONDict:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Parameters:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def _first_appearance(keys: Iterable[Id]) -> dict[Id, int]:
    index: dict[Id, int] = {}
    for key in keys:
        if key not in index:
            index[key] = len(index)
    return index


def _encode_ids(
    values: Sequence[Any] | npt.NDArray[Any],
) -> tuple[list[Id], npt.NDArray[np.int64]]:
    """Ids in first-appearance order and each value's index into them."""
    arr = np.asarray(values)
    homogeneous = arr.ndim == 1 and (
        arr.dtype.kind in "iu"
        or (arr.dtype.kind == "U" and all(isinstance(v, str) for v in values))
    )
    if homogeneous and arr.size:
        uniq, first, inverse = np.unique(arr, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        ids: list[Id] = uniq[order].tolist()
        return ids, rank[inverse].astype(np.int64)
    index: dict[Id, int] = {}
    codes = [index.setdefault(_check_id(v), len(index)) for v in values]
    return list(index), np.asarray(codes, dtype=np.int64)


def _int_matrix(votes: Sequence[Any]) -> npt.NDArray[np.int64] | None:
    """All-integer triples as an (n, 3) array, else None (generic path)."""
    first = votes[0]
    if not (
        isinstance(first, tuple | list)
        and len(first) == 3
        and all(type(x) is int for x in first)
    ):
        return None
    try:
        arr = np.array(votes)
    except (ValueError, TypeError):
        return None
    # strict: ragged input, strings or floats anywhere give another dtype/shape
    if arr.dtype.kind != "i" or arr.ndim != 2 or arr.shape[1] != 3:
        return None
    return arr.astype(np.int64, copy=False)


def _encode_int_ids(
    values: npt.NDArray[np.int64],
) -> tuple[list[Id], npt.NDArray[np.int64]]:
    """Like :func:`_encode_ids` for integer ids, in O(n) when they are compact."""
    n = values.size
    lo, hi = int(values.min()), int(values.max())
    if lo < 0 or hi > 4 * n + 1_000_000:
        return _encode_ids(values)
    first = np.full(hi + 1, n, dtype=np.int64)
    first[values[::-1]] = np.arange(n - 1, -1, -1, dtype=np.int64)
    present = np.flatnonzero(first < n)
    order = present[np.argsort(first[present], kind="stable")]
    code = np.empty(hi + 1, dtype=np.int64)
    code[order] = np.arange(order.size)
    ids: list[Id] = order.tolist()
    return ids, code[values]


def _vote_values(values: Sequence[Any] | npt.NDArray[Any]) -> npt.NDArray[np.int8]:
    arr = np.asarray(values)
    if arr.dtype.kind not in "iub" or arr.ndim != 1:
        wrong = [v for v in values if not isinstance(v, int | np.integer)]
        raise ValueError(f"vote value must be -1, 0 or +1, got {wrong[0]!r}")
    if arr.size and not np.isin(arr, (-1, 0, 1)).all():
        bad = arr[~np.isin(arr, (-1, 0, 1))]
        raise ValueError(f"vote value must be -1, 0 or +1, got {bad[0]!r}")
    return arr.astype(np.int8)


@dataclass(frozen=True, eq=False)
class VoteTable:
    """Deduplicated votes in coordinate form.

    ``pids`` gives the row order (first appearance), ``tids`` the column order.
    ``rows``/``cols``/``values`` hold one entry per voted cell, sorted row-major.
    """

    pids: tuple[Id, ...]
    tids: tuple[Id, ...]
    rows: npt.NDArray[np.int64]
    cols: npt.NDArray[np.int64]
    values: npt.NDArray[np.int8]

    @property
    def n_rows(self) -> int:
        return len(self.pids)

    @property
    def n_cols(self) -> int:
        return len(self.tids)

    @property
    def n_votes(self) -> int:
        return int(self.values.shape[0])

    @classmethod
    def empty(cls) -> VoteTable:
        return cls(
            (),
            (),
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros(0, np.int8),
        )

    @classmethod
    def from_arrays(
        cls,
        rows: npt.ArrayLike,
        cols: npt.ArrayLike,
        values: npt.ArrayLike,
        *,
        pids: Sequence[Id] | None = None,
        tids: Sequence[Id] | None = None,
    ) -> VoteTable:
        """Build from integer index arrays, in vote order (the last vote wins).

        ``pids``/``tids`` name the row and column indices (default: the indices).
        Rows and columns that receive no vote are kept.
        """
        r = np.asarray(rows, dtype=np.int64).ravel()
        c = np.asarray(cols, dtype=np.int64).ravel()
        v = np.asarray(values).ravel()
        if not (r.shape == c.shape == v.shape):
            raise ValueError("rows, cols and values must have the same length")
        if v.size and not np.isin(v, (-1, 0, 1)).all():
            raise ValueError("vote values must be -1, 0 or +1")
        n_rows = int(r.max()) + 1 if r.size else 0
        n_cols = int(c.max()) + 1 if c.size else 0
        if r.size and (int(r.min()) < 0 or int(c.min()) < 0):
            raise ValueError("row and column indices must be non-negative")
        pid_t = tuple(range(n_rows)) if pids is None else tuple(map(_check_id, pids))
        tid_t = tuple(range(n_cols)) if tids is None else tuple(map(_check_id, tids))
        if len(pid_t) < n_rows or len(tid_t) < n_cols:
            raise ValueError("pids/tids shorter than the largest index")
        if len(set(pid_t)) != len(pid_t) or len(set(tid_t)) != len(tid_t):
            raise ValueError("duplicate participant or statement id")
        width = max(len(tid_t), 1)
        keys = r * width + c
        # the last occurrence of each key wins: unique over the reversed keys
        _, first_rev = np.unique(keys[::-1], return_index=True)
        keep = (keys.size - 1) - first_rev  # ascending key order = row-major
        return cls(
            pid_t,
            tid_t,
            r[keep].copy(),
            c[keep].copy(),
            v[keep].astype(np.int8),
        )

    @classmethod
    def from_votes(
        cls,
        votes: Iterable[VoteTriple] | Sequence[VoteTriple],
        *,
        sort_statements: bool = True,
        row_order: Literal["polis", "given"] = "polis",
    ) -> VoteTable:
        """Build from ``(participant, statement, value)`` triples in vote order
        (for each participant and statement the last triple wins).

        Columns follow ascending statement id (``sort_statements``) or first
        appearance.  Rows follow ``row_order``:

        * ``"polis"`` (default): the order in which Polis's poller would first
          see each participant when reading all votes at once, i.e. by the
          first column the participant voted on, then by participant id.  The
          result then does not depend on the order of the triples.
        * ``"given"``: first appearance in ``votes``.
        """
        if not isinstance(votes, list | tuple):
            votes = list(votes)
        if not votes:
            return cls.empty()
        fast = _int_matrix(votes)
        if fast is not None:
            pids, row_arr = _encode_int_ids(fast[:, 0])
            tids, col_arr = _encode_int_ids(fast[:, 1])
            vals = _vote_values(fast[:, 2])
        else:
            columns = list(zip(*votes, strict=True))
            if len(columns) != 3:
                raise ValueError(
                    "votes must be (participant, statement, value) triples"
                )
            pids, row_arr = _encode_ids(columns[0])
            tids, col_arr = _encode_ids(columns[1])
            vals = _vote_values(columns[2])
        if sort_statements and tids:
            order = sorted(range(len(tids)), key=lambda i: id_sort_key(tids[i]))
            remap = np.empty(len(tids), dtype=np.int64)
            remap[np.asarray(order, dtype=np.int64)] = np.arange(len(tids))
            col_arr = remap[col_arr]
            tids = [tids[i] for i in order]
        if row_order == "polis":
            first_col = np.full(len(pids), np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(first_col, row_arr, col_arr)
            fc = first_col.tolist()
            order = sorted(
                range(len(pids)), key=lambda i: (fc[i], id_sort_key(pids[i]))
            )
            remap_rows = np.empty(len(pids), dtype=np.int64)
            remap_rows[np.asarray(order, dtype=np.int64)] = np.arange(len(pids))
            row_arr = remap_rows[row_arr]
            pids = [pids[i] for i in order]
        elif row_order != "given":
            raise ValueError(f"unknown row_order {row_order!r}")
        return cls.from_arrays(row_arr, col_arr, vals, pids=pids, tids=tids)

    def to_triples(self) -> list[VoteTriple]:
        return [
            (self.pids[r], self.tids[c], int(v))
            for r, c, v in zip(
                self.rows.tolist(),
                self.cols.tolist(),
                self.values.tolist(),
                strict=True,
            )
        ]


@dataclass(frozen=True, eq=False)
class AnalysisInput:
    """Everything one analysis needs apart from parameters and previous state."""

    votes: VoteTable
    moderated_out: frozenset[Id] = frozenset()
    meta: frozenset[Id] = frozenset()


# --------------------------------------------------------------------- state


@dataclass(frozen=True)
class Cluster:
    """A k-means cluster: base clusters hold pids, group clusters base-cluster ids."""

    id: int
    members: tuple[Id, ...]
    center: tuple[float, float]

    def to_json(self) -> JSONDict:
        return {
            "id": self.id,
            "members": list(self.members),
            "center": list(self.center),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Cluster:
        cx, cy = data["center"]
        return cls(
            int(data["id"]),
            tuple(_check_id(m) for m in data["members"]),
            (float(cx), float(cy)),
        )


@dataclass(frozen=True)
class SmootherState:
    """Polis's group-k smoother: k changes only after ``k_buffer`` agreeing ticks."""

    last_k: int | None = None
    count: int = 0
    smoothed_k: int | None = None

    def to_json(self) -> JSONDict:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SmootherState:
        return cls(
            data.get("last_k"), int(data.get("count", 0)), data.get("smoothed_k")
        )


@dataclass(frozen=True)
class AnalysisState:
    """What the next analysis needs to warm-start (JSON-serialisable)."""

    tick: int = 0
    in_conv: tuple[Id, ...] = ()
    pca_tids: tuple[Id, ...] = ()
    pca_comps: tuple[tuple[float, ...], ...] = ()
    base_clusters: tuple[Cluster, ...] = ()
    group_clusterings: tuple[tuple[int, tuple[Cluster, ...]], ...] = ()
    smoother: SmootherState = field(default_factory=SmootherState)
    # per-statement (A, D, S) summed over the published groups, for priorities
    vote_totals: tuple[tuple[Id, int, int, int], ...] = ()

    def group_clustering(self, k: int) -> tuple[Cluster, ...] | None:
        for kk, clusters in self.group_clusterings:
            if kk == k:
                return clusters
        return None

    def to_json(self) -> JSONDict:
        return {
            "schema": STATE_SCHEMA_VERSION,
            "tick": self.tick,
            "in_conv": list(self.in_conv),
            "pca": {
                "tids": list(self.pca_tids),
                "comps": [list(c) for c in self.pca_comps],
            },
            "base_clusters": [c.to_json() for c in self.base_clusters],
            "group_clusterings": [
                {"k": k, "clusters": [c.to_json() for c in cs]}
                for k, cs in self.group_clusterings
            ],
            "smoother": self.smoother.to_json(),
            "vote_totals": {
                "tids": [t[0] for t in self.vote_totals],
                "agree": [t[1] for t in self.vote_totals],
                "disagree": [t[2] for t in self.vote_totals],
                "seen": [t[3] for t in self.vote_totals],
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AnalysisState:
        schema = data.get("schema", STATE_SCHEMA_VERSION)
        if schema != STATE_SCHEMA_VERSION:
            raise ValueError(f"unsupported state schema {schema!r}")
        pca = data.get("pca", {})
        totals = data.get(
            "vote_totals", {"tids": [], "agree": [], "disagree": [], "seen": []}
        )
        return cls(
            tick=int(data.get("tick", 0)),
            in_conv=tuple(_check_id(p) for p in data.get("in_conv", [])),
            pca_tids=tuple(_check_id(t) for t in pca.get("tids", [])),
            pca_comps=tuple(
                tuple(float(x) for x in comp) for comp in pca.get("comps", [])
            ),
            base_clusters=tuple(
                Cluster.from_json(c) for c in data.get("base_clusters", [])
            ),
            group_clusterings=tuple(
                (int(g["k"]), tuple(Cluster.from_json(c) for c in g["clusters"]))
                for g in data.get("group_clusterings", [])
            ),
            smoother=SmootherState.from_json(data.get("smoother", {})),
            vote_totals=tuple(
                (_check_id(t), int(a), int(d), int(s))
                for t, a, d, s in zip(
                    totals["tids"],
                    totals["agree"],
                    totals["disagree"],
                    totals["seen"],
                    strict=True,
                )
            ),
        )


# -------------------------------------------------------------------- result

RepfulFor: TypeAlias = Literal["agree", "disagree"]


@dataclass(frozen=True)
class RepnessRecord:
    """A representative statement of a group (POLIS_MATH.md §11-12)."""

    tid: Id
    n_success: int
    n_trials: int
    p_success: float
    p_test: float
    repness: float
    repness_test: float
    repful_for: RepfulFor
    n_agree: int
    best_agree: bool = False

    def to_json(self) -> JSONDict:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RepnessRecord:
        return cls(**dict(data))


@dataclass(frozen=True)
class ConsensusRecord:
    """A consensus statement over all participants (§13)."""

    tid: Id
    n_success: int
    n_trials: int
    p_success: float
    p_test: float

    def to_json(self) -> JSONDict:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ConsensusRecord:
        return cls(**dict(data))


@dataclass(frozen=True)
class DivisiveRecord:
    """A statement the groups disagree about (see docs/analysis.md)."""

    tid: Id
    spread: float
    z: float
    most_agree_group: int
    least_agree_group: int
    p_agree: tuple[tuple[int, float], ...]

    def to_json(self) -> JSONDict:
        return {
            "tid": self.tid,
            "spread": self.spread,
            "z": self.z,
            "most_agree_group": self.most_agree_group,
            "least_agree_group": self.least_agree_group,
            "p_agree": {str(g): p for g, p in self.p_agree},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DivisiveRecord:
        return cls(
            tid=_check_id(data["tid"]),
            spread=float(data["spread"]),
            z=float(data["z"]),
            most_agree_group=int(data["most_agree_group"]),
            least_agree_group=int(data["least_agree_group"]),
            p_agree=tuple((int(g), float(p)) for g, p in data["p_agree"].items()),
        )


@dataclass(frozen=True)
class Tally:
    """Vote counts on one statement: agree, disagree, pass and seen (= sum)."""

    agree: int = 0
    disagree: int = 0
    passes: int = 0

    @property
    def seen(self) -> int:
        return self.agree + self.disagree + self.passes

    def to_json(self) -> JSONDict:
        return {
            "agree": self.agree,
            "disagree": self.disagree,
            "pass": self.passes,
            "seen": self.seen,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Tally:
        return cls(int(data["agree"]), int(data["disagree"]), int(data["pass"]))


@dataclass(frozen=True)
class StatementResult:
    """Per-statement figures; positions use the export sign (agree = +1)."""

    id: Id
    moderated_out: bool
    meta: bool
    tally: Tally
    group_tallies: tuple[tuple[int, Tally], ...]
    center: float
    comps: tuple[float, float]
    projection: tuple[float, float]
    extremity: float
    group_informed_consensus: float
    priority: float

    def to_json(self) -> JSONDict:
        return {
            "id": self.id,
            "moderated_out": self.moderated_out,
            "meta": self.meta,
            **self.tally.to_json(),
            "groups": {str(g): t.to_json() for g, t in self.group_tallies},
            "center": self.center,
            "comps": list(self.comps),
            "projection": list(self.projection),
            "extremity": self.extremity,
            "group_informed_consensus": self.group_informed_consensus,
            "priority": self.priority,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StatementResult:
        c1, c2 = data["comps"]
        px, py = data["projection"]
        return cls(
            id=_check_id(data["id"]),
            moderated_out=bool(data["moderated_out"]),
            meta=bool(data["meta"]),
            tally=Tally.from_json(data),
            group_tallies=tuple(
                (int(g), Tally.from_json(t)) for g, t in data["groups"].items()
            ),
            center=float(data["center"]),
            comps=(float(c1), float(c2)),
            projection=(float(px), float(py)),
            extremity=float(data["extremity"]),
            group_informed_consensus=float(data["group_informed_consensus"]),
            priority=float(data["priority"]),
        )


@dataclass(frozen=True)
class GroupResult:
    """One opinion group."""

    id: int
    participants: tuple[Id, ...]
    center: tuple[float, float]
    base_clusters: tuple[int, ...]
    repness: tuple[RepnessRecord, ...]

    def to_json(self) -> JSONDict:
        return {
            "id": self.id,
            "n_participants": len(self.participants),
            "participants": list(self.participants),
            "center": list(self.center),
            "base_clusters": list(self.base_clusters),
            "repness": [r.to_json() for r in self.repness],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GroupResult:
        cx, cy = data["center"]
        return cls(
            id=int(data["id"]),
            participants=tuple(_check_id(p) for p in data["participants"]),
            center=(float(cx), float(cy)),
            base_clusters=tuple(int(b) for b in data["base_clusters"]),
            repness=tuple(RepnessRecord.from_json(r) for r in data["repness"]),
        )


@dataclass(frozen=True)
class ParticipantResult:
    """Position (export sign) and group of one participant; group None = unclustered."""

    id: Id
    x: float
    y: float
    group: int | None
    n_votes: int

    def to_json(self) -> JSONDict:
        return {
            "id": self.id,
            "x": self.x,
            "y": self.y,
            "group": self.group,
            "n_votes": self.n_votes,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ParticipantResult:
        group = data["group"]
        return cls(
            id=_check_id(data["id"]),
            x=float(data["x"]),
            y=float(data["y"]),
            group=None if group is None else int(group),
            n_votes=int(data["n_votes"]),
        )


@dataclass(frozen=True)
class AnalysisResult:
    """The output of :func:`clustering.math.analyze`.

    ``to_json()`` gives the documented schema (docs/analysis.md); the state for
    the next warm start is kept separately in ``state``.
    """

    params: Parameters
    versions: tuple[tuple[str, str], ...]
    tick: int
    n_votes: int
    n_base_clusters: int
    k: int
    k_scores: tuple[tuple[int, float], ...]
    groups: tuple[GroupResult, ...]
    consensus_agree: tuple[ConsensusRecord, ...]
    consensus_disagree: tuple[ConsensusRecord, ...]
    divisive: tuple[DivisiveRecord, ...]
    participants: tuple[ParticipantResult, ...]
    statements: tuple[StatementResult, ...]
    state: AnalysisState = field(default_factory=AnalysisState, compare=False)

    @property
    def n_participants(self) -> int:
        return len(self.participants)

    @property
    def n_clustered(self) -> int:
        return sum(len(g.participants) for g in self.groups)

    def group_of(self) -> dict[Id, int]:
        """Participant id -> group id, for clustered participants."""
        return {p: g.id for g in self.groups for p in g.participants}

    def to_json(self) -> JSONDict:
        return {
            "schema": SCHEMA_VERSION,
            "params": self.params.to_json(),
            "versions": dict(self.versions),
            "tick": self.tick,
            "n_participants": self.n_participants,
            "n_clustered": self.n_clustered,
            "n_statements": len(self.statements),
            "n_votes": self.n_votes,
            "n_base_clusters": self.n_base_clusters,
            "k": self.k,
            "k_scores": {str(k): s for k, s in self.k_scores},
            "groups": [g.to_json() for g in self.groups],
            "consensus": {
                "agree": [c.to_json() for c in self.consensus_agree],
                "disagree": [c.to_json() for c in self.consensus_disagree],
            },
            "group_informed_consensus": {
                str(s.id): s.group_informed_consensus for s in self.statements
            },
            "priorities": {str(s.id): s.priority for s in self.statements},
            "divisive": [d.to_json() for d in self.divisive],
            "participants": {str(p.id): p.to_json() for p in self.participants},
            "statements": {str(s.id): s.to_json() for s in self.statements},
        }

    @classmethod
    def from_json(
        cls, data: Mapping[str, Any], state: AnalysisState | None = None
    ) -> AnalysisResult:
        if data.get("schema") != SCHEMA_VERSION:
            raise ValueError(f"unsupported result schema {data.get('schema')!r}")
        return cls(
            params=Parameters.from_json(data["params"]),
            versions=tuple((str(k), str(v)) for k, v in data["versions"].items()),
            tick=int(data["tick"]),
            n_votes=int(data["n_votes"]),
            n_base_clusters=int(data["n_base_clusters"]),
            k=int(data["k"]),
            k_scores=tuple((int(k), float(s)) for k, s in data["k_scores"].items()),
            groups=tuple(GroupResult.from_json(g) for g in data["groups"]),
            consensus_agree=tuple(
                ConsensusRecord.from_json(c) for c in data["consensus"]["agree"]
            ),
            consensus_disagree=tuple(
                ConsensusRecord.from_json(c) for c in data["consensus"]["disagree"]
            ),
            divisive=tuple(DivisiveRecord.from_json(d) for d in data["divisive"]),
            participants=tuple(
                ParticipantResult.from_json(p) for p in data["participants"].values()
            ),
            statements=tuple(
                StatementResult.from_json(s) for s in data["statements"].values()
            ),
            state=state if state is not None else AnalysisState(),
        )
