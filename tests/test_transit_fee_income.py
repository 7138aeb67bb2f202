"""Transit fees are income of the economies that collect them, in the realised welfare.

The GE prices a fee as part of the trade cost, which uses up resources; the host collects
it, as an importer collects its tariffs (income in the GE's welfare). So the realised
welfare adds each economy's fee revenue over its expenditure, as the corridor preview does.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.data.constants import ECONOMIES
from scosim.runner import run_model
from scosim.scenario.loader import load_scenario

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
IRN = ECONOMIES.index("IRN")


def _instc(fee: float):
    sc = load_scenario(SCEN / "corridor_instc.yaml",
                       {"years.end": 2034, "proposals[0].transit_fee_usd_per_teu": fee})
    return run_model(sc, runs=[0, 1])


@pytest.fixture(scope="module")
def runs():
    return {fee: _instc(fee) for fee in (0.0, 2000.0)}


def _rec(model, name: str) -> np.ndarray:
    return np.stack(model.records[name], axis=1)  # (R, T, N)


def test_realised_welfare_counts_the_fee_revenue_as_income(runs) -> None:
    m = runs[2000.0]
    fees = _rec(m, "transit_fee_revenue_usd")
    w = _rec(m, "welfare_change_pct") / 100.0 + 1.0
    assert (fees[:, -1, IRN] > 1e8).all()  # the INSTC operates: Iran collects
    # The GE's own welfare is what its three terms add up to (docs/customs_union.md); the
    # realised welfare is that times one plus the fee revenue over the GE's expenditure E'
    # (real expenditure (E' + fees) / P'). The moving baseline puts E' in the year's US$.
    ge = 1.0 + sum(_rec(m, f"welfare_{t}_pct") for t in ("tariff_revenue", "terms_of_trade",
                                                        "rest")) / 100.0
    assert m.scenario.parameters.trade.moving_baseline
    share = fees[:, -1] / np.asarray(m.ge.expenditure)  # the last year's solve
    assert (share[:, IRN] > 1e-4).all()
    np.testing.assert_allclose(w[:, -1], ge[:, -1] * (1.0 + share), rtol=0, atol=1e-12)
    # Where no fee is collected, the realised welfare is the GE's in every year.
    none = fees == 0
    np.testing.assert_allclose(w[none], ge[none], rtol=0, atol=1e-12)
    # with no fee, nobody collects and the realised welfare is the GE's
    assert (_rec(runs[0.0], "transit_fee_revenue_usd") == 0).all()


def test_a_higher_fee_raises_the_collecting_hosts_welfare(runs) -> None:
    # At US$2,000 a TEU Iran collects about 0.2 % of its GDP a year, well above the trade
    # it loses to the dearer route; before the fee was income its welfare fell with it.
    lo = _rec(runs[0.0], "welfare_change_pct")[:, -1, IRN]
    hi = _rec(runs[2000.0], "welfare_change_pct")[:, -1, IRN]
    fee_pct = (_rec(runs[2000.0], "transit_fee_revenue_usd")
               / _rec(runs[2000.0], "gdp_baseline_path_usd"))[:, -1, IRN] * 100.0
    assert (hi > lo).all()
    # ... by the fee revenue less what the dearer route costs it in the GE (under a fifth)
    assert ((hi - lo) < fee_pct).all() and ((hi - lo) > 0.8 * fee_pct).all()
