"""Each member's expected value of a banking union, as the Council's vote prices it.

Usage: python tools/union_value.py [SCENARIO] [--horizon 5] [--rate 0.07] [--draws 200]
       [--credit-fund] [--year YEAR] [--run R] [--set PATH=VALUE ...]

Loads the scenario (``scenarios/finance_crisis_union.yaml`` by default), builds its banking
union among its participants and prints, per member, what
:func:`scosim.finance.union_value.union_value` gives at the scenario's seed (the preview's
own seed, :func:`~scosim.finance.union_value.preview_seed`): the value (treasury saving less
the banks' contributions; with ``--credit-fund`` plus the fund left at the horizon,
discounted), its Monte Carlo standard error and its parts, in percent of base-year GDP a
year (a level yearly amount over the horizon, discounted at ``--rate``), and the members'
totals in US$ bn a year.

The value starts where the vote's does (since 2026-12-07; before, always from the
calibrated balance sheets): from the balance sheets run ``--run`` (default 0) of the
scenario has reached at the summit of the vote's year, the model stepped through the
years before it, with the vote year's known events replayed, as
:func:`~scosim.finance.union_value.preview_union` does. At the defaults the printed value
is then that run's vote event's ``term_econ`` (x 100) of the scenario run with ``--set
parameters.rules.vote=utility_vote``, bit for bit. Tabled in the scenario's first year,
every run is on the calibrated balance sheets and ``--run`` changes nothing.
``--calibrated`` starts from the calibrated balance sheets in any year instead, with every
event known to the vote replayed from them and no other shock (the vote's term for a run
whose earlier years had no shock of their own). The vote knows
the scenario's crisis only if it is staged in the vote's year or before; the ``realised``
column is the union's realised value, the same measure from the *calibrated* balance
sheets with every staged event (a crisis after the vote included:
:func:`~scosim.finance.union_value.realised_union_value`), as the answer reports it.
docs/finance.md ("What the union is worth to each member") quotes it. Where the vote knows
of a crisis before the union's entry into force, it also prints the members' capital
ratios in the replayed record (those of the members that failed or end it below their
calibrated capital). ``--set`` changes the scenario as ``scosim run``'s does (e.g. the
calibration before 2026-12-06: ``--set parameters.finance.idio_sd=0.01 --set
parameters.finance.npl_sensitivity=0.89``).
"""

from __future__ import annotations

import argparse
import sys
import time
from types import SimpleNamespace
from typing import Any

import numpy as np

from scosim.finance.ensemble import simulate_from
from scosim.finance.proposals import BankingUnion
from scosim.finance.spec import participant_codes
from scosim.finance.union_value import (
    DRAWS,
    HORIZON_YEARS,
    RATE,
    preview_seed,
    realised_union_value,
    staged_events,
    union_value,
)
from scosim.model.model import SCOModel
from scosim.scenario import load_scenario, parse_overrides


class NoUnion(ValueError):
    """The scenario has no banking union to price."""


def priced(sc: Any, *, run: int = 0, horizon: int = HORIZON_YEARS, rate: float = RATE,
           draws: int = DRAWS, calibrated: bool = False) -> SimpleNamespace:
    """The vote's valuation of the scenario's banking union, from run ``run``'s balance sheets.

    Args:
        sc: The loaded scenario.
        run: The run whose balance sheets at the summit of the vote's year it starts from.
        calibrated: Start from the calibrated balance sheets instead, every known event
            replayed from them (the tool's only starting point until 2026-12-07).
        horizon: Years in force priced.
        rate: Discount rate.
        draws: Draws of the ensemble.

    Returns:
        ``v`` (the vote's :class:`~scosim.finance.union_value.UnionValue`), ``r`` (the
        realised value, from the calibrated balance sheets), and what the table prints.
    """
    prop = next((p for p in sc.proposals if p.type == "banking_union"), None)
    if prop is None:
        raise NoUnion(f"{sc.name}: no proposal of type banking_union")
    if run < 0 or run >= sc.replications:
        raise SystemExit(f"--run {run}: the scenario has runs 0 to {sc.replications - 1}")
    # The vote's starting point: the run stepped through the years before the vote (its
    # summit comes before the year's finance step), as preview_union reads it.
    model = SCOModel(sc, runs=[run])
    while not calibrated and model.running and model.year < prop.year:
        model.step()
    mech = next((x for slot, x in model.mechanisms if slot == "finance"), None)
    if mech is None:
        raise SystemExit(f"{sc.name}: no finance mechanism (parameters.mechanisms)")
    fs, state = mech.fs, None if calibrated else mech.state
    mask = np.isin(fs.codes, participant_codes(prop.participants))
    # The proposal type writes the levers; the mechanism's mapping reads them (as the preview).
    apply = BankingUnion.apply.__get__(SimpleNamespace(proposal=prop))

    def levers(R: int, union: bool) -> object:
        pol = SimpleNamespace(levers={})
        if union:
            apply(pol, np.broadcast_to(mask, (R, fs.N)).copy(), np.ones(R), np.ones(R, bool))
        return mech.levers(pol, R)

    lag = int(sc.parameters.council.ratification_lag)
    t = time.perf_counter()
    kw = {"seed": preview_seed(sc.seed, prop.id), "lag": lag, "horizon": horizon,
          "rate": rate, "draws": draws}
    known = staged_events(sc.events, prop.year, known_only=True)
    # Events of earlier years are in the run's balance sheets; the vote year's are replayed.
    replay = staged_events([e for e in sc.events
                            if calibrated or int(e.year) >= prop.year], prop.year,
                           known_only=True)
    v = union_value(fs, lambda R: levers(R, False), lambda R: levers(R, True), events=replay,
                    state=state, **kw)
    r = realised_union_value(fs, lambda R: levers(R, False), lambda R: levers(R, True),
                             sc.events, prop.year, **kw)
    return SimpleNamespace(v=v, r=r, fs=fs, mask=mask, state=state, known=known,
                           replay=replay, kw=kw, levers=levers, lag=lag, prop=prop,
                           took=time.perf_counter() - t)


