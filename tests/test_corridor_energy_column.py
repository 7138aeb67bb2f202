"""The energy rents' part of the welfare change, its own column beside the GE trade gain.

Until 2026-12-07 an energy corridor's answer gave the welfare change and its net of
payments only: Turkmenistan's +17 % read as a trade gain, though it was all energy rent
(referee report on the corridors, defect 1). ``corridor_energy_pct`` is the part of
``welfare_change_pct`` that is the deliveries' worth (network.corridor_record), the answer's
``energy`` column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from scosim.mechanism_answer import net_label
from scosim.model.gdp_shares import expenditure_usd
from scosim.model.model import SCOModel
from scosim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _run(name: str, last: int, **extra: Any) -> SCOModel:
    ov: dict[str, Any] = {"replications": 3, "parameters.council.ratification_lag": 0,
                          "parameters.growth.volatility_scale": 0.0, **extra}
    m = SCOModel(load_scenario(SCENARIOS / name, overrides=ov))
    while m.year <= last:
        m.step()
    return m


def test_an_energy_corridor_s_welfare_is_its_energy_column() -> None:
    """TAPI and CASA-1000 change no trade cost, so in an operating year the energy column
    is the whole welfare change (an identity of the trade step's accounting), and it is
    the energy value over the year's real expenditure as the welfare counts it."""
    m = _run("corridor_energy.yaml", 2028, **{"proposals.0.construction_years": 1,
                                              "proposals.1.construction_years": 1})
    energy = np.asarray(m.records["corridor_energy_pct"][-1], float)
    welfare = np.asarray(m.records["welfare_change_pct"][-1], float)
    value = np.asarray(m.records["energy_value_usd"][-1], float)
    on = value != 0.0
    assert on[:, m.codes.index("TKM")].all()
    np.testing.assert_allclose(energy[on], welfare[on], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(energy[on] / 100.0 * expenditure_usd(m, m.ge)[on], value[on],
                               rtol=1e-6)
    # Blank for economies party to neither project (China, Russia ...); the parties' column
    # is their welfare change even where it is worth nothing to them.
    party = ~np.isnan(energy)
    assert not party[:, m.codes.index("CHN")].any() and party[:, m.codes.index("TKM")].all()
    np.testing.assert_allclose(energy[party], welfare[party], rtol=1e-9, atol=1e-12)


def test_a_failed_energy_corridor_s_hosts_read_zero_not_blank() -> None:
    """Where CASA-1000 or TAPI has failed in a run its hosts gain nothing: their energy part
    is 0, as their welfare change, not blank; blanking by value left the energy column's
    statistics to the runs whose line stands, its median above the welfare's (2026-12-07)."""
    m = _run("corridor_energy.yaml", 2030, **{"proposals.0.construction_years": 1,
                                              "proposals.1.construction_years": 1,
                                              "parameters.network.failure_base": 0.6})
    energy = np.asarray(m.records["corridor_energy_pct"][-1], float)
    welfare = np.asarray(m.records["welfare_change_pct"][-1], float)
    failed = np.asarray(m.records["corridor_failed"][-1], float) > 0
    assert failed.any()
    np.testing.assert_array_equal(np.isnan(energy[failed]), False)
    np.testing.assert_allclose(energy[failed], welfare[failed], rtol=1e-9, atol=1e-12)


def test_a_transport_corridor_has_no_energy_column() -> None:
    """The INSTC delivers no energy: its column is blank everywhere, so its answer and
    summary.csv are as before (no row of it)."""
    m = _run("corridor_instc.yaml", 2028)
    assert np.isnan(np.asarray(m.records["corridor_energy_pct"][-1], float)).all()


def test_the_columns_are_headed_by_what_they_are() -> None:
    assert net_label("corridor_net_welfare_pct") == "net"
    assert net_label("corridor_energy_pct") == "energy"
