"""Afghanistan's preview of the Trans-Afghan railway, term by term (docs/network.md).

The chain docs/network.md gives for ``Corridor.preview`` ("The ``corridor`` proposal"):
``corridor_trans_afghan_low.yaml`` with the railway budget-financed
(``proposals.0.financing=budget``) at Afghan instability 0.8, one run, 2025-2026, the
preview the Council reads when the railway is tabled in 2026. It prints, for Afghanistan
(or ``--economy``), in percent of its expenditure with the project:

* the net preview, ``q x (GE gain + fees - O&M) - cost``;
* ``q``, the operating share, and what it would be if the railway operated at once, and
  the annual failure hazard ``h`` on the route;
* the GE gain, the transit fees and the hosts' yearly O&M of the line (paid while it
  operates, so weighted by ``q`` as the gains are);
* the cost term, ``c (paid - recovered + owners' risk) / E'``, present values at the cost
  of funds ``c`` annualised at that same rate, and its parts: what the
  economy pays and the salvage (``recovered``), and the salvage as a share of the stake
  against the constant-hazard approximation ``recovery x h / (c + h)`` at the cost of
  funds ``c``;
* the cost term with the flows valued and annualised at 4 percent instead of the cost of
  funds (as before 2026-12-06), and the ratio of the two;
* ``E'``, the economy's expenditure with the project in US$: the denominator, which is run
  0's (its GDP path is drawn, so another run's preview differs a little).

Usage::

    PYTHONPATH=src python tools/corridor_preview_chain.py [--instability 0.8] [--economy AFG]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from scosim.model.model import SCOModel  # noqa: E402
from scosim.network.corridor import DISCOUNT_RATE  # noqa: E402
from scosim.network.finance import operating_share  # noqa: E402
from scosim.scenario import ScenarioError, load_scenario  # noqa: E402

SCENARIO = ROOT / "scenarios" / "corridor_trans_afghan_low.yaml"
#: The earlier valuation of money flows the docs compare the cost term with.
OLD_RATE = 0.04


def preview_chain(instability: float, economy: str) -> dict[str, float]:
    """The terms of ``economy``'s 2026 preview of the budget-financed railway.

    Args:
        instability: Afghan instability (0-1) on the network.
        economy: ISO code of the economy whose preview is shown.

    Returns:
        The terms, percentages of expenditure where the name ends in ``_pct``.

    Raises:
        ScenarioError: If the overrides do not fit the scenario.
        KeyError: If ``economy`` is not one of the model's economies.
    """
    over: dict[str, Any] = {"replications": 1, "years": {"start": 2025, "end": 2026},
                            "proposals.0.financing": "budget",
                            "parameters.network.instability": {"AFG": instability}}
    model = SCOModel(load_scenario(SCENARIO, overrides=over))
    corridor = next(a for a in model.arrangements if a.name == "corridor")
    if economy not in model.codes:
        raise KeyError(economy)
    i = model.codes.index(economy)
    seen: dict[str, Any] = {}
    preview, finance = corridor.preview, corridor._finance

    # The preview the Council reads when the railway is tabled, and the finance it
    # costs (its first call: the one behind the vote).
    def finance_seen(*args: Any, **kwargs: Any) -> Any:
        out = finance(*args, **kwargs)
        seen.setdefault("finance", (out, args, kwargs))
        return out

    def preview_seen(*args: Any, **kwargs: Any) -> Any:
        out = preview(*args, **kwargs)
        seen.setdefault("preview", out)
        seen.setdefault("year", model.year)
        return out

    corridor.preview, corridor._finance = preview_seen, finance_seen
    model.run_model()
    if "preview" not in seen:
        raise RuntimeError("the railway was not tabled in 2025-2026")
    pv = seen["preview"]
    info = pv.info
    fin, args, kwargs = seen["finance"]
    pf = args[1]
    found = args[2] if len(args) > 2 else kwargs.get("found")
    e = float(info["expenditure_usd"][0, i])
    h = float(pf[0, -1])
    lender = found[0]
    c = float(lender.cost_of_funds)
    # The same finance with its flows valued, and annualised, at OLD_RATE (a lender of that
    # cost of funds).
    old = corridor._finance_one(model, pf, dataclasses.replace(lender, cost_of_funds=OLD_RATE))
    cost = float(info["cost_share_of_expenditure"][0, i])
    cost_old = float(corridor._cost_share(old, info["expenditure_usd"])[0, i])
    paid, recovered = float(fin.paid[0, i]), float(fin.recovered[0, i])
    return {
        "year": float(seen["year"]),
        "net_pct": 100 * float(pv.gain[0, i]),
        "q": float(info["operating_share"][0, i]),
        "q_at_once": float(operating_share(pf, DISCOUNT_RATE)[0]),
        "hazard": h,
        "ge_gain_pct": 100 * float(info["ge_gain"][0, i]),
        "fees_pct": 100 * float(info["transit_fees_share_of_expenditure"][0, i]),
        "upkeep_pct": 100 * float(info["upkeep_share_of_expenditure"][0, i]),
        "cost_pct": 100 * cost,
        # Annualised at the rate their present values are taken at (annual_equivalent).
        "paid_pct": 100 * paid * c / e,
        "salvage_pct": 100 * recovered * c / e,
        "owners_risk_pct": 100 * float(fin.owners_risk[0, i]) * c / e,
        "salvage_share_of_stake": recovered / paid if paid else float("nan"),
        "salvage_share_formula": float(np.ravel(corridor.hazard.recovery)[0]) * h / (c + h),
        "cost_of_funds": c,
        "cost_at_4pct_pct": 100 * cost_old,
        "cost_ratio": cost / cost_old if cost_old else float("nan"),
        "expenditure_bn": e / 1e9,
    }


def main() -> None:
    """Print the chain, one term a line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instability", type=float, default=0.8,
                        help="Afghan instability on the network, 0-1 (default 0.8)")
    parser.add_argument("--economy", default="AFG", help="ISO code (default AFG)")
    args = parser.parse_args()
    try:
        t = preview_chain(args.instability, args.economy.upper())
    except ScenarioError as exc:
        sys.exit(f"corridor_preview_chain: error: {exc}")
    except KeyError:
        sys.exit(f"corridor_preview_chain: error: --economy {args.economy!r} is not one of "
                 "the model's economies")
    print(f"{args.economy.upper()}'s preview of the budget-financed Trans-Afghan railway, "
          f"{t['year']:.0f}, Afghan instability {args.instability}, percent of expenditure:")
    print(f"net preview {t['net_pct']:.4f} = q {t['q']:.4f} x (GE gain {t['ge_gain_pct']:.4f}"
          f" + fees {t['fees_pct']:.4f} - O&M {t['upkeep_pct']:.4f}) - cost {t['cost_pct']:.4f}")
    print(f"q {t['q']:.4f} (operating at once: {t['q_at_once']:.4f}); annual hazard "
          f"h {t['hazard']:.4f}")
    print(f"cost {t['cost_pct']:.4f} = paid {t['paid_pct']:.4f} - salvage "
          f"{t['salvage_pct']:.4f} + owners' risk {t['owners_risk_pct']:.4f}, valued at the "
          f"cost of funds {t['cost_of_funds']:.2f}")
    print(f"salvage / stake {t['salvage_share_of_stake']:.4f} (recovery h / (c + h): "
          f"{t['salvage_share_formula']:.4f})")
    print(f"expenditure with the project E' US$ {t['expenditure_bn']:.2f} bn (run 0 of the "
          "scenario's seed: it moves with the run's GDP draw)")
    print(f"cost valued and annualised at {OLD_RATE:.2f} {t['cost_at_4pct_pct']:.4f}; ratio "
          f"{t['cost_ratio']:.4f}")


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    np.set_printoptions(precision=4)
    raise SystemExit(run_command(main))
