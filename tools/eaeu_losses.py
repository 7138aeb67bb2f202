"""Realised welfare change of the EAEU members against the no-union counterfactual.

The figures of docs/hindcasts.md, "What the union costs its members in the model": the
record ``eaeu_2015.yaml`` run once per year, each on its era's tariffs
(:func:`scosim.hindcast.era_tariffs`) against :func:`scosim.hindcast.without_union`, as
``scosim hindcast`` runs it, with exits switched off (threshold -50 %) so every member
stays in. Prints, per year, each member's median ``welfare_change_pct`` over the runs
(% of income), its 5-95 % range, and Kyrgyzstan's GDP on the run's path.

Usage: python tools/eaeu_losses.py [--replications N] [--set KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

import numpy as np

from scosim.data import load_calibration
from scosim.hindcast import EAEU, era_tariffs, without_union
from scosim.hindcast.run import default_dir
from scosim.model.model import SCOModel
from scosim.scenario import load_scenario


def main(argv: list[str] | None = None) -> int:
    """Print the members' realised welfare change, year by year."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=4)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="scenario override, e.g. parameters.growth.mode=calibrated")
    args = ap.parse_args(argv)
    ov: dict[str, object] = {"replications": args.replications,
                             "parameters.council.exit_threshold": -0.5}
    ov.update(dict(a.split("=", 1) for a in args.set))
    base = load_calibration("2023", composition=False)
    print("year  " + "  ".join(f"{c:>21}" for c in EAEU) + "  KGZ GDP (US$ bn, median)")
    for y in range(2015, 2026):
        cal = without_union(dataclasses.replace(base, tariffs=era_tariffs(base, y)))
        m = SCOModel(load_scenario(default_dir() / "eaeu_2015.yaml", overrides=ov),
                     calibration=cal)
        m.run_model()
        t = m.year_index(y)
        w = np.array(m.records["welfare_change_pct"])[t]  # (R, N)
        gdp = np.array(m.records["gdp_baseline_path_usd"])[t, :, m.codes.index("KGZ")]
        cells = []
        for c in EAEU:
            v = w[:, m.codes.index(c)]
            lo, hi = np.percentile(v, [5, 95])
            cells.append(f"{c} {np.median(v):+.2f} [{lo:+.2f},{hi:+.2f}]")
        print(f"{y}  " + "  ".join(cells) + f"  {np.median(gdp) / 1e9:.1f}")
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main))
