"""Agreements entering into force after the base year join the baseline from their year.

scosim.model.dated_agreements: the EAEU-Iran FTA (RTA 1316, 15 May 2025) and China-Maldives
(RTA 990, 1 January 2025) are in the WTO table the calibration carries, not in the bundled
2023 tariff matrix.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from scosim.data import load_calibration
from scosim.hindcast.run import era_tariffs
from scosim.mechanisms.trade import solve_ge
from scosim.model.model import SCOModel
from scosim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
EAEU = ("ARM", "BLR", "KAZ", "KGZ", "RUS")


@cache
def _cal():
    return load_calibration()


def _model(name: str, start: int, end: int, runs: int = 2, **extra) -> SCOModel:
    ov = {"replications": runs, "years.start": start, "years.end": end, **extra}
    return SCOModel(load_scenario(SCENARIOS / name, overrides=ov), calibration=_cal())


def _run_to(model: SCOModel, year: int) -> None:
    while model.year <= year:
        model.step()


def _cell(model: SCOModel, tariffs: np.ndarray, exporter: str, importer: str) -> np.ndarray:
    return tariffs[..., model.codes.index(exporter), model.codes.index(importer)]


def test_baseline_tariffs_follow_the_wto_dates_of_later_agreements():
    """2024 keeps the bundled matrix; 2026 has the 2025 agreements, as era_tariffs' rule."""
    m = _model("baseline.yaml", 2024, 2026)
    codes = list(m.codes)
    bundled = _cal().tariffs.loc[codes, codes].to_numpy(dtype=float)
    _run_to(m, 2024)
    np.testing.assert_array_equal(m.tariffs, np.broadcast_to(m.tau_base, m.tariffs.shape))
    _run_to(m, 2026)
    # The flat matrices of the same rule (data.tariffs, composition off), 2023 against 2026:
    # the cells a new agreement covers are the cells where they differ.
    flat = load_calibration("2023", composition=False)
    was = era_tariffs(flat, 2023).loc[codes, codes].to_numpy(dtype=float)
    now = era_tariffs(flat, 2026).loc[codes, codes].to_numpy(dtype=float)
    covered = ~np.isclose(was, now, rtol=0.0, atol=1e-12)
    base = np.broadcast_to(m.tau_base, m.tariffs.shape)
    for r in range(m.R):
        # against the run's base tariffs: the India-Pakistan cells are re-stated per run
        np.testing.assert_array_equal(m.tariffs[r] != base[r], covered)
        np.testing.assert_array_equal(m.tariffs[r][covered] != bundled[covered], True)
        np.testing.assert_allclose(m.tariffs[r][covered], now[covered], rtol=0, atol=1e-15)
    # the EAEU-Iran agreement binds every EAEU member with Iran, both ways; China-Maldives too
    for c in EAEU:
        assert np.all(_cell(m, m.tariffs, c, "IRN") == 0.0)
        assert np.all(_cell(m, m.tariffs, "IRN", c) == 0.0)
    assert covered.sum() == 2 * len(EAEU) + 2
    assert np.all(_cell(m, m.tariffs, "CHN", "MDV") == 0.0)
    # 2023's cell is the interim agreement's (RTA 1028) margin off the MFN-based rate
    margin = m.cal.psa_margins.set_index("rta_id").loc[1028, "margin"]
    flat = load_calibration("2023", composition=False)
    assert 0 < margin < 1 and _cell(m, bundled, "RUS", "IRN") > 0.05
    assert flat.tariffs.loc["RUS", "IRN"] == pytest.approx(
        (1 - margin) * flat.countries.loc["IRN", "tariff_mfn"], rel=1e-12)
    # the world without the policy has them: the baseline scenario's welfare stays at 1
    np.testing.assert_array_equal(m.welfare, 1.0)


