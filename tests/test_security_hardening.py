"""Unilateral defensive hardening as a strategic choice, checked against theory.

The external checks are the results of the defensive game (Sandler and Arce 2003; Arce and
Sandler 2005; Enders and Sandler 1993 for displacement, ANCHORS.md "Security"): without
displacement the Nash and cooperative choices coincide; with it each state hardens more
than the joint optimum (defensive measures oversupplied), unless it has no neighbour to
displace onto; the best responses satisfy their first-order conditions, computed here by
numerical derivatives of losses built from the threat process itself
(:meth:`SecuritySystem.expected_incidents`), not from the closed forms; and in a model run
the incidents hardening avoids fall in total by ``(1 - theta)`` times what is avoided.
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

from scosim.data.constants import ECONOMIES
from scosim.runner import run_model
from scosim.scenario import ScenarioError, load_scenario
from scosim.security.hardening import (
    choose_hardening,
    cooperative_hardening,
    hardening_cost,
    incident_price,
    pressure_before_hardening,
)
from scosim.security.model import SecuritySystem
from scosim.security.params import SecurityParams

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
D = 0.001  # cost_share_gdp
V = 0.01  # weights.security of the shipped scenarios


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


@pytest.mark.parametrize("positive", [False, True])
def test_without_displacement_nash_and_cooperative_coincide(positive: bool) -> None:
    sys_ = _system(theta=0.0, positive=positive)
    st = sys_.baseline_state(3)
    v = _value(3)
    nash = choose_hardening(sys_, st, INST, "nash", value=v, cost_share_gdp=D)
    coop = choose_hardening(sys_, st, INST, "cooperative", value=v, cost_share_gdp=D)
    np.testing.assert_allclose(coop, nash, rtol=1e-12, atol=0)
    assert (nash > 0).sum() >= 10  # not only zeros


@pytest.mark.parametrize("positive", [False, True])
def test_defensive_hardening_is_oversupplied_with_displacement(positive: bool) -> None:
    sys_ = _system(theta=0.5, positive=positive)
    st = sys_.baseline_state(3)
    v = _value(3, seed=1)
    nash = choose_hardening(sys_, st, INST, "nash", value=v, cost_share_gdp=D)
    coop = choose_hardening(sys_, st, INST, "cooperative", value=v, cost_share_gdp=D)
    assert np.all(coop <= nash)
    # Strictly, for every state that hardens and has a neighbour to displace onto.
    strict = (nash > 0) & _can_displace(sys_, INST, 3)
    assert strict.sum() >= 10
    assert np.all(coop[strict] < nash[strict])
    # The joint loss (US$) is lower at the cooperative choice: it is the optimum.
    y = sys_.cal.gdp_usd
    joint = {k: (_own_loss(sys_, st, INST, h, v) * y).sum(axis=1)
             for k, h in (("nash", nash), ("coop", coop))}
    assert np.all(joint["coop"] < joint["nash"])
    # Total incidents: hardening removes (1 - theta) of what it avoids, so the Nash
    # over-hardening leaves fewer incidents in all, bought at a cost above the gain.
    tot = {k: sys_.expected_incidents(st, st.efforts, INST, hardening=h).sum(axis=1)
           for k, h in (("nash", nash), ("coop", coop))}
    assert np.all(tot["nash"] < tot["coop"])


def test_nash_is_a_dominant_strategy_satisfying_its_first_order_condition() -> None:
    sys_ = _system(theta=0.5)
    st = sys_.baseline_state(3)
    v = _value(3, seed=2)
    nash = choose_hardening(sys_, st, INST, "nash", value=v, cost_share_gdp=D)
    others = np.random.default_rng(3).uniform(0.0, 2.0, nash.shape)  # any h of the others
    eps = 1e-5
    checked = 0
    for i in np.flatnonzero((nash > 0).any(axis=0)):
        for profile in (nash, others):
            h = profile.copy()
            h[:, i] = nash[:, i]
            up, down = h.copy(), h.copy()
            up[:, i] += eps
            down[:, i] -= eps
            lu = _own_loss(sys_, st, INST, up, v)[:, i]
            ld = _own_loss(sys_, st, INST, down, v)[:, i]
            l0 = _own_loss(sys_, st, INST, h, v)[:, i]
            on = nash[:, i] > 0
            scale = np.abs(l0[on]) + 1e-12
            np.testing.assert_allclose((lu - ld)[on] / (2 * eps) / scale, 0.0, atol=1e-5)
            # A minimum, not a maximum.
            assert np.all(lu[on] >= l0[on]) and np.all(ld[on] >= l0[on])
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize("positive", [False, True])
def test_cooperative_choice_satisfies_the_joint_first_order_condition(positive: bool) -> None:
    # With the shipped rates too: no receiver prices an incident at infinity any more.
    sys_ = _system(theta=0.5, positive=positive)
    st = sys_.baseline_state(3)
    v = _value(3, seed=4)
    coop = choose_hardening(sys_, st, INST, "cooperative", value=v, cost_share_gdp=D)
    y = sys_.cal.gdp_usd

    def joint(h: np.ndarray) -> np.ndarray:
        return (_own_loss(sys_, st, INST, h, v) * y).sum(axis=1)

    eps = 1e-5
    interior = np.flatnonzero((coop > 0).all(axis=0))
    assert interior.size >= 5
    for j in interior:
        up, down = coop.copy(), coop.copy()
        up[:, j] += eps
        down[:, j] -= eps
        d = (joint(up) - joint(down)) / (2 * eps)
        np.testing.assert_allclose(d / (y[j] * D), 0.0, atol=1e-5)
    # A state at the corner (h = 0) would lose from hardening a little.
    corner = np.flatnonzero((coop == 0).all(axis=0) & (sys_.cal.base_rate > 0))
    for j in corner:
        up = coop.copy()
        up[:, j] += eps
        assert np.all(joint(up) >= joint(coop))


def test_a_state_that_cannot_displace_hardens_the_same_in_both() -> None:
    # No land neighbour (Egypt, Sri Lanka), or none with incidents of its own (Russia:
    # China, Kazakhstan, Belarus, Mongolia and Azerbaijan have a 2018-2022 rate of 0).
    sys_ = _system(theta=0.5)
    st = sys_.baseline_state(3)
    v = _value(3, seed=5)
    nash = choose_hardening(sys_, st, INST, "nash", value=v, cost_share_gdp=D)
    coop = choose_hardening(sys_, st, INST, "cooperative", value=v, cost_share_gdp=D)
    alone = ~_can_displace(sys_, INST, 3).any(axis=0) & (sys_.cal.base_rate > 0)
    assert {"EGY", "LKA", "RUS"} <= {c for c, a in zip(sys_.codes, alone, strict=True) if a}
    np.testing.assert_array_equal(coop[:, alone], nash[:, alone])
    assert np.all(nash[:, alone] > 0)
    # Russia's avoided attacks are removed, not moved: nobody's incidents rise.
    rus = sys_.codes.index("RUS")
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
    avoided = B[pak] * -np.expm1(-p.beta_defence * 0.7)
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
    # Turkmenistan, Mongolia...) keep their expected incidents, spillover included.
    sys_ = _system(theta=0.5)
    st = sys_.baseline_state(3)
    nash = choose_hardening(sys_, st, INST, "nash", value=V, cost_share_gdp=D)
    lam0 = sys_.expected_incidents(st, st.efforts, INST)
    lam1 = sys_.expected_incidents(st, st.efforts, INST, hardening=nash)
    zero = sys_.cal.base_rate == 0
    assert {"CHN", "KAZ", "TKM", "MNG"} <= {c for c, z in zip(sys_.codes, zero, strict=True) if z}
    np.testing.assert_array_equal(lam1[:, zero], lam0[:, zero])
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
    avoided = sys_.cal.base_rate[afg] * -np.expm1(-p.beta_defence * 0.3)
    assert lam1[tjk] == 0.0
    assert math.fsum(lam1 - lam0) == pytest.approx(-(1 - p.displacement) * avoided, rel=1e-9)
    A = pressure_before_hardening(sys_, np.array([inst]), 1)
    coop = cooperative_hardening(sys_.cal.base_rate, A, 10 * V, sys_.Wn, sys_.cal.gdp_usd,
                                 beta=p.beta, beta_defence=p.beta_defence,
                                 displacement=p.displacement, cost_share_gdp=D)
    assert np.all(np.isfinite(coop))


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
    assert h.max() > 0.5
    # What the rule chose at each year's instability (the run's values, shares of GDP).
    for t, year in enumerate(sc.years.range()):
        inst = float(sc.parameters.security.instability.at(year))
        want = choose_hardening(sys_, sys_.baseline_state(2), inst, "nash", value=V,
                                cost_share_gdp=D)
        np.testing.assert_allclose(h[:, t], want, rtol=1e-12)
    # Same efforts and security index in both (hardening acts on incidents only) ...
    np.testing.assert_array_equal(rec["security_index"], none["security_index"])
    factor = np.exp(-p.beta * (rec["security_index"] - sys_.S0))
    # ... so the change of expected incidents, net of the index factor, is -avoided at
    # home plus the displaced share abroad: in total -(1 - theta) x avoided, where the
    # hardening state has a neighbour to displace onto (all avoided otherwise). The
    # scenario's instability is >= 1, so who can receive does not change over the years.
    assert all(float(sc.parameters.security.instability.at(y)) >= 1 for y in sc.years.range())
    change = ((rec["expected_incidents"] - none["expected_incidents"]) / factor).sum(axis=2)
    avoided = sys_.cal.base_rate * -np.expm1(-p.beta_defence * h)
    has = _can_displace(sys_, 1.0, 1)[0]
    want = -(1 - p.displacement) * avoided[..., has].sum(axis=2) - avoided[..., ~has].sum(axis=2)
    np.testing.assert_allclose(change, want, rtol=1e-9)
    assert np.all(want < 0)
    np.testing.assert_allclose((rec["incidents_displaced"] / factor).sum(axis=2),
                               p.displacement * avoided[..., has].sum(axis=2), rtol=1e-9)
    # No state without incidents of its own receives any (China, Kazakhstan, Mongolia...).
    assert np.all(rec["incidents_displaced"][..., sys_.cal.base_rate == 0] == 0)
    # Its cost is recorded and comes out of welfare like effort spending.
    np.testing.assert_allclose(rec["hardening_cost_share_gdp"], D * np.expm1(h), rtol=1e-12)


def test_pressure_before_hardening_is_the_rate_at_baseline_security() -> None:
    sys_ = _system()
    st = sys_.baseline_state(2)
    inst = np.array([1.0, 1.5])
    np.testing.assert_allclose(pressure_before_hardening(sys_, inst, 2),
                               sys_.expected_incidents(st, st.efforts, inst), rtol=1e-12)


@pytest.mark.parametrize("rule", ["nash", "cooperative"])
def test_hardening_never_avoids_more_than_the_states_own_pressure(rule: str) -> None:
    # Afghanistan far below 2018-2022 instability: its pressure A = 0.2 B is below the
    # base B that hardening scales, so an unbounded h would avoid attacks that are not there.
    sys_ = _system(theta=0.5)
    st = sys_.baseline_state(2)
    inst = np.array([0.2, 0.05])
    h = choose_hardening(sys_, st, inst, rule, value=0.5, cost_share_gdp=D)
    A = pressure_before_hardening(sys_, inst, 2)
    avoided = sys_.cal.base_rate * -np.expm1(-sys_.params.beta_defence * h)
    assert np.all(avoided <= A * (1 + 1e-12))
    if rule == "nash":  # (cooperatively Afghanistan does not harden: Pakistan, where most
        # of its displaced attacks go, prices an incident at many times its own price)
        afg = sys_.codes.index("AFG")
        np.testing.assert_allclose(avoided[:, afg], A[:, afg], rtol=1e-9)  # the bound binds
