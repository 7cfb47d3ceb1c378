"""The rating matrix: column centres, the centred sparse matrix and vote counts.

POLIS_MATH.md §2-5.  Polis keeps two matrices: ``raw-rating-mat`` (all votes)
and ``rating-mat`` where every moderated-out column is 0 for *every* row.  We
never materialise either densely:

* missing cells are mean-imputed, so after centring they are exactly 0 and the
  centred matrix has the sparsity pattern of the non-moderated-out votes;
* a moderated-out column is constant 0 in rating-mat: its centre is 0, it adds
  nothing to the PCA, but its cells count as votes in the projection scaling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped, unused-ignore]

from clustering.math.types import Id, VoteTable

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class RatingMatrix:
    """Derived arrays for one vote table (rows = participants, cols = statements)."""

    table: VoteTable
    mod_out: BoolArray  # per column: moderated out (rejected or meta)
    meta: BoolArray  # per column: meta statement
    center: FloatArray  # per column: mean of the non-nil rating-mat cells
    centred: sp.csr_matrix  # rows x cols, (vote - centre) on non-mod-out votes
    raw_counts: IntArray  # per row: all votes (user-vote-counts)
    scale_counts: IntArray  # per row: non-nil rating-mat cells (incl. mod-out cols)

    @property
    def n_rows(self) -> int:
        return self.table.n_rows

    @property
    def n_cols(self) -> int:
        return self.table.n_cols


def column_mask(tids: tuple[Id, ...], chosen: frozenset[Id]) -> BoolArray:
    return np.fromiter((t in chosen for t in tids), dtype=np.bool_, count=len(tids))


def build_rating_matrix(
    table: VoteTable, moderated_out: frozenset[Id], meta: frozenset[Id]
) -> RatingMatrix:
    n_rows, n_cols = table.n_rows, table.n_cols
    meta_mask = column_mask(table.tids, meta)
    mod_out = column_mask(table.tids, moderated_out) | meta_mask
    rows, cols = table.rows, table.cols
    vals = table.values.astype(np.float64)

    raw_counts = np.bincount(rows, minlength=n_rows).astype(np.int64)
    keep = ~mod_out[cols]
    k_rows, k_cols, k_vals = rows[keep], cols[keep], vals[keep]

    col_n = np.bincount(k_cols, minlength=n_cols).astype(np.float64)
    col_sum = np.bincount(k_cols, weights=k_vals, minlength=n_cols)
    center = np.divide(col_sum, col_n, out=np.zeros(n_cols), where=col_n > 0)
    if n_rows == 1 or n_cols == 1:
        # Polis's edge cases (§5.5): one row or one column has centre 0
        center = np.zeros(n_cols)

    kept_per_row = np.bincount(k_rows, minlength=n_rows).astype(np.int64)
    scale_counts = kept_per_row + int(mod_out.sum())

    # k_rows is sorted (the table is row-major), so the CSR arrays are direct
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(kept_per_row, out=indptr[1:])
    data = k_vals - center[k_cols]
    centred = sp.csr_matrix(
        (data, k_cols.astype(np.int32), indptr), shape=(n_rows, n_cols)
    )
    return RatingMatrix(
        table=table,
        mod_out=mod_out,
        meta=meta_mask,
        center=center,
        centred=centred,
        raw_counts=raw_counts,
        scale_counts=scale_counts,
    )


def count_votes(
    table: VoteTable,
    row_labels: IntArray,
    n_labels: int,
    *,
    zero_columns: BoolArray | None = None,
) -> tuple[IntArray, IntArray, IntArray]:
    """Agree, disagree and seen counts per (label, column).

    ``row_labels`` gives each row's label in ``0..n_labels-1`` or -1 to skip it.
    With ``zero_columns`` the counts follow rating-mat: those columns hold a 0
    (a pass-like non-nil cell) for every labelled row.
    """
    n_cols = table.n_cols
    shape = (n_labels, n_cols)
    if n_labels == 0:
        z = np.zeros(shape, dtype=np.int64)
        return z, z.copy(), z.copy()
    labels = row_labels[table.rows]
    sel = labels >= 0
    flat = labels[sel] * n_cols + table.cols[sel]
    vals = table.values[sel]
    size = n_labels * n_cols
    agree = np.bincount(flat[vals > 0], minlength=size).reshape(shape)
    disagree = np.bincount(flat[vals < 0], minlength=size).reshape(shape)
    seen = np.bincount(flat, minlength=size).reshape(shape)
    agree = agree.astype(np.int64)
    disagree = disagree.astype(np.int64)
    seen = seen.astype(np.int64)
    if zero_columns is not None and zero_columns.any():
        sizes = np.bincount(row_labels[row_labels >= 0], minlength=n_labels)
        agree[:, zero_columns] = 0
        disagree[:, zero_columns] = 0
        seen[:, zero_columns] = sizes[:, None]
    return agree, disagree, seen


def zero_columns(
    counts: tuple[IntArray, IntArray, IntArray], columns: BoolArray, sizes: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """Raw counts -> rating-mat counts: ``columns`` hold 0 for every member."""
    agree, disagree, seen = (c.copy() for c in counts)
    if columns.any():
        agree[:, columns] = 0
        disagree[:, columns] = 0
        seen[:, columns] = sizes[:, None]
    return agree, disagree, seen
