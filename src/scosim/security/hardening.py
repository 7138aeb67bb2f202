"""Unilateral defensive hardening as a strategic choice: the Nash and cooperative levels.

Hardening ``h[i] >= 0`` is a log change of state ``i``'s defensive (target-hardening)
spending. In the threat process (:func:`scosim.security.threat.expected_incidents`) it
scales ``i``'s own pressure ``B[i]`` by ``exp(-b h[i])`` (``b = beta_defence``) and moves a
share ``theta`` (``displacement``) of the attacks it avoids to ``i``'s land neighbours where
groups already operate, in proportion to their own rates ``B`` (``Wd``,
:func:`scosim.security.threat.displacement_weights`): Enders and Sandler (1993). A state
with no such neighbour displaces nothing. Choosing it is the
defensive game of Sandler and Arce (2003) and Arce and Sandler (2005): each state counts
the attacks it deflects as gains, not the ones its neighbours receive, so defensive
measures are oversupplied.

**Loss.** A state values its expected incidents at the price the model's votes already
put on security: ``weights.security`` ``V[i]``, the value of a security-index point as a
share of GDP. Incidents are ``lam = pressure x exp(-beta (S - S0))``, so an index point
avoids ``beta x lam`` incidents at the margin and one incident is worth
``c[i] = V[i] / (beta lam0[i])``, ``lam0`` the year's expected incidents before anyone
hardens. With that price fixed for the year the loss is linear in incidents,
``L[i] = c[i] lam[i](h) + d (exp(h[i]) - 1)``, where ``d`` (``cost_share_gdp``, an
assumption) is the defensive spending that ``h`` scales, a share of GDP.

**Nash.** The displacement a state receives enters its loss additively, so its marginal
benefit of hardening does not depend on the others' ``h``: the best response is a
dominant strategy and the Nash equilibrium is reached in one best-response step (the
iteration is a contraction with modulus 0). The first-order condition
``c F b B exp(-b h) = d exp(h)`` (``F = exp(-beta (S - S0))``) gives, since
``c F = V / (beta A)`` with ``A`` the pressure before hardening,
``h_N = max(0, ln(b B V / (beta A d)) / (1 + b))``.

**Cooperative.** The joint optimum minimises the sum of the states' losses in US$
(``GDP x`` share), what a RATS-coordinated policy would internalise. Hardening by ``j``
also raises each neighbour's loss by ``theta Wd[j, i] c[i] F[i] b B[j] exp(-b h[j])``, so
``h_C[j] = max(0, ln(b B[j] (m[j] - theta sum_i Wd[j, i] (Y[i] / Y[j]) m[i]) / d) / (1 + b))``,
``m = V / (beta A)``; the objective is separable in the ``h[j]`` and convex in each, so this
is the optimum. With ``theta = 0``, or for a state with no neighbour that can receive,
``h_C = h_N``. A neighbour that expects no incident would price one at infinity
(``V / (beta x 0)``: the vote values relative changes), but ``Wd`` sends nothing to a state
whose pressure before hardening is 0, so every price in the sum is finite.

**Bound.** Hardening never avoids more attacks than the state's own pressure: where
``A < B`` (Afghanistan below 2018-2022 instability) ``h <= -ln(1 - A / B) / b``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from scosim.security.threat import displaced_pressure, displacement_weights, expected_incidents

if TYPE_CHECKING:
    from scosim.security.model import SecurityState, SecuritySystem

__all__ = [
    "HARDENING_RULES",
    "HardeningRule",
    "choose_hardening",
    "cooperative_hardening",
    "displaced_in",
    "hardening_cost",
    "hardening_records",
    "incident_price",
    "nash_hardening",
    "pressure_before_hardening",
]

HardeningRule = Literal["none", "nash", "cooperative"]
#: Hardening rules a scenario may name (``parameters.security.hardening.rule``).
HARDENING_RULES: tuple[str, ...] = ("none", "nash", "cooperative")


def incident_price(lam0: np.ndarray, value: np.ndarray | float, beta: float) -> np.ndarray:
    """Loss per expected incident ``(R, N)``, share of GDP: ``V / (beta lam0)``.

    The vote's value of a security-index point ``V`` per incident that a point avoids at
    the margin (``beta lam0``). ``inf`` where ``lam0`` is 0 and ``V > 0``; 0 where ``V``
    is 0.
    """
    lam0 = np.asarray(lam0, dtype=float)
    v = np.broadcast_to(np.asarray(value, dtype=float), lam0.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(lam0 > 0, v / (beta * np.where(lam0 > 0, lam0, 1.0)), np.inf)
    return np.where(v > 0, out, 0.0)


def hardening_cost(h: np.ndarray, cost_share_gdp: float) -> np.ndarray:
    """Cost of hardening ``h`` a year, share of GDP: ``d (exp(h) - 1)``."""
    return cost_share_gdp * np.expm1(np.asarray(h, dtype=float))


def _bounded(log_arg: np.ndarray, base: np.ndarray, pressure: np.ndarray,
             b: float) -> np.ndarray:
    """``max(0, ln(log_arg) / (1 + b))``, at most the bound where ``pressure < base``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.where(log_arg > 0, np.log(np.where(log_arg > 0, log_arg, 1.0)) / (1.0 + b), 0.0)
        frac = np.where(base > 0, pressure / np.where(base > 0, base, 1.0), 1.0)
        # Hardening may avoid at most the state's own pressure: B (1 - exp(-b h)) <= A.
        cap = np.where(frac < 1.0, -np.log1p(-np.minimum(frac, 1.0)) / b, np.inf)
    return np.clip(h, 0.0, cap)


