"""Council re-fit grid with the bank's depth: the tables of docs/hindcasts.md, "The re-fit".

For every point of vote noise x trust weight x sovereignty weight x the Development Bank's
``depth``: one ``run_hindcast`` of the training records (years <= TRAIN_END, no EAEU
exits) and, beside it and not used to fit, of the held-out records other than the exits.
The depth is set on the bank records alone (``proposals.0.depth``; ``default`` keeps the
spec's), the weights and the noise on every record. Printed per point: the training
Brier of the model's probabilities on the headline items (as ``scosim.hindcast.calibrate``:
the items coded ``observed``, the sampling variance of the runs removed) with its 90 %
basic bootstrap interval over replications of that same statistic on those same items
(``brier_unbiased_interval``, 200 resamples, seed 0), the held-out Brier, and every item
some run got wrong ("item p"). Until 2026-12-07 the estimate also counted the items
outside the headline and the interval was that of ``score_table`` (the plain Brier's, on
the headline items): at 4 runs it could miss its own estimate (docs/hindcasts.md, "The
re-fit").

Usage:
  python tools/hindcast_refit.py --replications 4 --noise 0.05,0.1,0.25 \
      --trust 0.0001,0.00025,0.0005,0.001 --sovereignty 0.0001,0.00025,0.0005,0.001
  python tools/hindcast_refit.py --replications 10 --noise 0.1 --trust 0.0005 \
      --sovereignty 0.0005 --depth 0.15,0.2,0.25,0.3
  python tools/hindcast_refit.py --replications 10 --noise 0.1 --trust 0.0005 \
      --sovereignty 0.0005 --depth 0.25 --dominance 0,0.25,1,2
  (``--sovereignty same``: equal to the trust weight, the diagonal; ``--dominance``
  default: the scenarios' own.)
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from scosim.hindcast import RECORDS, TRAIN_END, run_hindcast
from scosim.hindcast.scoring import brier_unbiased, brier_unbiased_interval, headline


def run_point(replications: int, records: tuple[Any, ...], overrides: dict[str, Any],
              depth: float | None) -> pd.DataFrame:
    """The items of ``records``, the bank records with their ``depth`` set (None: as shipped)."""
    banks = tuple(r for r in records if r.series == "bank")
    rest = tuple(r for r in records if r.series != "bank")
    if depth is None or not banks:
        return run_hindcast(replications, records=records, overrides=overrides)
    df = pd.concat([run_hindcast(replications, records=rest, overrides=overrides),
                    run_hindcast(replications, records=banks,
                                 overrides={**overrides, "proposals.0.depth": depth})],
                   ignore_index=True)
    # In the records' order, as run_hindcast returns them (the bootstrap draws follow it).
    order = {r.name: k for k, r in enumerate(records)}
    return df.sort_values("record", key=lambda s: s.map(order), kind="stable").reset_index(
        drop=True)


def scored(df: pd.DataFrame) -> pd.DataFrame:
    """The items ``calibrate`` and the headline score: coded ``observed``, with a p."""
    return df[headline(df) & df["p"].notna()]


def score(df: pd.DataFrame) -> float:
    """Brier of the model's probabilities on the headline items, as ``calibrate`` reports it."""
    sub = scored(df)
    n = np.array([np.isfinite(d).sum() for d in sub["draws"]])
    return brier_unbiased(sub["p"].to_numpy(float), sub["observed"].to_numpy(float), n)


def interval(df: pd.DataFrame) -> tuple[float, float]:
    """90 % interval over replications of :func:`score` (same items, same statistic)."""
    return brier_unbiased_interval(scored(df), n_boot=200, seed=0)


def misses(df: pd.DataFrame) -> str:
    """Items some run got wrong, with their p."""
    bad = df[(df["p"] - df["observed"]).abs() > 1e-9]
    return "; ".join(f"{i} {p:.2f}" for i, p in zip(bad["item"], bad["p"], strict=True))