def main() -> None:
    """Print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="scenarios/finance_crisis_union.yaml")
    ap.add_argument("--horizon", type=int, default=HORIZON_YEARS)
    ap.add_argument("--rate", type=float, default=RATE)
    ap.add_argument("--draws", type=int, default=DRAWS)
    ap.add_argument("--credit-fund", action="store_true",
                    help="add back the fund left at the horizon, discounted")
    ap.add_argument("--year", type=int, default=None,
                    help="table the union in this year (as --set proposals.N.year=YEAR)")
    ap.add_argument("--run", type=int, default=0,
                    help="the run whose balance sheets at the summit the value starts from")
    ap.add_argument("--calibrated", action="store_true",
                    help="start from the calibrated balance sheets, known events replayed")
    ap.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                    help="override a scenario field, as scosim run's --set")
    a = ap.parse_args()
    overrides = parse_overrides(a.set) if a.set else {}
    sc = load_scenario(a.scenario, overrides=overrides)
    i = next((i for i, p in enumerate(sc.proposals) if p.type == "banking_union"), None)
    if i is None:
        print(f"{a.scenario}: no proposal of type banking_union; this tool prices a banking "
              "union (e.g. scenarios/finance_crisis_union.yaml)", file=sys.stderr)
        raise SystemExit(2)
    if a.year is not None:
        sc = load_scenario(a.scenario, overrides={**overrides, f"proposals.{i}.year": a.year})
    p = priced(sc, run=a.run, horizon=a.horizon, rate=a.rate, draws=a.draws,
               calibrated=a.calibrated)
    v, r, fs, mask, state, known, replay = p.v, p.r, p.fs, p.mask, p.state, p.known, p.replay
    kw, levers, lag, prop, took = p.kw, p.levers, p.lag, p.prop, p.took
    gdp = np.asarray(fs.data.gdp, float)
    value = v.value + (v.fund_left if a.credit_fund else 0.0)
    print(f"{a.scenario}: {a.draws} draws, {a.horizon} years in force from {lag} year(s) after "
          f"the vote, discounted at {a.rate:.0%}{', fund left credited' if a.credit_fund else ''}"
          f"; {took:.2f} s")
    realised = r.value + (r.fund_left if a.credit_fund else 0.0)
    print(f"voted in {prop.year}; staged events known to the vote: "
          f"{'none' if known.empty else sorted({*known.gdp_shocks, *known.sanctions})}")
    first = " (the calibrated ones: the first year)" if prop.year == sc.years.start else ""
    print("from the calibrated balance sheets, known events replayed" if a.calibrated else
          f"from run {a.run}'s balance sheets at the {prop.year} summit{first}",
          "; realised value from the calibrated ones", sep="")
    print("percent of base-year GDP a year (mean over draws):")
    print(f"  {'':4} {'value':>7} {'(se)':>7} {'saving':>7} {'contrib':>8} {'fund paid':>9} "
          f"{'net paid in':>11} {'fund left':>9} {'realised':>9} {'(se)':>7}")
    for i, c in enumerate(fs.codes):
        if mask[i]:
            p = [100 * x[i] / gdp[i] for x in (value, v.value_se, v.fiscal_saving,
                                                v.contribution, v.fund_paid, v.net_paid_in,
                                                v.fund_left, realised, r.value_se)]
            print(f"  {c:4} {p[0]:+7.3f} {p[1]:7.3f} {p[2]:+7.3f} {p[3]:8.3f} {p[4]:9.3f} "
                  f"{p[5]:+11.3f} {p[6]:9.3f} {p[7]:+9.3f} {p[8]:7.3f}")
    entry = prop.year + lag
    if not replay.empty and replay.first_year < entry:
        # The balance sheets the vote's valuation starts the union's years from (the same
        # replay as union_value's: known events, no other shock, without the union).
        rec, _ = simulate_from(fs, list(range(replay.first_year, entry)), 1, seed=kw["seed"],
                               gdp_shocks=replay.gdp_shocks, sanctions=replay.sanctions,
                               levers=lambda _y, _r: levers(1, False), drawn=False,
                               state=state)
        cal = 100 * fs.data.capital / fs.data.assets
        print(f"replayed record {replay.first_year}-{entry - 1}, capital ratio at each year's "
              "end, % of assets (calibrated), failed years:")
        for i, c in enumerate(fs.codes):
            if mask[i] and (rec["failures"][0, :, i].any()
                            or rec["capital_ratio"][0, -1, i] < 0.999 * cal[i] / 100):
                path = " ".join(f"{100 * x:.2f}" for x in rec["capital_ratio"][0, :, i])
                failed = [replay.first_year + int(t) for t in
                          np.flatnonzero(rec["failures"][0, :, i])]
                print(f"  {c:4} {path} ({cal[i]:.2f}); failed {failed or 'none'}")
    bn = 1e9
    print(f"members, US$ bn a year: contributions {v.contribution[mask].sum() / bn:.2f}, "
          f"fund paid {v.fund_paid[mask].sum() / bn:.2f}, net paid in "
          f"{v.net_paid_in[mask].sum() / bn:.2f} (= the fund's change "
          f"{v.fund_change.sum() / bn:.2f}), compartments' transfers "
          f"{v.fund_transfer.sum() / bn:+.2e}")


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    raise SystemExit(run_command(main))
