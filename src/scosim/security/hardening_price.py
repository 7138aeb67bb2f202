"""The price at which the hardening rules value an incident: its damage, as the votes do.

A state hardening its targets weighs the cost of defensive spending against the damage of
the incidents it deters. That damage is the one the votes' ``security`` term prices
(:func:`scosim.security.damage.incident_damage_share_gdp`: 160 x GDP per head a death,
Robinson, Hammitt and O'Keeffe 2019, times the state's GTI deaths per incident, 2018-2022,
as a share of GDP: ``160 x deaths per incident / population``), so one incident is worth
the same to the state that hardens and to the state that votes (docs/security.md section
4).

The solvers (:func:`scosim.security.hardening.nash_hardening`,
:func:`~scosim.security.hardening.cooperative_hardening`) take the value of a
security-index point ``V``, for which an incident is worth ``V / (beta lam0)``, ``lam0`` the
year's expected incidents before hardening. :func:`hardening_index_value` gives ``V = beta
lam0 c``, ``c`` the damage of one incident, so that price is ``c``: hardening scales all of
a state's incidents by ``exp(-b h)``, so the rule's loss falls by ``c`` for each incident of
its own it deters. Until 2026-12-07 ``V`` was a scenario's ``hardening.index_value`` (0.01
of GDP) for every state, which priced an incident at ``V / (beta lam0)``: the fewer
incidents a state expected, the more each was worth, and a state expecting a third of an
incident a year hardened as much as one expecting hundreds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scosim.security.hardening import displaced_in, hardening_cost

if TYPE_CHECKING:
    from scosim.security.model import SecurityState, SecuritySystem

__all__ = ["hardening_index_value", "hardening_records"]


def hardening_index_value(system: SecuritySystem, state: SecurityState,
                          instability: np.ndarray | float,
                          damage_share_gdp: np.ndarray) -> np.ndarray:
    """``V = beta lam0 c`` ``(R, N)``: the index value at which an incident is worth ``c``.

    ``lam0`` is the expected incidents before hardening at ``state``'s efforts and RATS
    set-up (:meth:`SecuritySystem.expected_incidents`). The mechanism passes the state it
    starts the year from (last year's efforts and RATS), which every preview of the year
    sees too, so a proposal voted this year does not move the year's hardening.

    Args:
        system: The calibrated block.
        state: The state whose incidents price the year (``n_runs`` runs).
        instability: Afghan instability of the year, scalar or ``(R,)``.
        damage_share_gdp: ``(N,)`` or ``(R, N)`` damage of one incident, share of GDP
            (:func:`scosim.security.damage.incident_damage_share_gdp`, the votes' price).
    """
    lam0 = system.expected_incidents(state, state.efforts, instability)
    return system.params.beta * lam0 * np.asarray(damage_share_gdp, dtype=float)


def hardening_records(system: SecuritySystem, hardening: np.ndarray,
                      instability: np.ndarray | float, security_index: np.ndarray,
                      cost_share_gdp: float | np.ndarray, damage_share_gdp: np.ndarray,
                      incidents: np.ndarray,
                      incidents_unhardened: np.ndarray) -> dict[str, np.ndarray]:
    """The run's hardening indicators ``(R, N)`` (docs/security.md section 4).

    ``hardening`` (log change of defensive spending), ``hardening_cost_share_gdp`` (its
    cost, share of GDP), ``incidents_displaced`` (expected incidents a year moved to the
    state by its neighbours' hardening and not deterred by its own), and the damage the
    year's hardening avoids at the votes' price ``c`` an incident (share of GDP):
    ``incident_loss_avoided_share_gdp`` (``c (lam_none - lam)``, ``lam_none`` the same year
    without anyone's hardening; negative where displaced attacks outweigh what the state
    deters). Welfare books the cost but not this benefit. The damage ``c lam`` itself is
    recorded in every run with the security mechanism
    (:func:`scosim.security.damage_note.incident_loss_records`).

    Args:
        system: The calibrated block.
        hardening: ``(R, N)`` the year's hardening.
        instability: Afghan instability of the year, scalar or ``(R,)``.
        security_index: ``(R, N)`` the year's security index (the step's).
        cost_share_gdp: Defensive spending that ``h`` scales, share of GDP: a number or
            ``(R, N)`` per state (the mechanism's calibrated ``d``).
        damage_share_gdp: ``(N,)`` or ``(R, N)`` damage of one incident, share of GDP.
        incidents: ``(R, N)`` the year's expected incidents (hardened).
        incidents_unhardened: ``(R, N)`` the same year's without hardening.
    """
    factor = np.exp(-system.params.beta * (np.asarray(security_index) - system.S0))
    h = np.asarray(hardening, dtype=float)
    c = np.asarray(damage_share_gdp, dtype=float)
    lam = np.asarray(incidents, dtype=float)
    return {"hardening": h.copy(),
            "hardening_cost_share_gdp": hardening_cost(h, cost_share_gdp),
            "incidents_displaced": displaced_in(system, h, instability) * factor,
            "incident_loss_avoided_share_gdp": c * (np.asarray(incidents_unhardened) - lam)}
