"""Backtest the model's NPL response to a fall of US$ GDP on the devaluations of 2014-2016.

Usage: python tools/finance_backtest.py [--raw DIR] [--gdp-beta B]

DIR defaults to $SCOSIM_RAW_DIR or ../shared/data/raw next to the repository (the WDI
files NY.GDP.MKTP.CD and FB.AST.NPER.ZS). For Russia, Kazakhstan and Belarus, from the
last year before the fall of their US$ GDP, it prints the log change of US$ GDP, the NPL
ratio the model's equation gives on it (docs/finance.md, sections 3 and 8; the default
parameters, or ``--gdp-beta``) and the recorded one, the ratio of the model's first-year
rise to the recorded one, the ``gdp_beta`` that would reproduce the recorded first-year
rise, the ratio of the largest rises over the years shown, and the least-squares
``gdp_beta`` over all the episodes' recorded years, and without Kazakhstan (whose NPL ratio
fell). A missing raw file exits 2 with one line naming it.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import replace
from pathlib import Path

from scosim.data.cli import default_raw_dir
from scosim.data.raw import RawDataError
from scosim.finance.backtest import EPISODES, backtest, fit_gdp_beta, npl_path, reproducing_beta
from scosim.finance.build import _read_wdi
from scosim.finance.system import FinanceParams

#: The shipped crisis's event (scenarios/finance_crisis.yaml): US$ GDP -34 percent.
SCENARIO_SHOCK = math.log(1.0 - 0.34)


def _pct(x: float) -> str:
    return "   n/a" if math.isnan(x) else f"{100.0 * x:6.2f}"


def main(argv: list[str]) -> int:
    """Print the backtest."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", default=None, help="raw data directory")
    ap.add_argument("--gdp-beta", type=float, default=None,
                    help="asset shock per unit of US$ GDP shock (default: the model's)")
    args = ap.parse_args(argv)
    raw = Path(args.raw) if args.raw else default_raw_dir()
    params = FinanceParams()
    if args.gdp_beta is not None:
        params = replace(params, gdp_beta=args.gdp_beta)
    try:
        gdp = _read_wdi(raw, "gdp")
        npl = _read_wdi(raw, "npl")
        results = backtest(gdp, npl, params)
    except (RawDataError, KeyError) as exc:
        print(f"error: {raw}: {exc}", file=sys.stderr)
        return 2
    print(f"npl_sensitivity {params.npl_sensitivity}, gdp_beta {params.gdp_beta}, "
          f"cure_rate {params.cure_rate}; NPL ratios in percent of loans")
    for res in results:
        ep = res.episode
        print(f"\n{ep.code}: {ep.start} NPL {_pct(res.npl_start).strip()}")
        print("  year  US$ GDP log change  model NPL  WDI NPL")
        for y, g, m, w in zip(res.years, res.gdp_log_change, res.model_npl, res.wdi_npl,
                              strict=True):
            print(f"  {y}  {g:+18.3f}  {_pct(m):>9}  {_pct(w):>7}")
        ratio = res.first_year_ratio
        beta = reproducing_beta(res, params)
        first = "model rise / recorded rise in the first year: " + (
            f"{ratio:.1f}" if not math.isnan(ratio) else "n/a (recorded NPLs did not rise)")
        print(f"  {first}; gdp_beta reproducing it: "
              + ("n/a" if math.isnan(beta) else f"{beta:.3f}"))
        peak = res.peak_ratio
        print("  largest rise over the years shown, model / recorded: "
              + ("n/a" if math.isnan(peak) else f"{peak:.1f}"))
    for label, eps in (("all episodes", EPISODES),
                       ("without Kazakhstan", tuple(e for e in EPISODES if e.code != "KAZ"))):
        beta, n = fit_gdp_beta(gdp, npl, params, eps)
        print(f"\nleast-squares gdp_beta, {label} ({n} country-years, NPL ratios): "
              f"{beta:.3f} (npl_sensitivity x gdp_beta = {params.npl_sensitivity * beta:.4f})")
    rise = npl_path(0.0, [SCENARIO_SHOCK], params)[0]
    print(f"\nshipped crisis (US$ GDP -34 %, log {SCENARIO_SHOCK:.3f}): the model adds "
          f"{100.0 * rise:.1f} points of NPLs in the year")
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main, sys.argv[1:]))