def nash_hardening(base: np.ndarray, pressure: np.ndarray, value: np.ndarray | float, *,
                   beta: float, beta_defence: float, cost_share_gdp: float) -> np.ndarray:
    """Each state's dominant-strategy hardening ``(R, N)`` (module docstring).

    Args:
        base: ``(N,)`` own pressure that hardening scales (``B``, the GTI calibration).
        pressure: ``(R, N)`` pressure before anyone hardens (``A``, >= 0).
        value: ``V`` ``(R, N)`` or scalar, value of a security-index point, share of GDP.
        beta: Semi-elasticity of incidents to the security index.
        beta_defence: Semi-elasticity of own incidents to hardening (``b`` > 0).
        cost_share_gdp: Defensive spending that ``h`` scales, share of GDP (``d`` > 0).
    """
    b = float(beta_defence)
    B = np.broadcast_to(np.asarray(base, dtype=float), np.shape(pressure))
    m = incident_price(pressure, value, beta)  # = c F: V / (beta A)
    with np.errstate(invalid="ignore"):
        arg = np.where(B > 0, b * B * m / cost_share_gdp, 0.0)
    return _bounded(arg, B, np.asarray(pressure, dtype=float), b)


def cooperative_hardening(base: np.ndarray, pressure: np.ndarray, value: np.ndarray | float,
                          Wn: np.ndarray, gdp: np.ndarray, *, beta: float,
                          beta_defence: float, displacement: float,
                          cost_share_gdp: float) -> np.ndarray:
    """Hardening ``(R, N)`` minimising the sum of the states' losses in US$ (module docstring).

    Args as for :func:`nash_hardening`, and:
        Wn: ``(N, N)`` contiguity; ``j``'s displaced attacks go to its neighbours with
            ``A > 0`` in proportion to their ``base``
            (:func:`scosim.security.threat.displacement_weights`).
        gdp: ``(R, N)`` or ``(N,)`` GDP, US$ (the weights of the sum).
        displacement: Share ``theta`` of the attacks avoided that move to neighbours.
    """
    b = float(beta_defence)
    A = np.asarray(pressure, dtype=float)
    B = np.broadcast_to(np.asarray(base, dtype=float), A.shape)
    y = np.broadcast_to(np.asarray(gdp, dtype=float), A.shape)
    m = incident_price(A, value, beta)
    w = displacement_weights(Wn, base, A)
    if displacement > 0:
        # sum_i Wd[j, i] Y[i] m[i]: Wd > 0 only where A > 0, so m is finite there; zero
        # weights are skipped (0 x inf). An explicit elementwise sum, not a BLAS product,
        # so no summation order depends on the machine.
        with np.errstate(invalid="ignore"):
            terms = np.where(w > 0, w * (y * m)[:, None, :], 0.0)
        # Per US$ of the hardening state's GDP (Rest of World: no GDP, no threat, 0).
        spill = displacement * np.divide(terms.sum(axis=2), y, out=np.zeros_like(A),
                                         where=y > 0)
    else:
        spill = np.zeros_like(A)
    with np.errstate(invalid="ignore"):
        net = m - spill  # finite spill: no receiver prices an incident at infinity
        arg = np.where((B > 0) & (net > 0), b * B * net / cost_share_gdp, 0.0)
    return _bounded(arg, B, A, b)


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
                     cost_share_gdp: float) -> np.ndarray:
    """This year's hardening ``(R, N)`` under ``rule`` (``none``: zeros).

    Args:
        system: The calibrated block (``params.beta``, ``beta_defence``, ``displacement``).
        state: The state (only its number of runs is read: the loss does not depend on the
            security index, which cancels in ``c F``).
        instability: Afghan instability of the year, scalar or ``(R,)``.
        rule: ``none``, ``nash`` or ``cooperative``.
        value: ``weights.security`` of each state, ``(R, N)`` or scalar.
        gdp: ``(R, N)`` GDP, US$ (cooperative only; default the calibration's).
        cost_share_gdp: Defensive spending that ``h`` scales, share of GDP.

    Raises:
        ValueError: On an unknown rule, a cost that is not > 0 or ``params.beta`` 0.
    """
    if rule not in HARDENING_RULES:
        raise ValueError(f"hardening rule {rule!r} unknown; rules are: "
                         f"{', '.join(HARDENING_RULES)}")
    if not cost_share_gdp > 0:
        raise ValueError(f"cost_share_gdp must be > 0, got {cost_share_gdp}")
    if rule != "none" and not system.params.beta > 0:
        # The price of an incident is the vote's index point over the incidents it avoids.
        raise ValueError("hardening rules need params.beta > 0 (incidents must respond to "
                         "the security index to price them)")
    r, n = state.n_runs, system.cal.n
    if rule == "none":
        return np.zeros((r, n))
    p = system.params
    A = pressure_before_hardening(system, instability, r)
    kw = {"beta": p.beta, "beta_defence": p.beta_defence, "cost_share_gdp": cost_share_gdp}
    if rule == "nash":
        return nash_hardening(system.cal.base_rate, A, value, **kw)
    y = system.cal.gdp_usd if gdp is None else gdp
    return cooperative_hardening(system.cal.base_rate, A, value, system.Wn, y,
                                 displacement=p.displacement, **kw)


