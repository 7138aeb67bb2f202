"""Crisis demonstration of scosim.finance: a sanctions shock to one member's banks.

Usage: python tools/finance_demo.py OUT.png [--runs 200] [--seed 1]

Runs the stand-alone banking ensemble (until the step is wired into the model) for
2025-2030 with a 2026 crisis in Russia, a hypothetical severe stress (log GDP shock of
-0.41, as large as the fall of Russia's US$ GDP from 2014 to 2015 in WDI, but passed one
for one into bad loans: about 15 times the NPL rise recorded in 2015, docs/finance.md
section 8; plus full sanctions by the Rest of World), in three
variants: no banking union; an SCO banking union of the members with all four components;
no union but 80 percent of members' mutual trade settled in national currencies.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from scosim.data.constants import MEMBERS
from scosim.finance.ensemble import simulate
from scosim.finance.plots import plot_banking
from scosim.finance.run_summary import PAYERS, summarise
from scosim.finance.spec import BankingUnionProposal, SettlementProposal, levers_from
from scosim.finance.system import FinanceSystem, Levers

YEARS = list(range(2025, 2031))
CRISIS = 2026
SHOCK = {CRISIS: {"RUS": float(np.log(1.36 / 2.06))}}
SANCTIONS = {CRISIS: [("RUS", "ROW", 1.0)]}


def variants(fs: FinanceSystem) -> dict[str, object]:
    union = BankingUnionProposal.model_validate({
        "type": "banking_union", "id": "sco-banking-union", "year": 2025, "proposer": "KAZ",
        "supervision": {}, "deposit_insurance": {"contribution_bp": 10}, "resolution": {},
        "information": {}})
    ncs = SettlementProposal(type="national_currency_settlement", id="ncs", year=2025,
                             proposer="RUS", share=0.8)
    base = fs.data.settlement
    return {
        "no banking union": lambda y, R: levers_from(fs.codes, R, base),
        "SCO banking union (all components)": lambda y, R: levers_from(fs.codes, R, base, union),
        "no union, 80% national-currency settlement": (
            lambda y, R: levers_from(fs.codes, R, base, settlement=ncs)),
    }


def fund_adequacy(fs: FinanceSystem, runs: int, seed: int) -> None:
    """Print how much of Russia's insured losses a deposit-insurance-only union covers."""
    rus = fs.codes.index("RUS")
    part = np.isin(fs.codes, MEMBERS)
    for mu in (0.0, 1.0):
        def lev(year: int, R: int, mu: float = mu) -> Levers:
            return Levers.union(np.broadcast_to(part, (R, fs.N)), fs.data.settlement,
                                ("deposit_insurance",), contribution_bp=10.0, mutualisation=mu)

        r = simulate(fs, YEARS[: YEARS.index(CRISIS) + 1], runs, seed=seed, levers=lev,
                     sanctions=SANCTIONS, gdp_shocks=SHOCK)
        failed = r["failures"][:, -1, rus] > 0
        ins = r["insured_payout"][failed, -1, rus]
        paid = r["fund_payout"][failed, -1, rus]
        # Covered deposits rank first (BRRD art. 108): they lose only once the ordinary
        # debt and the uninsured deposits have lost all, so most failures cost them nothing.
        hit = ins > 0
        share = f"{paid[hit].sum() / ins[hit].sum():.2f}" if hit.any() else "-"
        print(f"deposit insurance only, 10 bp, mutualisation {mu:g}: Russia fails in "
              f"{failed.mean():.2f} of runs; its insured depositors lose in {hit.sum()} of "
              f"those {failed.sum()}, mean {ins.mean() / 1e9:.1f} bn a failure; share paid "
              f"by the fund where they lose {share}")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    fs = FinanceSystem()
    res = {}
    for label, lev in variants(fs).items():
        res[label] = simulate(fs, YEARS, a.runs, seed=a.seed, levers=lev, sanctions=SANCTIONS,
                              gdp_shocks=SHOCK)
        r = res[label]
        m = [fs.codes.index(c) for c in MEMBERS]
        t = YEARS.index(CRISIS)
        rus = fs.codes.index("RUS")
        print(f"{label}: crisis year, members: failures mean "
              f"{r['failures'][:, t, m].sum(1).mean():.2f}, runs with a failure "
              f"{(r['failures'][:, t, m].sum(1) > 0).mean():.3f}, RUS failure share "
              f"{r['failures'][:, t, rus].mean():.2f}, fiscal cost median "
              f"{np.median(r['fiscal_cost'][:, t, m].sum(1)) / 1e9:.1f} bn, 2025-30 total fiscal "
              f"median {np.median(r['fiscal_cost'][:, :, m].sum((1, 2))) / 1e9:.1f} bn, "
              f"fund end {np.median(r['fund_balance'][:, -1, m].sum(1)) / 1e9:.1f} bn, "
              f"RUS sanctions loss {np.median(r['loss_sanctions'][:, t, rus]) / 1e9:.1f} bn, "
              f"max rounds {r['rounds'].max():.0f}")
        paid = summarise(r, m).payer_mean
        print("  who paid 2025-30, members, mean US$ bn: " + ", ".join(
            f"{' '.join(lab.split())} {v:.1f}" for (_, lab), v in zip(PAYERS, paid, strict=True)))
        total = {k: r[k][:, :, m].sum((1, 2)).mean() / 1e9
                 for k in ("precautionary_recap", "bail_in_deposits", "fund_art109")}
        res_r, ref_r = r["resolutions"][:, t, rus] > 0, r["resolution_refused"][:, t, rus] > 0
        print(f"  of which: precautionary recapitalisation {total['precautionary_recap']:.1f}, "
              f"uninsured deposits bailed in {total['bail_in_deposits']:.1f}, fund under BRRD "
              f"art. 109 {total['fund_art109']:.1f}; RUS 2026, share of runs: resolved "
              f"{res_r.mean():.3f} (with the fund: "
              f"{(res_r & (r['fund_payout'][:, t, rus] > 0)).mean():.3f}, precautionary: "
              f"{(r['precautionary_recap'][:, t, rus] > 0).mean():.3f}), refused public money "
              f"{ref_r.mean():.3f}")
    plot_banking(res, YEARS, fs.codes, a.out, group=MEMBERS,
                 title="Sanctions and a 2015-size GDP shock hit Russia's banks in 2026")
    print(f"wrote {a.out}")
    fund_adequacy(fs, a.runs, a.seed)
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main, sys.argv[1:]))
