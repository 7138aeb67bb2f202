"""Unilateral defensive hardening as a strategic choice, checked against theory.

The external checks are the results of the defensive game with transference (Sandler and
Arce 2003; Sandler and Siqueira 2006; Bandyopadhyay and Sandler 2011): hardening protects a
state against every attack on it, and displaced attacks split by relative deterrence;
without displacement the Nash and cooperative choices coincide; with it, at a common price
per incident, each state hardens more than the joint optimum (defensive measures
oversupplied), unless it has no neighbour to deflect onto; Nash is a fixed point of best
responses, reached by a rising iteration, and both rules satisfy their first-order
conditions, computed here by numerical derivatives of losses built from the threat process
itself (:meth:`SecuritySystem.expected_incidents`), not from the code's derivatives; and in
a model run the change of incidents is the identity of deterrence and displacement.
Displaced attacks land only on neighbours where groups already operate (a base rate above
0 and some pressure this year), split in proportion to their rates (docs/security.md
section 4): checked by hand from the calibrated rates.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from scosim.data.calibration import load_calibration
from scosim.data.constants import ECONOMIES
from scosim.runner import run_model
from scosim.scenario import ScenarioError, load_scenario
from scosim.security.damage import incident_damage_share_gdp
from scosim.security.hardening import (
    HardeningConvergenceError,
    best_response,
    choose_hardening,
    cooperative_hardening,
    displaced_in,
    hardening_cost,
    incident_price,
    joint_loss,
    nash_hardening,
    pressure_before_hardening,
)
from scosim.security.model import SecuritySystem
from scosim.security.params import SecurityParams

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
D = 0.001  # cost_share_gdp
V = 0.01  # a value of a security-index point, share of GDP (the solvers' input)


def _system(theta: float = 0.5, positive: bool = False) -> SecuritySystem:
    """The shipped block; ``positive``: every threatened economy has a base rate > 0.

    With positive rates everywhere no neighbour prices an incident at infinity, so the
    cooperative levels are interior and the theory's inequalities are strict for a reason
    other than an infinite price.
    """
    sys_ = SecuritySystem(params=SecurityParams(displacement=theta))
    if positive:
        rate = np.where(sys_.cal.base_rate > 0, sys_.cal.base_rate, 40.0)
        rate[sys_.codes.index("ROW")] = 0.0
        sys_.cal = replace(sys_.cal, base_rate=rate)
    return sys_


def _value(n_runs: int, seed: int = 0) -> np.ndarray:
    """Each state's value of a security-index point, random around 1 % of GDP."""
    return np.random.default_rng(seed).uniform(0.002, 0.03, (n_runs, len(ECONOMIES)))


def _price(sys_: SecuritySystem, st, inst: np.ndarray, value: np.ndarray) -> np.ndarray:
    lam0 = sys_.expected_incidents(st, st.efforts, inst)
    return incident_price(lam0, value, sys_.params.beta)


def _own_loss(sys_, st, inst, h, value) -> np.ndarray:
    """``(R, N)`` each state's loss: price x expected incidents + hardening cost."""
    lam = sys_.expected_incidents(st, st.efforts, inst, hardening=h)
    # A state expecting no incident prices one at infinity; none at all costs nothing.
    price = _price(sys_, st, inst, value)
    return np.where(lam > 0, price * np.where(lam > 0, lam, 1.0), 0.0) + hardening_cost(h, D)


def _can_displace(sys_: SecuritySystem, inst: np.ndarray | float, n_runs: int) -> np.ndarray:
    """``(R, N)``: the state has a land neighbour with a base rate > 0 and pressure > 0.

    Built from the calibration (contiguity, rates) and the pressure before hardening, not
    from the code's displacement weights.
    """
    A = pressure_before_hardening(sys_, np.broadcast_to(inst, (n_runs,)), n_runs)
    ok = (sys_.cal.contiguity[None, :, :] > 0) & (sys_.cal.base_rate > 0)[None, None, :]
    return (ok & (A > 0)[:, None, :]).any(axis=2)