def displaced_in(system: SecuritySystem, hardening: np.ndarray,
                 instability: np.ndarray | float) -> np.ndarray:
    """Pressure ``(R, N)`` moved to each state by its neighbours' hardening.

    ``theta sum_j Wd[j, i] B[j] (1 - exp(-b h[j]))``, the displacement term of
    :func:`scosim.security.threat.expected_incidents` (``Wd`` depends on the year's
    instability only through who can receive: a neighbour whose pressure is 0 receives
    nothing); times ``exp(-beta (S - S0))`` it is the state's expected incidents displaced
    to it.

    Args:
        system: The calibrated block.
        hardening: ``(R, N)`` hardening.
        instability: Afghan instability of the year, scalar or ``(R,)``.
    """
    p = system.params
    h = np.asarray(hardening, dtype=float)
    A = pressure_before_hardening(system, instability, h.shape[0])
    return displaced_pressure(system.cal.base_rate, system.Wn, A, h,
                              displacement=p.displacement, beta_defence=p.beta_defence)


def hardening_records(system: SecuritySystem, hardening: np.ndarray,
                      instability: np.ndarray | float, security_index: np.ndarray,
                      cost_share_gdp: float) -> dict[str, np.ndarray]:
    """The run's hardening indicators ``(R, N)`` (docs/security.md section 11).

    ``hardening`` (log change of defensive spending), ``hardening_cost_share_gdp`` (its
    cost, share of GDP) and ``incidents_displaced`` (expected incidents a year moved to
    the state by its neighbours' hardening at the year's ``instability``).
    """
    p = system.params
    factor = np.exp(-p.beta * (np.asarray(security_index) - system.S0))
    h = np.asarray(hardening, dtype=float)
    return {"hardening": h.copy(),
            "hardening_cost_share_gdp": hardening_cost(h, cost_share_gdp),
            "incidents_displaced": displaced_in(system, h, instability) * factor}
