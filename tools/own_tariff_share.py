"""Each union member's welfare change from the whole union against from its own tariff alone.

An outside trade referee (2026-12-06) asked how much of each member's figure is its own
external tariff's doing. In the model's one-sector Armington economy every economy is the
only maker of its own variety, so a tariff it puts on outsiders improves its terms of trade
(the optimal tariff is about 1 / (sigma - 1), 25 % at sigma 5): China, whose tariff on
outsiders rises from its MFN rate towards the CET, gains from its own tariff; India and Iran,
whose tariffs fall, lose from theirs.

For the scenario's first customs union (``scenarios/customs_union.yaml`` by default) the
script prints, for each member, two welfare changes (real expenditure, percent):

* ``whole union``: every member's tariffs as the union sets them once fully phased in (zero
  inside, the CET's schedule on outsiders, preferences below it kept), with the bans it lifts
  (the India-Pakistan suspension) and its revenue sharing;
* ``own tariff``: only this member's tariffs on imports from non-members changed, from the
  tariffs in force to the union's (its MFN -> CET on outsiders); everything else as before;

and ``share``, the second over the first. Both are static counterfactuals from the base
year (one GE solve each, :func:`scosim.mechanisms.short_run.solve_year`, as
``tools/tariff_rise_anchor.py`` uses the solver): the base year's flows, against the tariffs
in force in ``--year`` (2035 by default: the agreements after the base year included), at
one trade elasticity (``--sigma``, 5: the default's centre; the runs draw it from [4, 6]) and
the scenario's deficit closure (``--set parameters.trade.deficits=ratio`` for the other).
The whole-union column is what a one-run ``scosim run`` gives for 2035 with the same sigma and
no re-basing of the flows (``--set parameters.trade.sigma_spread=0 --set
parameters.trade.moving_baseline=false --set parameters.rules.defect=never_defect``; a
test). It is not the README's 2035 medians: those are against flows re-based along each
run's GDP path, at each run's sigma (China +0.15 % there, +0.19 % here; Iran -0.60 and -0.47).
docs/customs_union.md ("How much of a member's figure is its own tariff") gives the table.

Usage: python tools/own_tariff_share.py [SCENARIO] [--year 2035] [--sigma 5]
       [--set PATH=VALUE ...]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

#: The year whose tariffs in force the union is set on, and the default sigma.
YEAR, SIGMA = 2035, 5.0
#: The scenario read by default, found from the repository wherever the tool is run.
DEFAULT_SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "customs_union.yaml"


@dataclass(frozen=True)
class Split:
    """Welfare changes (fractions) of each member: whole union and its own tariff alone.

    Attributes:
        members: The members' codes, in the data's order.
        whole: ``{code: W - 1}`` from the whole union.
        own: ``{code: W - 1}`` from the member's own tariff change on outsiders alone.
    """

    members: tuple[str, ...]
    whole: dict[str, float]
    own: dict[str, float]


def welfare_split(flows: np.ndarray, tau_from: np.ndarray, base: np.ndarray,
                  union: np.ndarray, inside: np.ndarray, codes: list[str], *,
                  sigma: float = SIGMA, deficits: str = "level",
                  ban_change: np.ndarray | None = None,
                  sharing: np.ndarray | None = None) -> Split:
    """Solve the base, the whole union and each member's own tariff change; compare.

    All are solved from the same initial equilibrium (``flows`` at ``tau_from``), so each
    welfare change against ``base`` is the ratio of two solves' welfare (exact hat algebra:
    the change between two counterfactuals of one baseline).

    Args:
        flows: ``(N, N)`` tariff-inclusive flows at ``tau_from`` (exporter, importer).
        tau_from: ``(N, N)`` the tariffs of ``flows``.
        base: ``(N, N)`` tariffs in force without the union.
        union: ``(N, N)`` tariffs with the union.
        inside: ``(N,)`` bool, the union's members.
        codes: The economies' codes.
        sigma: Elasticity of substitution.
        deficits: Deficit closure, ``level`` or ``ratio``.
        ban_change: ``(N, N)`` iceberg factors of the bans the union lifts, or None.
        sharing: ``(N, N)`` the union's revenue sharing, or None (kept where collected).

    Returns:
        The :class:`Split`.
    """
    from scosim.mechanisms.short_run import solve_year

    n = len(codes)
    members = [int(j) for j in np.flatnonzero(inside)]
    # Batch: 0 base, 1 whole union, 2.. each member's own tariff on outsiders only.
    new = [base, union]
    for j in members:
        own = base.copy()
        own[~inside, j] = union[~inside, j]
        new.append(own)
    r = len(new)
    one = np.ones((n, n))
    ban = np.stack([one, one if ban_change is None else ban_change] + [one] * len(members))
    share = (None if sharing is None else
             np.stack([np.eye(n), sharing] + [np.eye(n)] * len(members)))
    res = solve_year(np.broadcast_to(flows, (r, n, n)), sigma=np.full(r, sigma),
                     sigma_short=np.full(r, sigma), tariffs=np.broadcast_to(tau_from, (r, n, n)),
                     new_tariffs=np.stack(new), cost_change=None,
                     deficits=deficits,  # type: ignore[arg-type]
                     revenue_sharing=share, ban_change=ban)
    w = np.asarray(res.welfare_change, dtype=float)
    whole = {codes[j]: float(w[1, j] / w[0, j] - 1.0) for j in members}
    own = {codes[j]: float(w[2 + k, j] / w[0, j] - 1.0) for k, j in enumerate(members)}
    return Split(tuple(codes[j] for j in members), whole, own)


def union_inputs(scenario: Any, year: int = YEAR) -> dict[str, Any]:
    """The arguments of :func:`welfare_split` for the scenario's first customs union.

    The tariffs in force in ``year`` and the union's once fully phased in are made as
    :func:`scosim.cet_answer.union_applied` makes them (the run's answer's CET line); the
    flows and their tariffs are the base year's, at the scenario's sigma (give it one run's:
    ``parameters.trade.sigma_spread`` 0).
    """
    from scosim.cet_answer import union_applied
    from scosim.model.model import SCOModel
    from scosim.proposals.customs_union import CustomsUnion

    model = SCOModel(scenario, runs=[0])
    arr = next((a for a in model.arrangements if isinstance(a, CustomsUnion)), None)
    if arr is None:
        raise SystemExit(f"{scenario.name}: the scenario has no customs_union proposal")
    base, policy, parts, _ = union_applied(model, arr, year)
    n = model.N
    return {"flows": np.asarray(model.flows_base, dtype=float).reshape(n, n),
            "tau_from": np.asarray(model.tau_base, dtype=float).reshape(n, n),
            "base": base[0], "union": np.asarray(policy.tariffs)[0], "inside": parts[0],
            "codes": list(model.codes), "sigma": float(np.asarray(model.sigma).ravel()[0]),
            "deficits": scenario.parameters.trade.deficits,
            "ban_change": None if policy.ban_change is None
            else np.asarray(policy.ban_change)[0],
            "sharing": None if policy.sharing is None else np.asarray(policy.sharing)[0]}


def union_split(scenario: Any, year: int = YEAR) -> Split:
    """:func:`welfare_split` of the scenario's first customs union (:func:`union_inputs`)."""
    return welfare_split(**union_inputs(scenario, year))


