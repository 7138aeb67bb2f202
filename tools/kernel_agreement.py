"""How far a run's numbers move with the CPU kernels that compute them (README, "Compared by name").

Usage::

    python tools/kernel_agreement.py [--replications 500] [--scenario scenarios/customs_union.yaml]

Runs the scenario three times as ``scosim run ... --no-plots`` in fresh processes: as the
machine is, with OpenBLAS's Haswell kernels (``OPENBLAS_CORETYPE=Haswell``), and with
numpy's AVX-512 kernels off (``NPY_DISABLE_CPU_FEATURES``; meaningful only on a CPU that
has AVX-512). For each variant it prints the share of indicator values that differ from
the first run in any bit, and per indicator the largest absolute difference over the
indicator's largest absolute value; the worst indicators are listed. Results go to a
temporary directory, removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from scosim.results import open_result

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = {
    "as the machine is": {},
    "OpenBLAS Haswell kernels": {"OPENBLAS_CORETYPE": "Haswell"},
    "numpy without AVX-512 kernels": {
        "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR"},
}


def _indicators(run_root: Path) -> pd.DataFrame:
    """The indicator table of the one run under ``run_root`` (as ``Result.indicators``)."""
    run = next(p for p in run_root.glob("*/*") if (p / "manifest.json").is_file())
    return open_result(run).indicators


def main(argv: list[str] | None = None) -> int:
    """Run the variants and print how far their indicators are from the first."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=500)
    ap.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "customs_union.yaml")
    args = ap.parse_args(argv)
    tables = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, (label, env) in enumerate(VARIANTS.items()):
            out = Path(tmp) / str(i)
            done = subprocess.run(
                [sys.executable, "-m", "scosim.cli", "run", str(args.scenario),
                 "--replications", str(args.replications), "--no-plots", "--quiet",
                 "--out", str(out)],
                env={**os.environ, **env}, capture_output=True, text=True)
            if done.returncode:
                print(f"{label}: scosim run failed:\n{done.stderr}", file=sys.stderr)
                return 1
            tables[label] = _indicators(out)
    ref_label, ref = next(iter(tables.items()))
    print(f"{args.scenario.name}, {args.replications} runs; against the run {ref_label!r}:")
    for label, df in list(tables.items())[1:]:
        same_keys = df[["run", "year", "country", "indicator"]].equals(
            ref[["run", "year", "country", "indicator"]])
        if not same_keys:
            print(f"  {label}: rows differ (not comparable value by value)")
            continue
        a, b = ref["value"].to_numpy(), df["value"].to_numpy()
        differ = ~((a == b) | (np.isnan(a) & np.isnan(b)))
        d = pd.DataFrame({"indicator": ref["indicator"].astype(str), "diff": np.abs(a - b),
                          "scale": np.abs(a)})
        g = d.groupby("indicator").agg(diff=("diff", "max"), scale=("scale", "max"))
        g["of_largest"] = g["diff"] / g["scale"].where(g["scale"] > 0)
        worst = g.sort_values("of_largest", ascending=False).head(3)
        print(f"  {label}: {differ.mean():.0%} of values differ; the largest difference is "
              f"{g['of_largest'].max():.2g} of its indicator's largest value")
        for name, r in worst.iterrows():
            print(f"    {name}: {r['diff']:.3g} (largest value {r['scale']:.3g})")
        ev = g[g.index.str.startswith("ev_")]
        if len(ev):  # the README quotes these in US$
            name = ev["diff"].idxmax()
            print(f"    equivalent variations: at most US${ev['diff'].max():.2g} ({name}); "
                  f"largest value US${ev['scale'].max() / 1e9:.0f} bn")
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main))
