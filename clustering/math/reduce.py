"""Sparse PCA and the Polis projections (POLIS_MATH.md §5-6).

The centred matrix has non-zeros only where a (non-moderated-out) vote exists,
so the two components are the top eigenvectors of ``Xc^T Xc`` computed without
ever forming a dense participants x statements array:

* small problems: the exact Gram matrix ``Xc^T Xc`` (sparse product) and a dense
  symmetric eigensolver;
* large problems: ARPACK (``eigsh``) on a ``LinearOperator`` doing
  ``Xc^T (Xc v)``, two sparse mat-vecs per step, i.e. O(votes) per iteration.

Polis reaches the same vectors by 100 power iterations (it had converged on every
fixture we checked).  A component's sign is arbitrary; ours is fixed as follows:

* cold start: the entry with the largest absolute value is positive
  (the lowest index wins a tie);
* warm start: each component is flipped to have a non-negative dot product with
  the previous tick's component over the statements both ticks know.

Components belonging to a zero (or numerically zero) eigenvalue are set to 0,
so a rank-deficient conversation (all passes, one participant) gives zero
positions rather than an arbitrary direction.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped, unused-ignore]
import scipy.sparse.linalg as spla  # type: ignore[import-untyped, unused-ignore]

from clustering.math.matrix import FloatArray, RatingMatrix
from clustering.math.types import Id

N_COMPS = 2
# use the exact Gram matrix when it is small and cheap to form
DENSE_MAX_COLS = 1500
DENSE_MAX_WORK = 40_000_000  # sum over rows of (votes per row)^2
EIG_RTOL = 1e-10
DENSE_MAX_CELLS = 4_000_000  # densify the centred matrix below this size
FULL_EIGH_MAX_COLS = 200  # a full dense eigendecomposition below this size


def _fix_cold_signs(comps: FloatArray) -> FloatArray:
    out = comps.copy()
    for k in range(out.shape[0]):
        if out.shape[1] == 0:
            continue
        i = int(np.argmax(np.abs(out[k])))
        if out[k, i] < 0:
            out[k] = -out[k]
    return out


def _align_signs(
    comps: FloatArray,
    tids: tuple[Id, ...],
    prev_tids: tuple[Id, ...],
    prev_comps: tuple[tuple[float, ...], ...],
) -> FloatArray:
    out = _fix_cold_signs(comps)
    if not prev_comps or not prev_tids:
        return out
    prev_index: Mapping[Id, int] = {t: i for i, t in enumerate(prev_tids)}
    here = [i for i, t in enumerate(tids) if t in prev_index]
    there = [prev_index[tids[i]] for i in here]
    if not here:
        return out
    for k in range(min(out.shape[0], len(prev_comps))):
        prev = np.asarray(prev_comps[k], dtype=np.float64)
        if prev.shape[0] != len(prev_tids):
            continue
        dot = float(out[k, here] @ prev[there])
        if dot < 0:
            out[k] = -out[k]
    return out


def _gram_work(centred: sp.csr_matrix) -> int:
    per_row = np.diff(centred.indptr)
    return int((per_row.astype(np.int64) ** 2).sum())


def _top_eigvecs_dense(
    centred: sp.csr_matrix, v0: FloatArray
) -> tuple[FloatArray, FloatArray]:
    n_rows, n_cols = centred.shape
    if n_rows * n_cols <= DENSE_MAX_CELLS:
        dense = centred.toarray()
        gram = dense.T @ dense
    else:
        gram = (centred.T @ centred).toarray()
    if n_cols <= FULL_EIGH_MAX_COLS:
        evals, evecs = np.linalg.eigh(gram)
    else:  # Lanczos on the small dense Gram matrix, to machine precision
        evals, evecs = spla.eigsh(gram, k=N_COMPS, which="LA", v0=v0, tol=0)
    order = np.argsort(evals)[::-1][:N_COMPS]
    return evals[order], evecs[:, order].T


def _top_eigvecs_sparse(
    centred: sp.csr_matrix, v0: FloatArray
) -> tuple[FloatArray, FloatArray]:
    n = centred.shape[1]
    xt = centred.T.tocsr()

    def matvec(v: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        out: npt.NDArray[np.float64] = xt @ (centred @ np.ravel(v))
        return out

    op = spla.LinearOperator((n, n), matvec=matvec, dtype=np.float64)
    evals, evecs = spla.eigsh(op, k=N_COMPS, which="LA", v0=v0, tol=1e-12)
    order = np.argsort(evals)[::-1]
    return evals[order], evecs[:, order].T


def principal_components(
    rm: RatingMatrix,
    *,
    seed: int,
    prev_tids: tuple[Id, ...] = (),
    prev_comps: tuple[tuple[float, ...], ...] = (),
) -> FloatArray:
    """The top two components, shape (2, n_cols); zero rows if rank < 2."""
    n_rows, n_cols = rm.n_rows, rm.n_cols
    comps = np.zeros((N_COMPS, n_cols))
    centred = rm.centred
    if n_cols == 0 or n_rows == 0 or centred.nnz == 0:
        return comps
    if not np.any(centred.data):
        return comps
    v0 = _start_vector(rm.table.tids, prev_tids, prev_comps, seed)
    if n_cols <= 2 or (
        n_cols <= DENSE_MAX_COLS and _gram_work(centred) <= DENSE_MAX_WORK
    ):
        evals, vecs = _top_eigvecs_dense(centred, v0)
    else:
        evals, vecs = _top_eigvecs_sparse(centred, v0)
    top = float(evals[0]) if evals.size else 0.0
    for k in range(min(N_COMPS, vecs.shape[0], n_rows, n_cols)):
        if top > 0 and evals[k] > EIG_RTOL * top:
            comps[k] = vecs[k]
    # mod-out columns are constant: their loading is exactly 0 (as in Polis)
    comps[:, rm.mod_out] = 0.0
    return _align_signs(comps, rm.table.tids, prev_tids, prev_comps)


def _start_vector(
    tids: tuple[Id, ...],
    prev_tids: tuple[Id, ...],
    prev_comps: tuple[tuple[float, ...], ...],
    seed: int,
) -> FloatArray:
    rng = np.random.default_rng(seed)
    v0: FloatArray = rng.standard_normal(len(tids))
    if prev_comps and prev_tids and len(prev_comps[0]) == len(prev_tids):
        prev_index = {t: i for i, t in enumerate(prev_tids)}
        warm = np.ones(len(tids))  # Polis pads new statements with 1
        for i, t in enumerate(tids):
            j = prev_index.get(t)
            if j is not None:
                warm[i] = prev_comps[0][j] + (
                    prev_comps[1][j] if len(prev_comps) > 1 else 0.0
                )
        if np.any(warm):
            v0 = warm + 1e-3 * v0  # keep a component along every direction
    return v0


def project_participants(rm: RatingMatrix, comps: FloatArray) -> FloatArray:
    """Sparsity-aware projection of every row (§6), shape (n_rows, 2).

    ``x_k(p) = sqrt(n_cols / max(|V(p)|, 1)) * sum_i (r_pi - c_i) comp_k[i]``
    where ``V(p)`` counts the participant's votes plus every moderated-out
    column (those cells are 0, i.e. non-nil, in rating-mat).
    """
    if rm.n_rows == 0:
        return np.zeros((0, N_COMPS))
    raw: FloatArray = np.asarray(rm.centred @ comps.T, dtype=np.float64)
    scale = np.sqrt(rm.n_cols / np.maximum(rm.scale_counts, 1).astype(np.float64))
    out: FloatArray = raw * scale[:, None]
    return out


def project_statements(
    center: FloatArray, comps: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Each statement as a participant who agreed with it alone (§6).

    ``cproj_k(i) = sqrt(n_cols) * (1 - center_i) * comp_k[i]`` in the export
    sign.  Returns (projections of shape (n_cols, 2), extremity (n_cols,)).
    """
    factor = np.sqrt(center.shape[0]) * (1.0 - center)
    proj: FloatArray = (comps * factor[None, :]).T.copy()
    extremity: FloatArray = np.sqrt((proj**2).sum(axis=1))
    return proj, extremity
