"""Clearing of interbank obligations: Eisenberg-Noe with seniority and Rogers-Veraart costs.

Pure array functions batched over a leading run axis ``R`` for ``N`` banking systems.

Conventions (used throughout :mod:`scosim.finance`):

* ``L[r, i, j]`` is what bank ``i`` owes bank ``j`` (row owes column); the diagonal is 0.
* ``e[r, i]`` is the value of bank ``i``'s external (non-interbank) assets, ``>= 0``.
* ``b[r, i]`` is what ``i`` owes creditors outside the network (depositors, bondholders).
* ``haircut[r, i, j]`` in ``[0, 1]`` is the share of ``i``'s payment to ``j`` that ``j`` does
  not receive this year (claims frozen by sanctions): the debtor pays, the creditor loses it.

Two seniority conventions are offered, because published implementations differ exactly
there (see ``docs/finance.md``):

* ``"pari_passu"`` (Eisenberg & Noe 2001 with external creditors as in Rogers & Veraart
  2013): a defaulting bank pays all its creditors, external and interbank, in proportion to
  their claims. The clearing vector is total payments ``p`` with ``pbar = l + b``.
* ``"external_senior"`` (as in Elsinger, Lehar & Summer 2006 and Glasserman & Young 2015,
  with deposits senior): external creditors are paid first; interbank creditors share what
  is left. The clearing vector is interbank payments ``x`` with ``xbar = l``.

In both cases the network vector ``y`` solves ``y = Phi(y)`` with

    Phi(y)_i = ybar_i                                  if e_i + in_i(y) - s_i >= ybar_i
             = max(0, alpha e_i + beta in_i(y) - s_i)  otherwise,

``in_i(y) = sum_j (1 - haircut_ji) Pi_ji y_j``, ``Pi_ji = L_ji / ybar_j`` and ``s = 0``
(pari passu) or ``s = b`` (external senior). ``alpha = beta = 1`` is Eisenberg-Noe;
``alpha, beta < 1`` are the Rogers-Veraart (2013) default costs on external assets and on
interbank receivables. ``Phi`` is monotone, so the greatest fixed point exists (Tarski) and
the fictitious-default algorithm (Eisenberg & Noe 2001, sec. 3; Rogers & Veraart 2013,
Algorithm 1) reaches it from ``y = ybar`` in at most ``N`` rounds; each round solves a
linear complementarity problem for the defaulting set from below (Chandrasekaran's
method, exact for the M-matrix ``I - beta Pi_DD^T``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.finance.fixed_solve import solve_fixed

__all__ = [
    "SENIORITY",
    "ClearingResult",
    "clear",
    "clearing_map",
    "relative_liabilities",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

Seniority = Literal["pari_passu", "external_senior"]
#: Accepted seniority conventions of external against interbank debt.
SENIORITY: tuple[str, ...] = ("pari_passu", "external_senior")

# Picard iterations allowed in the (rare) fallback for a singular defaulting subsystem.
_PICARD_MAX = 200_000


@dataclass(frozen=True)
class ClearingResult:
    """Outcome of clearing, every field batched over runs.

    Attributes:
        payments: Network vector ``y`` (R, N): total payments (pari passu) or interbank
            payments (external senior).
        interbank_paid: What each bank pays to other banks in total (R, N).
        external_paid: What each bank pays to its external creditors (R, N).
        received: Interbank payments each bank actually receives, net of haircuts (R, N).
        payment_matrix: ``P[r, i, j]`` paid by ``i`` to ``j`` (R, N, N), before haircuts.
        equity: ``e + received - (l + b)`` (R, N); negative for defaulters (the shortfall
            to creditors before default costs), as in Eisenberg & Noe's worked examples.
        default: True where a bank cannot pay its obligations in full (R, N).
        default_round: Round in which a bank defaulted, 0 if it did not (R, N).
        rounds: Number of rounds with new defaults (contagion depth) per run (R,).
        default_cost: Value destroyed by Rogers-Veraart default costs (R, N).
    """

    payments: FloatArray
    interbank_paid: FloatArray
    external_paid: FloatArray
    received: FloatArray
    payment_matrix: FloatArray
    equity: FloatArray
    default: BoolArray
    default_round: IntArray
    rounds: IntArray
    default_cost: FloatArray


def _batch(e: ArrayLike, L: ArrayLike, b: ArrayLike | None, haircut: ArrayLike | None):
    """Bring inputs to (R, N), (R, N, N) float arrays and check them."""
    e_a = np.asarray(e, dtype=float)
    L_a = np.asarray(L, dtype=float)
    single = e_a.ndim == 1
    if single:
        e_a = e_a[None, :]
    if L_a.ndim == 2:
        L_a = L_a[None, :, :]
    if e_a.ndim != 2 or L_a.ndim != 3:
        raise ValueError(f"e must be (R, N) and L (R, N, N); got {e_a.shape} and {L_a.shape}")
    R, N = e_a.shape
    if L_a.shape[1:] != (N, N):
        raise ValueError(f"L has shape {L_a.shape}; expected (R, {N}, {N}) to match e")
    L_a = np.broadcast_to(L_a, (R, N, N))
    b_a = np.zeros((R, N)) if b is None else np.broadcast_to(np.asarray(b, float), (R, N))
    h_a = (
        np.zeros((R, N, N))
        if haircut is None
        else np.broadcast_to(np.asarray(haircut, float), (R, N, N))
    )
    for name, arr in (("e", e_a), ("L", L_a), ("b", b_a)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains non-finite values")
        if (arr < 0).any():
            raise ValueError(f"{name} must be non-negative (min {arr.min():g})")
    if (np.abs(np.diagonal(L_a, axis1=1, axis2=2)) > 0).any():
        raise ValueError("L must have a zero diagonal (a bank does not owe itself)")
    if not np.all(np.isfinite(h_a)) or (h_a < 0).any() or (h_a > 1).any():
        raise ValueError("haircut must lie in [0, 1]")
    return e_a, L_a, b_a, h_a, single


def relative_liabilities(L: FloatArray, ybar: FloatArray) -> FloatArray:
    """``Pi[r, i, j] = L[r, i, j] / ybar[r, i]`` (0 where ``ybar`` is 0)."""
    safe = np.where(ybar > 0, ybar, 1.0)
    return np.where(ybar[..., None] > 0, L / safe[..., None], 0.0)


def _setup(e, L, b, seniority: str):
    if seniority not in SENIORITY:
        raise ValueError(f"seniority must be one of {SENIORITY}, got {seniority!r}")
    l_out = L.sum(axis=2)
    if seniority == "pari_passu":
        ybar = l_out + b
        s = np.zeros_like(b)
    else:
        ybar = l_out
        s = b
    return ybar, s, relative_liabilities(L, ybar)


def _inflow(pi_h: FloatArray, y: FloatArray) -> FloatArray:
    # in_j = sum_i pi_h[i, j] * y_i, summed over i in index order.
    return np.einsum("rij,ri->rj", pi_h, y)


def _phi(y, e, s, ybar, pi_h, alpha, beta, tol=0.0):
    inflow = _inflow(pi_h, y)
    solvent = e + inflow - s >= ybar - tol
    return np.where(solvent, ybar, np.maximum(0.0, alpha * e + beta * inflow - s))


def clearing_map(
    y: ArrayLike,
    e: ArrayLike,
    L: ArrayLike,
    b: ArrayLike | None = None,
    *,
    seniority: Seniority = "pari_passu",
    alpha: float = 1.0,
    beta: float = 1.0,
    haircut: ArrayLike | None = None,
    rtol: float = 1e-12,
) -> FloatArray:
    """The monotone map ``Phi`` whose greatest fixed point is the clearing vector.

    Args:
        y: Network vector (R, N) or (N,).
        e: External assets (R, N) or (N,).
        L: Interbank liabilities, row owes column (R, N, N) or (N, N).
        b: External liabilities (R, N); zero if omitted.
        seniority: ``"pari_passu"`` or ``"external_senior"``.
        alpha: Share of external assets realised by a defaulting bank.
        beta: Share of interbank receivables realised by a defaulting bank.
        haircut: Frozen share of each interbank payment (R, N, N), default 0.
        rtol: Solvency tolerance relative to the largest obligation or asset of the run.

    Returns:
        ``Phi(y)`` with the shape of ``y``.
    """
    e_a, L_a, b_a, h_a, single = _batch(e, L, b, haircut)
    ybar, s, pi = _setup(e_a, L_a, b_a, seniority)
    y_a = np.asarray(y, float).reshape(e_a.shape)
    tol = rtol * _scale(e_a, ybar)[:, None]
    out = _phi(y_a, e_a, s, ybar, pi * (1.0 - h_a), alpha, beta, tol)
    return out[0] if single else out


def _scale(e: FloatArray, ybar: FloatArray) -> FloatArray:
    """Size of each run's balance sheets, for relative tolerances (R,)."""
    return np.maximum(np.maximum(ybar, e).max(axis=1, initial=0.0), 1e-300)


