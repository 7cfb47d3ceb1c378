"""Tallies, representative statements, consensus, GIC, divisiveness, priorities.

POLIS_MATH.md §10-15.  Everything works on count arrays of shape
(groups, statements) so it can be fed either our own clusters or Polis's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from clustering.math.matrix import BoolArray, FloatArray, IntArray
from clustering.math.types import (
    ConsensusRecord,
    DivisiveRecord,
    Id,
    RepfulFor,
    RepnessRecord,
)


def prop_test(succ: FloatArray, n: FloatArray) -> FloatArray:
    """Polis's one-proportion z against 1/2 with a +1 pseudo-count."""
    out: FloatArray = 2.0 * np.sqrt(n + 1.0) * ((succ + 1.0) / (n + 1.0) - 0.5)
    return out


def two_prop_test(
    succ1: FloatArray, succ2: FloatArray, n1: FloatArray, n2: FloatArray
) -> FloatArray:
    """Two-proportion z with +1 on all four counts; 0 where the pooled p is 1."""
    s1, s2, m1, m2 = succ1 + 1.0, succ2 + 1.0, n1 + 1.0, n2 + 1.0
    p1 = s1 / m1
    p2 = s2 / m2
    pooled = (s1 + s2) / (m1 + m2)
    var = pooled * (1.0 - pooled) * (1.0 / m1 + 1.0 / m2)
    ok = pooled != 1.0
    out: FloatArray = np.zeros(np.broadcast(p1, p2).shape)
    np.divide(p1 - p2, np.sqrt(np.where(ok, var, 1.0)), out=out, where=ok)
    return out


@dataclass(frozen=True, eq=False)
class RepnessStats:
    """Per (group, statement) statistics of §11; arrays of shape (g, n)."""

    na: FloatArray
    nd: FloatArray
    ns: FloatArray
    pa: FloatArray
    pd: FloatArray
    pat: FloatArray
    pdt: FloatArray
    ra: FloatArray
    rd: FloatArray
    rat: FloatArray
    rdt: FloatArray


def repness_stats(na_i: IntArray, nd_i: IntArray, ns_i: IntArray) -> RepnessStats:
    """Group-vs-rest statistics from rating-mat counts per group."""
    na = na_i.astype(np.float64)
    nd = nd_i.astype(np.float64)
    ns = ns_i.astype(np.float64)
    rest_na = na.sum(axis=0)[None, :] - na
    rest_nd = nd.sum(axis=0)[None, :] - nd
    rest_ns = ns.sum(axis=0)[None, :] - ns
    pa = (na + 1.0) / (ns + 2.0)
    pd = (nd + 1.0) / (ns + 2.0)
    return RepnessStats(
        na=na,
        nd=nd,
        ns=ns,
        pa=pa,
        pd=pd,
        pat=prop_test(na, ns),
        pdt=prop_test(nd, ns),
        ra=pa / ((rest_na + 1.0) / (rest_ns + 2.0)),
        rd=pd / ((rest_nd + 1.0) / (rest_ns + 2.0)),
        rat=two_prop_test(na, rest_na, ns, rest_ns),
        rdt=two_prop_test(nd, rest_nd, ns, rest_ns),
    )


def _f32(x: float) -> float:
    return float(np.float32(x))


def _finalize(
    tid: Id, g: int, j: int, st: RepnessStats, *, best_agree: bool = False
) -> RepnessRecord:
    agree = bool(st.rat[g, j] > st.rdt[g, j])
    flavour: RepfulFor = "agree" if agree else "disagree"
    if agree:
        n, p, pt, r, rt = st.na, st.pa, st.pat, st.ra, st.rat
    else:
        n, p, pt, r, rt = st.nd, st.pd, st.pdt, st.rd, st.rdt
    return RepnessRecord(
        tid=tid,
        n_success=int(n[g, j]),
        n_trials=int(st.ns[g, j]),
        p_success=float(p[g, j]),
        p_test=float(pt[g, j]),
        repness=float(r[g, j]),
        repness_test=_f32(float(rt[g, j])),
        repful_for=flavour,
        n_agree=int(st.na[g, j]),
        best_agree=best_agree,
    )


def _metric(rec: RepnessRecord) -> float:
    return rec.repness * rec.repness_test * rec.p_success * rec.p_test