def main(argv: list[str] | None = None) -> int:
    """Print the table."""
    from scosim.scenario import ScenarioError, load_scenario, parse_overrides

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=str(DEFAULT_SCENARIO))
    ap.add_argument("--year", type=int, default=YEAR,
                    help="the tariffs in force in this year (default 2035)")
    ap.add_argument("--sigma", type=float, default=SIGMA, help="trade elasticity + 1 (5)")
    ap.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                    help="override a scenario field, as scosim run's --set")
    a = ap.parse_args(argv)
    try:
        overrides = parse_overrides(a.set) if a.set else {}
        # One run at the given sigma: the suspension's equivalents are stated at it too.
        overrides = {**overrides, "parameters.trade.sigma": a.sigma,
                     "parameters.trade.sigma_spread": 0.0}
        sc = load_scenario(a.scenario, overrides=overrides)
    except ScenarioError as exc:
        print(f"own_tariff_share: {exc}", file=sys.stderr)
        return 2
    s = union_split(sc, a.year)
    print(f"{a.scenario}: welfare change of each member, percent of real expenditure; static "
          f"GE from the base year's flows against the tariffs in force in {a.year}, sigma "
          f"{a.sigma:g}, deficits {sc.parameters.trade.deficits}")
    print(f"  {'member':6} {'whole union':>12} {'own tariff':>11} {'share':>7}")
    for c in s.members:
        whole, own = 100 * s.whole[c], 100 * s.own[c]
        ratio = own / whole if abs(whole) >= 0.005 else float("nan")
        share = (f"{'-':>7}" if ratio != ratio else f"{0.0 if abs(ratio) < 0.005 else ratio:7.0%}")
        print(f"  {c:6} {whole:+12.2f} {own:+11.2f} {share}")
    print("own tariff: only the member's tariffs on imports from non-members changed, to the "
          "union's; share: own tariff / whole union, negative where the member's own tariff "
          "works against the whole ('-' where the whole is below 0.005 %)")
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main))