INST = np.array([1.0, 1.5, 2.5])
KW = {"beta_defence": 1.0, "displacement": 0.5, "cost_share_gdp": D}


def _rule(sys_: SecuritySystem, rule: str, value, n_runs: int = 3) -> np.ndarray:
    return choose_hardening(sys_, sys_.baseline_state(n_runs), INST[:n_runs], rule,
                            value=value, cost_share_gdp=D)


def _common_price(sys_: SecuritySystem, usd: float = 1e7) -> np.ndarray:
    """``V`` at which every state prices an incident at the same ``usd`` (a levels price)."""
    A = pressure_before_hardening(sys_, INST, 3)
    y = sys_.cal.gdp_usd
    return np.where(A > 0, usd * sys_.params.beta * A / np.where(y > 0, y, 1.0), 0.0)


def _joint(sys_, st, inst, v):
    y = sys_.cal.gdp_usd
    return lambda h: (_own_loss(sys_, st, inst, h, v) * y).sum(axis=1)


@pytest.mark.parametrize("positive", [False, True])
def test_without_displacement_nash_and_cooperative_coincide(positive: bool) -> None:
    # theta = 0: no state's loss depends on another's h, the joint loss is separable, and
    # both rules give ln(b V / (beta d)) / (1 + b) wherever there is pressure.
    sys_ = _system(theta=0.0, positive=positive)
    v = _value(3)
    nash = _rule(sys_, "nash", v)
    coop = _rule(sys_, "cooperative", v)
    np.testing.assert_allclose(coop, nash, rtol=0, atol=1e-5)
    A = pressure_before_hardening(sys_, INST, 3)
    p = sys_.params
    want = np.where(A > 0, np.maximum(0.0, np.log(p.beta_defence * v / (p.beta * D))
                                      / (1 + p.beta_defence)), 0.0)
    np.testing.assert_allclose(nash, want, rtol=1e-12, atol=1e-15)
    assert (nash > 0).sum() >= 10  # not only zeros


def test_hardening_protects_against_every_attack_on_the_state() -> None:
    # Tajikistan's pressure at instability 2.5 is mostly Afghan spillover (its own rate is
    # 1 a year); hardening scales all of it, and displaced attacks too (target hardening
    # protects a target whoever attacks it).
    sys_ = _system(theta=0.5)
    st = sys_.baseline_state(1)
    tjk, afg = sys_.codes.index("TJK"), sys_.codes.index("AFG")
    A = pressure_before_hardening(sys_, np.array([2.5]), 1)[0]
    assert A[tjk] > 5 * sys_.cal.base_rate[tjk]
    h = np.zeros((1, len(ECONOMIES)))
    h[0, tjk] = 0.6
    lam = sys_.expected_incidents(st, st.efforts, 2.5, hardening=h)[0]
    assert lam[tjk] == pytest.approx(math.exp(-0.6) * A[tjk], rel=1e-12)
    h[0, afg] = 0.4  # Afghanistan deflects some onto Tajikistan, which deters 1 - e^-0.6
    lam2 = sys_.expected_incidents(st, st.efforts, 2.5, hardening=h)[0]
    moved = displaced_in(sys_, h, 2.5)[0, tjk]
    assert moved > 0
    assert lam2[tjk] == pytest.approx(math.exp(-0.6) * A[tjk] + moved, rel=1e-12)
    h0 = h.copy()
    h0[0, tjk] = 0.0
    unprotected = displaced_in(sys_, h0, 2.5)[0, tjk]
    assert moved < unprotected  # its hardening also deters (and deflects) displaced attacks


