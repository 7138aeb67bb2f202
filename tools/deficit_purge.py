"""The customs union's static effect from three baselines: level, ratio and purged deficits.

An outside trade referee found that the deficit closure turns the customs union's bloc
results around (docs/trade.md, "Deficit closures and the purged baseline"). This script
solves the union of ``scenarios/customs_union.yaml`` fully phased in, at the base year's
data (2023 flows and tariffs, agreements entering into force later left out), at one
trade elasticity (sigma 5 by default, no per-run spread), with the tariffs, sharing and
lifted bans the model's own proposal type sets (``CustomsUnion.negotiate`` and
``apply``, as ``scosim.cet_answer`` does), from three baselines:

* ``level``: the data, each deficit held fixed in US$ (the model's default closure);
* ``ratio``: the data, each economy's non-tariff spending moving with its prices;
* ``purged``: the balanced world (every deficit zero, tariffs unchanged,
  ``scosim.mechanisms.deficit_purge``), from which the two closures give the same answer.

It prints the deficits purged (the largest, as a share of expenditure) and the largest
falls of real spending from the data to the balanced world, then for each
baseline the equivalent variation of members, outsiders and the world in US$ bn (base
year, current) and in percent of their baseline expenditure, then the welfare change in
percent of each member and of each outsider whose deficit or surplus is over 20 % of its
expenditure (with that share). One static solve per baseline: no growth path, no trade adjustment
over time, no Council; the run's figures (README) are in a later year on the GDP path.

Usage: python tools/deficit_purge.py [--scenario scenarios/customs_union.yaml]
       [--sigma 5]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

from scosim.mechanisms.deficit_purge import purge_deficits
from scosim.mechanisms.short_run import solve_year
from scosim.mechanisms.trade import baseline_accounts

#: The scenario read by default, found from the repository wherever the tool is run.
DEFAULT_SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "customs_union.yaml"
BN = 1e9
#: Outsiders listed one by one: a deficit or surplus over this share of expenditure.
LARGE = 0.2


def union_policy(model: Any) -> tuple[Any, np.ndarray]:
    """The policy state of the scenario's customs union, fully phased in, at base tariffs.

    Args:
        model: A one-run :class:`scosim.model.model.SCOModel` of the scenario.

    Returns:
        ``(policy, bloc)``: the :class:`~scosim.model.policy.PolicyState` after the
        union's ``apply`` on the base year's tariffs, and the ``(N,)`` bloc of members.
    """
    from scosim.model.policy import PolicyState
    from scosim.proposals.customs_union import CustomsUnion

    arr = next(a for a in model.arrangements if isinstance(a, CustomsUnion))
    base = np.broadcast_to(model.tau0, (1, model.N, model.N)).copy()
    policy = PolicyState(tariffs=base.copy(), cost_change=np.ones_like(base))
    parts = arr.invitees(model)
    arr.apply(policy, parts, np.ones(1), np.ones(1, dtype=bool), arr.negotiate(model, parts))
    return policy, policy.bloc[0]


def static_effects(model: Any, policy: Any, sigma: float) -> dict[str, Any]:
    """The union's GE from each baseline: ``{name: (result, baseline flows)}``.

    Args:
        model: The one-run model (its base-year flows ``flows0`` and tariffs ``tau0``).
        policy: From :func:`union_policy`.
        sigma: Trade elasticity of every solve.

    Returns:
        ``{"level": ..., "ratio": ..., "purged": ...}``, each ``(GEResult, flows)``, and
        ``"purge"``: the :class:`~scosim.mechanisms.deficit_purge.PurgedWorld`.
    """
    flows0, tau0 = np.asarray(model.flows0, float), np.asarray(model.tau0, float)
    purged = purge_deficits(flows0, sigma=sigma, tariffs=tau0)
    out: dict[str, Any] = {"purge": purged}
    for name, flows, closure in (("level", flows0, "level"), ("ratio", flows0, "ratio"),
                                 ("purged", purged.flows, "level")):
        res = solve_year(flows, sigma=sigma, sigma_short=np.array([sigma]), tariffs=tau0,
                         new_tariffs=policy.tariffs, cost_change=policy.cost_change,
                         deficits=closure, revenue_sharing=policy.sharing,
                         ban_change=policy.ban_change)
        out[name] = (res, flows)
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the three baselines' bloc totals and members' welfare changes."""
    from scosim.model.model import SCOModel
    from scosim.scenario import ScenarioError, load_scenario

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(DEFAULT_SCENARIO))
    ap.add_argument("--sigma", type=float, default=5.0)
    a = ap.parse_args(argv)
    if not a.sigma > 1:
        print(f"--sigma must be > 1 (elasticity of substitution); got {a.sigma:g}",
              file=sys.stderr)
        return 2
    try:
        sc = load_scenario(a.scenario, overrides={"parameters.trade.sigma": a.sigma,
                                                  "parameters.trade.sigma_spread": 0.0})
    except ScenarioError as exc:
        print(f"deficit_purge: {exc}", file=sys.stderr)
        return 2
    if not any(p.type == "customs_union" for p in sc.proposals):
        print(f"{a.scenario} has no customs_union proposal", file=sys.stderr)
        return 2
    model = SCOModel(sc, runs=[0])
    codes = list(model.codes)
    policy, bloc = union_policy(model)
    eff = static_effects(model, policy, a.sigma)
    purge = eff["purge"]
    acc = baseline_accounts(model.flows0, model.tau0)
    share = purge.baseline_deficits / acc["expenditure"]
    big = np.argsort(-np.abs(share))[:6]
    print(f"{a.scenario}: union fully phased in, {model.cal.base_year} data, sigma "
          f"{a.sigma:g}; members: {', '.join(c for c, b in zip(codes, bloc, strict=True) if b)}")
    print("largest deficits purged, % of expenditure (+ deficit, - surplus): "
          + ", ".join(f"{codes[i]} {100 * share[i]:+.0f}" for i in big))
    print(f"purge: {purge.stages} stage(s), Newton iterations "
          f"{purge.iterations.ravel().tolist()}; largest deficit left "
          f"{np.abs(purge.accounts['deficits'] / purge.accounts['expenditure']).max():.1e}"
          " of expenditure")
    # the balanced world is a device, not a forecast: what reaching it would cost
    fall = np.argsort(purge.welfare_change)[:3]
    print("real spending in the balanced world against the data, largest falls: "
          + ", ".join(f"{codes[i]} {100 * (purge.welfare_change[i] - 1):+.0f} %" for i in fall))
    names = ("level", "ratio", "purged")
    print("\nequivalent variation, US$ bn (% of the group's baseline expenditure):")
    print(f"  {'baseline':8} {'members':>18} {'outsiders':>18} {'world':>18}")
    for name in names:
        res, _ = eff[name]
        e = np.asarray(res.baseline_expenditure[0], float)
        ev = (np.asarray(res.welfare_change[0], float) - 1.0) * e
        cells = [f"{ev[g].sum() / BN:+8.1f} ({100 * ev[g].sum() / e[g].sum():+.3f})"
                 for g in (bloc, ~bloc, np.ones_like(bloc))]
        print(f"  {name:8} " + " ".join(f"{c:>18}" for c in cells))
    # outsiders whose deficit or surplus is over a fifth of their spending: where the
    # closure matters most (the README's small deficit economies)
    large = np.flatnonzero(~bloc & (np.abs(share) > LARGE))
    for title, rows in (("members", np.flatnonzero(bloc)),
                        (f"outsiders with a deficit or surplus over {100 * LARGE:.0f} % of "
                         "expenditure", large)):
        print(f"\nwelfare change, % (real expenditure), {title}:")
        print(f"  {'':4} " + " ".join(f"{n:>7}" for n in names) + f" {'deficit':>8}")
        for i in rows:
            vals = [100 * (eff[n][0].welfare_change[0, i] - 1.0) for n in names]
            print(f"  {codes[i]:4} " + " ".join(f"{v:+7.2f}" for v in vals)
                  + f" {100 * share[i]:+7.0f}%")
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main))
