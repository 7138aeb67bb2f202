"""Three years of full sanctions on Russia by the rest of the world, a crisis in the first.

Usage: python tools/finance_freeze_demo.py [--runs 4] [--kernel clearing] [--shock -0.5]

The setting of ``tests/test_finance_chain.py``'s
``test_the_parked_stock_never_exceeds_the_frozen_claims`` on the core (``FinanceSystem``
with the default parameters): the rest of the world's sanctions of severity 1 on Russia
in every year, Russia's GDP shock ``--shock`` in the first year and 0 otherwise, no other
GDP shock, run ``r`` drawing its own shocks from ``numpy.random.default_rng(r)``. Prints,
per year, the mean over the runs (and their range) of Russia's and the rest of the world's
parked stocks (``frozen_parked``) and in how many runs Russia's system failed; then the
rest of the world's claim on Russia and, at the end of the third year, the part of it
frozen (parked) and the part written off unpaid in default, in US$ bn. docs/finance.md,
section 4 ("A claim is frozen once") quotes it.
"""

from __future__ import annotations

import argparse

import numpy as np

from scosim.finance.shocks import sanctions_matrix
from scosim.finance.system import FinanceSystem


def _range(x: np.ndarray) -> str:
    lo, hi, mean = float(x.min()) / 1e9, float(x.max()) / 1e9, float(x.mean()) / 1e9
    return f"{lo:.3f}" if abs(hi - lo) < 5e-4 else f"{mean:.3f} ({lo:.3f}-{hi:.3f})"


def main(argv: list[str] | None = None) -> int:
    """Run the three years and print the stocks."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=4)
    ap.add_argument("--kernel", default="clearing", choices=["clearing", "debtrank"])
    ap.add_argument("--shock", type=float, default=-0.5)
    args = ap.parse_args(argv)
    fs = FinanceSystem().with_params(kernel=args.kernel)
    R, N = args.runs, fs.N
    rus, row = fs.codes.index("RUS"), fs.codes.index("ROW")
    st = fs.initial_state(R)
    gens = [np.random.default_rng(r) for r in range(R)]
    S = sanctions_matrix([("RUS", "ROW", 1.0)], fs.codes, R)
    print(f"{R} runs, kernel {args.kernel}; parked stocks, US$ bn (mean over runs, range)")
    for year in range(3):
        g = np.zeros((R, N))
        g[:, rus] = args.shock if year == 0 else 0.0
        st, ind = fs.step(st, g, S, fs.levers(R), gens)
        print(f"  year {year + 1}: Russia {_range(ind['frozen_parked'][:, rus])}, "
              f"rest of the world {_range(ind['frozen_parked'][:, row])}, "
              f"Russia failed in {int(ind['failures'][:, rus].sum())} of {R} runs")
    claim = fs.data.L[rus, row]
    frozen = st.frozen[:, rus, row]
    unpaid = st.written_off[:, rus, row]
    print(f"rest of the world's claim on Russia {claim / 1e9:.3f}: frozen {_range(frozen)}, "
          f"written off unpaid in default {_range(unpaid)}, "
          f"together {_range(frozen + unpaid)}")
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    raise SystemExit(run_command(main))
