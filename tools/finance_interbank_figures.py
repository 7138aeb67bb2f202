"""The interbank figures of docs/finance.md's crisis sections, re-measured in one place.

Usage (the runs go to a temporary directory and are not kept)::

    python tools/finance_interbank_figures.py [--replications 40] [--set PATH=VALUE ...]

Prints, for the shipped crisis (seed 20250101; ``--set`` changes both scenarios as
``scosim run``'s does, e.g. the calibration before 2026-12-06 with ``--set
parameters.finance.idio_sd=0.01 --set parameters.finance.npl_sensitivity=0.89``):

* Azerbaijan's unpaid interbank debts (``interbank_unpaid_usd``) summed over 2025-30 in
  ``finance_crisis.yaml``, mean over runs, US$ bn, as modelled and with a loss passed along
  a chain of banks counted at both ends (the accounting before 2026-12-05: a wrapper around
  :func:`scosim.finance.contagion.borne_by_creditor_banks` installed for this process only);
* Russia's newly frozen interbank claims (``loss_sanctions_usd``) in 2026, mean over runs,
  in ``finance_crisis.yaml`` and ``finance_crisis_settlement.yaml`` (national-currency
  settlement), US$ bn;
* what a Chinese default costs Mongolia's banks under Rogers-Veraart default costs
  ``alpha = beta = 0.5``, in percent of their capital: the packaged balance sheets, China's
  external assets cut by its capital times 1.0001 (just enough to default), cleared once (no
  draw: the figure does not depend on the shocks' calibration).
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import numpy as np

import scosim
import scosim.finance.contagion as contagion
from scosim.finance.clearing import clear
from scosim.finance.data import load_banking
from scosim.scenario import parse_overrides

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SEED = 20250101


@contextmanager
def counted_twice() -> Iterator[None]:
    """Count what a defaulting system leaves unpaid in full at it, as before 2026-12-05."""
    original = contagion.borne_by_creditor_banks

    def whole(unpaid: np.ndarray, default: np.ndarray, equity: np.ndarray) -> np.ndarray:
        return np.where(default, np.maximum(unpaid, 0.0).sum(axis=2), 0.0)

    contagion.borne_by_creditor_banks = whole  # type: ignore[assignment]
    try:
        yield
    finally:
        contagion.borne_by_creditor_banks = original


def _total(res: object, name: str, code: str, first: int, last: int) -> float:
    """``code``'s ``name`` summed over ``first``-``last``, mean over runs, US$ bn."""
    v = res.indicator(name)  # type: ignore[attr-defined]
    years = v.index.get_level_values("year")
    v = v[(years >= first) & (years <= last)]
    return float(v[code].groupby(level="run").sum().mean()) / 1e9


def mongolia_loss_share(alpha: float = 0.5, beta: float = 0.5) -> float:
    """Mongolia's banks' loss from a Chinese default, a share of their capital."""
    d = load_banking()
    chn, mng = d.index("CHN"), d.index("MNG")
    e = d.external_assets.copy()
    e[chn] -= 1.0001 * d.capital[chn]
    res = clear(e, d.L, d.external_liabilities, alpha=alpha, beta=beta)
    assert bool(res.default[chn]) and not bool(res.default[mng])
    return float((d.L[chn, mng] - res.payment_matrix[chn, mng]) / d.capital[mng])


def main() -> None:
    """Run the scenarios and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=40)
    ap.add_argument("--set", action="append", default=[], metavar="PATH=VALUE")
    a = ap.parse_args()
    overrides = {**(parse_overrides(a.set) if a.set else {}), "seed": SEED}

    def run(name: str, tmp: str, label: str) -> object:
        sc = scosim.load_scenario(SCENARIOS / f"{name}.yaml", overrides=overrides)
        return scosim.run(sc, replications=a.replications, out=Path(tmp) / label / name,
                          progress=False, plots=False, resume=False)

    print(f"{a.replications} runs, seed {SEED}{', ' + ' '.join(a.set) if a.set else ''}")
    with tempfile.TemporaryDirectory() as tmp:  # the runs are not kept
        for label in ("modelled", "counted twice"):
            with counted_twice() if label == "counted twice" else nullcontext():
                res = run("finance_crisis", tmp, label)
            aze = _total(res, "interbank_unpaid_usd", "AZE", 2025, 2030)
            print(f"finance_crisis.yaml, AZE interbank_unpaid 2025-30, mean, US$ bn, {label}: "
                  f"{aze:.4f}")
            if label == "modelled":
                frozen = _total(res, "loss_sanctions_usd", "RUS", 2026, 2026)
        settled = run("finance_crisis_settlement", tmp, "modelled")
        with_nc = _total(settled, "loss_sanctions_usd", "RUS", 2026, 2026)
    print(f"RUS claims newly frozen in 2026, mean, US$ bn: finance_crisis.yaml {frozen:.2f}, "
          f"finance_crisis_settlement.yaml {with_nc:.2f} (fall {frozen - with_nc:.2f})")
    print(f"a Chinese default (alpha = beta = 0.5) costs Mongolia's banks "
          f"{100 * mongolia_loss_share():.1f} % of their capital")


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    raise SystemExit(run_command(main))
