"""Fitting the yearly hazard of applying for membership on the hindcast's training years.

The application type (:mod:`scosim.proposals.application`) says whether a state *would*
apply; whether it applies in a given year is a discrete-time hazard h (Beck, Katz and
Tucker 1998, "Taking time seriously", AJPS 42(4)): in a year in which it would, it
applies with probability h. h is fitted here on the training years only (<= TRAIN_END):

* run the application records with ``parameters.application.hazard: 1``, so each
  item's p is q, the share of its runs in which the state would apply;
* h = sum(q * y) / sum(q) over the training items (y = 1 where the state applied): the
  share of the training observer-years with a positive application score in which the
  state applied (with q 0 or 1, as on the shipped record, also the maximum-likelihood
  estimate of P(apply) = h q);
* its 90 % Clopper-Pearson interval, ``k = sum(q y)`` applications in ``n = sum(q)``
  observer-years (binomial: it treats the observer-years as independent, which a
  state's years are not, so it is if anything too narrow);
* the check: the h minimising the training Brier score of ``h q`` against y,
  ``sum(q y) / sum(q^2)``, equal to the share where q is 0 or 1.

``python -m scosim.hindcast.hazard --replications 10`` prints the fit; the shipped
default is :data:`scosim.scenario.blocks.APPLICATION_HAZARD` (docs/hindcasts.md, "The
application decision").
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from scosim.hindcast.records import TRAIN_END, records_of

__all__ = ["HazardFit", "fit_hazard", "main"]

#: Coverage of the interval stated with h (the hindcast's intervals are 90 % too).
LEVEL = 0.90


@dataclass(frozen=True)
class HazardFit:
    """The fitted hazard and what it rests on.

    Attributes:
        hazard: sum(q y) / sum(q) over the training application items.
        applications: k = sum(q y), the applications in years the state would apply.
        years: n = sum(q), the observer-years in which it would apply.
        low: Lower end of the 90 % Clopper-Pearson interval.
        high: Upper end of it.
        brier_min: The h minimising the training Brier score of ``h q``.
    """

    hazard: float
    applications: float
    years: float
    low: float
    high: float
    brier_min: float


def fit_hazard(df: pd.DataFrame, level: float = LEVEL) -> HazardFit:
    """Fit h on the training application items of a hindcast run with hazard 1.

    Args:
        df: Items as :func:`scosim.hindcast.run.run_hindcast` returns them (columns
            ``kind``, ``year``, ``observed``, ``p``; ``coding`` if present), run with
            ``parameters.application.hazard: 1`` so that p is the share of runs in which
            the state would apply.
        level: Coverage of the Clopper-Pearson interval.

    Returns:
        The fit (:class:`HazardFit`).

    Raises:
        ValueError: No training application item has a positive p (nothing to fit on).
    """
    from scipy.stats import beta

    sub = df[(df["kind"] == "application") & (df["year"] <= TRAIN_END) & df["p"].notna()]
    if "coding" in sub:
        sub = sub[sub["coding"] == "observed"]
    q = sub["p"].to_numpy(float)
    y = sub["observed"].to_numpy(float)
    n, k = float(q.sum()), float((q * y).sum())
    if n <= 0:
        raise ValueError("no training application item in which the state would apply "
                         "(every p is 0): the hazard cannot be fitted")
    a = (1.0 - level) / 2.0
    low = 0.0 if k == 0 else float(beta.ppf(a, k, n - k + 1))
    high = 1.0 if k == n else float(beta.ppf(1.0 - a, k + 1, n - k))
    return HazardFit(hazard=k / n, applications=k, years=n, low=low, high=high,
                     brier_min=k / float((q * q).sum()))


def main(argv: list[str] | None = None) -> int:
    """Run the application records at hazard 1 and print the fitted h."""
    from scosim.hindcast.run import run_hindcast

    ap = argparse.ArgumentParser(prog="python -m scosim.hindcast.hazard",
                                 description="fit the yearly hazard of applying on the "
                                             "hindcast's training years")
    ap.add_argument("--replications", type=int, default=10)
    ap.add_argument("--dir", default=None, help="hindcast scenarios (default: the shipped)")
    args = ap.parse_args(argv)
    if args.replications < 1:
        print(f"error: --replications must be >= 1, got {args.replications}", file=sys.stderr)
        return 2
    df = run_hindcast(args.replications, Path(args.dir) if args.dir else None,
                      records=records_of("application"),
                      overrides={"parameters.application.hazard": 1.0})
    fit = fit_hazard(df)
    train = df[(df["year"] <= TRAIN_END)]
    would = train[train["p"] > 0]
    print(f"training observer-years (<= {TRAIN_END}): {len(train)}; in which the state would "
          f"apply in some run: {len(would)} (q = share of its {args.replications} runs)")
    for stem, g in would.groupby("series", sort=False):
        print(f"  {stem}: {g['year'].min()}-{g['year'].max()}, q "
              f"{np.round(g['p'].to_numpy(), 2).tolist()}, applied in "
              f"{g.loc[g['observed'] == 1, 'year'].tolist()}")
    print(f"h = sum(q y) / sum(q) = {fit.applications:g} / {fit.years:g} = {fit.hazard:.4f}; "
          f"{LEVEL:.0%} Clopper-Pearson interval {fit.low:.3f}-{fit.high:.3f}; "
          f"h minimising the training Brier score of h q: {fit.brier_min:.4f}")
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    raise SystemExit(run_command(main))
