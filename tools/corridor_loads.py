"""A freight corridor's load by year, run by run (docs/network.md's railway load figures).

Runs a scenario and prints, for each year from the project's first operating year, the
freight on the project's busiest edge (``project_flow_mt`` of the year's network step, Mt
a year) in each run, its median over all runs (a run whose line has failed carries 0) and
its median over the runs where the line still stands; then the year each run's line fails
(-1: it stands through the last year). The runs are the scenario's own (its seed and
replications), the same as ``scosim run`` gives.

Usage::

    python tools/corridor_loads.py scenarios/corridor_trans_afghan_low.yaml TRANS_AFGHAN_RAIL
    python tools/corridor_loads.py scenarios/corridor_cku.yaml CKU_RAIL
"""

from __future__ import annotations

import argparse
import sys

import numpy as np


def main(argv: list[str] | None = None) -> int:
    """Print the loads; 2 on a project the network tables do not hold."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", help="scenario YAML file with a corridor proposal")
    ap.add_argument("project", help="network project id (network tables' projects.csv)")
    ap.add_argument("--replications", type=int, help="override the scenario's runs")
    args = ap.parse_args(argv)

    from scosim.model.model import SCOModel
    from scosim.network.tables import load_network
    from scosim.scenario.loader import load_scenario

    projects = load_network().project_ids
    if args.project not in projects:
        print(f"corridor_loads: project {args.project!r} is not in the network tables; "
              f"projects: {', '.join(projects)}", file=sys.stderr)
        return 2
    p = projects.index(args.project)
    scenario = load_scenario(args.scenario)
    runs = args.replications or scenario.replications
    model = SCOModel(scenario, runs=range(runs))
    rows: list[tuple[int, np.ndarray]] = []
    while model.running:
        year = model.year
        model.step()
        step = getattr(model, "network_step", None)
        if step is not None:
            rows.append((year, np.asarray(step.project_flow_mt, float)[:, p]))
    fail = np.full(runs, -1, dtype=np.int64)
    for arr in model.arrangements:
        if getattr(arr, "proposal", None) is not None and \
                getattr(arr.proposal, "project", None) == args.project:
            fail = np.where(arr.fail_year >= 0, arr.fail_year, fail)
    print(f"{args.project}, {args.scenario}, seed {scenario.seed}, {runs} runs; "
          "Mt a year on the busiest edge")
    for year, flow in rows:
        if not flow.any():
            continue
        stands = (fail < 0) | (year < fail)
        print(f"{year}: runs {' '.join(f'{v:.2f}' for v in flow)}; median {np.median(flow):.2f}"
              f" ({runs} runs), {np.median(flow[stands]):.2f} ({int(stands.sum())} where it "
              "stands)")
    print("failure year by run:", " ".join(str(int(f)) for f in fail))
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main))
