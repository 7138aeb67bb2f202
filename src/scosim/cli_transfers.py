"""``scosim transfers RUN``: the side payments that would carry each rejected Council vote.

Prints, per proposal and year, over the run's replications: the share of runs in which a
budget-balanced transfer among the voters carries the vote (or it carried without one),
the median total transfer (US$ bn, and percent of the bloc's gain) with its 5-95 % range,
and each member's median receipt or payment; writes ``transfers.csv`` (one row per vote
and voter) into the run folder. The analysis is :mod:`scosim.side_payments`; what it is
and is not: docs/rules.md, "Side payments". Building the parser imports nothing heavy.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

__all__ = ["add_transfers_parser", "transfers_cli"]

#: The table written into the run folder.
TABLE = "transfers.csv"


def add_transfers_parser(sub: Any) -> None:
    """Register ``transfers`` on the ``scosim`` parser."""
    t = sub.add_parser("transfers", help="side payments that would carry each rejected "
                       "Council vote of a finished run (who pays whom, and how much)")
    t.add_argument("run", help="a run directory, a run id or a scenario name (its latest run)")
    t.add_argument("--out", default="results", help="results root (default: results)")
    t.set_defaults(func=transfers_cli)


def transfers_cli(args: argparse.Namespace) -> int:
    """Price the run's votes, print the summary and write ``transfers.csv``; exit status."""
    from scosim.cli_errors import say
    from scosim.result_tables import _is_url
    from scosim.run_catalogue import CHOOSE_FOR_SHOW, resolve_run
    from scosim.side_payments import TransferError, price_run, summarise

    if _is_url(args.run):
        say(f"error: {args.run}: transfers reads a run on this machine (it writes "
            f"{TABLE} beside it); copy the run folder here first", None)
        return 2
    try:
        run_dir = resolve_run(args.run, args.out, refuse_ambiguous=True,
                              choose=CHOOSE_FOR_SHOW)
        table = price_run(run_dir)
    except (TransferError, FileNotFoundError, ValueError) as exc:
        say(f"error: {exc}", None)
        return 2
    n_runs = table["run"].nunique()
    print(f"run: {run_dir}")
    print(f"Side payments that would carry each Council vote, {n_runs} runs (docs/rules.md, "
          "\"Side payments\"): US$ bn of the base year; medians and 5-95 % ranges over the "
          "rejected runs in which a plan exists; + receives, - pays.")
    for s in summarise(table):
        print()
        print("\n".join(_lines(s, table)))
    out = Path(run_dir) / TABLE
    table.to_csv(out, index=False)  # full precision: the figures are read back
    print(f"\nwritten: {out}")
    return 0


def _lines(s: dict[str, Any], table: Any) -> list[str]:
    """The printed block of one proposal and year (:func:`scosim.side_payments.summarise`)."""
    from scosim.data.constants import NAMES

    rule = table.loc[(table["proposal"] == s["proposal"]) & (table["year"] == s["year"]),
                     "decision_rule"].iloc[0]
    rejected = s["runs"] - s["carried"]
    out = [f"{s['proposal']}, {s['year']} ({rule}): rejected in {rejected} of {s['runs']} runs;"
           f" a plan exists in {100 * s['plan_share']:.1f} % of runs ({s['plan']} bought, "
           f"{s['carried']} carried without one)"]
    if s["plan"]:
        m, lo, hi = s["total_bn"]
        pm, plo, phi = s["share_pct"]
        share = (f", {pm:.0f} % of the bloc's gain ({plo:.0f} to {phi:.0f})"
                 if not math.isnan(pm) else ", the bloc gains nothing in US$")
        out.append(f"  total transfer: US${m:.1f} bn (5-95 %: {lo:.1f} to {hi:.1f}){share}")
        members = sorted(s["members"].items(), key=lambda kv: (-kv[1], kv[0]))
        for label, keep in (("receives", lambda v: v > 0), ("pays", lambda v: v < 0)):
            who = [f"{c} {NAMES.get(c, c)} {abs(v):.2f}" for c, v in members if keep(v)]
            if label == "pays":
                who.reverse()  # largest payer first
            if who:
                out.append(f"  {label}: " + ", ".join(who))
    if s["plan"] + s["no_plan"]:
        g, glo, ghi = s["gain_bn"]
        out.append(f"  the bloc's gain (econ term, US$): {g:.1f} bn (5-95 %: {glo:.1f} to "
                   f"{ghi:.1f}), above zero in {100 * s['gain_positive']:.1f} % of the "
                   f"{s['plan'] + s['no_plan']} rejected runs priced")
    for what in ("no_plan", "not_priced", "no_voters"):
        if s[what]:
            out.append(f"  {what.replace('_', ' ')} in {s[what]} runs")
    for reason in s["reasons"][:3]:
        out.append(f"    {reason}")
    return out
