"""Each member's expected value of a banking union, as the Council's vote prices it.

Usage: python tools/union_value.py [SCENARIO] [--horizon 5] [--rate 0.07] [--draws 200]
       [--credit-fund] [--year YEAR] [--set PATH=VALUE ...]

Loads the scenario (``scenarios/finance_crisis_union.yaml`` by default), builds its banking
union among its participants and prints, per member, what
:func:`scosim.finance.union_value.union_value` gives at the scenario's seed (the preview's
own seed, :func:`~scosim.finance.union_value.preview_seed`): the value (treasury saving less
the banks' contributions; with ``--credit-fund`` plus the fund left at the horizon,
discounted), its Monte Carlo standard error and its parts, in percent of base-year GDP a
year (a level yearly amount over the horizon, discounted at ``--rate``), and the members'
totals in US$ bn a year. At the defaults these are the vote events' ``term_econ`` (x 100)
of the scenario run with ``--set parameters.rules.vote=utility_vote``. The tool starts from
the calibrated balance sheets; the vote starts from each run's at the summit, which are the
calibrated ones in the first year, so tabled later (``--year``) the tool gives the term of
the runs whose earlier years left those balance sheets as calibrated. The vote knows the
scenario's crisis only if it is staged in the vote's year or before; the ``realised``
column is the same measure with every staged event (a crisis after the vote included:
:func:`~scosim.finance.union_value.realised_union_value`). docs/finance.md ("What the union
is worth to each member") quotes it. Where the vote knows of a crisis before the union's
entry into force, it also prints the members' capital ratios in the replayed record (those
of the members that failed or end it below their calibrated capital). ``--set`` changes
the scenario as ``scosim run``'s does (e.g. the calibration before 2026-12-06: ``--set
parameters.finance.idio_sd=0.01 --set parameters.finance.npl_sensitivity=0.89``).
"""

from __future__ import annotations

import argparse
import time
from types import SimpleNamespace

import numpy as np

from scosim.finance.ensemble import simulate_from
from scosim.finance.proposals import BankingUnion
from scosim.finance.spec import FinanceSettings, participant_codes
from scosim.finance.system import FinanceSystem
from scosim.finance.union_value import (
    DRAWS,
    HORIZON_YEARS,
    RATE,
    preview_seed,
    realised_union_value,
    staged_events,
    union_value,
)
from scosim.scenario import load_scenario, parse_overrides


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
    ap.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                    help="override a scenario field, as scosim run's --set")
    a = ap.parse_args()
    overrides = parse_overrides(a.set) if a.set else {}
    sc = load_scenario(a.scenario, overrides=overrides)
    if a.year is not None:
        i = next(i for i, p in enumerate(sc.proposals) if p.type == "banking_union")
        sc = load_scenario(a.scenario, overrides={**overrides, f"proposals.{i}.year": a.year})
    prop = next(p for p in sc.proposals if p.type == "banking_union")
    fs = FinanceSystem(params=FinanceSettings.model_validate(sc.parameters.finance).params())
    mask = np.isin(fs.codes, participant_codes(prop.participants))
    # The proposal type writes the levers; the mechanism's mapping reads them (as the preview).
    arr = SimpleNamespace(proposal=prop)
    apply = BankingUnion.apply.__get__(arr)

    def levers(R: int, union: bool) -> object:
        from scosim.finance.mechanism import BankingSystems

        pol = SimpleNamespace(levers={})
        if union:
            apply(pol, np.broadcast_to(mask, (R, fs.N)).copy(), np.ones(R), np.ones(R, bool))
        mech = BankingSystems.__new__(BankingSystems)
        mech.fs = fs
        return mech.levers(pol, R)

    lag = int(sc.parameters.council.ratification_lag)
    t = time.perf_counter()
    kw = {"seed": preview_seed(sc.seed, prop.id), "lag": lag, "horizon": a.horizon,
          "rate": a.rate, "draws": a.draws}
    known = staged_events(sc.events, prop.year, known_only=True)
    v = union_value(fs, lambda R: levers(R, False), lambda R: levers(R, True), events=known,
                    **kw)
    r = realised_union_value(fs, lambda R: levers(R, False), lambda R: levers(R, True),
                             sc.events, prop.year, **kw)
    took = time.perf_counter() - t
    gdp = np.asarray(fs.data.gdp, float)
    value = v.value + (v.fund_left if a.credit_fund else 0.0)
    print(f"{a.scenario}: {a.draws} draws, {a.horizon} years in force from {lag} year(s) after "
          f"the vote, discounted at {a.rate:.0%}{', fund left credited' if a.credit_fund else ''}"
          f"; {took:.2f} s")
    realised = r.value + (r.fund_left if a.credit_fund else 0.0)
    print(f"voted in {prop.year}; staged events known to the vote: "
          f"{'none' if known.empty else sorted({*known.gdp_shocks, *known.sanctions})}")
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
    if not known.empty and known.first_year < entry:
        # The balance sheets the vote's valuation starts the union's years from (the same
        # replay as union_value's: known events, no other shock, without the union).
        rec, _ = simulate_from(fs, list(range(known.first_year, entry)), 1, seed=kw["seed"],
                               gdp_shocks=known.gdp_shocks, sanctions=known.sanctions,
                               levers=lambda _y, _r: levers(1, False), drawn=False)
        cal = 100 * fs.data.capital / fs.data.assets
        print(f"replayed record {known.first_year}-{entry - 1}, capital ratio at each year's "
              "end, % of assets (calibrated), failed years:")
        for i, c in enumerate(fs.codes):
            if mask[i] and (rec["failures"][0, :, i].any()
                            or rec["capital_ratio"][0, -1, i] < 0.999 * cal[i] / 100):
                path = " ".join(f"{100 * x:.2f}" for x in rec["capital_ratio"][0, :, i])
                failed = [known.first_year + int(t) for t in
                          np.flatnonzero(rec["failures"][0, :, i])]
                print(f"  {c:4} {path} ({cal[i]:.2f}); failed {failed or 'none'}")
    bn = 1e9
    print(f"members, US$ bn a year: contributions {v.contribution[mask].sum() / bn:.2f}, "
          f"fund paid {v.fund_paid[mask].sum() / bn:.2f}, net paid in "
          f"{v.net_paid_in[mask].sum() / bn:.2f} (= the fund's change "
          f"{v.fund_change.sum() / bn:.2f}), compartments' transfers "
          f"{v.fund_transfer.sum() / bn:+.2e}")


if __name__ == "__main__":
    main()
