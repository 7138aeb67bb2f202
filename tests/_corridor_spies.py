"""The INSTC run with nothing random, and a spy on its corridor's vote preview.

Shared by tests/test_corridor_annual_cost.py, tests/test_corridor_upkeep.py and
tests/test_corridor_phased_preview.py (another scenario run the same way), which
compare what the vote's preview expects of the corridor's cost with what the run charges.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from scosim.model.gdp_shares import expenditure_usd
from scosim.model.model import SCOModel
from scosim.network.corridor import Corridor
from scosim.proposals.base import Preview
from scosim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
NET, WELFARE = "corridor_net_welfare_pct", "welfare_change_pct"


def deterministic_instc(overrides: dict[str, Any],
                        scenario: str = "corridor_instc.yaml") -> SCOModel:
    """corridor_instc.yaml voted and in force in 2026, no growth shock, no failure.

    Args:
        overrides: Further ``--set`` style overrides (replications, growth rate, ...);
            they win over the ones that take the randomness out.
        scenario: Another corridor scenario of ``scenarios/`` to run the same way.
    """
    ov: dict[str, Any] = {
        "replications": 2, "parameters.council.ratification_lag": 0,
        "parameters.growth.mode": "fixed", "parameters.growth.rate": 0.0,
        "parameters.growth.volatility_scale": 0.0, "parameters.trade.sigma_spread": 0.0,
        "parameters.network.failure_base": 0.0, "parameters.network.failure_sensitivity": 0.0,
        # The vote's preview holds its year's trade; with each year's solved trade on the
        # corridor (the default since 2026-12-06) an operating year's loads include the trade
        # the corridor itself created, so its congestion, and the identities below hold only
        # to about 1e-5. Loads that follow the trade are tested in test_network_loads.py.
        "parameters.network.loads": "base_year",
        # Trade at its long-run response from the first year: otherwise the 2025 agreements'
        # baseline adjusts until 2033 (model.dated_agreements) and moves the economy the
        # summit saw under the identities checked with this run.
        "parameters.trade.short_run_share": 1.0,
        **overrides}
    return SCOModel(load_scenario(SCENARIOS / scenario, overrides=ov))


def run_with_preview_spy(
        m: SCOModel, last: int,
) -> tuple[Corridor, list[tuple[int, Preview]], dict[int, tuple[np.ndarray, ...]]]:
    """Step ``m`` through ``last``, keeping every preview its corridor's vote asked for.

    Returns:
        The corridor; (model year, preview) of each preview, in order; and by year the
        welfare and corridor net as fractions and the expenditure E' in US$, (runs, N).
    """
    arr = next(a for a in m.arrangements if isinstance(a, Corridor))
    seen: list[tuple[int, Preview]] = []
    preview = arr.preview

    def spy(*args: Any, **kwargs: Any) -> Preview:
        pv = preview(*args, **kwargs)
        seen.append((m.year, pv))
        return pv

    arr.preview = spy  # type: ignore[method-assign]
    out = {}
    while m.year <= last:
        year = m.year
        m.step()
        out[year] = (np.asarray(m.records[WELFARE][-1], float) / 100.0,
                     np.asarray(m.records[NET][-1], float) / 100.0,
                     expenditure_usd(m, m.ge))
    return arr, seen, out
