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
    """Exact hat algebra is path independent: old -> policy equals old -> 2025 -> policy."""
    m = _model("baseline.yaml", 2025, 2025, runs=3,
               **{"parameters.trade.moving_baseline": False})
    flows, tau = np.array(m.flows0), np.array(m.tau0)
    _run_to(m, 2025)
    assert (np.asarray(m.tau0) != tau).any()  # the 2025 baseline moved
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