def test_frontline_states_harden_more_not_less_as_the_threat_rises() -> None:
    # At a common US$ price per incident, more attacks on Tajikistan (Afghan spillover)
    # make hardening worth more to it. (Under the old model, which hardening protected the
    # own base rate only, Tajikistan's Nash level fell from 0.80 to 0.02 at 1.5.)
    sys_ = _system(theta=0.5)
    nash = _rule(sys_, "nash", _common_price(sys_))
    tjk = sys_.codes.index("TJK")
    assert np.all(np.diff(nash[:, tjk]) > 0)
    # And at the vote's relative price it never falls below its theta = 0 level.
    vote = _rule(sys_, "nash", V)
    assert np.all(vote[:, tjk] >= math.log(5) / 2 - 1e-9)


def test_displaced_attacks_split_by_relative_hardening() -> None:
    # Pakistan hardens; India hardens too and so takes a smaller share of what Pakistan
    # deflects: shares proportional to B exp(-b h) over the receivers (by hand).
    sys_ = _system(theta=0.5)
    p, B, codes = sys_.params, sys_.cal.base_rate, sys_.codes
    pak = codes.index("PAK")
    rec = [codes.index(k) for k in ("IND", "IRN", "AFG")]
    h = np.zeros((1, len(ECONOMIES)))
    h[0, pak] = 0.7
    h[0, rec[0]] = 0.5
    A = pressure_before_hardening(sys_, np.array([1.0]), 1)[0]
    from scosim.security.threat import displaced_pressure
    got = displaced_pressure(B, sys_.Wn, A[None], h, displacement=p.displacement,
                             beta_defence=p.beta_defence)[0]
    x = B[rec] * np.exp(-p.beta_defence * h[0, rec])
    deflected = A[pak] * -math.expm1(-p.beta_defence * 0.7)
    want = p.displacement * deflected * x / x.sum()
    np.testing.assert_allclose(got[rec], want, rtol=1e-12)
    assert want[0] < p.displacement * deflected * B[rec[0]] / B[rec].sum()


@pytest.mark.parametrize("valuation", ["vote", "common"])
def test_defensive_hardening_is_oversupplied_with_displacement(valuation: str) -> None:
    # The joint optimum is never worse than Nash for the sum of losses. At a common US$
    # price per incident (damages at home, identical valuations: Sandler and Siqueira
    # 2006) every state hardens no more than under Nash, strictly less where it has a
    # neighbour to deflect onto. At the vote's relative prices a state can harden more
    # cooperatively, where that pushes its neighbours' deflected attacks to where they are
    # priced lower: not asserted for that case.
    sys_ = _system(theta=0.5)
    st = sys_.baseline_state(3)
    v = _value(3, seed=1) if valuation == "vote" else _common_price(sys_)
    nash, coop = _rule(sys_, "nash", v), _rule(sys_, "cooperative", v)
    joint = _joint(sys_, st, INST, v)
    assert np.all(joint(coop) < joint(nash))
    if valuation == "common":
        assert np.all(coop <= nash + 1e-5)
        strict = (nash > 0.05) & _can_displace(sys_, INST, 3)
        assert strict.sum() >= 12
        assert np.all(coop[strict] < nash[strict] - 1e-3)


def test_nash_is_a_fixed_point_of_best_responses_with_first_order_conditions() -> None:
    # Built from the threat process, not from the code's derivative: each state's own
    # loss is at a minimum in its own h, the others at their Nash levels.
    sys_ = _system(theta=0.5)
    st = sys_.baseline_state(3)
    v = _value(3, seed=2)
    nash = _rule(sys_, "nash", v)
    eps, checked = 1e-5, 0
    for i in np.flatnonzero((nash > 0).any(axis=0)):
        up, down = nash.copy(), nash.copy()
        up[:, i] += eps
        down[:, i] -= eps
        lu = _own_loss(sys_, st, INST, up, v)[:, i]
        ld = _own_loss(sys_, st, INST, down, v)[:, i]
        l0 = _own_loss(sys_, st, INST, nash, v)[:, i]
        on = nash[:, i] > 1e-6
        scale = np.abs(l0[on]) + 1e-12
        np.testing.assert_allclose((lu - ld)[on] / (2 * eps) / scale, 0.0, atol=1e-5)
        assert np.all(lu[on] >= l0[on]) and np.all(ld[on] >= l0[on])  # a minimum
        checked += 1
    assert checked >= 15
    # At a corner hardening a little would raise the state's loss.
    for i in np.flatnonzero((nash == 0).all(axis=0)):
        up = nash.copy()
        up[:, i] += eps
        assert np.all(_own_loss(sys_, st, INST, up, v)[:, i]
                      >= _own_loss(sys_, st, INST, nash, v)[:, i])


