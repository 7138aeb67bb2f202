"""Small batched linear solves with the same bits on every machine.

The clearing's defaulting subsystems (:mod:`scosim.finance.clearing`) are at most ``N`` by
``N`` (``N`` the banking systems, 11), solved for every draw of the vote's ensemble. LAPACK
(``np.linalg.solve``) gives their solutions to within a few units in the last place, but
which bits depends on the BLAS kernel the library picks for the CPU (OpenBLAS's Haswell and
SkylakeX kernels give different last digits on the same machine), and those last digits
reach the Council vote's economic term of a banking union. :func:`solve_fixed` is Gaussian
elimination with partial pivoting written with numpy's elementwise operations in a fixed
order: each is one correctly rounded IEEE 754 operation (no BLAS, no fused multiply-add, no
reduction whose order depends on the CPU), so the same inputs give the same bits on any
machine with the same numpy.

Since 2026-12-07 the work is cut where it can be without changing a bit. The clearing's
systems are the identity but for the defaulting banks' rows (one or two in most draws of
the vote's ensemble, of 28 banking systems): a member with one such row is solved by that
row's terms in the elimination's order (:func:`_one_row`), one with a few by the
elimination on those rows alone in Python floats, and a batch of a few members member by
member in Python floats, both by :func:`_eliminate_rows`, each where it gives the same
operations in the same order as the full elimination (:func:`_solve_batch`), which solves
the rest. A Python float operation is the same correctly rounded IEEE 754 double operation
as numpy's. ``tests/test_finance_fixed_solve.py`` compares the paths bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

__all__ = ["solve_fixed"]


def solve_fixed(
    a: NDArray[np.float64], b: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Solve ``a[k] @ x[k] = b[k]`` for every ``k`` in a fixed order of operations.

    Gaussian elimination with partial pivoting (the first largest pivot in a column, as
    LAPACK's ``getrf`` takes it), then back substitution, each step one elementwise numpy
    operation across the batch. A matrix whose pivot is exactly 0 is flagged singular, as
    ``getrf`` flags it, and its solution is NaN; the others are not affected (every member
    of the batch is worked on its own, so a member gets the same bits in any batch).
    ``a`` and ``b`` are left as they are.

    Args:
        a: (K, n, n) matrices.
        b: (K, n) right-hand sides.

    Returns:
        ``x`` (K, n), NaN for the singular members, and the (K,) mask of those.

    Raises:
        ValueError: If the shapes do not match.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.ndim != 3 or a.shape[1] != a.shape[2] or b.shape != a.shape[:2]:
        raise ValueError(f"solve_fixed needs a (K, n, n) and b (K, n); got {a.shape} and "
                         f"{b.shape}")
    K, n, _ = a.shape
    if K > SCALAR_UP_TO and n > 1:
        return _solve_mixed(a, b, K, n)
    return _solve_small(a, b, K, n)


def _solve_small(a: NDArray[np.float64], b: NDArray[np.float64], K: int,
                 n: int) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """A few members in Python floats (below :data:`SCALAR_UP_TO`), else numpy's batch."""
    if K <= SCALAR_UP_TO:
        # A few members: numpy's fixed cost per call (some 160 calls, about 0.2 ms) is
        # more than Python's float arithmetic on them. The same operations in the same
        # order, each a correctly rounded IEEE 754 double operation: the same bits.
        every = list(range(n))
        out = [_eliminate_rows(dict(enumerate(a[k].tolist())), b[k].tolist(), every, n,
                               exchange=True) for k in range(K)]
        x = np.array([o[0] for o in out], dtype=float).reshape(K, n)
        return x, np.array([o[1] for o in out], dtype=bool)
    return _solve_batch(a, b, K, n)


