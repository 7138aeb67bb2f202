"""Members' total of a finance indicator over years: mean, median, percentiles, without China.

Usage: python tools/finance_cost_stats.py RUN_DIR [RUN_DIR ...] [--indicator fiscal_cost_usd]
       [--start 2026] [--end 2030] [--without CHN]

For each run directory (``scosim run``'s results), sums the indicator over the SCO members
(the run's ``member`` indicator, year by year) and the years ``--start`` to ``--end`` run by
run, and prints, in US$ bn, the mean, the median and the 5th-95th percentiles over the runs,
the same for the members other than ``--without`` (China by default), the mean of that
economy alone and the number of runs in which its total is positive. The README's and
docs/finance.md's (section 9) statistics of members' fiscal cost 2026-30 come from it.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from scosim.compare_read import read_indicators


def members_totals(run_dir: str, indicator: str, start: int, end: int,
                   without: str) -> tuple[pd.Series, pd.Series]:
    """Per-run totals of ``indicator`` over members and years, all and without ``without``.

    Args:
        run_dir: A results directory.
        indicator: The indicator summed (US$).
        start: First year summed.
        end: Last year summed.
        without: Economy left out of the second total.

    Returns:
        ``(all_members, without_economy)``, each indexed by run.
    """
    df = read_indicators(run_dir, [indicator, "member"])
    df = df[(df["year"] >= start) & (df["year"] <= end)]
    wide = df.pivot_table(index=["run", "year", "country"], columns="indicator",
                          values="value", aggfunc="first")
    wide = wide[wide["member"] > 0]
    total = wide[indicator].groupby(level="run").sum()
    rest = wide[wide.index.get_level_values("country") != without]
    return total, rest[indicator].groupby(level="run").sum().reindex(total.index, fill_value=0.0)


def _stats(x: pd.Series) -> str:
    v = x.to_numpy() / 1e9
    return (f"mean {v.mean():.1f}, median {np.median(v):.1f}, "
            f"5-95 % {np.percentile(v, 5):.1f} to {np.percentile(v, 95):.1f}")


def main(argv: list[str] | None = None) -> int:
    """Print the statistics of each run directory."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dirs", nargs="+")
    ap.add_argument("--indicator", default="fiscal_cost_usd")
    ap.add_argument("--start", type=int, default=2026)
    ap.add_argument("--end", type=int, default=2030)
    ap.add_argument("--without", default="CHN")
    args = ap.parse_args(argv)
    for run_dir in args.run_dirs:
        total, rest = members_totals(run_dir, args.indicator, args.start, args.end, args.without)
        own = total - rest
        print(f"{run_dir}: {len(total)} runs, members' {args.indicator} "
              f"{args.start}-{args.end}, US$ bn")
        print(f"  all members: {_stats(total)}")
        print(f"  without {args.without}: {_stats(rest)}")
        print(f"  {args.without} alone: mean {own.mean() / 1e9:.1f}, "
              f"positive in {int((own > 0).sum())} runs")
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    raise SystemExit(run_command(main))
