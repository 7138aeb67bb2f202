"""Hardening prices an incident at the damage the votes price it at (docs/security.md section 4).

The external checks: the votes' price of an incident is computed here through the votes'
own function (:func:`scosim.security.damage.vote_security_term`, one incident avoided, at
GDP = expenditure); the hardening rule's marginal value of an incident avoided is read off
its first-order condition, ``c x (incidents deterred by the last unit of h) = d exp(h)``,
with the incidents taken from the threat process itself
(:meth:`SecuritySystem.expected_incidents`), not from the solver. With ``theta = 0`` the
Nash level has the closed form ``ln(b c lam0 / d) / (1 + b)``; with displacement the
cooperative level is below the Nash one (Sandler and Lapan 1988; Sandler and Siqueira
2006). Until 2026-12-07 the rule priced an incident at ``0.01 / (beta lam0)`` of GDP and
China hardened at 0.80 at instability 2.5.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from scosim.data.calibration import load_calibration
from scosim.data.constants import ECONOMIES
from scosim.scenario import ScenarioError, load_scenario
from scosim.security.damage import incident_damage_share_gdp, vote_security_term
from scosim.security.hardening import choose_hardening
from scosim.security.hardening_price import hardening_index_value
from scosim.security.model import SecuritySystem
from scosim.security.params import SecurityParams

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
D = 0.001  # cost_share_gdp of the shipped scenario


def _population() -> np.ndarray:
    pop = load_calibration().countries["population"].reindex(ECONOMIES)
    return np.nan_to_num(pop.to_numpy(dtype=float))


def _vote_price(pop: np.ndarray) -> np.ndarray:
    """``(N,)`` the votes' value of one incident avoided in each state, share of GDP."""
    return np.array([vote_security_term(np.eye(len(pop))[i][None, :], pop, 1.0)[0, i]
                     for i in range(len(pop))])


def _hardening(sys_: SecuritySystem, st, inst: float, rule: str = "nash") -> np.ndarray:
    dmg = incident_damage_share_gdp(_population())
    return choose_hardening(sys_, st, inst, rule, cost_share_gdp=D,
                            value=hardening_index_value(sys_, st, inst, dmg))


@pytest.mark.parametrize("inst", [1.0, 2.5])
@pytest.mark.parametrize("efforts", [1.0, 0.7])
def test_the_marginal_incident_avoided_is_worth_the_votes_price(inst: float,
                                                                efforts: float) -> None:
    sys_ = SecuritySystem()
    base = sys_.baseline_state(1)
    # 0.7: efforts below the baseline, a security index away from S0 (the index enters).
    st = replace(base, efforts=base.efforts * efforts)
    h = _hardening(sys_, st, inst)
    afg = sys_.codes.index("AFG")
    assert h[0, afg] > 0.5  # interior: the first-order condition holds with equality
    step = 1e-6
    up, down = h.copy(), h.copy()
    up[0, afg] += step
    down[0, afg] -= step
    lam = [sys_.expected_incidents(st, st.efforts, inst, hardening=x)[0, afg]
           for x in (up, down)]
    deterred = (lam[1] - lam[0]) / (2 * step)  # incidents the last unit of h deters
    implied = D * np.exp(h[0, afg]) / deterred  # the price that makes it optimal
    vote = _vote_price(_population())[afg]
    np.testing.assert_allclose(implied, vote, rtol=1e-6)


def test_at_the_votes_price_only_afghanistan_hardens_in_2035() -> None:
    # Instability 2.5 (the shipped scenario's 2035), baseline efforts. Before 2026-12-07
    # every state with any pressure hardened at least 0.80, China among them.
    sys_ = SecuritySystem()
    st = sys_.baseline_state(1)
    h = _hardening(sys_, st, 2.5)[0]
    afg = sys_.codes.index("AFG")
    for code in ("CHN", "RUS", "IND", "PAK", "IRN", "TJK", "UZB", "TKM"):
        assert h[sys_.codes.index(code)] == 0.0, code
    # Nobody else hardens, so nothing is deflected onto Afghanistan: its best response is
    # the closed form ln(b c lam0 / d) / (1 + b), with c the votes' price.
    b = sys_.params.beta_defence
    lam0 = sys_.expected_incidents(st, st.efforts, 2.5)[0, afg]
    c = _vote_price(_population())[afg]
    np.testing.assert_allclose(h[afg], np.log(b * c * lam0 / D) / (1 + b), rtol=1e-12)


@pytest.mark.parametrize("inst", [1.0, 2.5])
def test_displacement_makes_nash_hardening_exceed_the_cooperative_level(inst: float) -> None:
    # Sandler and Lapan 1988: a state counts the attacks it deflects as gains, not the
    # damage they do where they land, so with displacement Nash hardening exceeds the
    # joint optimum; without it the two coincide.
    with_theta = SecuritySystem()
    st = with_theta.baseline_state(1)
    afg = with_theta.codes.index("AFG")
    nash = _hardening(with_theta, st, inst, "nash")
    coop = _hardening(with_theta, st, inst, "cooperative")
    assert np.all(coop <= nash + 1e-12)
    assert nash[0, afg] > 0.5 and coop[0, afg] < nash[0, afg] - 0.5
    none = SecuritySystem(params=SecurityParams(displacement=0.0))
    np.testing.assert_allclose(_hardening(none, st, inst, "cooperative"),
                               _hardening(none, st, inst, "nash"), atol=1e-9)


def test_an_old_scenario_with_index_value_is_told_what_replaced_it(tmp_path: Path) -> None:
    f = tmp_path / "old.yaml"
    f.write_text(f"extends: {SCEN / 'afghan_instability.yaml'}\nname: old\nparameters:\n"
                 "  security:\n    hardening: {rule: nash, index_value: 0.01}\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(f)
    msg = str(err.value)
    assert "parameters.security.hardening" in msg and "index_value" in msg
    assert "damage the votes use" in msg and "Traceback" not in msg
