"""What releasing frozen claims at the end of the freeze's year would change (not modelled).

Usage (the runs go to a temporary directory and are not kept)::

    python tools/finance_release_frozen.py [--replications 40] > release.json

docs/finance.md section 4: a payment frozen by sanctions is parked in a blocked account and
never released, as the sanctions event's ``trade_cost`` is never lifted. This tool runs
the other reading beside the model's: at the end of each year in which a run has sanctions
in force (severity acts in its year), every payee's parked claims are released to it. The
released money first stands in for the treasury's recapitalisation of the payee that year
(its fiscal cost and the equity it bought fall by as much); the rest goes to the payee's
capital, up to the calibrated capital (what is above is paid out, as every year). The
released claims leave the blocked accounts, so they are owed again on the next year's
balance sheets like any other (claims lost in default stay lost).

It prints, for ``finance_crisis.yaml`` and ``finance_crisis_union.yaml`` (seed 20250101),
the SCO members' fiscal cost over 2026-30 (gross, US$ bn, mean over runs) and the equity
it bought, as modelled and with the release. The release is a wrapper around
:meth:`scosim.finance.system.FinanceSystem.step` installed for this process only.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path

import numpy as np

import scosim
from scosim.data import MEMBERS
from scosim.finance.system import FinanceState, FinanceSystem

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SEED = 20250101
YEARS = range(2026, 2031)

Step = Callable[..., tuple[FinanceState, dict[str, np.ndarray]]]


def released(step: Step) -> Step:
    """``FinanceSystem.step`` that releases the parked claims at the end of a sanctions year."""

    def wrapped(self: FinanceSystem, state: FinanceState, gdp_shocks: object,
                sanctions: object, levers: object,
                rng: object) -> tuple[FinanceState, dict[str, np.ndarray]]:
        new, ind = step(self, state, gdp_shocks, sanctions, levers, rng)
        on = (np.asarray(sanctions, float) > 0).any(axis=(1, 2))  # (R,) runs with sanctions
        if not on.any() or new.frozen is None:
            return new, ind
        out = np.where(on[:, None], new.frozen.sum(axis=1), 0.0)  # by payee
        # Released money first replaces the treasury's recapitalisation of the payee.
        instead = np.minimum(out, ind["fiscal_recap"])
        K0 = self.data.capital[None, :]
        capital = np.minimum(new.capital + out - instead, np.maximum(new.capital, K0))
        frozen = np.where(on[:, None, None], 0.0, new.frozen)
        ind = dict(ind)
        ind["fiscal_cost"] = ind["fiscal_cost"] - instead
        ind["fiscal_recap"] = ind["fiscal_recap"] - instead
        ind["frozen_parked"] = frozen.sum(axis=1)
        ind["capital_ratio"] = capital / self.data.assets[None, :]
        return replace(new, capital=capital, frozen=frozen, parked=frozen.sum(axis=1)), ind

    return wrapped


@contextmanager
def releasing() -> Iterator[None]:
    """Install :func:`released` on ``FinanceSystem.step`` for the duration."""
    original = FinanceSystem.step
    FinanceSystem.step = released(original)  # type: ignore[method-assign]
    try:
        yield
    finally:
        FinanceSystem.step = original  # type: ignore[method-assign]


def members_total(res: object, name: str) -> float:
    """Members' total of an indicator over 2026-30, US$ bn, mean over runs."""
    v = res.indicator(name)  # type: ignore[attr-defined]
    v = v[v.index.get_level_values("year").isin(YEARS)]
    cols = [c for c in v.columns if c in MEMBERS]
    return round(float(v[cols].groupby(level="run").sum().sum(axis=1).mean()) / 1e9, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=40)
    n = ap.parse_args().replications
    out: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:  # the runs are not kept
        for name in ("finance_crisis", "finance_crisis_union"):
            sc = scosim.load_scenario(SCENARIOS / f"{name}.yaml", overrides={"seed": SEED})
            out[name] = {}
            for label in ("modelled", "released"):
                with releasing() if label == "released" else nullcontext():
                    res = scosim.run(sc, replications=n, out=Path(tmp) / label,
                                     progress=False, plots=False, resume=False)
                out[name][label] = {
                    "members_fiscal_cost_2026_30_bn": members_total(res, "fiscal_cost_usd"),
                    "of_which_equity_bought_bn": members_total(res, "fiscal_recap_usd"),
                }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    raise SystemExit(run_command(main))
