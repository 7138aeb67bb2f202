"""Who fails: the model's crisis frequency economy by economy against the historical record.

Usage: python tools/finance_crisis_by_country.py [--runs 4000] [--seed 123]
       [--idio-sd X] [--gdp-beta X] [--npl-sensitivity X] [--solve]
       [--capital-ratio CODE=PCT ...]

Runs the no-event baseline of the stand-alone ensemble (2025-2032, the calibration's
window and count, :mod:`scosim.finance.calibration`) and prints, per listed economy in
Laeven & Valencia's record (:mod:`scosim.finance.crisis_record`, 1970-2011): the model's
crisis starts per year, the crises recorded and the years in the record, the number the
model expects over those years and the Poisson probability of the recorded number or more;
then the failure threshold: the asset shock that takes a system from its calibrated
capital to failure in one year, in standard deviations of its own shock (``z*``); last the
totals, the rank correlation and the Poisson log-likelihood of the record at the model's
rates (higher is closer). The
options change parameters (``--solve`` then re-solves ``npl_sensitivity`` so that the
pooled frequency is the calibration's target, 1.907 percent, by bisection at a quarter of
the runs). ``--capital-ratio PAK=5.73`` sets an economy's capital to that percentage of its
assets (its outside debt takes up the difference), a what-if on one input of the tables.
docs/finance.md (section 6, "Who fails") quotes it.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np
from scipy.stats import spearmanr

from scosim.finance.calibration import TARGET
from scosim.finance.crisis_record import compare, frequency_by_economy, log_likelihood
from scosim.finance.data import BankingData
from scosim.finance.shocks import asset_shock_sd
from scosim.finance.system import FinanceSystem, calibrated_gdp_sd


def _pooled(fs: FinanceSystem, runs: int, seed: int) -> float:
    rates = frequency_by_economy(fs, runs, seed=seed)
    return float(np.mean([v for c, v in rates.items() if c != "ROW"]))


def _with_capital(fs: FinanceSystem, settings: list[str],
                  ap: argparse.ArgumentParser) -> BankingData:
    """The tables with the capital of the economies named in ``CODE=PCT`` settings changed."""
    capital = fs.data.capital.copy()
    for item in settings:
        code, _, pct = item.partition("=")
        if code not in fs.codes:
            ap.error(f"--capital-ratio {item}: {code!r} is not a listed economy "
                     f"({' '.join(fs.codes)})")
        try:
            ratio = float(pct) / 100.0
        except ValueError:
            ap.error(f"--capital-ratio {item}: give CODE=PCT, a percentage of assets")
        if not 0.0 < ratio < 1.0:
            ap.error(f"--capital-ratio {item}: the percentage must lie between 0 and 100")
        i = fs.codes.index(code)
        capital[i] = ratio * fs.data.assets[i]
    return replace(fs.data, capital=capital)


def main(argv: list[str] | None = None) -> None:
    """Print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=123)
    ap.add_argument("--idio-sd", type=float)
    ap.add_argument("--gdp-beta", type=float)
    ap.add_argument("--npl-sensitivity", type=float)
    ap.add_argument("--solve", action="store_true",
                    help="re-solve npl_sensitivity for the pooled target")
    ap.add_argument("--capital-ratio", action="append", default=[], metavar="CODE=PCT",
                    help="set an economy's capital to PCT percent of its assets")
    a = ap.parse_args(argv)
    kw = {k: v for k, v in (("idio_sd", a.idio_sd), ("gdp_beta", a.gdp_beta),
                            ("npl_sensitivity", a.npl_sensitivity)) if v is not None}
    fs = FinanceSystem().with_params(**kw)
    if a.capital_ratio:
        fs = FinanceSystem(_with_capital(fs, a.capital_ratio, ap), fs.params, fs.gdp_sd)
    if a.solve:
        lo, hi = 0.1, 8.0
        for _ in range(12):
            mid = 0.5 * (lo + hi)
            p = _pooled(fs.with_params(npl_sensitivity=mid), max(a.runs // 4, 100), a.seed)
            lo, hi = (mid, hi) if p < TARGET else (lo, mid)
        fs = fs.with_params(npl_sensitivity=round(0.5 * (lo + hi), 3))
    p = fs.params
    rates = frequency_by_economy(fs, a.runs, seed=a.seed)
    pooled = np.mean([v for c, v in rates.items() if c != "ROW"])
    print(f"no-event baseline 2025-2032, {a.runs} runs, seed {a.seed}: npl_sensitivity "
          f"{p.npl_sensitivity}, gdp_beta {p.gdp_beta}, idio_sd {p.idio_sd}; crisis starts in "
          f"{100 * pooled:.2f} % of the listed economies' years (target {100 * TARGET:.2f})")
    d = fs.data
    oil_sd = d.parameters["oil_log_change_sd"]
    sd_x = asset_shock_sd(calibrated_gdp_sd(fs.codes), d.fuel_exports_gdp, oil_sd=oil_sd,
                          gdp_beta=p.gdp_beta, commodity_beta=p.commodity_beta,
                          idio_sd=p.idio_sd)
    # One year from calibrated capital: income (calibrated loss, margin, premium) less the
    # shock's credit loss takes capital to zero at this shock.
    x_star = (d.capital / d.external_assets + p.roa_margin + fs.premium) / (
        p.lgd * p.npl_sensitivity)
    rows = compare(rates)
    print(f"  {'':4} {'model %/yr':>10} {'recorded':>8} {'years':>5} {'expected':>8} "
          f"{'P(>=rec)':>8} {'P(<=rec)':>8} {'z*':>5}")
    for r in sorted(rows, key=lambda r: -r.model_rate):
        i = fs.codes.index(r.code)
        print(f"  {r.code:4} {100 * r.model_rate:10.2f} {r.recorded:8d} {r.years:5d} "
              f"{r.expected:8.2f} {r.p_at_least:8.3f} {r.p_at_most:8.3f} "
              f"{x_star[i] / sd_x[i]:5.2f}")
    rho = spearmanr([r.model_rate for r in rows], [r.recorded / r.years for r in rows])[0]
    got = sum(r.recorded for r in rows)
    mu = sum(r.expected for r in rows)
    loglik = log_likelihood(rows)
    print(f"crises recorded {got}, expected by the model {mu:.1f}; Spearman rank correlation of "
          f"the model's rate with the recorded one {rho:+.2f} ({len(rows)} economies); Poisson "
          f"log-likelihood of the record {loglik:.2f}")


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    raise SystemExit(run_command(main))
