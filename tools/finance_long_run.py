"""The no-event baseline over 35 years: crisis starts by decade and the capital ratio.

Usage: python tools/finance_long_run.py [--runs 1000] [--seed 123]

Runs the stand-alone ensemble without events, 2025-2060, default parameters, and prints the
share of the listed economies' country-years in which a crisis starts (the calibration's
count, :func:`scosim.finance.calibration.crisis_starts`) by decade, in 2025 and 2030, and
the listed economies' mean capital ratio (of assets). docs/finance.md (section 6, "The
drift, and the risk-based margin that removes it") quotes it.
"""

from __future__ import annotations

import argparse

import numpy as np

from scosim.finance.calibration import crisis_starts
from scosim.finance.ensemble import simulate
from scosim.finance.system import FinanceSystem

YEARS = list(range(2025, 2061))
SPANS = ((2025, 2034), (2035, 2044), (2045, 2054), (2055, 2060))


def main() -> None:
    """Print the rates and the capital ratio."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=123)
    a = ap.parse_args()
    fs = FinanceSystem()
    out = simulate(fs, YEARS, a.runs, seed=a.seed)
    listed = np.array([c != "ROW" for c in fs.codes])
    starts = crisis_starts(out["failures"])[:, :, listed]
    print(f"no-event baseline, {a.runs} runs, seed {a.seed}: crisis starts, % of the listed "
          "economies' country-years")
    for first, last in SPANS:
        i, j = YEARS.index(first), YEARS.index(last) + 1
        print(f"  {first}-{last}: {100 * starts[:, i:j].mean():.2f}")
    for y in (2025, 2030):
        print(f"  {y}: {100 * starts[:, YEARS.index(y)].mean():.2f}")
    ratio = 100 * out["capital_ratio"][:, :, listed].mean(axis=(0, 2))
    later = ratio[YEARS.index(2030):]
    print(f"mean capital ratio, %: 2025 {ratio[0]:.1f}; 2030-2060 {later.min():.1f} to "
          f"{later.max():.1f}")


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    raise SystemExit(run_command(main))
