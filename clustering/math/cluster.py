"""Base clusters, group clusters, silhouette and the k smoother (§7-8).

All k-means here is Polis's variant of Lloyd's algorithm:

* each step assigns every point to its nearest centre (Euclidean; the first
  centre wins a tie), **drops empty clusters** and moves each centre to the
  (weighted) mean of its members;
* it stops when both centre lists, sorted, match pairwise within ``tol`` or
  after ``max_iters`` steps;
* cold start: the first k distinct points in row order;
* warm start: the previous clusters re-centred on their old members' current
  positions, identical centres merged, and the most distant points split off
  as new singleton clusters until there are min(k, distinct points) clusters.

Assignment is vectorised in row chunks, so 100 000 points x 100 centres costs a
few milliseconds per step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from clustering.math.matrix import FloatArray, IntArray
from clustering.math.types import Cluster, Id, SmootherState

CHUNK = 32_768


@dataclass(frozen=True, eq=False)
class KMeansResult:
    ids: tuple[int, ...]  # cluster ids, in centre order
    centers: FloatArray  # (m, 2)
    labels: IntArray  # (n,) index into ids/centers
    iterations: int


def nearest_index(points: FloatArray, centers: FloatArray) -> IntArray:
    """Index of the nearest centre for every point (first centre wins a tie)."""
    n = points.shape[0]
    labels = np.empty(n, dtype=np.int64)
    cx = centers[:, 0][None, :]
    cy = centers[:, 1][None, :]
    for start in range(0, n, CHUNK):
        chunk = points[start : start + CHUNK]
        d = chunk[:, 0:1] - cx
        d *= d
        e = chunk[:, 1:2] - cy
        e *= e
        d += e
        labels[start : start + CHUNK] = np.argmin(d, axis=1)
    return labels


def nearest(points: FloatArray, centers: FloatArray) -> tuple[IntArray, FloatArray]:
    """Index of and squared distance to the nearest centre for every point."""
    labels = nearest_index(points, centers)
    diff = points - centers[labels]
    dists: FloatArray = (diff**2).sum(axis=1)
    return labels, dists


def _same_centers(old: FloatArray, new: FloatArray, tol: float) -> bool:
    if old.shape != new.shape:
        return False
    a = old[np.lexsort((old[:, 1], old[:, 0]))]
    b = new[np.lexsort((new[:, 1], new[:, 0]))]
    return bool(np.all(np.sqrt(((a - b) ** 2).sum(axis=1)) < tol))


def lloyd(
    points: FloatArray,
    weights: FloatArray,
    ids: Sequence[int],
    centers: FloatArray,
    *,
    max_iters: int,
    tol: float,
) -> KMeansResult:
    """Weighted Lloyd iterations that drop empty clusters (never relocate them)."""
    cur_ids = np.asarray(ids, dtype=np.int64)
    cur = np.asarray(centers, dtype=np.float64)
    labels = np.zeros(points.shape[0], dtype=np.int64)
    wx = weights * points[:, 0]
    wy = weights * points[:, 1]
    it = 0
    while it < max(max_iters, 1):
        it += 1
        labels = nearest_index(points, cur)
        m = cur.shape[0]
        counts = np.bincount(labels, minlength=m)
        wsum = np.bincount(labels, weights=weights, minlength=m)
        sx = np.bincount(labels, weights=wx, minlength=m)
        sy = np.bincount(labels, weights=wy, minlength=m)
        live = counts > 0
        safe = np.where(wsum > 0, wsum, 1.0)
        new = np.column_stack([sx / safe, sy / safe])
        # a live cluster of zero total weight keeps its centre
        new[wsum <= 0] = cur[wsum <= 0]
        new = new[live]
        remap = np.cumsum(live) - 1
        labels = remap[labels]
        done = _same_centers(cur, new, tol)
        cur_ids, cur = cur_ids[live], new
        if done:
            break
    return KMeansResult(tuple(int(i) for i in cur_ids), cur, labels, it)


def first_distinct(points: FloatArray, k: int) -> FloatArray:
    """The first ``k`` distinct points in row order (Polis's cold start)."""
    if points.shape[0] == 0:
        return np.zeros((0, 2))
    _, first = np.unique(points, axis=0, return_index=True)
    first.sort()
    out: FloatArray = points[first[:k]].copy()
    return out


def n_distinct(points: FloatArray) -> int:
    if points.shape[0] == 0:
        return 0
    return int(np.unique(points, axis=0).shape[0])


def warm_init(
    points: FloatArray,
    weights: FloatArray,
    keys: Sequence[Id],
    previous: Sequence[Cluster],
    k: int,
) -> tuple[list[int], FloatArray]:
    """Initial (ids, centres) from the previous tick's clusters (§7 warm start)."""
    index: dict[Id, int] = {key: i for i, key in enumerate(keys)}
    cands: list[tuple[int, int, float, float]] = []  # (id, size, x, y)
    for cl in previous:
        rows = [index[m] for m in cl.members if m in index]
        if not rows:
            continue
        r = np.asarray(rows, dtype=np.int64)
        w = weights[r]
        tw = float(w.sum())
        if tw > 0:
            x = float((w * points[r, 0]).sum() / tw)
            y = float((w * points[r, 1]).sum() / tw)
        else:
            x, y = float(points[r, 0].mean()), float(points[r, 1].mean())
        cands.append((cl.id, len(rows), x, y))
    # merge identical centres: the larger cluster's id survives (lower id on a tie)
    by_center: dict[tuple[float, float], tuple[int, int]] = {}
    for cid, size, x, y in cands:
        best = by_center.get((x, y))
        if best is None or (size, -cid) > (best[1], -best[0]):
            by_center[(x, y)] = (cid, size)
    kept = sorted((v[0], c) for c, v in by_center.items())
    ids = [cid for cid, _ in kept]
    centers = np.asarray([c for _, c in kept], dtype=np.float64).reshape(-1, 2)
    target = min(k, n_distinct(points))
    if len(ids) < target:
        next_id = (max(ids) + 1) if ids else 0
        if centers.shape[0]:
            _, d2 = nearest(points, centers)
        else:
            d2 = np.full(points.shape[0], np.inf)
        extra: list[FloatArray] = []
        while len(ids) < target:
            far = int(np.argmax(d2))
            if not d2[far] > 0:
                break
            p = points[far]
            ids.append(next_id)
            next_id += 1
            extra.append(p.copy())
            d2 = np.minimum(d2, ((points - p) ** 2).sum(axis=1))
        if extra:
            centers = np.vstack([centers, np.asarray(extra)])
    return ids, centers


def kmeans(
    points: FloatArray,
    weights: FloatArray,
    keys: Sequence[Id],
    k: int,
    *,
    previous: Sequence[Cluster] | None,
    max_iters: int,
    tol: float,
) -> tuple[tuple[Cluster, ...], IntArray]:
    """Polis k-means over ``points`` named by ``keys``.

    Returns the clusters sorted by id and, per point, the index of its cluster
    in that tuple.
    """
    if points.shape[0] == 0 or k <= 0:
        return (), np.zeros(points.shape[0], dtype=np.int64)
    ids: list[int] = []
    if previous:
        ids, init = warm_init(points, weights, keys, previous, k)
    if not ids:
        init = first_distinct(points, k)
        ids = list(range(init.shape[0]))
    res = lloyd(points, weights, ids, init, max_iters=max_iters, tol=tol)
    return clusters_from_labels(res, keys)


def clusters_from_labels(
    res: KMeansResult, keys: Sequence[Id]
) -> tuple[tuple[Cluster, ...], IntArray]:
    order = np.argsort(np.asarray(res.ids, dtype=np.int64), kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    labels = rank[res.labels] if res.labels.size else res.labels
    members: list[list[Id]] = [[] for _ in res.ids]
    for key, lab in zip(keys, labels.tolist(), strict=True):
        members[lab].append(key)
    out = tuple(
        Cluster(
            res.ids[i],
            tuple(members[r]),
            (float(res.centers[i, 0]), float(res.centers[i, 1])),
        )
        for r, i in enumerate(order.tolist())
    )
    return out, labels


def max_group_k(n_base: int, cap: int) -> int:
    """Polis's max-k = min(cap, 2 + floor(n_base / 12))."""
    return min(cap, 2 + n_base // 12)


def silhouette(points: FloatArray, labels: IntArray) -> float:
    """Unweighted mean silhouette over ``points`` (the base-cluster centres).

    A point alone in its group scores 0; with one group every point scores 0.
    """
    n = points.shape[0]
    if n == 0:
        return 0.0
    diff = points[:, None, :] - points[None, :, :]
    dist = np.sqrt((diff**2).sum(axis=2))
    groups = np.unique(labels)
    if groups.size < 2:
        return 0.0
    onehot = (labels[:, None] == groups[None, :]).astype(np.float64)  # n x g
    sizes = onehot.sum(axis=0)
    sums = dist @ onehot  # n x g: total distance to each group's members
    own = np.searchsorted(groups, labels)
    own_size = sizes[own]
    a = np.where(own_size > 1, sums[np.arange(n), own] / np.maximum(own_size - 1, 1), 0)
    means = sums / sizes[None, :]
    means[np.arange(n), own] = np.inf
    b = means.min(axis=1)
    denom = np.maximum(a, b)
    s = np.where(
        (own_size > 1) & (denom > 0), (b - a) / np.where(denom > 0, denom, 1), 0
    )
    return float(s.mean())


def choose_k(scores: Mapping[int, float]) -> int:
    """The k with the best silhouette; a tie goes to the larger k (Polis max-key)."""
    best_k, best_s = -1, -np.inf
    for k in sorted(scores):
        if scores[k] >= best_s:
            best_k, best_s = k, scores[k]
    return best_k


def smooth_k(
    prev: SmootherState, this_k: int, buffer: int, available: Sequence[int]
) -> SmootherState:
    """Advance the smoother and clamp the published k to what exists this tick."""
    count = prev.count + 1 if prev.last_k == this_k else 1
    settled = count >= buffer or prev.smoothed_k is None
    smoothed = this_k if settled or prev.smoothed_k is None else prev.smoothed_k
    if available and smoothed not in available:
        # clamp a stale k to the largest candidate that exists this tick
        smoothed = max((k for k in available if k <= smoothed), default=this_k)
    return SmootherState(this_k, count, smoothed)
