"""Unit checks of the building blocks: PCA solvers, k-means, silhouette, smoother."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import silhouette_score

from clustering.math import SmootherState, VoteTable, reduce
from clustering.math.cluster import (
    choose_k,
    first_distinct,
    kmeans,
    lloyd,
    max_group_k,
    silhouette,
    smooth_k,
    warm_init,
)
from clustering.math.matrix import build_rating_matrix
from clustering.math.types import Cluster


def _random_table(n: int, m: int, density: float, seed: int = 0) -> VoteTable:
    rng = np.random.default_rng(seed)
    mask = rng.random((n, m)) < density
    rows, cols = np.nonzero(mask)
    latent = rng.integers(0, 3, n)
    stance = rng.choice([-1, 0, 1], size=(3, m))
    noise = rng.random(rows.size) < 0.25
    vals = np.where(noise, rng.integers(-1, 2, rows.size), stance[latent[rows], cols])
    return VoteTable.from_arrays(rows, cols, vals)


@pytest.mark.parametrize("path", ["full", "lanczos-dense", "lanczos-sparse"])
def test_pca_solvers_agree_with_dense_svd(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = _random_table(400, 250, 0.3)
    rm = build_rating_matrix(table, frozenset({3, 4}), frozenset())
    if path == "full":
        monkeypatch.setattr(reduce, "FULL_EIGH_MAX_COLS", 10_000)
    elif path == "lanczos-sparse":
        monkeypatch.setattr(reduce, "DENSE_MAX_COLS", 0)
    comps = reduce.principal_components(rm, seed=1)
    dense = rm.centred.toarray()
    _, _, vt = np.linalg.svd(dense, full_matrices=False)
    for k in range(2):
        assert abs(comps[k] @ vt[k]) == pytest.approx(1.0, abs=1e-9)
        # cold-start sign convention: the largest loading is positive
        assert comps[k][np.argmax(np.abs(comps[k]))] > 0
    assert not comps[:, [3, 4]].any()


def test_sparse_pca_is_deterministic_for_a_seed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reduce, "DENSE_MAX_COLS", 0)
    rm = build_rating_matrix(_random_table(300, 120, 0.2), frozenset(), frozenset())
    a = reduce.principal_components(rm, seed=5)
    b = reduce.principal_components(rm, seed=5)
    assert np.array_equal(a, b)


def test_projection_scales_by_votes_cast() -> None:
    # participant 0 voted once, participant 1 on all four statements
    table = VoteTable.from_votes(
        [(0, 0, 1), (1, 0, 1), (1, 1, 1), (1, 2, -1), (1, 3, 1), (2, 0, -1), (2, 1, -1)]
    )
    rm = build_rating_matrix(table, frozenset(), frozenset())
    comps = reduce.principal_components(rm, seed=0)
    proj = reduce.project_participants(rm, comps)
    raw = rm.centred.toarray() @ comps.T
    np.testing.assert_allclose(proj[0], raw[0] * np.sqrt(4 / 1))
    np.testing.assert_allclose(proj[1], raw[1] * np.sqrt(4 / 4))


def test_lloyd_drops_empty_clusters_instead_of_relocating() -> None:
    points = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
    centers = np.array([[0.0, 0.0], [5.0, 5.0], [100.0, 100.0]])
    res = lloyd(points, np.ones(4), [0, 1, 2], centers, max_iters=10, tol=0.01)
    assert res.ids == (0, 1)
    np.testing.assert_allclose(res.centers, [[0.05, 0.0], [5.05, 5.0]])


def test_cold_start_uses_first_distinct_points_in_row_order() -> None:
    pts = np.array([[3.0, 3.0], [3.0, 3.0], [1.0, 1.0], [2.0, 2.0]])
    np.testing.assert_array_equal(first_distinct(pts, 2), [[3.0, 3.0], [1.0, 1.0]])


def test_weighted_kmeans_centres() -> None:
    pts = np.array([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0]])
    clusters, labels = kmeans(
        pts,
        np.array([3.0, 1.0, 1.0]),
        ["a", "b", "c"],
        2,
        previous=None,
        max_iters=20,
        tol=0.01,
    )
    assert [c.members for c in clusters] == [("a", "b"), ("c",)]
    assert clusters[0].center == pytest.approx((0.25, 0.0))
    assert labels.tolist() == [0, 0, 1]


def test_warm_init_keeps_ids_and_splits_distal_points() -> None:
    pts = np.array([[0.0, 0.0], [0.2, 0.0], [9.0, 9.0], [20.0, 0.0]])
    prev = (Cluster(7, ("a", "b"), (0.0, 0.0)), Cluster(3, ("zz",), (1.0, 1.0)))
    ids, centers = warm_init(pts, np.ones(4), ["a", "b", "c", "d"], prev, 3)
    assert ids == [7, 8, 9]  # 3 vanished; the two most distant points split off
    np.testing.assert_allclose(centers, [[0.1, 0.0], [20.0, 0.0], [9.0, 9.0]])


def test_silhouette_over_centres_matches_sklearn_without_singletons() -> None:
    rng = np.random.default_rng(3)
    pts = np.vstack([rng.normal(0, 1, (10, 2)), rng.normal(6, 1, (12, 2))])
    labels = np.array([0] * 10 + [1] * 12)
    assert silhouette(pts, labels) == pytest.approx(silhouette_score(pts, labels))
    # a point alone in its group scores 0, one group scores 0
    lone = np.array([0] * 21 + [1])
    assert silhouette(pts, np.zeros(22, dtype=np.int64)) == 0.0
    assert silhouette(pts, lone) == pytest.approx(silhouette_score(pts, lone))


def test_max_k_and_choice() -> None:
    assert [max_group_k(n, 5) for n in (2, 11, 12, 23, 24, 35, 36, 100)] == [
        2,
        2,
        3,
        3,
        4,
        4,
        5,
        5,
    ]
    assert choose_k({2: 0.5, 3: 0.5, 4: 0.1}) == 3  # ties go to the larger k


def test_smoother_needs_four_agreeing_ticks_and_clamps() -> None:
    s = SmootherState()
    s = smooth_k(s, 3, 4, [2, 3])
    assert s.smoothed_k == 3  # first tick takes this_k
    for expected in (3, 3, 3, 2):
        s = smooth_k(s, 2, 4, [2, 3])
        assert s.smoothed_k == expected
    assert s.count == 4
    # a stale k larger than any candidate is clamped
    s = smooth_k(SmootherState(5, 9, 5), 2, 4, [2, 3])
    assert s.smoothed_k == 3
