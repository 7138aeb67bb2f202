"""An energy corridor's transport tariff recovers the proposal's own build cost.

Until 2026-12-06 the tariff the buyers pay the owners (network.transport_tariff) read
``projects.csv``'s build cost, construction years and cost shares whatever the proposal
said: a scenario that doubled TAPI's cost or gave its equity to other owners moved what the
hosts paid, not what the tariff repaid them. Now each proposal's tariff recovers its own
build cost (its ``build_cost_usd_bn`` or ``cost_case``) over its own construction years with
each run's O&M share, and pays its owners in the shares they pay the build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scosim.model.model import SCOModel
from scosim.network.corridor import Corridor
from scosim.network.energy import INITIAL_PHASE_YEARS, delivered_flows
from scosim.network.energy_value import MMBTU_PER_BCM
from scosim.network.finance import COST_OF_FUNDS
from scosim.network.transport_tariff import asset_life
from scosim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
#: TAPI's equity given to other owners than TAPI Pipeline Company's (85/5/5/5).
SHARES = {"TKM": 0.6, "AFG": 0.1, "PAK": 0.2, "IND": 0.1}


def _model(cost_bn: float, years: int, om: np.ndarray | None = None, **extra: Any) -> SCOModel:
    """corridor_energy.yaml with TAPI at its own terms, in force in 2026, no shocks."""
    ov: dict[str, Any] = {
        "replications": 2, "parameters.council.ratification_lag": 0,
        "parameters.growth.mode": "fixed", "parameters.growth.rate": 0.0,
        "parameters.growth.volatility_scale": 0.0, "parameters.trade.sigma_spread": 0.0,
        "parameters.network.failure_base": 0.0, "parameters.network.failure_sensitivity": 0.0,
        "proposals.0.build_cost_usd_bn": cost_bn, "proposals.0.construction_years": years,
        "proposals.0.host_shares": SHARES, **extra}
    params = None if om is None else {"parameters.network.om_share": om}
    return SCOModel(load_scenario(SCENARIOS / "corridor_energy.yaml", overrides=ov),
                    params=params)


def _tapi(m: SCOModel) -> Corridor:
    return next(a for a in m.arrangements
                if isinstance(a, Corridor) and a.proposal.project == "TAPI")


def test_the_receipts_repay_the_proposal_s_cost_and_upkeep() -> None:
    """PV at the cost of funds of the receipts over the asset's life = C + PV(m C), for a
    US$14 bn TAPI built in seven years, at two swept O&M shares; each owner's receipts are
    its share of the build."""
    om = np.array([0.01, 0.03])
    m = _model(14.0, 7, om)
    arr = _tapi(m)
    links = arr.net.net.links
    t = arr.net.net.tables
    p = t.project_ids.index("TAPI")
    mine = links.project == p
    act = np.zeros((1, len(t.project_ids)), bool)
    act[0, p] = True
    first = delivered_flows(links, act, initial_phase=act)[0] * MMBTU_PER_BCM
    full = delivered_flows(links, act)[0] * MMBTU_PER_BCM
    life = asset_life(t, "gas")
    assert arr.cost_usd == 14.0e9 and arr.years_to_build == 7
    for r, share in enumerate(om):
        per_unit = arr.tariffs[r]  # (L, N) each owner's part of each unit
        pv, owners = 0.0, np.zeros(m.N)
        for k in range(1, life + 1):
            units = first if k <= INITIAL_PHASE_YEARS else full
            d = (1.0 + COST_OF_FUNDS) ** -(7 + k)
            owners += d * (units[mine, None] * per_unit[mine]).sum(axis=0)
            pv += d * float((units[mine, None] * per_unit[mine]).sum())
        upkeep = share * 14.0e9 * sum((1.0 + COST_OF_FUNDS) ** -(7 + k)
                                      for k in range(1, life + 1))
        assert pv == pytest.approx(14.0e9 + upkeep, rel=1e-12)
        for code, s in SHARES.items():
            assert owners[m.codes.index(code)] == pytest.approx(s * pv, rel=1e-12), code
        np.testing.assert_array_equal(np.delete(owners, [m.codes.index(c) for c in SHARES]),
                                      0.0)
        # Nothing on the links of other projects (CASA-1000's are its own proposal's).
        np.testing.assert_array_equal(per_unit[~mine], 0.0)


def test_the_run_pays_the_owners_on_the_proposal_s_cost() -> None:
    """TAPI built in one year, operating from 2027 at its first phase: at a build cost of
    US$14 bn against 10, Turkmenistan's recorded energy value in 2027 rises by its 60 % of
    the extra tariff on every unit delivered, and the tariff is linear in the cost (the
    identity above), so the extra is ``(1 - 10 / 14)`` of the tariff at 14."""
    runs = {c: _model(c, 1) for c in (10.0, 14.0)}
    for m in runs.values():
        while m.year <= 2027:
            m.step()
    value = {c: np.asarray(m.records["energy_value_usd"][-1], float) for c, m in runs.items()}
    m = runs[14.0]
    arr = _tapi(m)
    links, t = arr.net.net.links, arr.net.net.tables
    p = t.project_ids.index("TAPI")
    act = np.zeros((1, len(t.project_ids)), bool)
    act[0, p] = True
    units = delivered_flows(links, act, initial_phase=act)[0] * MMBTU_PER_BCM
    mine = links.project == p
    tariff = arr.tariffs[0][mine].sum(axis=1)  # the importer's tariff per unit, each link
    np.testing.assert_allclose(tariff, tariff[0], rtol=1e-15)  # one postage stamp
    receipts = float(tariff[0] * units[mine].sum())
    tkm, ind = m.codes.index("TKM"), m.codes.index("IND")
    extra = (1.0 - 10.0 / 14.0) * receipts
    np.testing.assert_allclose(value[14.0][:, tkm] - value[10.0][:, tkm], 0.6 * extra,
                               rtol=1e-9)
    # India pays the extra tariff on its own units and gets back its 10 % of all of it.
    own = float(units[mine & (links.importer == ind)].sum())
    np.testing.assert_allclose(value[14.0][:, ind] - value[10.0][:, ind],
                               0.1 * extra - (1.0 - 10.0 / 14.0) * tariff[0] * own, rtol=1e-9)
