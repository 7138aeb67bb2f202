"""The security game: payoffs of cooperation efforts with spillovers and RATS pooling.

One payoff function covers the model and the textbook games. State ``i`` choosing
effort ``e[i]`` in [0, 1] gets

``U[i] = base[i] + value[i] * T(z[i]) - cost[i] * e[i]``, with
``z[i] = b_sum * sum_j W[i, j] e[j] + b_best * max_{j in N(i)} e[j]
+ b_weak * min_{j in N(i)} e[j] + b_pool * m[i] * sum_{k: m[k]} e[k] / n_ref``

where ``W`` holds own (``W[i, i]``) and neighbour weights (shared borders and routes),
``N(i) = {i} + {j: W[i, j] > 0}``, ``m`` marks RATS participants whose contributions
are pooled into shared detection (``n_ref`` the number of states the pool is counted per,
the participants by default, which makes it their mean), and ``T`` is the identity (the
textbook games) or the detection curve ``1 - exp(-z)`` (the model). The three aggregation terms are
Hirshleifer's summation, best-shot and weakest-link technologies, the vocabulary
Sandler and Arce use for counter-terrorism. Costs are in the same unit as ``value``;
in the model both are shares of GDP.

Special cases (ANCHORS.md "Security"; Sandler and Arce 2003, Arce and Sandler 2005):

* preemption prisoner's dilemma: ``W = ones``, ``b_sum = 4``, ``cost = 6`` gives
  (2, 2), (-2, 4), (4, -2), (0, 0);
* intelligence "hero" game: ``base = 1``, ``b_best = 3``, ``b_weak = -1``,
  ``cost = 1`` gives (2, 2), (3, 4), (4, 3), (1, 1) (duplicated gathering is waste);
* weakest link (asset freezing): ``b_weak = B``, ``cost = c`` with ``B > c > 0``.

Everything is batched over a leading run axis: ``e`` is ``(R, N)``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "HERO",
    "PREEMPTION",
    "WEAKEST_LINK",
    "Technology",
    "best_responses",
    "payoff",
    "payoff_table",
    "pure_nash",
]


@dataclass(frozen=True)
class Technology:
    """Coefficients of the payoff function (see the module docstring).

    Attributes:
        b_sum: Return on the weighted sum of efforts (summation: public good).
        b_best: Return on the best effort among ``N(i)`` (best shot).
        b_weak: Return on the weakest effort among ``N(i)`` (weakest link); negative
            values describe duplication waste.
        b_pool: Return on the pooled RATS contribution (participants' summed effort over
            ``pool_reference``).
        cost: Cost of full effort, scalar or ``(N,)``.
        base: Payoff at zero effort everywhere, scalar or ``(N,)``.
        value: Value of protection, scalar or ``(N,)`` (multiplies ``T(z)``).
        pool_reference: States the pooled sum is counted per; None: the participants, so
            the pool is their mean (the model fixes it: ``SecurityParams.pool_reference``).
    """

    b_sum: float = 0.0
    b_best: float = 0.0
    b_weak: float = 0.0
    b_pool: float = 0.0
    cost: float | np.ndarray = 0.0
    base: float | np.ndarray = 0.0
    value: float | np.ndarray = 1.0
    pool_reference: float | None = None


def _neighbour_extrema(e: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Max and min of ``e`` over ``N(i)`` (own plus ``W > 0``), each ``(R, N)``."""
    mask = (W > 0) | np.eye(W.shape[0], dtype=bool)
    big = np.where(mask[None, :, :], e[:, None, :], -np.inf)
    small = np.where(mask[None, :, :], e[:, None, :], np.inf)
    return big.max(axis=2), small.min(axis=2)