def test_nash_is_no_longer_a_dominant_strategy_and_the_iteration_rises() -> None:
    # A neighbour's hardening sends more attacks to a state, so its best response rises
    # (strategic complements): iterated from 0 the profile rises to the equilibrium.
    sys_ = _system(theta=0.5)
    p = sys_.params
    A = pressure_before_hardening(sys_, INST, 3)
    m = np.where(A > 0, incident_price(A, V, p.beta), 0.0)
    kw = {"beta_defence": p.beta_defence, "displacement": p.displacement, "cost_share_gdp": D}
    h = np.zeros_like(A)
    for _ in range(30):
        new = best_response(h, sys_.cal.base_rate, A, m, sys_.Wn, **kw)
        assert np.all(new >= h - 1e-12)
        h = new
    nash, rounds = nash_hardening(sys_.cal.base_rate, A, V, sys_.Wn, beta=p.beta,
                                  return_iterations=True, **kw)
    assert 3 < rounds < 50
    np.testing.assert_allclose(h, nash, atol=1e-10)
    first = best_response(np.zeros_like(A), sys_.cal.base_rate, A, m, sys_.Wn, **kw)
    pak = sys_.codes.index("PAK")
    assert np.all(nash[:, pak] > first[:, pak] + 0.1)
    with pytest.raises(HardeningConvergenceError, match="did not converge in 2"):
        nash_hardening(sys_.cal.base_rate, A, V, sys_.Wn, beta=p.beta, max_iter=2, **kw)


@pytest.mark.parametrize("positive", [False, True])
def test_cooperative_choice_satisfies_the_joint_first_order_condition(positive: bool) -> None:
    sys_ = _system(theta=0.5, positive=positive)
    st = sys_.baseline_state(3)
    v = _value(3, seed=4)
    coop = _rule(sys_, "cooperative", v)
    y = sys_.cal.gdp_usd
    joint = _joint(sys_, st, INST, v)
    eps = 1e-5
    interior = np.flatnonzero((coop > 1e-4).all(axis=0))
    assert interior.size >= 8
    for j in interior:
        up, down = coop.copy(), coop.copy()
        up[:, j] += eps
        down[:, j] -= eps
        d = (joint(up) - joint(down)) / (2 * eps)
        np.testing.assert_allclose(d / (y[j] * D), 0.0, atol=1e-4)
    corner = np.flatnonzero((coop == 0).all(axis=0) & (sys_.cal.base_rate > 0))
    assert corner.size >= 1  # Afghanistan: its attacks would go to Pakistan, priced higher
    for j in corner:
        up = coop.copy()
        up[:, j] += eps
        assert np.all(joint(up) >= joint(coop))


def test_the_joint_loss_gradient_matches_finite_differences() -> None:
    sys_ = _system(theta=0.5)
    p = sys_.params
    A = pressure_before_hardening(sys_, INST, 3)
    m = np.where(A > 0, incident_price(A, _value(3, seed=7), p.beta), 0.0)
    h = np.random.default_rng(8).uniform(0.0, 1.5, A.shape)
    args = (sys_.cal.base_rate, A, m, sys_.Wn, sys_.cal.gdp_usd)
    _, g = joint_loss(h, *args, **KW)
    eps = 1e-6
    for k in range(len(ECONOMIES)):
        up, down = h.copy(), h.copy()
        up[:, k] += eps
        down[:, k] -= eps
        num = (joint_loss(up, *args, **KW)[0] - joint_loss(down, *args, **KW)[0]) / (2 * eps)
        np.testing.assert_allclose(g[:, k], num, rtol=1e-5,
                                   atol=1e-7 * D * sys_.cal.gdp_usd.max())