def test_new_baseline_is_the_ge_equilibrium_of_the_old_one():
    """Exact hat algebra is path independent: old -> policy equals old -> 2033 -> policy.

    At one elasticity only: 2033 is the agreements' first fully adjusted year (eight years
    after 2025, baseline.yaml's adjustment_years). Until the adjustment clock (2026-12-06)
    this held in 2025 already; a run starting in 2033 picks the agreements up adjusted.
    """
    m = _model("baseline.yaml", 2033, 2033, runs=3,
               **{"parameters.trade.moving_baseline": False})
    flows, tau = np.array(m.flows0), np.array(m.tau0)
    _run_to(m, 2033)
    assert m.agreement_clock == ((2025, 1.0),)
    assert (np.asarray(m.tau0) != tau).any()  # the baseline moved
    rng = np.random.default_rng(7)
    members = np.isin(np.array(m.codes), ["CHN", "IND", "PAK", "RUS", "KAZ", "IRN"])
    policy = np.array(m.tariffs)
    cut = members[:, None] & members[None, :]
    policy[:, cut] *= rng.uniform(0.0, 0.5, size=int(cut.sum()))
    direct = solve_ge(flows, sigma=m.sigma, tariffs=tau, new_tariffs=policy, tol=1e-13)
    via = solve_ge(flows, sigma=m.sigma, tariffs=tau, new_tariffs=m.tariffs, tol=1e-13)
    now = m.solve(policy)
    np.testing.assert_allclose(now.welfare_change, direct.welfare_change / via.welfare_change,
                               rtol=1e-9)
    np.testing.assert_allclose(now.flows, direct.flows, rtol=1e-8)


def _elasticity(m: SCOModel) -> np.ndarray:
    """Each run's trade elasticity of the baseline's response to the Russia-Iran cut.

    The gravity odds ratio X_ij X_kh / (X_ih X_kj) of Russia (i), China (k), Iran (j) and
    India (h) moves by (tau_hat_ij)^(1 - sigma_solved) whatever the GE's price and income
    terms (CES gravity: only the bilateral terms survive), and only Russia -> Iran's tariff
    changes among the four cells.
    """
    i, k, j, h = (m.codes.index(c) for c in ("RUS", "CHN", "IRN", "IND"))

    def change(now: np.ndarray, base: np.ndarray, a: int, b: int) -> np.ndarray:
        full = (m.R, m.N, m.N)
        return np.broadcast_to(now, full)[:, a, b] / np.broadcast_to(base, full)[:, a, b]

    def odds(now: np.ndarray, base: np.ndarray) -> np.ndarray:
        return (change(now, base, i, j) * change(now, base, k, h)
                / (change(now, base, i, h) * change(now, base, k, j)))

    tau, tau_base = 1.0 + np.asarray(m.tau0), 1.0 + np.asarray(m.tau_base)
    for a, b in ((i, h), (k, j), (k, h)):
        np.testing.assert_array_equal(change(tau, tau_base, a, b), 1.0)
    cut = change(tau, tau_base, i, j)
    assert np.all(cut < 1.0)
    return -np.log(odds(m.flows0, m.flows_base)) / np.log(cut)


def test_the_agreements_trade_adjusts_on_the_arrangements_clock():
    """The 2025 agreements' trade builds up as a union's does (short_run_share 0.4, eight
    years in baseline.yaml), to the long-run baseline the model had at once until the
    clock (2026-12-06); the world without a policy has them: welfare change zero."""
    m = _model("baseline.yaml", 2025, 2034)
    rus, irn = m.codes.index("RUS"), m.codes.index("IRN")
    growth = []
    for k, year in enumerate(range(2025, 2035)):
        _run_to(m, year)
        # the customs union's rule, written out: a = min(1, s + (1 - s) k / T)
        a = min(1.0, 0.4 + 0.6 * k / 8)
        np.testing.assert_allclose(_elasticity(m), a * (m.sigma - 1.0), rtol=1e-8)
        growth.append(np.broadcast_to(m.flows0, (m.R, m.N, m.N))[:, rus, irn]
                      / np.broadcast_to(m.flows_base, (m.R, m.N, m.N))[:, rus, irn])
        np.testing.assert_array_equal(m.welfare, 1.0)
    growth = np.array(growth)
    assert np.all(growth[0] > 1.0)  # the agreement's trade responds in its first year
    assert np.all(np.diff(growth[:9], axis=0) > 0)  # and grows while it adjusts
    np.testing.assert_array_equal(growth[9], growth[8])  # adjusted: not solved again
    # The long run is the whole effect at once, the baseline before the clock.
    long = solve_ge(m.flows_base, sigma=m.sigma, tariffs=m.tau_base,
                    new_tariffs=np.broadcast_to(m.tau0, (m.R, m.N, m.N)), tol=1e-13)
    np.testing.assert_allclose(m.flows0, long.flows, rtol=1e-10)
    # The clock is the trade slot's mechanism's: without it trade responds at once.
    bare = _model("baseline.yaml", 2025, 2025, **{"parameters.mechanisms.trade": None})
    _run_to(bare, 2025)
    assert bare.agreement_clock == ((2025, 1.0),)
    np.testing.assert_allclose(_elasticity(bare), bare.sigma - 1.0, rtol=1e-8)