def select_repness(
    tids: Sequence[Id],
    mod_out: BoolArray,
    st: RepnessStats,
    g: int,
    *,
    z: float,
    top: int,
) -> tuple[RepnessRecord, ...]:
    """Representative statements of group ``g`` (§12), at most ``top``.

    Unlike red-dwarf, a group with sufficient statements but no best-agree
    candidate (a group defined by disagreement) keeps its statements.
    """
    cols = np.flatnonzero(~mod_out)
    if cols.size == 0:
        return ()
    rat, pat, rdt, pdt = st.rat[g], st.pat[g], st.rdt[g], st.pdt[g]
    ra, pa, na, nd = st.ra[g], st.pa[g], st.na[g], st.nd[g]
    sufficient_mask = ((rat > z) & (pat > z)) | ((rdt > z) & (pdt > z))
    sufficient = [int(j) for j in cols if sufficient_mask[j]]

    best_agree: int | None = None
    ba_ra = ba_rat = ba_pa = ba_pat = 0.0
    ra_l, rat_l, pa_l, pat_l = ra.tolist(), rat.tolist(), pa.tolist(), pat.tolist()
    na_l, nd_l = na.tolist(), nd.tolist()
    for j in cols.tolist():
        if na_l[j] == 0 and nd_l[j] == 0:
            continue
        c_ra, c_rat, c_pa, c_pat = ra_l[j], rat_l[j], pa_l[j], pat_l[j]
        if best_agree is None:
            take = c_pat > z or (c_ra > 1.0 and c_pa > 0.5)
        elif ba_ra > 1.0:
            take = c_ra * c_rat * c_pa * c_pat > ba_ra * ba_rat * ba_pa * ba_pat
        else:
            take = c_pa * c_pat > ba_pa * ba_pat
        if take:
            best_agree = j
            ba_ra, ba_rat, ba_pa, ba_pat = c_ra, c_rat, c_pa, c_pat

    if not sufficient:
        if best_agree is not None:
            return (_finalize(tids[best_agree], g, best_agree, st, best_agree=True),)
        both = np.maximum(rat, rdt)[cols]
        best = int(cols[int(np.argmax(both))])
        return (_finalize(tids[best], g, best, st),)

    recs = [_finalize(tids[j], g, j, st) for j in sufficient if j != best_agree]
    recs.sort(key=_metric, reverse=True)  # stable: ties keep column order
    if best_agree is not None:
        recs.insert(0, _finalize(tids[best_agree], g, best_agree, st, best_agree=True))
    recs = recs[:top]
    agrees = [r for r in recs if r.repful_for == "agree"]
    disagrees = [r for r in recs if r.repful_for == "disagree"]
    return tuple(agrees + disagrees)


def consensus(
    tids: Sequence[Id],
    mod_out: BoolArray,
    na_i: IntArray,
    nd_i: IntArray,
    ns_i: IntArray,
    *,
    z: float,
    top: int,
) -> tuple[tuple[ConsensusRecord, ...], tuple[ConsensusRecord, ...]]:
    """Consensus statements over all participants (§13): (agree, disagree)."""
    ns = ns_i.astype(np.float64)
    out: list[tuple[ConsensusRecord, ...]] = []
    for counts in (na_i, nd_i):
        n = counts.astype(np.float64)
        p = (n + 1.0) / (ns + 2.0)
        pt = prop_test(n, ns)
        ok = (~mod_out) & (p > 0.5) & (pt > z)
        cols = np.flatnonzero(ok).tolist()
        cols.sort(key=lambda j: float(p[j] * pt[j]), reverse=True)
        out.append(
            tuple(
                ConsensusRecord(
                    tid=tids[j],
                    n_success=int(counts[j]),
                    n_trials=int(ns_i[j]),
                    p_success=float(p[j]),
                    p_test=float(pt[j]),
                )
                for j in cols[:top]
            )
        )
    return out[0], out[1]


def group_informed_consensus(agree: IntArray, seen: IntArray) -> FloatArray:
    """Product over groups of (A + 1) / (S + 2) (§14), per statement."""
    if agree.shape[0] == 0:
        return np.ones(agree.shape[1])
    ratio = (agree.astype(np.float64) + 1.0) / (seen.astype(np.float64) + 2.0)
    out: FloatArray = np.prod(ratio, axis=0)
    return out


def priorities(
    agree: FloatArray,
    disagree: FloatArray,
    seen: FloatArray,
    extremity: FloatArray,
    meta: BoolArray,
    *,
    meta_priority: float,
) -> FloatArray:
    """Comment routing priority (§15) from vote totals summed over groups."""
    passes = seen - (agree + disagree)
    importance = (
        (1.0 - (passes + 1.0) / (seen + 2.0))
        * (extremity + 1.0)
        * ((agree + 1.0) / (seen + 2.0))
    )
    out: FloatArray = (importance * (1.0 + 8.0 * 2.0 ** (-seen / 5.0))) ** 2
    out[meta] = meta_priority
    return out


def divisive(
    tids: Sequence[Id],
    mod_out: BoolArray,
    group_ids: Sequence[int],
    agree: IntArray,
    seen: IntArray,
    *,
    z: float,
    top: int,
) -> tuple[DivisiveRecord, ...]:
    """Statements on which the groups' agree-probabilities are furthest apart.

    For each statement, p_g = (A_g + 1) / (S_g + 2) per group; the spread is
    max_g p_g - min_g p_g, kept only when the two-proportion z between the
    most- and the least-agreeing group exceeds ``z``; sorted by spread.
    """
    if len(group_ids) < 2 or agree.shape[1] == 0:
        return ()
    a = agree.astype(np.float64)
    s = seen.astype(np.float64)
    p = (a + 1.0) / (s + 2.0)
    hi = np.argmax(p, axis=0)
    lo = np.argmin(p, axis=0)
    cols = np.arange(p.shape[1])
    spread = p[hi, cols] - p[lo, cols]
    zz = two_prop_test(a[hi, cols], a[lo, cols], s[hi, cols], s[lo, cols])
    ok = np.flatnonzero((~mod_out) & (zz > z) & (spread > 0)).tolist()
    ok.sort(key=lambda j: float(spread[j]), reverse=True)
    return tuple(
        DivisiveRecord(
            tid=tids[j],
            spread=float(spread[j]),
            z=float(zz[j]),
            most_agree_group=int(group_ids[int(hi[j])]),
            least_agree_group=int(group_ids[int(lo[j])]),
            p_agree=tuple(
                (int(gid), float(p[gi, j])) for gi, gid in enumerate(group_ids)
            ),
        )
        for j in ok[:top]
    )