def test_a_state_that_cannot_displace_hardens_the_same_in_both() -> None:
    # No land neighbour (Egypt, Sri Lanka): its loss depends on its own h only. Russia too
    # at instability 1 (its neighbours China, Kazakhstan, Belarus, Mongolia and Azerbaijan
    # have a 2018-2022 rate of 0 and no pressure); above 1 China hardens against the
    # Afghan spillover and deflects some onto Russia, so not there.
    sys_ = _system(theta=0.5)
    st = sys_.baseline_state(3)
    v = _value(3, seed=5)
    nash, coop = _rule(sys_, "nash", v), _rule(sys_, "cooperative", v)
    alone = [sys_.codes.index(k) for k in ("EGY", "LKA")]
    rus = sys_.codes.index("RUS")
    np.testing.assert_allclose(coop[:, alone], nash[:, alone], atol=1e-5)
    assert coop[0, rus] == pytest.approx(nash[0, rus], abs=1e-5)
    assert np.all(nash[:, alone] > 0)
    # Russia's avoided attacks are removed, not moved: nobody's incidents rise.
    h = np.zeros((3, len(ECONOMIES)))
    h[:, rus] = nash[:, rus]
    lam0 = sys_.expected_incidents(st, st.efforts, INST)
    lam1 = sys_.expected_incidents(st, st.efforts, INST, hardening=h)
    others = np.arange(len(ECONOMIES)) != rus
    np.testing.assert_array_equal(lam1[:, others], lam0[:, others])
    assert np.all(lam1[:, rus] < lam0[:, rus])


@pytest.mark.parametrize("inst", [1.0, 1.5, 2.5])
def test_displaced_attacks_land_where_groups_operate_in_proportion_to_their_rates(
        inst: float) -> None:
    # Pakistan hardens alone. Its land neighbours are China (2018-2022 rate 0), India,
    # Iran and Afghanistan: China receives nothing, the other three theta times what
    # Pakistan avoids in proportion to their own rates (computed here from the tables).
    sys_ = _system(theta=0.5)
    p, B, codes = sys_.params, sys_.cal.base_rate, sys_.codes
    st = sys_.baseline_state(1)
    pak = codes.index("PAK")
    h = np.zeros((1, len(ECONOMIES)))
    h[0, pak] = 0.7
    lam0 = sys_.expected_incidents(st, st.efforts, inst)[0]
    lam1 = sys_.expected_incidents(st, st.efforts, inst, hardening=h)[0]
    avoided = lam0[pak] * -np.expm1(-p.beta_defence * 0.7)  # all of its pressure
    receivers = [codes.index(k) for k in ("IND", "IRN", "AFG")]
    assert B[codes.index("CHN")] == 0 and sorted(
        receivers + [codes.index("CHN")]) == list(np.flatnonzero(sys_.cal.contiguity[pak]))
    got = lam1 - lam0
    want = p.displacement * avoided * B[receivers] / B[receivers].sum()
    np.testing.assert_allclose(got[receivers], want, rtol=1e-9)
    assert got[codes.index("CHN")] == 0.0
    untouched = np.setdiff1d(np.arange(len(ECONOMIES)), receivers + [pak])
    np.testing.assert_array_equal(got[untouched], 0.0)
    assert math.fsum(got) == pytest.approx(-(1 - p.displacement) * avoided, rel=1e-9)


