"""India's bilateral cost and trade changes in a corridor scenario (the docs/network.md figures).

Usage::

    python -m scosim.network.report scenarios/corridor_instc.yaml [--proposer IND]

Runs the scenario in this process (all its replications, its seed, to its last year) and,
for the last year, prints for each partner the change of the iceberg trade cost the network
gives (``t_hat - 1``, both directions) and of the proposer's exports and imports against the
same year's policy without the network's cost changes: median over runs, with the smallest and
largest run. The figures quoted in docs/network.md come from this command. With ``--edges``
it prints instead the TEU a year on each edge of the scenario's freight corridors
(:mod:`scosim.network.edge_teu`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from scosim.data.constants import ECONOMIES
from scosim.model.slots import holds

#: Partners reported by default: Iran, Russia, Afghanistan, the five Central Asian states.
PARTNERS: tuple[str, ...] = ("IRN", "RUS", "AZE", "AFG", "KAZ", "KGZ", "TJK", "TKM", "UZB")
CENTRAL_ASIA: tuple[str, ...] = ("KAZ", "KGZ", "TJK", "TKM", "UZB")


def bilateral_report(model, proposer: str = "IND",
                     partners: Sequence[str] = PARTNERS) -> pd.DataFrame:
    """Cost and trade changes (percent) of ``proposer`` with each partner, last year of a run.

    Args:
        model: A stepped model with the ``network`` slot filled (``run_model``).
        proposer: Economy whose bilateral changes are reported.
        partners: Partner codes; the Central Asian total is added as ``CA5``.

    Returns:
        One row per partner and statistic (``median``, ``min``, ``max`` over runs), columns
        ``cost_out_pct, cost_in_pct, exports_pct, imports_pct``.
    """
    from scosim.model.policy import build_policy

    i = ECONOMIES.index(proposer)
    t_hat = np.asarray(model.network_step.t_hat)
    with_ = np.asarray(model.ge.flows)
    # The same tariffs and elasticity as the year's own solve (a union still adjusting).
    without = np.asarray(model.solve_policy(build_policy(model), tariffs=model.tariffs_solved,
                                            sigma=model.sigma_solved).flows)
    groups = {c: [ECONOMIES.index(c)] for c in partners}
    groups["CA5"] = [ECONOMIES.index(c) for c in CENTRAL_ASIA]
    rows = []
    for name, idx in groups.items():
        w_out = with_[:, i, idx].sum(axis=1) / without[:, i, idx].sum(axis=1) - 1
        w_in = with_[:, idx, i].sum(axis=1) / without[:, idx, i].sum(axis=1) - 1
        base_out = without[:, i, idx]
        base_in = without[:, idx, i]
        # Costs of a group: trade-weighted mean of t_hat - 1 (one partner: its own).
        c_out = (base_out * (t_hat[:, i, idx] - 1)).sum(axis=1) / base_out.sum(axis=1)
        c_in = (base_in * (t_hat[:, idx, i] - 1)).sum(axis=1) / base_in.sum(axis=1)
        values = {"cost_out_pct": c_out, "cost_in_pct": c_in, "exports_pct": w_out,
                  "imports_pct": w_in}
        for stat, fn in (("median", np.median), ("min", np.min), ("max", np.max)):
            rows.append({"partner": name, "stat": stat,
                         **{k: 100.0 * float(fn(v)) for k, v in values.items()}})
    return pd.DataFrame(rows).set_index(["partner", "stat"])


def main(argv: list[str]) -> int:
    """Run a scenario and print the proposer's bilateral changes in its last year."""
    from scosim.runner import run_model
    from scosim.scenario import parse_overrides
    from scosim.scenario.loader import load_scenario

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--proposer", default="IND")
    parser.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                        help="override a scenario value, as in `scosim run --set`")
    parser.add_argument("--seed", type=int, help="the scenario's seed, as in `scosim run`")
    parser.add_argument("--replications", type=int,
                        help="the scenario's replications, as in `scosim run`")
    parser.add_argument("--edges", action="store_true",
                        help="instead, TEU a year on each edge of the scenario's freight "
                             "corridors (scosim.network.edge_teu)")
    parser.add_argument("--year", type=int,
                        help="with --edges, the year to report (default: the scenario's "
                             "last), as the answer's break-even line names it")
    from scosim.scenario import ScenarioError

    args = parser.parse_args(argv)
    # User errors end in one "error:" line and exit 2, as in `scosim`, not a traceback.
    if args.proposer not in ECONOMIES[:-1]:
        parser.error(f"--proposer {args.proposer!r} is not an economy code; allowed: "
                     f"{', '.join(ECONOMIES[:-1])}")
    try:
        sets = list(args.set) + [f"{k}={v}" for k, v in (("seed", args.seed), (
            "replications", args.replications)) if v is not None]
        scenario = load_scenario(args.scenario, overrides=parse_overrides(sets) or None)
    except (ScenarioError, ValueError, OSError) as exc:
        parser.error(str(exc))
    if not holds(scenario.parameters.mechanisms, "network", "corridor_network"):
        parser.error(f"{args.scenario}: the network slot does not hold corridor_network; "
                     "the report needs parameters.mechanisms.network (corridor_network), "
                     "as in the scenarios/corridor_*.yaml files")
    years = range(scenario.years.start, scenario.years.end + 1)
    if args.year is not None and (not args.edges or args.year not in years):
        parser.error(f"--year {args.year}: " + (
            "only with --edges" if not args.edges else
            f"{args.scenario}'s years are {years[0]}-{years[-1]}; allowed: one of them"))
    if args.edges:
        from scosim.model.model import SCOModel
        from scosim.network.edge_teu import edge_lines

        model = SCOModel(scenario)
        stop = years[-1] if args.year is None else args.year
        while model.running and model.year <= stop:  # the step's state is its last year's
            model.step()
        print("\n".join(edge_lines(model, stop)))
        return 0
    model = run_model(scenario)
    table = bilateral_report(model, args.proposer)
    print(f"{scenario.name}: seed {scenario.seed}, {model.R} runs, year {model.years[-1]}"
          f"; {args.proposer}'s changes (percent) against the same year without the network")
    print(table.round(2).to_string())
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main, sys.argv[1:]))
