"""How much of a route's cost insecurity at each end can raise (docs/security.md section 11).

Without the network slot filled, the security mechanism prices a pair's insecurity on the
pair's baseline least-cost route through the network tables: the shares of that route's
cost on edges touching the exporter and the importer
(:func:`scosim.security.route_pricing.route_risk_pricing`). This prints the baseline
transport cost of two pairs the docs quote (China-Mongolia, China-Rest of World, share of
cargo value at the scenario's value of time), the mean share on one end's edges over every
pair with a route, and each economy's mean share as exporter and as importer. No draws:
the network's baseline, the same in every run.

Usage::

    python tools/route_risk_shares.py                       # scenarios/afghan_instability.yaml
    python tools/route_risk_shares.py scenarios/baseline.yaml
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def end_shares(pricing: object) -> tuple[np.ndarray, np.ndarray, float]:
    """Each economy's mean cost share as exporter and as importer, and the overall mean.

    Args:
        pricing: A :class:`scosim.security.route_pricing.RouteRiskPricing`.

    Returns:
        ``(as_exporter, as_importer, overall)``: ``(N,)`` means over the economy's partners
        with a route (its own pair and pairs without a route left out), and the mean of the
        exporter's and the importer's shares over every such pair.
    """
    cost = np.asarray(pricing.transport_cost, dtype=float)
    n = cost.shape[0]
    pair = np.isfinite(cost) & ~np.eye(n, dtype=bool)
    exp = np.asarray(pricing.share_exp, dtype=float)
    imp = np.asarray(pricing.share_imp, dtype=float)
    with np.errstate(invalid="ignore"):
        as_exp = np.where(pair, exp, 0.0).sum(axis=1) / pair.sum(axis=1)
        as_imp = np.where(pair, imp, 0.0).sum(axis=0) / pair.sum(axis=0)
    overall = float((exp[pair].mean() + imp[pair].mean()) / 2) if pair.any() else float("nan")
    return as_exp, as_imp, overall


def main(argv: list[str] | None = None) -> int:
    """Print the route-cost shares of docs/security.md section 11."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario", nargs="?", default=str(SCENARIOS / "afghan_instability.yaml"),
                    help="scenario YAML (default scenarios/afghan_instability.yaml)")
    args = ap.parse_args(argv)
    from scosim.data.constants import ECONOMIES
    from scosim.model.model import SCOModel
    from scosim.scenario import load_scenario
    from scosim.security.route_pricing import route_risk_pricing

    pricing = route_risk_pricing(SCOModel(load_scenario(Path(args.scenario)), runs=[0]))
    cost = pricing.transport_cost
    chn, mng, row = (ECONOMIES.index(k) for k in ("CHN", "MNG", "ROW"))
    print(f"baseline transport cost, share of cargo value: China-Mongolia "
          f"{cost[chn, mng]:.2f}, China-Rest of World {cost[chn, row]:.2f}")
    as_exp, as_imp, overall = end_shares(pricing)
    print(f"mean share of a route's cost on one end's edges, over pairs with a route: "
          f"{100 * overall:.1f} %\n")
    print("| economy | as exporter, % | as importer, % |\n|---|---|---|")
    for k in np.argsort(-(as_exp + as_imp)):
        print(f"| {ECONOMIES[k]} | {100 * as_exp[k]:.1f} | {100 * as_imp[k]:.1f} |")
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main))
