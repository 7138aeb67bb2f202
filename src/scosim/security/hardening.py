"""Unilateral defensive hardening as a strategic choice: the Nash and cooperative levels.

Hardening ``h[i] >= 0`` is a log change of state ``i``'s defensive (target-hardening)
spending. In the threat process (:func:`scosim.security.threat.expected_incidents`) it
protects ``i``'s targets whoever attacks them: ``lam[i] = F[i] exp(-b h[i]) (A[i] + D[i])``
(``b = beta_defence``, ``A`` the pressure before hardening, Afghan spillover included,
``F = exp(-beta (S - S0))``). A share ``theta`` (``displacement``) of the attacks ``j``
deflects, ``A[j] (1 - exp(-b h[j]))``, moves to ``j``'s land neighbours where groups
already operate, in proportion to ``B[k] exp(-b h[k])`` (``Wd``,
:func:`scosim.security.threat.displacement_weights`): softer targets attract more, so the
split depends on relative deterrence, as in the transference models (Sandler and Lapan
1988, *Synthese* 76(2); Sandler and Siqueira 2006, *Canadian Journal of Economics* 39(4);
Bandyopadhyay and Sandler 2011, *Economica* 78). The evidence that hardening displaces
rather than removes attacks is Enders and Sandler (1993, "The effectiveness of
antiterrorism policies: a vector-autoregression-intervention analysis", *American Political
Science Review* 87(4)): metal detectors at airports from 1973 cut skyjackings and raised
other hostage-takings, a substitution among attack modes. That a state's hardening moves
attacks to its land neighbours is the models' geographic version, not measured; Enders and
Sandler (2006, *International Studies Quarterly* 50(2)) find transnational attacks shifting
to the Middle East and Asia after 9/11, a shift between world regions, not between
neighbours. A state with no such neighbour displaces nothing. Each state counts the attacks
it deflects as gains, not the ones its neighbours receive, so with damages at home defensive
measures are oversupplied (Sandler and Arce 2003, *Simulation & Gaming* 34(3); Sandler and
Siqueira 2006).

**Loss.** A state values its expected incidents at the rule's value of a security-index
point ``V[i]`` (share of GDP): an index point avoids ``beta x lam`` incidents at the margin,
so one incident is worth ``c[i] = V[i] / (beta lam0[i])``, ``lam0`` the year's expected
incidents before anyone hardens. The model passes ``V = beta lam0 x`` the damage of an
incident that the votes use (:func:`scosim.security.hardening_price.hardening_index_value`,
:func:`scosim.security.damage.incident_damage_share_gdp`), so ``c`` is that damage; until
2026-12-07 ``V`` was one scenario value for every state, which made an incident dearer the
fewer a state expected. With that price fixed for the year the loss is linear in
incidents, ``L[i] = c[i] lam[i](h) + d[i] (exp(h[i]) - 1)``, ``d`` the defensive spending
that ``h`` scales, a share of GDP: one number or one per state. The model passes
``max(cost_share_gdp, b c lam0)`` at 2018-2022 conditions, at which ``h = 0`` (the 2018-2022
defence) is each state's choice there, since the base rates already reflect it
(:mod:`scosim.security.hardening_calibration`). The solvers work
with ``m = c lam0 / A = V / (beta A)`` a unit of pressure (0 where ``A`` is 0: such a state
receives nothing and has nothing to lose).

**Nash** (:func:`nash_hardening`). ``L[i]`` is strictly convex in ``h[i]``: its derivative
``g[i] = -b m[i] exp(-b h[i]) (A[i] + theta sum_j def[j] W[j, i] (2 - W[j, i])) +
d exp(h[i])`` (``def[j] = A[j] (1 - exp(-b h[j]))``, ``W = Wd``) rises with ``h[i]``, so the
best response is its root (or 0), found by Newton's method safeguarded by bisection
(:func:`_root`), started from the state's level of the round before. It rises with every
other state's hardening (more deflected to ``i``, or ``i`` relatively softer): the game is
supermodular, so best responses iterated from ``h = 0`` rise monotonically to the least
Nash equilibrium (Topkis 1979, "Equilibrium points in nonzero-sum n-person submodular
games", *SIAM Journal on Control and Optimization* 17(6); Vives 1990, *Journal of
Mathematical Economics* 19(3)). A run's iteration stops when none of its ``h`` moves by more
than ``tol`` (and the run is left alone after, so its levels do not depend on its batch);
:class:`HardeningConvergenceError` after ``max_iter`` rounds. With ``theta = 0`` it is one
step: ``h = max(0, ln(b m A / d) / (1 + b))`` for every state with ``A > 0``.

**Cooperative** (:func:`cooperative_hardening`). The joint optimum minimises the sum of the
states' losses in US$ (``GDP x`` share), what a RATS-coordinated policy would internalise.
The objective is not convex in general (the split ``W`` is a ratio), but it is convex in
each state's ``exp(-b h[k])`` alone, the others fixed. So it is minimised by Gauss-Seidel
coordinate descent (:func:`_coordinate_descent`): each sweep sets every state's ``h`` in
turn to its unique minimiser given the others (the root of the coordinate derivative by
safeguarded Newton, or 0), all runs at once, until no ``h`` moves by more than ``tol`` in a
sweep; the limit is a stationary point (Bertsekas 1999, Proposition 2.7.1). It starts from
the Nash levels and from 0 and keeps the lower joint loss per run; a result whose projected
gradient is not 0, or sweeps that do not converge, raise
:class:`HardeningConvergenceError`. Only elementwise numpy and sums over axes: no optimiser
and no BLAS call, so the levels are the same on every machine and in every batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

import numpy as np

from scosim.security.threat import displaced_pressure, displacement_weights, expected_incidents

if TYPE_CHECKING:
    from scosim.security.model import SecurityState, SecuritySystem

__all__ = [
    "HARDENING_RULES",
    "HardeningConvergenceError",
    "HardeningRule",
    "best_response",
    "choose_hardening",
    "cooperative_hardening",
    "displaced_in",
    "hardening_cost",
    "incident_price",
    "joint_loss",
    "nash_hardening",
    "pressure_before_hardening",
]

HardeningRule = Literal["none", "nash", "cooperative"]
#: Hardening rules a scenario may name (``parameters.security.hardening.rule``).
HARDENING_RULES: tuple[str, ...] = ("none", "nash", "cooperative")

_NEWTON = 200  # safeguarded Newton steps per root, at most (bisection alone needs < 70)
_EPS = 4.0 * np.finfo(float).eps



class HardeningConvergenceError(RuntimeError):
    """The Nash iteration or the cooperative minimisation did not converge."""


def incident_price(lam0: np.ndarray, value: np.ndarray | float, beta: float) -> np.ndarray:
    """Loss per expected incident ``(R, N)``, share of GDP: ``V / (beta lam0)``.

    The value of a security-index point ``V`` per incident that a point avoids at
    the margin (``beta lam0``). ``inf`` where ``lam0`` is 0 and ``V > 0``; 0 where ``V``
    is 0.
    """
    lam0 = np.asarray(lam0, dtype=float)
    v = np.broadcast_to(np.asarray(value, dtype=float), lam0.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(lam0 > 0, v / (beta * np.where(lam0 > 0, lam0, 1.0)), np.inf)
    return np.where(v > 0, out, 0.0)


def hardening_cost(h: np.ndarray, cost_share_gdp: float | np.ndarray) -> np.ndarray:
    """Cost of hardening ``h`` a year, share of GDP: ``d (exp(h) - 1)`` (``d`` may be per state)."""
    return np.asarray(cost_share_gdp, dtype=float) * np.expm1(np.asarray(h, dtype=float))


def _price_per_pressure(pressure: np.ndarray, value: np.ndarray | float,
                        beta: float) -> np.ndarray:
    """``m = V / (beta A)`` ``(R, N)``, 0 where ``A`` is 0 (nothing there to lose)."""
    A = np.asarray(pressure, dtype=float)
    return np.where(A > 0, incident_price(A, value, beta), 0.0)


def _root(fun: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]], x0: np.ndarray,
          lo: np.ndarray, hi: np.ndarray, done: np.ndarray) -> np.ndarray:
    """Root of ``g`` in ``[lo, hi]`` elementwise, by Newton's method safeguarded by bisection.

    ``g`` changes sign once, from negative at ``lo`` to non-negative at ``hi``; ``fun(x)``
    returns ``(g(x), g'(x))``. Each step narrows the bracket by the sign of ``g``; a Newton
    step that leaves it (or a derivative that is not positive) is replaced by the
    midpoint. An element stops when its step is below a few ulps of ``max(1, x)`` or its
    bracket is that narrow, and is not touched again, so each element's root depends on
    its own inputs only (not on the batch it is solved in).

    Args:
        fun: ``x -> (g, g')``, elementwise over arrays shaped like ``x0``.
        x0: Starting points (clipped into the bracket).
        lo: Lower ends, ``g(lo) < 0``.
        hi: Upper ends, ``g(hi) >= 0``.
        done: Elements not to solve (returned as ``x0``).

    Raises:
        HardeningConvergenceError: If an element has not converged after ``_NEWTON`` steps.
    """
    x = np.where(done, x0, np.clip(x0, lo, hi))
    done = done.copy()
    for _ in range(_NEWTON):
        if done.all():
            return x
        g, dg = fun(x)
        neg = g < 0
        lo = np.where(neg, x, lo)
        hi = np.where(neg, hi, x)
        with np.errstate(divide="ignore", invalid="ignore"):
            nxt = x - g / dg
        nxt = np.where((nxt >= lo) & (nxt <= hi) & (dg > 0), nxt, 0.5 * (lo + hi))
        nxt = np.where(g == 0, x, nxt)
        scale = _EPS * np.maximum(1.0, np.abs(x))
        stop = (np.abs(nxt - x) <= scale) | (hi - lo <= scale)
        x = np.where(done, x, nxt)
        done |= stop
    if done.all():
        return x
    raise HardeningConvergenceError(
        f"hardening root not found in {_NEWTON} safeguarded Newton steps")


def best_response(hardening: np.ndarray, base: np.ndarray, pressure: np.ndarray,
                  price: np.ndarray, Wn: np.ndarray, *, beta_defence: float,
                  displacement: float, cost_share_gdp: float | np.ndarray) -> np.ndarray:
    """Each state's best response ``(R, N)`` to the others' ``hardening`` (module docstring).

    The root of ``g[i]`` (strictly increasing in ``h[i]``) by Newton's method safeguarded
    by bisection (:func:`_root`) on ``[0, ln(b m (A + theta sum_j reach[j, i] def[j]) / d)
    / (1 + b)]``, where ``g`` is non-negative because ``W (2 - W) <= 1``, started from the
    state's own entry of ``hardening``; 0 where ``g[i](0) >= 0``. With ``q2 = sum_j def[j]
    W[j, i] (1 - W[j, i])^2`` the derivative is ``g' = b^2 m e^{-bh} (A + theta q + 2
    theta q2) + d e^h > 0``.

    Args:
        hardening: ``(R, N)`` current hardening: the others' levels, and each state's own
            as the starting point of its root (the root does not depend on it beyond a
            few ulps).
        base: ``(N,)`` base rates ``B`` (the receiving weights of displaced attacks).
        pressure: ``(R, N)`` pressure before hardening ``A`` (>= 0).
        price: ``(R, N)`` ``m = V / (beta A)``, finite (0 where ``A`` is 0).
        Wn: ``(N, N)`` contiguity.
        beta_defence: ``b`` > 0.
        displacement: ``theta``.
        cost_share_gdp: ``d`` > 0: a number, or ``(R, N)`` / ``(N,)`` one per state
            (:mod:`scosim.security.hardening_calibration`).
    """
    b, th = float(beta_defence), float(displacement)
    d = np.asarray(cost_share_gdp, dtype=float)
    A = np.asarray(pressure, dtype=float)
    h = np.asarray(hardening, dtype=float)
    m = np.asarray(price, dtype=float)
    reach = (np.asarray(Wn, dtype=float) > 0)[None, :, :]
    y0 = np.where(A > 0, np.broadcast_to(np.asarray(base, dtype=float), A.shape), 0.0)
    x = np.where(reach, (y0 * np.exp(-b * h))[:, None, :], 0.0)  # [r, j, i]
    # Weight of j's other receivers, each at its current hardening.
    others = x.sum(axis=2, keepdims=True) - x
    deflected = np.where(reach, (A * -np.expm1(-b * h))[:, :, None], 0.0)  # [r, j, i]

    def slope(hc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        e = np.exp(-b * hc)
        yi = np.where(reach, (y0 * e)[:, None, :], 0.0)
        den = yi + others
        w = np.divide(yi, den, out=np.zeros_like(den), where=den > 0)
        q = (deflected * w * (2.0 - w)).sum(axis=1)
        q2 = (deflected * w * (1.0 - w) ** 2).sum(axis=1)
        cost = d * np.exp(hc)
        return (-b * m * e * (A + th * q) + cost,
                b * b * m * e * (A + th * (q + 2.0 * q2)) + cost)

    top = b * m * (A + th * deflected.sum(axis=1)) / d
    with np.errstate(divide="ignore"):
        hi = np.where(top > 1.0, np.log(np.where(top > 1.0, top, 1.0)) / (1.0 + b), 0.0)
    zero = np.zeros_like(hi)
    corner = slope(zero)[0] >= 0
    return np.where(corner, 0.0, _root(slope, h, zero, hi, corner))


def nash_hardening(base: np.ndarray, pressure: np.ndarray, value: np.ndarray | float,
                   Wn: np.ndarray, *, beta: float, beta_defence: float, displacement: float,
                   cost_share_gdp: float | np.ndarray, tol: float = 1e-12, max_iter: int = 200,
                   return_iterations: bool = False) -> np.ndarray | tuple[np.ndarray, int]:
    """The least Nash equilibrium ``(R, N)``: best responses iterated from ``h = 0``.

    All states respond at once to the last round's profile (vectorised over runs); the
    sequence rises monotonically (module docstring). Each best response's root starts
    from the state's last-round level. A run stops, and is not touched again, when none
    of its entries moves by more than ``tol``, so its levels do not depend on the other
    runs of its batch.

    Args:
        base: ``(N,)`` base rates ``B``.
        pressure: ``(R, N)`` pressure before anyone hardens (``A``, >= 0).
        value: ``V`` ``(R, N)`` or scalar, value of a security-index point, share of GDP.
        Wn: ``(N, N)`` contiguity.
        beta: Semi-elasticity of incidents to the security index.
        beta_defence: Semi-elasticity of incidents to hardening (``b`` > 0).
        displacement: Share ``theta`` of the deflected attacks that move to neighbours.
        cost_share_gdp: Defensive spending that ``h`` scales, share of GDP (``d`` > 0): a
            number, or ``(R, N)`` / ``(N,)`` one per state.
        tol: Largest change of any ``h`` at which a run's iteration has converged.
        max_iter: Best-response rounds before giving up.
        return_iterations: Also return the number of rounds taken (the most of any run).

    Raises:
        HardeningConvergenceError: If ``max_iter`` rounds do not converge.
    """
    A = np.asarray(pressure, dtype=float)
    m = _price_per_pressure(A, value, beta)
    d = np.broadcast_to(np.asarray(cost_share_gdp, dtype=float), A.shape)
    h = np.zeros_like(A)
    live = np.arange(A.shape[0])
    change = 0.0
    for it in range(1, max_iter + 1):
        if live.size == 0:
            return (h, it - 1) if return_iterations else h
        new = best_response(h[live], base, A[live], m[live], Wn, beta_defence=beta_defence,
                            displacement=displacement, cost_share_gdp=d[live])
        moved = np.max(np.abs(new - h[live]), axis=1, initial=0.0)
        change = float(moved.max())
        h[live] = new
        live = live[moved > tol]
    if live.size == 0:
        return (h, max_iter) if return_iterations else h
    raise HardeningConvergenceError(
        f"Nash hardening did not converge in {max_iter} best-response rounds (last "
        f"largest change {change:.3g} > tol {tol:g}); raise max_iter or lower displacement")


def joint_loss(hardening: np.ndarray, base: np.ndarray, pressure: np.ndarray,
               price: np.ndarray, Wn: np.ndarray, gdp: np.ndarray, *, beta_defence: float,
               displacement: float,
               cost_share_gdp: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum of the states' losses in US$ ``(R,)`` and its gradient in ``h`` ``(R, N)``.

    ``J = sum_i Y[i] (m[i] exp(-b h[i]) (A[i] + D[i]) + d (exp(h[i]) - 1))``. With
    ``u = Y m exp(-b h)``, ``ubar[j] = sum_i W[j, i] u[i]`` and ``def = A (1 - exp(-b h))``:
    ``dJ/dh[k] = Y[k] (d exp(h[k]) - b m[k] exp(-b h[k]) (A[k] + D[k]))
    + theta b exp(-b h[k]) A[k] ubar[k] - theta b sum_j def[j] W[j, k] (u[k] - ubar[j])``
    (``k``'s own loss; what it deflects onto its neighbours; where its softening or
    hardening sends its neighbours' deflected attacks). Arguments as for
    :func:`best_response`, and ``gdp`` ``(R, N)`` or ``(N,)`` in US$.
    """
    b, th = float(beta_defence), float(displacement)
    d = np.asarray(cost_share_gdp, dtype=float)
    A = np.asarray(pressure, dtype=float)
    h = np.asarray(hardening, dtype=float)
    m = np.asarray(price, dtype=float)
    y = np.broadcast_to(np.asarray(gdp, dtype=float), A.shape)
    e = np.exp(-b * h)
    D = displaced_pressure(base, Wn, A, h, displacement=th, beta_defence=b)
    loss = (y * (m * e * (A + D) + d * np.expm1(h))).sum(axis=1)
    W = displacement_weights(Wn, base, A, h, beta_defence=b)
    u = y * m * e
    ubar = (W * u[:, None, :]).sum(axis=2)
    deflected = A * -np.expm1(-b * h)
    grad = (y * (d * np.exp(h) - b * m * e * (A + D)) + th * b * e * A * ubar
            - th * b * (deflected[:, :, None] * W * (u[:, None, :] - ubar[:, :, None])).sum(axis=1))
    return loss, grad


def cooperative_hardening(base: np.ndarray, pressure: np.ndarray, value: np.ndarray | float,
                          Wn: np.ndarray, gdp: np.ndarray, *, beta: float,
                          beta_defence: float, displacement: float,
                          cost_share_gdp: float | np.ndarray, tol: float = 1e-12,
                          max_sweeps: int = 1000, kkt_tol: float = 1e-9) -> np.ndarray:
    """Hardening ``(R, N)`` minimising the sum of the states' losses in US$ (module docstring).

    Gauss-Seidel coordinate descent (:func:`_coordinate_descent`), all runs at once, from
    the Nash levels and from 0; per run the lower joint loss is kept (the Nash start on a
    tie). The result must satisfy the first-order conditions of :func:`joint_loss` to
    ``kkt_tol``.

    Args as for :func:`nash_hardening`, and:
        gdp: ``(R, N)`` or ``(N,)`` GDP, US$ (the weights of the sum).
        tol: Largest change of any ``h`` over a sweep at which a run has converged.
        max_sweeps: Sweeps over the states before giving up.
        kkt_tol: Largest projected gradient accepted, per US$ of ``Y[k] d``.

    Raises:
        HardeningConvergenceError: If the sweeps do not converge or the result fails the
            first-order conditions.
    """
    A = np.asarray(pressure, dtype=float)
    r = A.shape[0]
    m = _price_per_pressure(A, value, beta)
    y = np.broadcast_to(np.asarray(gdp, dtype=float), A.shape)
    d = np.broadcast_to(np.asarray(cost_share_gdp, dtype=float), A.shape)
    kw = {"beta_defence": beta_defence, "displacement": displacement}
    nash = nash_hardening(base, A, value, Wn, beta=beta, cost_share_gdp=d, **kw)
    both = (np.concatenate([A, A]), np.concatenate([m, m]), np.concatenate([y, y]))
    d2 = np.concatenate([d, d])
    h = _coordinate_descent(np.concatenate([nash, np.zeros_like(A)]), base, *both, Wn,
                            tol=tol, max_sweeps=max_sweeps, cost_share_gdp=d2, **kw)
    loss, _ = joint_loss(h, base, both[0], both[1], Wn, both[2], cost_share_gdp=d2, **kw)
    out = np.where((loss[:r] <= loss[r:])[:, None], h[:r], h[r:])
    _, g = joint_loss(out, base, A, m, Wn, y, cost_share_gdp=d, **kw)
    free = (A > 0) & (y > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(free, g / (y * d), 0.0)
    bad = np.where(out > 0, np.abs(rel), np.maximum(-rel, 0.0)).max(axis=1, initial=0.0)
    if np.any(bad > kkt_tol):
        run = int(np.argmax(bad))
        raise HardeningConvergenceError(
            f"cooperative hardening, run {run}: first-order conditions fail by "
            f"{bad[run]:.3g} (per US$ of GDP x cost_share_gdp) after coordinate descent")
    return out


def _coordinate_descent(start: np.ndarray, base: np.ndarray, A: np.ndarray, m: np.ndarray,
                        y: np.ndarray, Wn: np.ndarray, *, beta_defence: float,
                        displacement: float, cost_share_gdp: np.ndarray, tol: float,
                        max_sweeps: int) -> np.ndarray:
    """Gauss-Seidel minimisation of :func:`joint_loss` over ``h >= 0``, vectorised over runs.

    Each sweep minimises the joint loss in each state's ``h[k]`` in turn, the others at
    their latest levels. In ``t = exp(-b h[k])`` the loss is convex: with ``u = Y m t``,
    ``x = B t`` over the active receivers (``A > 0``), ``Phi[j] = sum_i W[j, i] u[i]`` and
    ``P[j], Q[j]`` the sums of ``u x`` and ``x`` over ``j``'s receivers other than ``k``,
    ``J(t) = Y m A t + Y d (t^{-1/b} - 1) + theta A (1 - t) Phi[k]
    + theta sum_j def[j] (P[j] + c t^2) / (Q[j] + B t) + const`` (``c = Y m B`` of ``k``),
    a sum of linear terms, ``t^{-1/b}`` and ``(P + c t^2) / (Q + B t) = (c / B) t - c Q / B^2
    + (P + c Q^2 / B^2) / (Q + B t)``, all convex for ``t > 0``. So the coordinate's
    minimiser is unique: 0 where ``dJ/dh[k] >= 0`` at 0, else the root of ``dJ/dh[k]``,
    which changes sign once, by :func:`_root` on ``[0, ln(b m (A + 2 theta sum_j def[j]) /
    d) / (1 + b)]`` (``(P + c t^2) / (Q + B t)`` rises by at most ``2 c / B`` a unit of
    ``t``), from its current level. With unique coordinate minimisers the limit points of
    the sweeps are stationary (Bertsekas 1999, *Nonlinear Programming*, 2nd ed.,
    Proposition 2.7.1). A run stops, and is not touched again, when no ``h`` moved by more
    than ``tol`` in a sweep. Arguments as for :func:`joint_loss`; ``start`` ``(R, N)``.

    Raises:
        HardeningConvergenceError: If a run has not converged after ``max_sweeps`` sweeps.
    """
    b, th = float(beta_defence), float(displacement)
    d = np.broadcast_to(np.asarray(cost_share_gdp, dtype=float), A.shape)
    B = np.asarray(base, dtype=float)
    reach = np.asarray(Wn, dtype=float) > 0
    free = (A > 0) & (y > 0)
    h = np.where(free, start, 0.0)
    live = np.flatnonzero(free.any(axis=1))
    change = 0.0
    for _ in range(max_sweeps):
        if live.size == 0:
            return h
        hl, Al, ml, yl, fl, dl = h[live], A[live], m[live], y[live], free[live], d[live]
        xb = np.where(Al > 0, B, 0.0)  # receiving weight at h = 0, active receivers only
        moved = np.zeros(live.size)
        for k in np.flatnonzero(fl.any(axis=0)):
            preds = np.flatnonzero(reach[:, k])  # the states that deflect onto k
            t = np.exp(-b * hl)
            x = xb * t
            ux = yl * ml * t * x
            # k's own deflections: the price-weighted split Phi over its receivers.
            xs = np.where(reach[k], x, 0.0).sum(axis=1)
            uxs = np.where(reach[k], ux, 0.0).sum(axis=1)
            phi = np.divide(uxs, xs, out=np.zeros_like(xs), where=xs > 0)
            mask = reach[preds].copy()
            mask[:, k] = False
            Q = np.where(mask, x[:, None, :], 0.0).sum(axis=2)  # (R, J)
            P = np.where(mask, ux[:, None, :], 0.0).sum(axis=2)
            dfl = Al[:, preds] * -np.expm1(-b * hl[:, preds])
            Bk = xb[:, k:k + 1]
            c = (yl[:, k] * ml[:, k])[:, None] * Bk
            own = yl[:, k] * ml[:, k] * Al[:, k] - th * Al[:, k] * phi
            yd = yl[:, k] * dl[:, k]

            def slope(hk: np.ndarray, Q=Q, P=P, dfl=dfl, Bk=Bk, c=c, own=own,
                      yd=yd) -> tuple[np.ndarray, np.ndarray]:
                tk = np.exp(-b * hk)
                den = Q + Bk * tk[:, None]
                ok = den > 0
                safe = np.where(ok, den, 1.0)
                f1 = np.where(ok, (c * Bk * tk[:, None] ** 2 + 2.0 * c * Q * tk[:, None]
                                   - Bk * P) / safe ** 2, 0.0)
                f2 = np.where(ok, 2.0 * (P * Bk ** 2 + c * Q ** 2) / safe ** 3, 0.0)
                dJdt = own + th * (dfl * f1).sum(axis=1)  # without the cost's
                cost = yd * np.exp(hk)
                return (cost - b * tk * dJdt,
                        cost + b * b * tk * dJdt + b * b * tk ** 2 * th * (dfl * f2).sum(axis=1))

            zero = np.zeros(live.size)
            top = b * ml[:, k] * (Al[:, k] + 2.0 * th * dfl.sum(axis=1)) / dl[:, k]
            with np.errstate(divide="ignore"):
                hi = np.where(top > 1.0, np.log(np.where(top > 1.0, top, 1.0)) / (1.0 + b),
                              0.0)
            corner = ~fl[:, k] | (slope(zero)[0] >= 0)
            new = np.where(corner, 0.0, _root(slope, hl[:, k], zero, hi, corner))
            moved = np.maximum(moved, np.abs(new - hl[:, k]))
            hl[:, k] = new
        h[live] = hl
        change = float(moved.max(initial=0.0))
        live = live[moved > tol]
    if live.size == 0:
        return h
    raise HardeningConvergenceError(
        f"cooperative hardening did not converge in {max_sweeps} coordinate-descent sweeps "
        f"(last largest change {change:.3g} > tol {tol:g})")


def pressure_before_hardening(system: SecuritySystem, instability: np.ndarray,
                              n_runs: int) -> np.ndarray:
    """``A`` ``(R, N)``: pressure before hardening (``lam`` at ``S = S0`` and ``h = 0``)."""
    p = system.params
    s0 = np.broadcast_to(system.S0, (n_runs, system.cal.n))
    inst = np.broadcast_to(np.asarray(instability, dtype=float), (n_runs,))
    return expected_incidents(system.cal.base_rate, s0, system.S0, inst, system.afg, system.Wn,
                              beta=p.beta, afghan_spill=p.afghan_spill,
                              displacement=p.displacement, beta_defence=p.beta_defence,
                              spill_weights=system.afghan_spill_weights)


def choose_hardening(system: SecuritySystem, state: SecurityState, instability: np.ndarray,
                     rule: str, *, value: np.ndarray | float, gdp: np.ndarray | None = None,
                     cost_share_gdp: float | np.ndarray) -> np.ndarray:
    """This year's hardening ``(R, N)`` under ``rule`` (``none``: zeros).

    Args:
        system: The calibrated block (``params.beta``, ``beta_defence``, ``displacement``).
        state: The state (only its number of runs is read: the index enters through
            ``value``).
        instability: Afghan instability of the year, scalar or ``(R,)``.
        rule: ``none``, ``nash`` or ``cooperative``.
        value: ``V`` ``(R, N)`` or scalar, value of a security-index point, share of GDP
            (the model's: :func:`scosim.security.hardening_price.hardening_index_value`).
        gdp: ``(R, N)`` GDP, US$ (cooperative only; default the calibration's).
        cost_share_gdp: Defensive spending that ``h`` scales, share of GDP: a number, or
            ``(R, N)`` / ``(N,)`` one per state (the model's, calibrated so that the
            2018-2022 defence is the rule's choice at 2018-2022 conditions:
            :func:`scosim.security.hardening_calibration.calibrated_cost_share`).

    Raises:
        ValueError: On an unknown rule, a cost that is not > 0 or ``params.beta`` 0.
        HardeningConvergenceError: If the rule's solution does not converge.
    """
    if rule not in HARDENING_RULES:
        raise ValueError(f"hardening rule {rule!r} unknown; rules are: "
                         f"{', '.join(HARDENING_RULES)}")
    if not np.all(np.asarray(cost_share_gdp, dtype=float) > 0):
        raise ValueError(f"cost_share_gdp must be > 0, got {cost_share_gdp}")
    if rule != "none" and not system.params.beta > 0:
        # The price of an incident is V over the incidents an index point avoids.
        raise ValueError("hardening rules need params.beta > 0 (incidents must respond to "
                         "the security index to price them)")
    r, n = state.n_runs, system.cal.n
    if rule == "none":
        return np.zeros((r, n))
    p = system.params
    A = pressure_before_hardening(system, instability, r)
    kw = {"beta": p.beta, "beta_defence": p.beta_defence, "displacement": p.displacement,
          "cost_share_gdp": cost_share_gdp}
    if rule == "nash":
        return nash_hardening(system.cal.base_rate, A, value, system.Wn, **kw)
    y = system.cal.gdp_usd if gdp is None else gdp
    return cooperative_hardening(system.cal.base_rate, A, value, system.Wn, y, **kw)


def _landed(system: SecuritySystem, h: np.ndarray,
            instability: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """``(A, D)`` ``(R, N)``: pressure before hardening and attacks displaced to each state."""
    p = system.params
    A = pressure_before_hardening(system, instability, h.shape[0])
    D = displaced_pressure(system.cal.base_rate, system.Wn, A, h,
                           displacement=p.displacement, beta_defence=p.beta_defence)
    return A, D


def displaced_in(system: SecuritySystem, hardening: np.ndarray,
                 instability: np.ndarray | float) -> np.ndarray:
    """Pressure ``(R, N)`` moved to each state by its neighbours' hardening, net of its own.

    ``exp(-b h[i]) D[i]``: the attacks its neighbours deflect onto it
    (:func:`scosim.security.threat.displaced_pressure`) that its own hardening does not
    deter; times ``exp(-beta (S - S0))`` it is the state's expected incidents displaced to
    it.

    Args:
        system: The calibrated block.
        hardening: ``(R, N)`` hardening.
        instability: Afghan instability of the year, scalar or ``(R,)``.
    """
    h = np.asarray(hardening, dtype=float)
    _, D = _landed(system, h, instability)
    return np.exp(-system.params.beta_defence * h) * D
