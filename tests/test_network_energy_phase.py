"""Energy projects deliver within each year's capacity: their initial phase, then full.

TAPI is 33 bcm a year, 11 in its free-flow first phase (ANCHORS.md; ``capacity_initial`` of
``projects.csv``); the offtakes at full capacity are the contracts, India and Pakistan
1.325 bcf/d each (13.7 bcm a year), Afghanistan 0.5. Until 2026-12-06 ``capacity_initial``
was read and used nowhere: TAPI delivered 32.6 bcm from its first year.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from scosim.network.energy import INITIAL_PHASE_YEARS, delivered_flows, energy_links
from scosim.network.mechanism import network_inputs
from scosim.network.tables import NetworkDataError, load_network

#: Cubic feet in a cubic metre's inverse: 1 ft = 0.3048 m exactly.
M3_PER_FT3 = 0.3048**3


@pytest.fixture(scope="module")
def tables():
    return load_network()


def _uncapped(tables):
    """The links without the exporters' spare supply: these tests activate TAPI and line D
    together, whose Turkmen sales it caps (network.gas_supply,
    tests/test_network_gas_supply.py); here the phases alone."""
    return dataclasses.replace(energy_links(tables), spare_supply=None)


def _project_sum(links, flows: np.ndarray, pid: str, tables) -> np.ndarray:
    """Deliveries (R,) of one project's links."""
    k = tables.project_ids.index(pid)
    return flows[:, links.project == k].sum(axis=1)


def test_no_year_delivers_more_than_its_capacity(tables):
    links = _uncapped(tables)
    n_p = len(tables.project_ids)
    act = np.ones((2, n_p), bool)
    phase = np.zeros((2, n_p), bool)
    phase[0] = True  # run 0: every project in its initial phase; run 1: full capacity
    flows = delivered_flows(links, act, initial_phase=phase)
    for pid, row in tables.projects.iterrows():
        if row["capacity_unit"] != "bcm/yr" or pid not in set(tables.energy_links["project"]):
            continue
        early, full = _project_sum(links, flows, pid, tables)
        assert early <= row["capacity_initial"] + 1e-9, pid
        assert full <= row["capacity"] + 1e-9, pid
    tapi = _project_sum(links, flows, "TAPI", tables)
    # The first phase is a third of the pipeline: 11 of 33 bcm, shared pro rata.
    assert tapi[0] == pytest.approx(tapi[1] * 11.0 / 33.0, rel=1e-12)
    assert tapi[0] < 11.0 < tapi[1]


def test_full_capacity_offtakes_are_the_contracts(tables):
    """1.325 bcf/d = 13.7 bcm a year to India and to Pakistan, 0.5 bcf/d to Afghanistan."""
    links = _uncapped(tables)
    n_p = len(tables.project_ids)
    flows = delivered_flows(links, np.ones((1, n_p), bool),
                            initial_phase=np.zeros((1, n_p), bool))[0]
    bcm_a_year = {c: q * 1e9 * M3_PER_FT3 * 365 / 1e9
                  for c, q in (("IND", 1.325), ("PAK", 1.325), ("AFG", 0.5))}
    tapi = links.project == tables.project_ids.index("TAPI")
    for code, expected in bcm_a_year.items():
        k = tables.economies.index(code)
        got = flows[tapi & (links.importer == k)].sum()
        assert got == pytest.approx(expected, rel=2e-4), code
    assert bcm_a_year["IND"] == pytest.approx(13.7, abs=0.01)


def test_a_project_without_a_ramp_delivers_its_contracts_from_the_first_year(tables):
    """CASA-1000 and line D have capacity_initial = capacity: no phase to wait for."""
    links = _uncapped(tables)
    n_p = len(tables.project_ids)
    act = np.ones((1, n_p), bool)
    early = delivered_flows(links, act, initial_phase=np.ones((1, n_p), bool))
    full = delivered_flows(links, act)
    for pid in ("CASA1000", "CAGP_LINE_D"):
        mine = links.project == tables.project_ids.index(pid)
        assert np.array_equal(early[:, mine], full[:, mine]), pid


def test_the_initial_phase_lasts_its_years_from_the_first_operating_year():
    """network_inputs marks a project's first INITIAL_PHASE_YEARS operating years."""

    class _Model:
        R, N = 1, 28
        ge = None  # no year solved yet: the network routes the year's baseline trade
        tau0 = np.zeros((28, 28))

        def baseline_flows(self) -> np.ndarray:
            return np.ones((28, 28))

    from scosim.network import mechanism

    net = mechanism.CorridorNetwork.__new__(mechanism.CorridorNetwork)
    tables = load_network()
    net.tables = tables

    class _Cached:
        pass

    cached = _Cached()
    cached.net = net
    model = _Model()
    model._corridor_network = cached
    model.codes = list(tables.economies)
    model.params = {}
    model.scenario = type("S", (), {"parameters": type("P", (), {"network": None})()})()
    k = tables.project_ids.index("TAPI")
    ops = np.full((1, len(tables.project_ids)), -1)
    ops[0, k] = 2032
    policy = type("Pol", (), {"levers": {mechanism.LEVER_OPERATING: ops}})()
    marks = {y: bool(network_inputs(model, policy, y)["initial_phase"][0, k])
             for y in range(2030, 2038)}
    first = [y for y, m in marks.items() if m]
    assert first == list(range(2032, 2032 + INITIAL_PHASE_YEARS))


def test_an_initial_capacity_above_the_capacity_is_refused(tables):
    projects = tables.projects.copy()
    projects.loc["TAPI", "capacity_initial"] = 40.0
    with pytest.raises(NetworkDataError, match="capacity_initial.*TAPI: 40 above its capacity"):
        energy_links(dataclasses.replace(tables, projects=projects))


def test_contracts_above_the_capacity_are_refused(tables):
    links = tables.energy_links.copy()
    links.loc["TAPI_TKM_IND", "flow"] = 20.0
    with pytest.raises(NetworkDataError, match="energy_links.csv, field 'flow'.*TAPI"):
        energy_links(dataclasses.replace(tables, energy_links=links))