def test_a_later_start_picks_the_agreements_up_part_way():
    """A run starting in 2027 has the baseline a run from 2025 has in 2027 and 2028: the
    agreements two years into their adjustment, not fully adjusted nor starting afresh."""
    early = _model("baseline.yaml", 2025, 2028)
    late = _model("baseline.yaml", 2027, 2028)
    np.testing.assert_array_equal(early.sigma, late.sigma)  # same seed, same draws
    for year in (2027, 2028):
        _run_to(early, year)
        _run_to(late, year)
        assert early.agreement_clock == late.agreement_clock
        np.testing.assert_array_equal(early.tau0, late.tau0)
        np.testing.assert_allclose(late.flows0, early.flows0, rtol=1e-12, atol=0)
        a = 0.4 + 0.6 * (year - 2025) / 8
        np.testing.assert_allclose(_elasticity(late), a * (late.sigma - 1.0), rtol=1e-8)


def test_each_party_logs_the_agreement_once_in_the_year_it_applies():
    m = _model("baseline.yaml", 2027, 2029)
    _run_to(m, 2027)
    # a run starting after the entry starts with the agreements
    assert np.all(_cell(m, m.tariffs, "RUS", "IRN") == 0.0)
    m.run_model()
    ev = [e for e in m.log.records() if e["type"] == "agreement_in_force"]
    assert {e["year"] for e in ev} == {2027}
    per = {(e["run"], e["country"], e["agreement"]) for e in ev}
    assert len(per) == len(ev) == m.R * (len(EAEU) + 1 + 2)
    iran = [e for e in ev if e["country"] == "IRN" and e["run"] == 0]
    assert iran[0]["with_"] == sorted(EAEU, key=m.codes.index)
    assert iran[0]["entered"] == "2025-05-15"
    assert "RTA 1316" in iran[0]["agreement"]


def test_a_later_union_keeps_or_replaces_the_2025_fta_as_a_2023_one():
    """China keeps its Maldives preference under the CET unless the union replaces it."""
    for replace in (False, True):
        m = _model("customs_union.yaml", 2025, 2029,
                   **{"proposals.sco_cu.replace_preferences": replace})
        m.run_model()
        assert m.arrangements[0].in_force.all()
        cet = _cell(m, m.tariffs, "MDV", "CHN")
        if replace:
            assert np.all(cet > 0.0)
        else:
            np.testing.assert_array_equal(cet, 0.0)
        # Iran and the EAEU are inside: no duty either way, whatever the preferences
        for c in EAEU:
            np.testing.assert_array_equal(_cell(m, m.tariffs, c, "IRN"), 0.0)


def test_a_run_starting_before_the_agreements_rebases_their_new_pattern():
    """Found by a reviewer of the day's diff: a run from 2024 on the moving baseline
    re-based 2025's GDP onto 2024's pattern (the trade step's warm start, a matrix of the
    old baseline's family), so the 2025 FTA's trade creation was lost in every later year
    (Russia -> Iran 46 % short). The year's baseline must equal a fresh re-basing of the
    new flows to the year's GDP."""
    from scosim.mechanisms.baseline_path import rebase_flows

    m = _model("baseline.yaml", 2024, 2027)
    _run_to(m, 2026)
    assert m.scenario.parameters.trade.moving_baseline
    fresh = rebase_flows(m.flows0, m.gdp / m.gdp0)
    np.testing.assert_allclose(m.baseline_flows(), fresh, rtol=1e-10)
    rus, irn = m.codes.index("RUS"), m.codes.index("IRN")
    assert (m.flows0[..., rus, irn] > 0).all()