def _linear(act, e, s, fixed, pi_h, alpha, beta, ok):
    """Solve ``y_i = alpha e_i + beta in_i(y) - s_i`` on ``act``, ``y = fixed`` elsewhere."""
    # Only the runs with a bank on ``act``: elsewhere the system is the identity and its
    # solution ``fixed`` exactly, and each matrix of a stack is solved on its own, so
    # leaving those runs out changes no bit of the others (most runs of an ensemble have
    # no defaulter in most years).
    rows = np.flatnonzero(act.any(axis=1))
    y = fixed.copy()
    if rows.size == 0:
        return y
    a, f = act[rows], fixed[rows]
    m = np.eye(e.shape[1])[None] - beta * a[:, :, None] * np.swapaxes(pi_h[rows], 1, 2)
    rhs = np.where(a, alpha * e[rows] - s[rows], f)
    # A run whose system is singular is flagged and keeps ``fixed``. Not LAPACK: its last
    # digits depend on the CPU's BLAS kernel and reach the Council vote (fixed_solve.py).
    sol, singular = solve_fixed(m, rhs)
    sol[singular] = f[singular]
    ok[rows[singular]] = False
    y[rows] = sol
    return y


def _solve_defaulters(defaulted, e, s, ybar, pi_h, alpha, beta):
    """Payments when ``defaulted`` banks pay their realisable value, ``>= 0``.

    Solves ``y_D = max(0, alpha e_D + beta in_D(y) - s_D)`` with the others at ``ybar``, a
    linear complementarity problem with the M-matrix ``I - beta Pi_DD^T``, from below
    (Chandrasekaran's method): start with every defaulter paying 0, let those whose
    realisable value is positive pay it (a linear solve), and repeat until no bank left at
    0 could pay something. Payments only rise, so at most N solves; the solution is unique.
    (Removing all negative entries of the unconstrained solution at once, from above, is
    wrong: a bank can be negative only because another one is.)
    """
    R, N = e.shape
    rows = np.flatnonzero(defaulted.any(axis=1))
    if rows.size < R:
        # A run with no defaulter pays in full: only the others are solved (row by row,
        # so the same bits as solving them all).
        y, ok = ybar.copy(), np.ones(R, dtype=bool)
        if rows.size:
            y[rows], ok[rows] = _solve_defaulters(defaulted[rows], e[rows], s[rows],
                                                  ybar[rows], pi_h[rows], alpha, beta)
        return y, ok
    ok = np.ones(R, dtype=bool)
    fixed = np.where(defaulted, 0.0, ybar)
    y = fixed.copy()
    pos = np.zeros((R, N), dtype=bool)
    for _ in range(N + 1):
        realisable = alpha * e + beta * _inflow(pi_h, y) - s
        add = defaulted & ~pos & (realisable > 0)
        if not add.any():
            break
        pos |= add
        y = _linear(pos, e, s, fixed, pi_h, alpha, beta, ok)
    return np.clip(y, 0.0, ybar), ok


