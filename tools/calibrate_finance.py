"""Calibrate ``npl_sensitivity`` so that the no-event baseline has the crises of history.

Usage: python tools/calibrate_finance.py [--runs 4000] [--seed 123] [--lo 0.5] [--hi 1.5]

Target: Laeven & Valencia (2018, IMF WP/18/206): 151 systemic banking crises in
1970-2017 in the 165 countries of their database, 151 / (165 x 48) = 1.91 percent of
country-years. Model: crisis starts (a failure after a year without one) per country-year
of the 27 listed economies, 2025-2032, no events, default parameters otherwise
(``scosim.finance.calibration``; the banks' lending margin prices their shocks' expected
loss, docs/finance.md section 3). Bisection on the sensitivity, rounded to 0.005: a step
of 0.005 moves the frequency by about 0.03 points, two standard errors at 4,000 runs, so
a finer value would fit the noise of the seed (about 50 seconds). Prints the value, its
frequency, both standard errors and its neighbours on the 0.005 grid. The result is
written into ``FinanceParams`` and ``FinanceSettings`` by hand (docs/finance.md, section 6).
"""

from __future__ import annotations

import argparse
import sys

from scosim.finance.calibration import (
    CALIBRATION_RUNS,
    CALIBRATION_SEED,
    CALIBRATION_YEARS,
    LV_COUNTRIES,
    LV_CRISES,
    LV_YEARS,
    TARGET,
    baseline_crisis_frequency,
)
from scosim.finance.system import FinanceSystem

#: Resolution of the result (about two standard errors of the frequency at 1,000 runs).
STEP = 0.005


def main(argv: list[str]) -> int:
    """Solve for the sensitivity and print the calibration."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=CALIBRATION_RUNS)
    parser.add_argument("--seed", type=int, default=CALIBRATION_SEED)
    parser.add_argument("--lo", type=float, default=0.5)
    parser.add_argument("--hi", type=float, default=1.5)
    args = parser.parse_args(argv)
    fs = FinanceSystem()

    def freq(s: float) -> tuple[float, float, float]:
        return baseline_crisis_frequency(fs.with_params(npl_sensitivity=s), args.runs,
                                         seed=args.seed)

    lo, hi = args.lo, args.hi
    if not freq(lo)[0] <= TARGET <= freq(hi)[0]:
        print(f"error: --lo {lo} and --hi {hi} do not bracket the target {TARGET:.4%}",
              file=sys.stderr)
        return 2
    while hi - lo > STEP:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if freq(mid)[0] < TARGET else (lo, mid)
    near = {round(round(x / STEP) * STEP, 3) for x in (lo, hi)}
    best = min(sorted(near), key=lambda s: abs(freq(s)[0] - TARGET))
    print(f"target: {LV_CRISES} crises / ({LV_COUNTRIES} countries x {LV_YEARS} years) "
          f"= {TARGET:.4%} of country-years")
    print(f"model: crisis starts per country-year, 27 listed economies, "
          f"{CALIBRATION_YEARS[0]}-{CALIBRATION_YEARS[-1]}, {args.runs} runs, seed {args.seed}")
    for s in (round(best - STEP, 3), best, round(best + STEP, 3)):
        p, se_b, se_r = freq(s)
        mark = "  <- npl_sensitivity" if s == best else ""
        print(f"  {s:.3f}: {p:.4%} (binomial s.e. {se_b:.4%}, across runs {se_r:.4%}){mark}")
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main, sys.argv[1:]))
