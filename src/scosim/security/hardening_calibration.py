"""Hardening measured from the 2018-2022 defence: the base rates are the rule's own outcome.

The GTI base rates ``B`` (2018-2022) already reflect each state's defensive choices: in the
transference models the incidents observed are equilibrium outcomes (Sandler and Siqueira
2006, *Canadian Journal of Economics* 39(4)). So at 2018-2022 conditions (Afghan
instability 1, the baseline security index) a run with a hardening rule must reproduce
them: ``h = 0``, the 2018-2022 defence, must be the rule's choice there, and ``h`` in a run
is the response to the change in conditions since.

Until 2026-12-07 the rule chose ``h`` against ``B`` with one ``d`` (``cost_share_gdp``) for
every state, and Afghanistan, whose expected damage is 0.48 % of its GDP a year, hardened
at ``h = 0.79`` in 2025, when nothing had changed: its incidents fell from 503 to 229 and
Pakistan's rose from 208 to 338, and every comparison with and without hardening mixed
that one-off jump with the response to rising instability.

**Why not recentre on the old level.** Reading ``B`` as the outcome of the old Nash level
``h0`` means a latent pressure ``B exp(b h0)`` of which ``theta (1 - exp(-b h0))`` was
deflected onto the neighbours, so their ``B`` would hold it: at ``h0 = 0.79`` (the old
solver) Afghanistan's 2018-2022 rate of 503 implies 285 attacks a year displaced into
Pakistan (95 % of what it displaces goes there), whose whole 2018-2022 rate is 208, and at
the level consistent with that latent pressure (``ln(b c B / d) = 1.57``) 910. The
inversion has no non-negative solution at the shipped ``theta = 0.5``. Using ``h - h0`` in
the threat process alone would make the rule solve one game and the threat process play
another (its first-order condition would not price an incident at the votes' damage).

**The calibration** (:func:`calibrated_cost_share`): the marginal cost of hardening at the
2018-2022 defence equals its marginal value there, ``d[i] = max(d, b m[i] A[i])`` at
instability 1 and the state the run starts from (``m A = c lam0``, the expected damage a
year, ``b = beta_defence``): at ``h = 0`` nobody deflects, so ``-b m A + d[i]`` is each
state's whole first-order condition, and it is not negative. So ``h = 0`` is a best
response to ``h = 0``, the least Nash equilibrium, and, since deflecting onto a neighbour
only adds to the group's loss there, the cooperative optimum (a corner: the group would cut
defence below 2018-2022, which ``h >= 0`` does not allow). ``d[i]`` is then the defensive
spending ``h`` scales: a state whose ``b`` times expected damage exceeds the scenario's
``cost_share_gdp`` spends that much (Afghanistan 0.48 % of GDP), where the first-order
condition says a state choosing its defence spends ``b`` times the damage it expects; the
others spend ``cost_share_gdp`` and did not want more. With ``theta = 0`` this is the exact
recentring: ``h`` is the log change from the Nash level at 2018-2022 conditions,
``ln(lam0 / lam0(1)) / (1 + b)`` for a state that hardens there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scosim.security.hardening import _price_per_pressure, pressure_before_hardening
from scosim.security.hardening_price import hardening_index_value

if TYPE_CHECKING:
    from scosim.security.model import SecurityState, SecuritySystem

__all__ = ["CALIBRATION_INSTABILITY", "calibrated_cost_share"]

#: Afghan instability of the calibration (2018-2022 conditions).
CALIBRATION_INSTABILITY = 1.0


def calibrated_cost_share(system: SecuritySystem, state: SecurityState,
                          damage_share_gdp: np.ndarray,
                          cost_share_gdp: float) -> np.ndarray:
    """``d`` ``(R, N)`` at which ``h = 0`` is the rule's choice at 2018-2022 conditions.

    ``max(cost_share_gdp, b m A)``, computed as the solvers compute ``b m A`` (the same
    pressure and price at instability 1), so each state's first-order condition at
    ``h = 0`` is exactly 0 or positive and both rules return ``h = 0`` there, bit for bit.

    Args:
        system: The calibrated block.
        state: The state the run starts from (baseline efforts and RATS set-up).
        damage_share_gdp: ``(N,)`` or ``(R, N)`` damage of one incident, share of GDP
            (:func:`scosim.security.damage.incident_damage_share_gdp`).
        cost_share_gdp: The scenario's ``hardening.cost_share_gdp`` (> 0): the floor, for
            the states that would not harden at 2018-2022 conditions.
    """
    r = state.n_runs
    inst = np.full(r, CALIBRATION_INSTABILITY)
    value = hardening_index_value(system, state, inst, damage_share_gdp)
    A = pressure_before_hardening(system, inst, r)
    m = _price_per_pressure(A, value, system.params.beta)
    # The solvers' own product (best_response's slope at h = 0), not c x B: equal bits.
    return np.maximum(float(cost_share_gdp), system.params.beta_defence * m * A)