def values(low: float, high: float | None = None,
           keyword: str | None = None) -> Callable[[str], list[float] | None]:
    """An argparse ``type``: comma-separated numbers in ``[low, high]``, or ``keyword`` (None).

    Until 2026-12-07 a bad value (``--dominance abc``, ``--dominance -1``) ended in a
    traceback, from ``float`` or from the scenario check mid-run (an outside review,
    2026-12-07); now argparse names the flag and what it allows, exit 2, before any run.
    """
    allowed = (f"comma-separated numbers >= {low:g}" if high is None
               else f"comma-separated numbers in [{low:g}, {high:g}]")
    if keyword is not None:
        allowed += f", or '{keyword}'"

    def parse(text: str) -> list[float] | None:
        if keyword is not None and text.strip() == keyword:
            return None
        out = []
        for part in text.split(","):
            try:
                x = float(part)
            except ValueError:
                raise argparse.ArgumentTypeError(
                    f"{part.strip()!r} is not a number; allowed: {allowed}") from None
            if not math.isfinite(x) or x < low or (high is not None and x > high):
                raise argparse.ArgumentTypeError(f"{x:g} is out of range; allowed: {allowed}")
            out.append(x)
        return out

    return parse


def positive_int(text: str) -> int:
    """An argparse ``type``: a whole number >= 1."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: allowed: a whole number >= 1")
    return n


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The grid's flags, each list parsed and range-checked (the scenarios' own bounds:
    the weights and the vote noise >= 0, a depth in [0, 1])."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--replications", type=positive_int, default=4)
    ap.add_argument("--noise", type=values(0.0), default="0.1")
    ap.add_argument("--trust", type=values(0.0), default="0.0005")
    ap.add_argument("--sovereignty", type=values(0.0, keyword="same"),
                    default="same", help="values, or 'same' (= trust)")
    ap.add_argument("--depth", type=values(0.0, 1.0, keyword="default"),
                    default="default", help="values, or 'default' (the spec's)")
    ap.add_argument("--dominance", type=values(0.0, keyword="default"),
                    default="default", help="values, or 'default' (the scenarios' own)")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Print one line per grid point, best training Brier first."""
    args = parse_args(argv)

    train = tuple(r for r in RECORDS if r.kind != "exits" and r.year <= TRAIN_END)
    held = tuple(r for r in RECORDS if r.kind != "exits" and r.year > TRAIN_END)
    sovs: list[float | None] = [None] if args.sovereignty is None else list(args.sovereignty)
    depths: list[float | None] = [None] if args.depth is None else list(args.depth)
    doms: list[float | None] = [None] if args.dominance is None else list(args.dominance)
    rows = []
    for noise, trust, sov, depth, dom in itertools.product(
            args.noise, args.trust, sovs, depths, doms):
        sov = trust if sov is None else sov
        ov = {"parameters.council.vote_noise": noise, "parameters.weights.trust": trust,
              "parameters.weights.sovereignty": sov}
        if dom is not None:
            ov["parameters.weights.dominance"] = dom
        tr = run_point(args.replications, train, ov, depth)
        ho = run_point(args.replications, held, ov, depth)
        est, (lo, hi) = score(tr), interval(tr)
        # the plain score outside the resamples' 90 % range (a very skewed resampling)
        flag = "" if lo <= est <= hi else " [interval excludes the estimate]"
        rows.append((est, f"noise {noise:g} trust {trust:g} sovereignty {sov:g} depth "
                     f"{'default' if depth is None else f'{depth:g}'}"
                     + ("" if dom is None else f" dominance {dom:g}")
                     + f": train {est:.4f} ({lo:.4f}-{hi:.4f}){flag} held out {score(ho):.4f} | "
                     f"missed: {misses(tr)} | held out missed: {misses(ho)}"))
    for _, line in sorted(rows, key=lambda r: r[0]):
        print(line)
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main))
