"""What ``scosim compare`` shows when no ``--indicator`` is given, and with which units.

Moved out of :mod:`scosim.api` (which re-exports it) so that module stays a readable
size: the default indicators of a comparison report, the fallback units, and the units
the runs' plug-ins declare in their manifests.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from scosim.results import resolve_run

if TYPE_CHECKING:
    from scosim.compare import Comparison

__all__ = ["REPORT_INDICATORS", "UNITS", "report_indicators"]

#: Indicators in the report when none are named.
REPORT_INDICATORS: tuple[str, ...] = (
    "welfare_change_pct",
    "real_gdp_change_pct",
    "terms_of_trade_change_pct",
    # Explained results (docs/customs_union.md): the welfare change's terms and US$ EV.
    "welfare_tariff_revenue_pct",
    "welfare_terms_of_trade_pct",
    "welfare_rest_pct",
    "ev_usd",
)

#: Units of indicators whose declaration does not give one (the model declares units
#: where it defines indicators: ``indicators = {name: unit}`` of each proposal type and
#: mechanism, read by :func:`scosim.indicator_display.resolve_units`). A fallback only:
#: these record none, or only a pointer to the docs (docs/model.md, docs/network.md).
UNITS = {
    "member": "share of runs",
    "trust_received": "index 0-1, mean trust of the other economies",
    "gas_import_dependence": "fraction of gas consumption imported",
    "gas_supplier_hhi": "index 0-1 (Herfindahl-Hirschman, import shares)",
    "gas_pipeline_imports_bcm": "bcm a year",
    "power_imports_twh": "TWh a year",
}


def report_indicators(comp: Comparison, runs: Sequence[str | Path]) -> list[str]:
    """What ``scosim compare`` reports when no ``--indicator`` is given.

    :data:`REPORT_INDICATORS`, then what the runs' mechanisms and proposal types name for
    a comparison (:func:`scosim.mechanism_answer.run_compared_indicators`: the security
    mechanism's incidents, seizures and spending, the finance mechanism's failures and
    fiscal cost, a corridor's payments and deliveries), where both runs record it and some
    paired run changed: a finance crisis compared with the same crisis under a banking
    union is about the failures, not only the trade figures. Then a union's bloc totals
    (the members', outsiders' and world EV, :data:`scosim.bloc_answer.BLOC_TOTALS`) when
    some paired run had a customs union or free-trade area: what the run's answer states.
    """
    import numpy as np

    from scosim.bloc_answer import BLOC_TOTALS
    from scosim.compare import no_change
    from scosim.mechanism_answer import run_compared_indicators

    named: list[str] = []
    for run_dir in runs:
        named += run_compared_indicators(run_dir)
    s = comp.summary
    moved = set(s.loc[~np.asarray(no_change(s)) & (s["n_runs"] > 0).to_numpy(), "indicator"]
                .astype(str))
    # The members' total is NaN without a bloc: paired and changed, some run had one.
    if BLOC_TOTALS[0] in moved:
        named += BLOC_TOTALS
    extra = [i for i in dict.fromkeys(named) if i in moved and i not in REPORT_INDICATORS]
    return [*REPORT_INDICATORS, *extra]


def _declared_units(runs: Sequence[str | Path | None], out: str | Path,
                    scenario_files: Sequence[str] = ()) -> dict[str, str]:
    """Indicators, with units, that the proposal types and mechanisms of runs declare.

    A finished run's manifest records them (:func:`scosim.plugin_manifest.read_declarations`),
    so a plug-in named by dotted path is known without its code (a run from another
    machine). Loading ``scenario_files`` registers the plug-ins they name.

    Args:
        runs: Run ids or directories (None and runs that cannot be found are skipped:
            they are reported where the run is resolved).
        out: Results root the run ids are in.
        scenario_files: Scenario files whose plug-ins to register (their indicators
            are then the registry's, not returned here).
    """
    from scosim.plugin_manifest import read_declarations
    from scosim.scenario import load_scenario
    from scosim.scenario.errors import ScenarioError

    for f in scenario_files:
        with contextlib.suppress(ScenarioError):  # reported when the file is run
            load_scenario(f)
    units: dict[str, str] = {}
    for ref in runs:
        if ref is None:
            continue
        try:
            run_dir = Path(ref) if Path(ref).is_dir() else resolve_run(str(ref), out)
        except FileNotFoundError:
            continue
        for section in read_declarations(run_dir).values():
            for rec in section.values():
                units.update(rec["indicators"])
    return units