def _iterate(ybar, e, s, pi_h, alpha, beta, tol):
    """Batched fixed-point iteration from the top; first iteration of each default."""
    y = ybar.copy()
    first = np.zeros(y.shape, dtype=np.int64)
    for it in range(1, _PICARD_MAX + 1):
        nxt = _phi(y, e, s, ybar, pi_h, alpha, beta, tol)
        first = np.where((first == 0) & (nxt < ybar - tol), it, first)
        if np.all(np.abs(nxt - y) <= tol):
            return nxt, first
        y = nxt
    raise RuntimeError("clearing: fixed-point iteration did not converge")


def clear(
    e: ArrayLike,
    L: ArrayLike,
    b: ArrayLike | None = None,
    *,
    seniority: Seniority = "pari_passu",
    alpha: float = 1.0,
    beta: float = 1.0,
    haircut: ArrayLike | None = None,
    rtol: float = 1e-12,
    method: Literal["fictitious_default", "iteration"] = "fictitious_default",
) -> ClearingResult:
    """Greatest clearing vector, batched over runs.

    Args:
        e: External assets, ``>= 0``, (R, N) or (N,) for one run.
        L: Interbank liabilities ``L[i, j]`` owed by ``i`` to ``j``, zero diagonal,
            (R, N, N) or (N, N) shared by all runs.
        b: External liabilities (R, N) or (N,); zero if omitted.
        seniority: ``"pari_passu"`` or ``"external_senior"`` (see module docstring).
        alpha: Rogers-Veraart share of external assets realised in default, in (0, 1].
        beta: Rogers-Veraart share of interbank receivables realised in default, in (0, 1].
        haircut: Share of each interbank payment frozen before it reaches the creditor.
        rtol: Solvency tolerance relative to the largest obligation of the run.
        method: ``"fictitious_default"`` (exact, at most N rounds; ``default_round`` is the
            round of the algorithm) or ``"iteration"`` (``y <- Phi(y)`` from ``y = ybar``
            until it moves less than the tolerance; ``default_round`` is the first
            iteration in which a bank pays less than in full). Both reach the greatest
            fixed point.

    Returns:
        A :class:`ClearingResult`; with (N,) input every field drops the run axis.

    Raises:
        ValueError: On negative, non-finite or misshapen input, or alpha/beta out of range.
    """
    if not (0.0 < alpha <= 1.0 and 0.0 < beta <= 1.0):
        raise ValueError(f"alpha and beta must lie in (0, 1]; got alpha={alpha}, beta={beta}")
    e_a, L_a, b_a, h_a, single = _batch(e, L, b, haircut)
    R, N = e_a.shape
    ybar, s, pi = _setup(e_a, L_a, b_a, seniority)
    pi_h = pi * (1.0 - h_a)
    tol = rtol * _scale(e_a, ybar)[:, None]

    y = ybar.copy()
    defaulted = np.zeros((R, N), dtype=bool)
    default_round = np.zeros((R, N), dtype=np.int64)
    rounds = np.zeros(R, dtype=np.int64)
    solved = np.ones(R, dtype=bool)
    if method == "iteration":
        y, default_round = _iterate(ybar, e_a, s, pi_h, alpha, beta, tol)
    elif method != "fictitious_default":
        raise ValueError(f"method must be 'fictitious_default' or 'iteration', got {method!r}")
    for k in range(1, N + 1 if method == "fictitious_default" else 1):
        value = e_a + _inflow(pi_h, y) - s
        new = (value < ybar - tol) & ~defaulted
        if not new.any():
            break
        defaulted |= new
        default_round[new] = k
        rounds[new.any(axis=1)] = k
        y, ok = _solve_defaulters(defaulted, e_a, s, ybar, pi_h, alpha, beta)
        solved &= ok

    # Check the fixed point; fall back to iteration from the top where the linear
    # solve was singular (a closed defaulting cycle with no outside creditors).
    resid = np.abs(_phi(y, e_a, s, ybar, pi_h, alpha, beta, tol) - y).max(axis=1, initial=0.0)
    for r in np.flatnonzero(~solved | (resid > 1e3 * tol[:, 0])):
        k = slice(r, r + 1)
        y[r] = _iterate(ybar[k], e_a[k], s[k], pi_h[k], alpha, beta, tol[k])[0][0]

    inflow = _inflow(pi_h, y)
    full = e_a + inflow - s >= ybar - tol
    default = ~full
    y = np.where(full, ybar, y)
    realisable = np.where(default, alpha * e_a + beta * inflow, e_a + inflow)
    l_out = L_a.sum(axis=2)
    if seniority == "pari_passu":
        share_ib = np.divide(l_out, ybar, out=np.zeros_like(ybar), where=ybar > 0)
        interbank_paid = y * share_ib
        external_paid = y - interbank_paid
    else:
        interbank_paid = y
        external_paid = np.minimum(b_a, np.maximum(realisable, 0.0))
    payment_matrix = pi * y[:, :, None]
    equity = e_a + inflow - (l_out + b_a)
    default_cost = np.where(default, (1.0 - alpha) * e_a + (1.0 - beta) * inflow, 0.0)
    default_round = np.where(default, np.maximum(default_round, 1), 0)
    rounds = np.maximum(rounds, default_round.max(axis=1, initial=0))
    res = ClearingResult(
        payments=y,
        interbank_paid=interbank_paid,
        external_paid=external_paid,
        received=inflow,
        payment_matrix=payment_matrix,
        equity=equity,
        default=default,
        default_round=default_round,
        rounds=rounds,
        default_cost=default_cost,
    )
    if single:
        return ClearingResult(*(getattr(res, f)[0] for f in res.__dataclass_fields__))
    return res
