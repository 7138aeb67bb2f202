"""How close a debtor's external assets come to what it has parked (docs/finance.md, section 4).

Usage: python tools/finance_parked_bound.py [--runs 40] [--staged-end 2035]

``contagion.unfrozen_network`` takes the claims parked in earlier years out of the year's
network, so a debtor's external assets become ``e - out_of + into``; a negative value is
refused. This prints, first, the bound the tables give, ``(1 - lgd) e0 - K0 - l_out -
contributions`` at the largest contribution a scenario may set (500 bp), as a share of
``e0``, and the ``lgd`` above which it is lost; then, for each shipped finance scenario
(``--runs`` runs, its own years) and for two staged cases (full sanctions by the Rest of
World on Russia, and on every other economy, in every year from 2026 to ``--staged-end``,
with ``finance_crisis.yaml``'s 2026 shock), the largest ``out_of - into - e`` over runs and
years, in US$ bn, and its economy: negative means the debtor's assets never came near.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

import scosim.finance.system as system
from scosim.finance.contagion import Network, unfrozen_network
from scosim.finance.system import FinanceSystem
from scosim.runner import run_model
from scosim.scenario.loader import load_scenario

SCENARIOS = ("finance_crisis", "finance_crisis_union", "finance_crisis_settlement")


def _largest_gap(path: str, overrides: dict[str, Any]) -> tuple[float, str]:
    """The largest ``out_of - into - e`` of a scenario's runs and years, and its economy."""
    worst: list[np.ndarray] = []

    def recording(L: np.ndarray, haircut: np.ndarray, parked: np.ndarray, e: np.ndarray,
                  c_in: np.ndarray, l_out: np.ndarray, **kw: Any) -> Network:
        worst.append((parked.sum(axis=2) - parked.sum(axis=1) - e).max(axis=0))
        return unfrozen_network(L, haircut, parked, e, c_in, l_out, **kw)

    system.unfrozen_network = recording  # this process only
    try:
        model = run_model(load_scenario(path, overrides=overrides))
    finally:
        system.unfrozen_network = unfrozen_network
    gap = np.max(worst, axis=0)
    k = int(np.argmax(gap))
    return float(gap[k]), model.codes[k]


def main(argv: list[str] | None = None) -> int:
    """Print the tables' bound and the largest gap of each scenario."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--staged-end", type=int, default=2035)
    args = ap.parse_args(argv)
    fs = FinanceSystem()
    d, lgd = fs.data, fs.params.lgd
    c = 500 * 1e-4 * d.insured
    share = ((1 - lgd) * d.external_assets - d.capital - d.interbank_liabilities - c) \
        / d.external_assets
    lgd_max = 1 - (d.capital + d.interbank_liabilities + c) / d.external_assets
    k, j = int(np.argmin(share)), int(np.argmin(lgd_max))
    print(f"bound (1 - lgd) e0 - K0 - l_out - contributions (500 bp) at lgd {lgd}: at least "
          f"{share[k]:.3f} of e0 ({d.codes[k]}); lost above lgd {lgd_max[j]:.3f} ({d.codes[j]})")
    cases: list[tuple[str, str, dict[str, Any]]] = [
        (name, f"scenarios/{name}.yaml", {"replications": args.runs}) for name in SCENARIOS]
    years = range(2026, args.staged_end + 1)
    shock = {"type": "gdp_shock", "year": 2026, "countries": ["RUS"], "size": -0.34}
    for label, targets in (("Russia", ["RUS"]),
                           ("every economy", [c for c in d.codes if c != "ROW"])):
        events = [shock] + [{"type": "sanctions", "year": y, "target": t, "by": "ROW",
                             "trade_cost": 0.0, "severity": 1.0}
                            for y in years for t in targets]
        cases.append((f"sanctions of severity 1 on {label}, 2026-{args.staged_end}",
                      "scenarios/finance_crisis.yaml",
                      {"replications": args.runs, "events": events,
                       "years": {"start": 2025, "end": args.staged_end}}))
    print(f"largest out_of - into - e over {args.runs} runs and the years run, US$ bn:")
    for label, path, over in cases:
        gap, code = _largest_gap(path, over)
        print(f"  {label}: {gap / 1e9:.3f} ({code})")
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    raise SystemExit(run_command(main))