def aggregate(e: np.ndarray, W: np.ndarray, tech: Technology,
              pool_mask: np.ndarray | None = None) -> np.ndarray:
    """The protection argument ``z`` of every state, ``(R, N)``.

    Args:
        e: Efforts ``(R, N)`` in [0, 1].
        W: Spillover weights ``(N, N)``, non-negative, own weight on the diagonal.
        tech: Coefficients.
        pool_mask: ``(N,)`` bool, RATS participants (default: nobody).
    """
    e = np.atleast_2d(np.asarray(e, dtype=float))
    z = tech.b_sum * np.einsum("ij,rj->ri", W, e)
    if tech.b_best or tech.b_weak:
        hi, lo = _neighbour_extrema(e, W)
        z = z + tech.b_best * hi + tech.b_weak * lo
    if tech.b_pool and pool_mask is not None and pool_mask.any():
        m = pool_mask.astype(float)
        ref = m.sum() if tech.pool_reference is None else tech.pool_reference
        pooled = (e * m).sum(axis=1, keepdims=True) / ref
        z = z + tech.b_pool * m[None, :] * pooled
    return z


def payoff(e: np.ndarray, W: np.ndarray, tech: Technology,
           transform: Callable[[np.ndarray], np.ndarray] | None = None,
           pool_mask: np.ndarray | None = None) -> np.ndarray:
    """Payoff ``U`` of every state, ``(R, N)`` (module docstring gives the formula).

    Args:
        e: Efforts ``(R, N)`` (or ``(N,)`` for one run).
        W: Spillover weights ``(N, N)``.
        tech: Coefficients.
        transform: ``T``; ``None`` is the identity (the textbook games).
        pool_mask: RATS participants ``(N,)`` bool.

    Returns:
        ``(R, N)`` payoffs.
    """
    e = np.atleast_2d(np.asarray(e, dtype=float))
    if np.any(e < 0) or np.any(e > 1):
        raise ValueError("efforts must lie in [0, 1]")
    z = aggregate(e, W, tech, pool_mask)
    t = z if transform is None else transform(z)
    return np.asarray(tech.base) + np.asarray(tech.value) * t - np.asarray(tech.cost) * e


def payoff_table(W: np.ndarray, tech: Technology, levels: tuple[float, ...] = (0.0, 1.0),
                 **kw: object) -> dict[tuple[float, ...], np.ndarray]:
    """Payoffs for every profile of discrete efforts: ``{profile: (N,) payoffs}``."""
    n = W.shape[0]
    profiles = list(itertools.product(levels, repeat=n))
    u = payoff(np.array(profiles), W, tech, **kw)  # type: ignore[arg-type]
    return {p: u[k] for k, p in enumerate(profiles)}


def best_responses(table: dict[tuple[float, ...], np.ndarray], player: int,
                   others: tuple[float, ...], levels: tuple[float, ...] = (0.0, 1.0),
                   tol: float = 1e-12) -> tuple[float, ...]:
    """Levels maximising ``player``'s payoff given the others' efforts (in player order)."""
    vals = []
    for a in levels:
        prof = others[:player] + (a,) + others[player:]
        vals.append(table[prof][player])
    best = max(vals)
    return tuple(a for a, v in zip(levels, vals, strict=True) if v >= best - tol)


def pure_nash(W: np.ndarray, tech: Technology, levels: tuple[float, ...] = (0.0, 1.0),
              **kw: object) -> list[tuple[float, ...]]:
    """All pure-strategy Nash equilibria, found by enumerating best responses.

    A profile is an equilibrium when every player's effort is among its best responses
    to the others' efforts.
    """
    table = payoff_table(W, tech, levels, **kw)
    eq = []
    for prof in table:
        if all(prof[i] in best_responses(table, i, prof[:i] + prof[i + 1:], levels)
               for i in range(len(prof))):
            eq.append(prof)
    return eq


#: Preemption as a prisoner's dilemma (ANCHORS.md: (2,2), (-2,4), (4,-2), (0,0)).
PREEMPTION = Technology(b_sum=4.0, cost=6.0)
#: Intelligence gathering as a hero game (ANCHORS.md: (2,2), (3,4), (4,3), (1,1)).
HERO = Technology(base=1.0, b_best=3.0, b_weak=-1.0, cost=1.0)
#: Weakest link (asset freezing): ANCHORS.md gives no payoffs; illustrative B=4, c=2.
WEAKEST_LINK = Technology(b_weak=4.0, cost=2.0)
