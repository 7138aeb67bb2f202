"""Netting the shocks' expected NPL inflow out of the base inflow: an experiment, not adopted.

Usage: python tools/finance_npl_netting.py [--runs 1000] [--long-runs 200] [--seed 123]
       [--idio-sd X] [--npl-sensitivity X]

docs/finance.md (section 6, "The NPL ratio is not stationary at its calibrated level")
quotes it. The model's new NPLs are ``cure * npl_calibrated + npl_sensitivity * max(0, -x)``,
and its margin prices both parts, so the stock settles above its calibrated level. The
experiment nets the shocks' expected inflow ``premium / lgd`` (``E[npl_sensitivity *
max(0, -x)]``, what the risk-based margin prices) out of the base inflow and drops the
premium from income, so that the expected inflow and what income prices are the calibrated
ones: ``clipped``, new NPLs floored at 0 as ``levers.npl_flow`` floors them; ``unclipped``,
good years' negative inflow cures bad loans (the stock is still floored at 0). It is a
wrapper around ``scosim.finance.system.npl_flow`` installed for this process only. Prints,
per variant and as the model is, the no-event crisis starts over 2025-2032 (the
calibration's count, % of the listed economies' years, mean of ``--runs`` runs), and over
2025-2060 (``--long-runs`` runs) the listed economies' mean capital ratio over 2030-2060 and
mean NPL ratio over 2045-2054, in percent. The options change the calibration (before
2026-12-06: ``--idio-sd 0.01 --npl-sensitivity 0.89``).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import numpy as np

import scosim.finance.system as system
from scosim.finance.crisis_record import frequency_by_economy
from scosim.finance.ensemble import simulate
from scosim.finance.system import FinanceSystem, calibrated_gdp_sd

YEARS = list(range(2025, 2061))


@contextmanager
def netted(shock: np.ndarray, clipped: bool) -> Iterator[None]:
    """New NPLs with the shocks' expected inflow ``shock`` (N,) netted out of the base."""
    original = system.npl_flow

    def flow(base_flow, asset_shock, *, sensitivity, supervised, supervision_effect):
        base = np.asarray(base_flow, float) - shock[None, :]
        if clipped:
            return original(base, asset_shock, sensitivity=sensitivity, supervised=supervised,
                            supervision_effect=supervision_effect)
        raw = base + sensitivity * np.maximum(0.0, -np.asarray(asset_shock, float))
        factor = 1.0 - supervision_effect * np.asarray(supervised, bool)
        return np.minimum(factor * raw, 1.0)

    system.npl_flow = flow  # type: ignore[assignment]
    try:
        yield
    finally:
        system.npl_flow = original


def main() -> None:
    """Print the three variants."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--long-runs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=123)
    ap.add_argument("--idio-sd", type=float)
    ap.add_argument("--npl-sensitivity", type=float)
    a = ap.parse_args()
    kw = {k: v for k, v in (("idio_sd", a.idio_sd), ("npl_sensitivity", a.npl_sensitivity))
          if v is not None}
    fs = FinanceSystem().with_params(**kw)
    listed = np.array([c != "ROW" for c in fs.codes])
    # What the risk-based margin prices, as a share of loans: premium / lgd.
    shock = fs.with_gdp_sd(calibrated_gdp_sd(fs.codes)).premium / fs.params.lgd
    print(f"shocks' expected inflow, % of loans a year: {100 * shock[listed].min():.1f}-"
          f"{100 * shock[listed].max():.1f}; no events, seed {a.seed}")
    for label in ("as the model is", "clipped", "unclipped"):
        model = fs if label == "as the model is" else fs.with_params(price_shock_risk=False)
        ctx = nullcontext() if model is fs else netted(shock, clipped=label == "clipped")
        with ctx:
            rates = frequency_by_economy(model, a.runs, seed=a.seed)
            out = simulate(model, YEARS, a.long_runs, seed=a.seed)
        starts = 100 * np.mean([v for c, v in rates.items() if c != "ROW"])
        cap = 100 * out["capital_ratio"][:, YEARS.index(2030):, listed].mean()
        npl = 100 * out["npl_ratio"][:, YEARS.index(2045):YEARS.index(2055), listed].mean()
        print(f"  {label}: crisis starts 2025-2032 {starts:.2f} % ({a.runs} runs); mean capital "
              f"ratio 2030-2060 {cap:.1f} %, mean NPL ratio 2045-2054 {npl:.1f} % "
              f"({a.long_runs} runs)")


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    raise SystemExit(run_command(main))
