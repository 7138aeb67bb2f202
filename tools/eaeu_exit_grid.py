"""Exit-threshold grid of the EAEU record: the scores of docs/hindcasts.md's fitting table.

For each exit threshold and ``defection_years`` k, one ``run_hindcast`` of the exits record:
the Brier score ``scosim.hindcast.calibrate`` returns (the model's probabilities, by sample),
the plain Brier of the shares and the log-loss, and every item some run left in
("member:year runs-left/runs-scored").

Usage: python tools/eaeu_exit_grid.py --replications 10 --thresholds 0,-0.005,-0.01 --k 2,3,4,5
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from scosim.hindcast import records_of, run_hindcast
from scosim.hindcast.scoring import brier, brier_unbiased, log_loss


def main(argv: list[str] | None = None) -> int:
    """Print one line per grid point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=10)
    ap.add_argument("--thresholds", default="0,-0.005,-0.0075,-0.01")
    ap.add_argument("--k", default="2,3,4,5")
    args = ap.parse_args(argv)
    for th in (float(x) for x in args.thresholds.split(",")):
        for k in (int(x) for x in args.k.split(",")):
            df = run_hindcast(args.replications, records=records_of("exits"), overrides={
                "parameters.council.exit_threshold": th, "parameters.council.defection_years": k})
            out = []
            for s in ("train", "held_out"):
                sub = df[(df["sample"] == s) & df["p"].notna()]
                if sub.empty:  # every union ended before the held-out years
                    out.append(f"{s} n/a")
                    continue
                p, y = sub["p"].to_numpy(float), sub["observed"].to_numpy(float)
                n = np.array([np.isfinite(d).sum() for d in sub["draws"]])
                out.append(f"{s} {brier_unbiased(p, y, n):.4f} (plain {brier(p, y):.4f}, "
                           f"log-loss {log_loss(p, y):.3f}, {len(sub)} items)")
            left = "; ".join(
                f"{r.item.split(':', 1)[1]} {int(np.nansum(r.draws))}/"
                f"{int(np.isfinite(r.draws).sum())}" for r in df[df["p"] > 0].itertuples())
            print(f"threshold {th} k {k}: {' | '.join(out)} | exits: {left or 'none'}", flush=True)
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main))