def test_in_a_nash_world_no_state_without_incidents_receives_any() -> None:
    # Everyone hardens (Nash): the states with a 2018-2022 rate of 0 (China, Kazakhstan,
    # Turkmenistan, Mongolia...) receive no displaced attack; those with Afghan spillover
    # (China, Turkmenistan above instability 1) harden against it.
    sys_ = _system(theta=0.5)
    st = sys_.baseline_state(3)
    nash = choose_hardening(sys_, st, INST, "nash", value=V, cost_share_gdp=D)
    lam0 = sys_.expected_incidents(st, st.efforts, INST)
    lam1 = sys_.expected_incidents(st, st.efforts, INST, hardening=nash)
    zero = sys_.cal.base_rate == 0
    assert {"CHN", "KAZ", "TKM", "MNG"} <= {c for c, z in zip(sys_.codes, zero, strict=True) if z}
    assert np.all(displaced_in(sys_, nash, INST)[:, zero] == 0)
    np.testing.assert_allclose(lam1[:, zero], np.exp(-nash[:, zero]) * lam0[:, zero],
                               rtol=1e-12)
    assert np.all(nash[1:, sys_.codes.index("CHN")] > 0) and nash[0, sys_.codes.index("CHN")] == 0
    assert (nash > 0).sum() >= 30


def test_below_2018_2022_instability_a_neighbour_without_pressure_receives_nothing() -> None:
    # At instability 0.5 the smaller Afghan spillover leaves Tajikistan (rate 1 a year)
    # with no pressure: Afghanistan's displaced attacks go to Pakistan, Iran (and
    # Uzbekistan where it has pressure) only, so none is lost to the max(0, .) of an empty
    # neighbour and the identity holds; the cooperative rule prices no incident at infinity.
    sys_ = _system(theta=0.5)
    p, codes = sys_.params, sys_.codes
    st = sys_.baseline_state(1)
    inst = 0.5
    afg, tjk = codes.index("AFG"), codes.index("TJK")
    lam0 = sys_.expected_incidents(st, st.efforts, inst)[0]
    assert sys_.cal.base_rate[tjk] > 0 and lam0[tjk] == 0
    h = np.zeros((1, len(ECONOMIES)))
    h[0, afg] = 0.3
    lam1 = sys_.expected_incidents(st, st.efforts, inst, hardening=h)[0]
    avoided = lam0[afg] * -np.expm1(-p.beta_defence * 0.3)  # hardening scales all of A
    assert lam1[tjk] == 0.0
    assert math.fsum(lam1 - lam0) == pytest.approx(-(1 - p.displacement) * avoided, rel=1e-9)
    A = pressure_before_hardening(sys_, np.array([inst]), 1)
    coop = cooperative_hardening(sys_.cal.base_rate, A, 10 * V, sys_.Wn, sys_.cal.gdp_usd,
                                 beta=p.beta, beta_defence=p.beta_defence,
                                 displacement=p.displacement, cost_share_gdp=D)
    assert np.all(np.isfinite(coop)) and coop[0, tjk] == 0.0


@pytest.mark.parametrize("inst", [1.0, 1.5, 2.5])
def test_cooperative_choice_ignores_neighbours_without_incidents(inst: float) -> None:
    # Cutting every land link to a state with a 2018-2022 rate of 0 leaves the choice as
    # it is: such a neighbour receives nothing, so nothing is priced there. (Under
    # equal weights over neighbours it priced a displaced incident at V / (beta x 0).)
    sys_ = _system(theta=0.5)
    p, B = sys_.params, sys_.cal.base_rate
    A = pressure_before_hardening(sys_, np.full(3, inst), 3)
    cut = sys_.cal.contiguity * (B > 0)[None, :]
    kw = {"beta": p.beta, "beta_defence": p.beta_defence, "cost_share_gdp": D}
    v = _value(3, seed=6)
    full = cooperative_hardening(B, A, v, sys_.Wn, sys_.cal.gdp_usd,
                                 displacement=p.displacement, **kw)
    pruned = cooperative_hardening(B, A, v, cut, sys_.cal.gdp_usd,
                                   displacement=p.displacement, **kw)
    np.testing.assert_allclose(full, pruned, rtol=1e-12, atol=0)
    # States next to one (Iran: Turkmenistan, Azerbaijan, Armenia) harden cooperatively.
    assert np.all(full[:, sys_.codes.index("IRN")] > 0)


