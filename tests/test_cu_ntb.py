"""Non-tariff barriers a customs union or free-trade area removes (``ntb_cost_cut``).

docs/customs_union.md, "Non-tariff barriers": the iceberg trade cost between two
participants is multiplied by ``1 - c p`` (``p`` the phase-in share), through the policy's
``cost_change``, and the Council's preview sees it. Checked against a direct GE solve, the
gravity equation's odds ratio, and the run without the field.
"""

from __future__ import annotations

import numpy as np
import pytest

from scosim.mechanisms.ntb import ntb_factors
from scosim.mechanisms.trade import solve_ge
from scosim.model.model import SCOModel
from scosim.model.policy import build_policy
from scosim.scenario.errors import ScenarioError
from scosim.scenario.loader import scenario_hash, validate_data

#: Committed votes, nobody leaves, the base year's flows every year (one baseline).
FIXED = {"rules": {"vote": "always_yes", "defect": "never_defect"},
         "trade": {"moving_baseline": False}}
EAEU = ("ARM", "BLR", "KAZ", "KGZ", "RUS")


def _doc(proposal: dict, years: tuple[int, int] = (2025, 2027)) -> dict:
    return {"name": "ntb", "years": {"start": years[0], "end": years[1]},
            "replications": 1, "parameters": FIXED, "proposals": [proposal]}


def _run(proposal: dict, years: tuple[int, int] = (2025, 2027)) -> SCOModel:
    m = SCOModel(validate_data(_doc(proposal, years)))
    while m.running:
        m.step()
    return m


def _eaeu_union(cut: float | None, **more: object) -> dict:
    """A union of the EAEU alone: at its own CET it changes no tariff (docs, "Tariffs")."""
    p = {"type": "customs_union", "id": "cu", "year": 2025, "proposer": "RUS",
         "participants": ["RUS"], **more}
    if cut is not None:
        p["ntb_cost_cut"] = cut
    return p


def _fta(cut: float, **more: object) -> dict:
    """China and Pakistan, duty-free under their 2007 FTA: an FTA of the two moves no
    tariff, and they are in no customs union together, so only the cut moves costs."""
    return {"type": "free_trade_area", "id": "fta", "year": 2025,
            "participants": ["CHN", "PAK"], "ntb_cost_cut": cut, **more}


def test_at_zero_the_scenario_hashes_and_runs_as_without_the_field():
    """Written at its default the field changes neither the hash nor a number."""
    without, zero = _eaeu_union(None), _eaeu_union(0.0)
    assert (scenario_hash(validate_data(_doc(without)))
            == scenario_hash(validate_data(_doc(zero))))
    assert "ntb_cost_cut" not in validate_data(_doc(zero)).proposals[0].model_dump()
    a, b = _run(without), _run(zero)
    for name, values in a.records.items():
        np.testing.assert_array_equal(np.stack(values), np.stack(b.records[name]),
                                      err_msg=name)


def test_the_cut_equals_a_direct_solve_with_the_intra_union_cost_factor():
    """Tariffs unchanged (China and Pakistan are duty-free already), costs between them
    times 0.9: the year's GE is ``solve_ge`` with exactly that factor, and both gain."""
    cut = 0.1
    m = _run(_fta(cut))
    idx = [m.codes.index(c) for c in ("CHN", "PAK")]
    np.testing.assert_array_equal(m.tariffs, m.tariffs_base())  # no tariff moved
    d = np.ones((1, m.N, m.N))
    for i in idx:
        for j in idx:
            if i != j:
                d[0, i, j] = 1.0 - cut
    np.testing.assert_array_equal(build_policy(m).cost_change, d)
    direct = solve_ge(m.flows0, sigma=m.sigma, tariffs=m.tau0, new_tariffs=m.tariffs_base(),
                      cost_change=d, deficits=m.scenario.parameters.trade.deficits)
    np.testing.assert_allclose(m.ge.welfare_change, direct.welfare_change, rtol=0, atol=1e-13)
    np.testing.assert_allclose(m.ge.flows, direct.flows, rtol=1e-12)
    assert (m.ge.welfare_change[0, idx] > 1.0).all()


def test_the_flows_follow_the_gravity_odds_ratio_at_the_long_run_elasticity():
    """Structural gravity: with tariffs unchanged, the odds ratio of two participants'
    trade against trade with outsiders moves by exactly ``(1 - c)^(1 - sigma)``, whatever
    the GE does to prices and incomes (they cancel in the ratio)."""
    cut = 0.1
    m = _run(_fta(cut))
    chn, pak, rus, kaz = (m.codes.index(c) for c in ("CHN", "PAK", "RUS", "KAZ"))
    x0, x1 = m.flows0, m.ge.flows[0]

    def odds(x: np.ndarray) -> float:
        return x[chn, pak] * x[rus, kaz] / (x[chn, kaz] * x[rus, pak])

    sigma = float(np.asarray(m.sigma).ravel()[0])
    assert odds(x1) / odds(x0) == pytest.approx((1.0 - cut) ** (1.0 - sigma), rel=1e-9)


