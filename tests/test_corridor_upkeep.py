"""A corridor's hosts pay its yearly operation and maintenance (O&M) while it operates.

The GE prices a new line's arcs at the network's freight rates, an iceberg cost that no
economy collects, so nothing in the model pays the line's upkeep: the hosts do, a share
``m`` of the build cost ``C`` a year, in their cost shares, from the first operating year
(docs/network.md, "Who pays for the line's upkeep"). The preview weighs it by the share
of years the project operates, as its benefits; the run's net takes it off in each
operating year. Until 2026-12-06 neither counted it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from _corridor_spies import (  # tests/ on sys.path
    SCENARIOS,
    deterministic_instc,
    run_with_preview_spy,
)
from scosim.model.model import SCOModel
from scosim.network.corridor import Corridor
from scosim.network.tables import NetworkDataError, load_network
from scosim.network.upkeep import OM_PARAMS, carrier_om_share, upkeep_usd
from scosim.scenario import ScenarioError, load_scenario


def test_the_carriers_shares_are_the_sourced_ones() -> None:
    """Rail and power lines 2 % of the build cost a year, pipelines 1.5 % (params.csv)."""
    t = load_network()
    assert carrier_om_share(t, "INSTC_CHABAHAR") == pytest.approx(0.02)
    assert carrier_om_share(t, "TRANS_AFGHAN_RAIL") == pytest.approx(0.02)
    assert carrier_om_share(t, "TAPI") == pytest.approx(0.015)
    assert carrier_om_share(t, "CASA1000") == pytest.approx(0.02)
    # Each in its sourced range, and the table names its source.
    for name, (lo, hi) in {"om_share_rail": (0.01, 0.03), "om_share_pipeline": (0.01, 0.02),
                           "om_share_power": (0.01, 0.03)}.items():
        assert lo <= t.params[name] <= hi
        assert t.params_table.loc[name, "source"] != "scosim_assumption"


def test_a_one_carrier_project_s_share_is_the_table_s_exactly() -> None:
    """A project of one carrier takes that carrier's share itself, to the bit: the
    length-weighted mean gave 0.019999999999999997 for the Trans-Afghan railway, so a
    scenario writing ``om_share: 0.02`` gave other numbers than the default."""
    t = load_network()
    for project in ("INSTC_CHABAHAR", "TRANS_AFGHAN_RAIL", "CKU_RAIL", "TAPI", "CASA1000"):
        modes = set(t.edges.loc[t.edges["project"] == project, "mode"])
        if len(modes) == 1:
            assert carrier_om_share(t, project) == float(t.params[OM_PARAMS[modes.pop()]])


def test_upkeep_is_m_times_c_a_year_in_the_cost_shares() -> None:
    got = upkeep_usd(np.array([0.02, 0.0, 0.03]), 5.0e9, np.array([0.75, 0.25, 0.0]))
    np.testing.assert_allclose(got, [[0.75e8, 0.25e8, 0.0], [0.0, 0.0, 0.0],
                                     [1.125e8, 0.375e8, 0.0]], rtol=1e-15)
    np.testing.assert_allclose(got.sum(axis=1), [0.02 * 5e9, 0.0, 0.03 * 5e9], rtol=1e-15)


def _deterministic(om: float | None, **extra: Any) -> SCOModel:
    """INSTC voted and in force in 2026, built 2026-2030, operating from 2031; no shocks."""
    ov: dict[str, Any] = dict(extra)
    if om is not None:
        ov["parameters.network.om_share"] = om
    return deterministic_instc(ov)


def _run(m: SCOModel, last: int) -> tuple[Any, dict[int, tuple[np.ndarray, ...]]]:
    _, seen, out = run_with_preview_spy(m, last)
    return seen[0][1], out


def test_the_run_charges_m_c_while_operating_and_nothing_before() -> None:
    """Iran, the INSTC's one host (US$5.3 bn), at m = 3 % against m = 0, same runs.

    The nets differ by exactly ``m C`` over the year's expenditure from 2031, the first
    operating year, and not at all while the line is built; the welfare does not move.
    """
    with_om, without = _run(_deterministic(0.03), 2032)[1], _run(_deterministic(0.0), 2032)[1]
    m = _deterministic(0.03)
    irn = m.codes.index("IRN")
    for year in with_om:
        w1, n1, e1 = with_om[year]
        w0, n0, _ = without[year]
        np.testing.assert_array_equal(w1, w0)
        drop = n0 - n1
        if year < 2031:
            np.testing.assert_array_equal(drop, 0.0)
        else:
            np.testing.assert_allclose(drop[:, irn] * e1[:, irn], 0.03 * 5.3e9, rtol=1e-9)
            others = np.arange(m.N) != irn
            np.testing.assert_array_equal(drop[:, others], 0.0)


def test_the_preview_s_upkeep_is_the_run_s_in_a_deterministic_run() -> None:
    """Built in one year, no failure: ``q = 1.04^-1``, the share of years it operates.

    The vote's net falls by exactly ``q`` times the O&M over expenditure, and the run
    takes off that O&M, undiscounted, in each operating year, where its net is the vote's
    net gain of an operating year (``q`` = 1).
    """
    quick = _deterministic(0.02, **{"proposals.0.construction_years": 1})
    pv, years = _run(quick, 2028)
    base = _deterministic(0.0, **{"proposals.0.construction_years": 1})
    pv0, _ = _run(base, 2026)
    irn = quick.codes.index("IRN")
    # m C over the vote year's expenditure, Iran's alone (its one host).
    u = np.zeros_like(pv.gain)
    u[:, irn] = 0.02 * 5.3e9 / pv.info["expenditure_usd"][:, irn]
    q = pv.info["operating_share"]
    np.testing.assert_allclose(q, 1.04 ** -1, rtol=1e-12)
    np.testing.assert_allclose(pv0.gain - pv.gain, q * u, rtol=1e-9, atol=1e-18)
    np.testing.assert_allclose(pv.info["upkeep_share_of_expenditure"], u, rtol=1e-12)
    # In 2027 and 2028 it operates: the run takes off the same O&M (same expenditure,
    # no growth), and its net is the vote's net gain of an operating year.
    c = pv.info["cost_share_of_expenditure"]
    for year in (2027, 2028):
        w, n, e = years[year]
        np.testing.assert_allclose((w - n - c)[:, irn] * e[:, irn], 0.02 * 5.3e9, rtol=1e-9)
        np.testing.assert_allclose(n, (pv.gain + c) / q - c, rtol=1e-9, atol=1e-15)


def test_the_om_share_is_validated_and_named() -> None:
    for bad in (-0.01, 0.25):
        with pytest.raises(ScenarioError, match="om_share"):
            load_scenario(SCENARIOS / "corridor_instc.yaml",
                          overrides={"parameters.network.om_share": bad})


def test_a_carrier_without_a_share_is_a_clear_data_error() -> None:
    t = load_network()
    params = dict(t.params)
    del params["om_share_pipeline"]
    broken = dataclasses.replace(t, params=params)
    with pytest.raises(NetworkDataError, match="om_share_pipeline"):
        carrier_om_share(broken, "TAPI")


def test_a_sweep_varies_the_share_per_run() -> None:
    """``parameters.network.om_share`` swept: each run pays its own ``m C``."""
    scenario = load_scenario(SCENARIOS / "corridor_instc.yaml", overrides={"replications": 3})
    m = SCOModel(scenario, params={"parameters.network.om_share": np.array([0.0, 0.01, 0.03])})
    arr = next(a for a in m.arrangements if isinstance(a, Corridor))
    irn = m.codes.index("IRN")
    np.testing.assert_allclose(arr.upkeep_usd[:, irn], [0.0, 0.01 * 5.3e9, 0.03 * 5.3e9],
                               rtol=1e-12)