def test_bad_rule_or_cost_is_refused() -> None:
    sys_ = _system()
    st = sys_.baseline_state(1)
    with pytest.raises(ValueError, match="hardening rule 'nsh' unknown"):
        choose_hardening(sys_, st, 1.0, "nsh", value=V, cost_share_gdp=D)
    with pytest.raises(ValueError, match="cost_share_gdp must be > 0"):
        choose_hardening(sys_, st, 1.0, "nash", value=V, cost_share_gdp=-1.0)


def _scenario_error(tmp_path: Path, body: str) -> str:
    f = tmp_path / "bad.yaml"
    f.write_text(f"extends: {SCEN / 'afghan_instability.yaml'}\nname: bad\n"
                 f"parameters:\n  security:\n    hardening: {body}\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(f)
    return str(err.value)


def test_scenario_errors_name_the_field(tmp_path: Path) -> None:
    msg = _scenario_error(tmp_path, "{rule: nsh}")
    assert "parameters.security.hardening.rule" in msg and "none, nash, cooperative" in msg
    msg = _scenario_error(tmp_path, "{rule: nash, cost_share_gdp: -0.001}")
    assert "parameters.security.hardening.cost_share_gdp" in msg and "> 0" in msg
    msg = _scenario_error(tmp_path, "{rules: nash}")
    assert "unknown key 'rules'" in msg


def test_default_keeps_the_scenario_dump_and_the_shipped_scenario_validates() -> None:
    plain = load_scenario(SCEN / "afghan_instability.yaml")
    assert "hardening" not in plain.model_dump(mode="json")["parameters"]["security"]
    sc = load_scenario(SCEN / "afghan_instability_hardening.yaml")
    assert sc.parameters.security.hardening.rule == "nash"
    assert sc.model_dump(mode="json")["parameters"]["security"]["hardening"]["rule"] == "nash"


def _records(model) -> dict[str, np.ndarray]:
    return {k: np.stack(v, axis=1) for k, v in model.records.items()}


def test_a_run_records_hardening_and_keeps_the_displacement_identity() -> None:
    none = _records(run_model(load_scenario(SCEN / "afghan_instability.yaml"), runs=[0, 1]))
    sc = load_scenario(SCEN / "afghan_instability_hardening.yaml")
    rec = _records(run_model(sc, runs=[0, 1]))
    assert "hardening" not in none and "incidents_displaced" not in none
    sys_ = SecuritySystem()
    p = sys_.params
    h = rec["hardening"]  # (R, T, N)
    assert h.max() > 0.4
    # Only Afghanistan has enough deadly incidents for its size to harden at the votes'
    # price (docs/security.md section 4); nobody else does, in any year. It starts from
    # its 2018-2022 defence (h = 0 at instability 1, hardening_calibration.py).
    afg = sys_.codes.index("AFG")
    assert np.all(h[:, 0] == 0) and np.all(h[:, 1:, afg] > 0.05)
    assert np.all(np.delete(h, afg, axis=2) == 0)
    # Same efforts and security index in both (hardening acts on incidents only) ...
    np.testing.assert_array_equal(rec["security_index"], none["security_index"])
    factor = np.exp(-p.beta * (rec["security_index"] - sys_.S0))
    # ... so the change of expected incidents, net of the index factor, is -avoided at
    # home plus the displaced share abroad: in total -(1 - theta) x avoided, where the
    # hardening state has a neighbour to displace onto (all avoided otherwise). The
    # scenario's instability is >= 1, so who can receive does not change over the years.
    assert all(float(sc.parameters.security.instability.at(y)) >= 1 for y in sc.years.range())
    change = ((rec["expected_incidents"] - none["expected_incidents"]) / factor).sum(axis=2)
    # Hardening deters A (1 - e^-bh) of each state's own pressure; theta of that moves
    # where there is a neighbour to receive it, and the receiver deters (1 - e^-bh) of
    # what arrives (removed, not displaced again). Built from the tables, per year.
    e = np.exp(-p.beta_defence * h)
    A = np.stack([pressure_before_hardening(sys_, np.full(2, float(
        sc.parameters.security.instability.at(y))), 2) for y in sc.years.range()], axis=1)
    deflected = A * (1 - e)
    has = _can_displace(sys_, 1.0, 1)[0]
    arrived = rec["incidents_displaced"] / factor / e  # D: before the receiver's hardening
    want = (-(1 - p.displacement) * deflected[..., has].sum(axis=2)
            - deflected[..., ~has].sum(axis=2) - ((1 - e) * arrived).sum(axis=2))
    np.testing.assert_allclose(change, want, rtol=1e-9)
    assert np.all(want[:, 0] == 0) and np.all(want[:, 1:] < 0)  # nothing moves in 2025
    np.testing.assert_allclose(arrived.sum(axis=2),
                               p.displacement * deflected[..., has].sum(axis=2), rtol=1e-9)
    # No state without incidents of its own receives any (China, Kazakhstan, Mongolia...).
    assert np.all(rec["incidents_displaced"][..., sys_.cal.base_rate == 0] == 0)
    # Its cost is recorded and comes out of welfare like effort spending: d (e^h - 1), d
    # Afghanistan's b x expected damage at 2018-2022 conditions (b c B), D elsewhere.
    dmg = incident_damage_share_gdp(load_calibration().countries["population"].reindex(
        ECONOMIES).fillna(0.0).to_numpy(dtype=float))
    d = np.full(len(ECONOMIES), D)
    d[afg] = p.beta_defence * dmg[afg] * sys_.cal.base_rate[afg]
    np.testing.assert_allclose(rec["hardening_cost_share_gdp"], d * np.expm1(h), rtol=1e-12)
    # The damage of the year's incidents at the votes' price (damage.py), next to it:
    # c lam, and c (lam without hardening - lam).
    np.testing.assert_allclose(rec["incident_loss_share_gdp"],
                               dmg * rec["expected_incidents"], rtol=1e-12)
    np.testing.assert_allclose(rec["incident_loss_avoided_share_gdp"],
                               dmg * (none["expected_incidents"] - rec["expected_incidents"]),
                               rtol=1e-9, atol=1e-15)


def test_pressure_before_hardening_is_the_rate_at_baseline_security() -> None:
    sys_ = _system()
    st = sys_.baseline_state(2)
    inst = np.array([1.0, 1.5])
    np.testing.assert_allclose(pressure_before_hardening(sys_, inst, 2),
                               sys_.expected_incidents(st, st.efforts, inst), rtol=1e-12)


@pytest.mark.parametrize("rule", ["nash", "cooperative"])
def test_hardening_never_avoids_more_than_the_states_own_pressure(rule: str) -> None:
    # Afghanistan far below 2018-2022 instability: hardening scales the pressure there is
    # (A = 0.2 B), so it can never avoid attacks that are not there, however large h.
    sys_ = _system(theta=0.5)
    st = sys_.baseline_state(2)
    inst = np.array([0.2, 0.05])
    h = choose_hardening(sys_, st, inst, rule, value=0.5, cost_share_gdp=D)
    A = pressure_before_hardening(sys_, inst, 2)
    lam = sys_.expected_incidents(st, st.efforts, inst, hardening=h)
    moved = displaced_in(sys_, h, inst)
    assert np.all(A - (lam - moved) <= A * (1 + 1e-12)) and np.all(lam >= 0)
    afg = sys_.codes.index("AFG")
    if rule == "nash":
        np.testing.assert_allclose(lam[:, afg] - moved[:, afg],
                                   np.exp(-h[:, afg]) * A[:, afg], rtol=1e-12)