def _solve_mixed(a: NDArray[np.float64], b: NDArray[np.float64], K: int,
                 n: int) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Members with one row off the identity by :func:`_one_row`, the others as a batch.

    The clearing's systems are the identity but for the defaulting banks' rows, most
    often one: there the elimination's every other operation leaves its operand as it
    was (a product with an exact +0 subtracted from a number), and the solution is that
    row's terms subtracted in the elimination's order, then one division.
    """
    eye = np.eye(n)
    plain = (a == eye).all(axis=2) & ~np.signbit(a).any(axis=2)  # (K, n) exact e_i rows
    live = ~plain
    one = np.flatnonzero(live.sum(axis=1) == 1)
    x = np.empty((K, n))
    singular = np.zeros(K, dtype=bool)
    done = np.zeros(K, dtype=bool)
    if one.size:
        xo, so, ok = _one_row(a[one], b[one], live[one].argmax(axis=1), n)
        x[one[ok]], singular[one[ok]], done[one[ok]] = xo[ok], so[ok], True
    # A few rows off the identity: those rows alone, member by member in Python floats.
    neg0 = ((a == 0.0) & np.signbit(a)).any(axis=2) & live  # a -0.0 in a live row
    neg0 |= (b == 0.0) & np.signbit(b) & plain  # or in b off them
    few = np.flatnonzero(~done & (live.sum(axis=1) <= FEW_ROWS) & ~neg0.any(axis=1)
                         & np.isfinite(b).all(axis=1) & np.isfinite(a).all(axis=(1, 2)))
    for r in few.tolist():
        rows = np.flatnonzero(live[r]).tolist()
        got = _eliminate_rows(dict(zip(rows, a[r, rows].tolist(), strict=True)),
                              b[r].tolist(), rows, n, exchange=False)
        if got is not None:
            x[r], singular[r], done[r] = got[0], got[1], True
    rest = np.flatnonzero(~done)
    if rest.size:
        x[rest], singular[rest] = _solve_small(a[rest], b[rest], rest.size, n)
    return x, singular


def _one_row(a: NDArray[np.float64], b: NDArray[np.float64], j: NDArray[np.intp],
             n: int) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.bool_]]:
    """Members whose only row off the identity is ``j``: ``x``, singular, and ``ok``.

    Row ``j``'s ``x`` is ``b_j`` less ``m_jk x_k`` for k = 0, ..., j-1 (the elimination,
    whose pivots above are rows of the identity, 1) and k = n-1, ..., j+1 (the back
    substitution), then divided by ``m_jj``; the other rows keep ``b``. The same
    operations as :func:`_solve_batch` in the same order where ``ok``: every number
    finite, no -0.0 in row ``j`` or in ``b`` off it (a -0.0 less a -0.0 would turn +0.0
    there), and no ``|m_jk| > 1`` left of the diagonal (the full elimination would
    exchange rows). Where not ``ok`` the caller solves the member in full.
    """
    with np.errstate(all="ignore"):  # an overflow or a NaN only sends the member back
        return _one_row_terms(a, b, j, n)


def _one_row_terms(a: NDArray[np.float64], b: NDArray[np.float64], j: NDArray[np.intp],
                   n: int) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.bool_]]:
    r = np.arange(j.size)
    row = a[r, j]  # (K, n)
    k = np.arange(n)
    # Column order of the n - 1 terms: 0..j-1 ascending, then n-1..j+1 descending.
    t = np.arange(n - 1)[None]
    cols = np.where(t < j[:, None], t, n - 1 - (t - j[:, None]))
    prod = (np.take_along_axis(row, cols, axis=1)
            * np.take_along_axis(b, cols, axis=1)).T.copy()  # (n - 1, K)
    acc = b[r, j].copy()
    for term in prod:
        acc -= term
    d = row[r, j]
    singular = d == 0.0
    xj = acc / np.where(singular, 1.0, d)
    neg0 = (row == 0.0) & np.signbit(row)
    off = k[None] != j[:, None]
    ok = (np.isfinite(row).all(axis=1) & np.isfinite(b).all(axis=1) & np.isfinite(xj)
          & ~neg0.any(axis=1) & ~((b == 0.0) & np.signbit(b) & off).any(axis=1)
          & ~((np.abs(row) > 1.0) & (k[None] < j[:, None])).any(axis=1))
    x = b.copy()
    x[r, j] = xj
    x[singular] = np.nan
    return x, singular, ok


#: Members with at most this many rows off the identity are solved on those rows alone
#: (:func:`_eliminate_rows`), the others in full. Only speed: 8 (4 until 2026-12-07) sends
#: the clearing's few members with 5 to 8 defaulters there instead of the full elimination
#: of all 28 rows, which costs several times more (docs/finance.md, "The same numbers on
#: every machine").
FEW_ROWS = 8

#: Batches of at most this many members are solved member by member in Python floats
#: (:func:`_eliminate_rows`), larger ones by numpy across the batch. Either gives the same
#: bits (``tests/test_finance_fixed_solve.py``); the threshold is only speed
#: (docs/finance.md, "The same numbers on every machine").
SCALAR_UP_TO = 4


def _eliminate_rows(m: dict[int, list[float]], x: list[float], live: list[int], n: int,
                    exchange: bool) -> tuple[list[float], bool] | None:
    """One member of :func:`solve_fixed` in Python floats, operation for operation.

    ``m`` holds the rows off the identity, ``live`` (ascending), the others being rows of
    the identity; ``m`` and ``x`` are worked in place.

    With ``exchange`` every row is live and this is the full elimination: the pivot is
    the first largest ``abs`` in the column, a NaN first of all (as numpy's ``argmax``),
    and rows are exchanged to bring it up.

    Without it the identity rows are left out, and None is returned where that would
    not give the full elimination's bits (the caller solves the member in full). The
    caller has checked that ``m`` and ``x`` are finite, without -0.0 in ``live`` rows or
    in ``x`` off them. The rows of the identity are then left as they are by the full
    elimination (the elimination's differences make no -0.0, so subtracting a product
    with +0 changes nothing there) as long as no row exchange is due (checked at each
    step) and nothing overflows (checked at the end); their ``x`` is ``b``, and a pivot
    of theirs is 1, by which a division changes nothing.
    """
    on = set(live)
    piv = dict.fromkeys(live, 1.0)
    singular = False
    for k in range(live[-1] + 1 if live else 0):  # no step after the last live row's
        below = [j for j in live if j > k]
        if k not in on:  # an identity pivot row: only the right-hand sides below change
            xk = x[k]
            for j in below:
                f = m[j][k]
                if not abs(f) <= 1.0:  # the pivot 1 is not the first largest: an exchange
                    return None
                x[j] -= f * xk
            continue
        if exchange:
            best, top = k, abs(m[k][k])
            if top == top:
                for i in below:
                    v = abs(m[i][k])
                    if v != v:
                        best = i
                        break
                    if v > top:
                        best, top = i, v
            if best != k:
                m[k], m[best] = m[best], m[k]
                x[k], x[best] = x[best], x[k]
        elif not all(abs(m[j][k]) <= abs(m[k][k]) for j in below):
            return None
        d = m[k][k]
        if d == 0.0:
            singular, d = True, 1.0
        piv[k] = d
        rk, xk = m[k], x[k]
        for j in below:
            rj = m[j]
            f = rj[k] / d
            for c in range(k + 1, n):
                rj[c] -= f * rk[c]
            x[j] -= f * xk
    for k in range(n - 1, -1, -1):
        if k in on:
            x[k] /= piv[k]
        xk = x[k]
        for i in live:
            if i >= k:
                break
            x[i] -= m[i][k] * xk
    # Any NaN or infinity makes a sum so (an overflow of a finite sum only sends the
    # member back).
    if not exchange and (not math.isfinite(sum(x))
                         or not all(math.isfinite(sum(m[j])) for j in live)):
        return None
    return ([math.nan] * n if singular else x), singular


def _solve_batch(a: NDArray[np.float64], b: NDArray[np.float64], K: int,
                 n: int) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """:func:`solve_fixed` across the batch, each step one numpy operation over it."""
    # The batch on the last axis: every operation below runs over contiguous memory.
    # (Each element's arithmetic is the same in either layout.)
    # Copies: with one member these layouts are views, and the caller's a and b were
    # overwritten (until 2026-12-07).
    m = np.array(np.moveaxis(a, 0, -1), order="C")  # (n, n, K)
    x = np.array(b.T, order="C")  # (n, K)
    singular = np.zeros(K, dtype=bool)
    piv = np.empty((n, K))
    for k in range(n):
        p = np.abs(m[k:, k]).argmax(axis=0)
        if p.any():
            # Swap rows k and k + p where p > 0. The clearing's matrices are column
            # diagonally dominant, so partial pivoting exchanges no row there and this is
            # skipped.
            run = np.flatnonzero(p)
            q = k + p[run]
            m[k, :, run], m[q, :, run] = m[q, :, run], m[k, :, run].copy()
            x[k, run], x[q, run] = x[q, run], x[k, run].copy()
        d = m[k, k]
        zero = d == 0.0
        if zero.any():
            singular |= zero
            d = np.where(zero, 1.0, d)
        piv[k] = d
        if k + 1 < n:
            f = m[k + 1:, k] / d
            # One product and one difference per element: no fused multiply-add, no sum.
            m[k + 1:, k + 1:] -= f[:, None] * m[k, k + 1:][None]
            x[k + 1:] -= f * x[k]
    for k in range(n - 1, -1, -1):
        x[k] /= piv[k]
        if k:
            # Column by column from the last: x[i] takes its terms in the order
            # j = n-1, ..., i+1.
            x[:k] -= m[:k, k] * x[k]
    x = np.ascontiguousarray(x.T)
    x[singular] = np.nan
    return x, singular