def test_the_cut_is_phased_in_with_the_tariffs():
    m = SCOModel(validate_data(_doc(_fta(0.1, phase_in={2026: 0.5, 2027: 1.0}))))
    chn, pak, rus = (m.codes.index(c) for c in ("CHN", "PAK", "RUS"))
    seen = {}
    while m.running:
        year = m.year
        m.step()
        seen[year] = build_policy(m).cost_change[0]
    assert seen[2025][chn, pak] == 1.0  # adopted in 2025, in force from 2026
    assert seen[2026][chn, pak] == pytest.approx(0.95, abs=1e-15)
    assert seen[2027][chn, pak] == pytest.approx(0.90, abs=1e-15)
    assert seen[2027][chn, rus] == 1.0 and seen[2027][pak, pak] == 1.0


def test_a_customs_union_in_force_keeps_its_own_costs():
    """The EAEU's members removed their border barriers among themselves in their own
    union: a union of the EAEU with China cuts costs between China and each of them, not
    among the five (it did, giving Belarus +2.3 % at a 5 % cut, all from Russia)."""
    m = _run({"type": "customs_union", "id": "cu", "year": 2025, "proposer": "CHN",
              "participants": ["CHN", "KAZ"], "ntb_cost_cut": 0.1})
    c = build_policy(m).cost_change[0]
    rus, kaz, blr, chn = (m.codes.index(x) for x in ("RUS", "KAZ", "BLR", "CHN"))
    assert c[rus, kaz] == 1.0 and c[kaz, blr] == 1.0
    assert c[chn, kaz] == pytest.approx(0.9) and c[rus, chn] == pytest.approx(0.9)
    # A union of the EAEU alone has no pair left to cut: nothing moves.
    assert (build_policy(_run(_eaeu_union(0.1))).cost_change == 1.0).all()


def test_the_councils_preview_sees_the_cut():
    """A union of China and the EAEU (which changes tariffs): the preview's adopted policy
    carries the factors (nothing else moves trade costs here), and every participant's
    expected gain is larger with the cut."""
    gains = {}
    for cut in (0.0, 0.1):
        p = {"type": "customs_union", "id": "cu", "year": 2025, "proposer": "CHN",
             "participants": ["CHN", "KAZ"], "ntb_cost_cut": cut}
        m = SCOModel(validate_data(_doc(p)))
        arr = m.arrangements[0]
        parts = arr.invitees(m)
        adopted = arr.policy_if_adopted(m, parts)
        eaeu = [m.codes.index(c) for c in EAEU]
        held = np.zeros((m.N, m.N), dtype=bool)
        held[np.ix_(eaeu, eaeu)] = True
        expect = ntb_factors(parts, 1.0, cut, held=held)
        np.testing.assert_array_equal(adopted.cost_change, expect)
        gains[cut] = arr.preview(m, parts).gain[0]
    inside = [m.codes.index(c) for c in ("CHN", *EAEU)]
    assert (gains[0.1][inside] > gains[0.0][inside]).all()


def test_a_free_trade_area_cuts_the_costs_among_its_participants():
    p = {"type": "free_trade_area", "id": "fta", "year": 2025,
         "participants": ["CHN", "PAK"], "ntb_cost_cut": 0.2}
    m = _run(p)
    c = build_policy(m).cost_change[0]
    chn, pak, ind = (m.codes.index(x) for x in ("CHN", "PAK", "IND"))
    assert c[chn, pak] == pytest.approx(0.8) and c[pak, chn] == pytest.approx(0.8)
    assert c[chn, ind] == 1.0


def test_a_suspension_the_union_keeps_keeps_its_costs():
    """``suspensions: kept``: India and Pakistan's pair stays as it was, costs included."""
    p = {"type": "customs_union", "id": "cu", "year": 2025, "proposer": "CHN",
         "participants": ["CHN", "IND", "PAK"], "ntb_cost_cut": 0.1, "suspensions": "kept"}
    m = _run(p)
    c = build_policy(m).cost_change[0]
    ind, pak, chn = (m.codes.index(x) for x in ("IND", "PAK", "CHN"))
    assert c[ind, pak] == 1.0 and c[pak, ind] == 1.0
    assert c[chn, pak] == pytest.approx(0.9)


@pytest.mark.parametrize("kind", ["customs_union", "free_trade_area"])
@pytest.mark.parametrize("value", [1.0, -0.05, 5])
def test_an_out_of_range_cut_names_the_field_and_the_range(kind, value):
    p = {"type": kind, "id": "x", "year": 2025, "participants": ["CHN", "PAK"],
         "ntb_cost_cut": value}
    if kind == "customs_union":
        p["proposer"] = "CHN"
    with pytest.raises(ScenarioError) as err:
        validate_data(_doc(p))
    text = str(err.value)
    assert "proposals[0].ntb_cost_cut" in text and "0 <= ntb_cost_cut < 1" in text


def test_the_kernel_refuses_a_cut_outside_its_range():
    with pytest.raises(ValueError, match=r"ntb_cost_cut 1\.0 must be in \[0, 1\)"):
        ntb_factors(np.ones((1, 3), dtype=bool), 1.0, 1.0)
