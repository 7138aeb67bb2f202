"""A freight corridor's break-even access charge, and the lender's owners' share beside it.

The answer's fee-0 line (:mod:`scosim.network.access_answer`) divides the paying hosts'
yearly cost by the traffic a fee of US$1 a TEU bills in their territory. Which cost: a loan
puts part of its cost (its expected loss, and a bank's interest subsidy where it funds
the loan below its rate: ``finance.owners_subsidy``) on the lender's owners, the members by
GDP, whether or not they pay for the line. ``corridor_own_cost_usd`` is the part of
``corridor_cost_usd`` from the corridors an economy pays for, so, per run:

* the hosts' own cost is what the break-even recovers (its own loan's share on hosts that
  are also owners is in it);
* the hosts' ``corridor_cost_usd`` less it is what they bear as owners of other corridors'
  loans (fixed by those loans' terms, not by this line's fee);
* the other economies' ``corridor_cost_usd`` less their own cost is, where this project is
  the run's only lent one, what its own loan puts on owners outside the hosts.

Each of the last two is said only where the rows hold it (above US$1 a year in some
operating run), not where the scenario merely names a loan: a guaranteed loan or one
rejected in every run puts nothing on the owners (an outside review, 2026-12-07).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

#: US$ a year below which a difference of costs is rounding, not a loan's share.
TINY_USD = 1.0


class BreakEven(NamedTuple):
    """Medians over the runs in which the line operates (US$ a year, TEU a year)."""

    fee: float
    cost: float
    teu: float
    n_on: int
    n_all: int
    others: float  # the hosts' share as other loans' owners (0: none in any run)
    fee_others: float  # the fee that also recovers it
    outside: float  # its own loan's owners' share outside the hosts (0: none)
    fee_outside: float  # the fee that also recovers it


def break_even(rows: Mapping[str, pd.DataFrame], hosts: Sequence[str],
               own_cost: str) -> BreakEven | None:
    """The break-even of a project whose hosts are ``hosts``, from a year's per-run rows.

    Args:
        rows: ``corridor_cost_usd``, ``corridor_fee_base_teu`` and (since 2026-12-07)
            ``own_cost``, each runs x economies. Without ``own_cost`` (an older run) the
            whole cost is the hosts' own and no owners' share is said.
        hosts: The project's paying hosts.
        own_cost: The own cost's indicator name (``corridor_own_cost_usd``).

    Returns:
        None when the rows cannot say (no traffic in any run); the caller checks that the
        hosts' rows are the project's alone (``access_answer._mixed_with``).
    """
    cost, base = rows.get("corridor_cost_usd"), rows.get("corridor_fee_base_teu")
    if cost is None or base is None or not hosts:
        return None
    own = rows.get(own_cost, cost).reindex(index=cost.index, columns=cost.columns)
    cols = [c for c in hosts if c in cost.columns and c in base.columns]
    b = base[cols].sum(axis=1).reindex(cost.index).fillna(0.0)
    on = b > 0
    if not on.any():
        return None
    b = b[on]
    mine = own.loc[on, cols].sum(axis=1)
    others = cost.loc[on, cols].sum(axis=1) - mine
    rest = [c for c in cost.columns if c not in cols]
    outside = (cost.loc[on, rest] - own.loc[on, rest]).sum(axis=1)
    others = others.where(others.abs() > TINY_USD, 0.0)
    outside = outside.where(outside.abs() > TINY_USD, 0.0)

    def med(v: pd.Series) -> float:
        return float(np.median(v))

    return BreakEven(med(mine / b), med(mine), med(b), int(on.sum()), len(cost),
                     med(others) if others.any() else 0.0, med((mine + others) / b),
                     med(outside) if outside.any() else 0.0, med((mine + outside) / b))


def others_clause(said: BreakEven, scenario: Any, p: Any, usd: Any) -> str:
    """The clause that gives what the hosts bear as other loans' owners ('' if nothing).

    Args:
        said: The project's break-even.
        scenario: The run's scenario (the other corridors' names).
        p: The project's proposal.
        usd: The answer's US$ formatter.
    """
    if said.others <= 0:
        return ""
    lent = [q.id for q in scenario.proposals
            if q.type == "corridor" and q.id != p.id and q.financing != "budget"]
    loans = (f"{' and '.join(lent)}'s loan{'s' if len(lent) > 1 else ''}" if lent
             else "other corridors' loans")
    # Small hosts' GDP shares make it tiny: "US$0 m" read as nothing where it is not.
    amount = usd(said.others)
    amount = "less than US$0.5 m" if amount == usd(0.0) else amount
    return (f"; their own cost, corridor_own_cost_usd: their net also takes "
            f"{amount} a year off them as the lender's owners' share (expected "
            f"loss, interest subsidy) of {loans}, set by the loan's terms, not by this line's "
            f"fee; US${said.fee_others:,.0f} a TEU with it")


def outside_clause(said: BreakEven, scenario: Any, p: Any, usd: Any) -> str:
    """The sentence that gives what ``p``'s own loan puts on owners outside its hosts.

    Said only for a project with a loan (``financing`` not ``budget``) where the rows hold
    a share outside the hosts; where another corridor of the run is lent too, the rows do
    not split that share by loan, so the sentence gives the total and no fee.
    """
    if said.outside <= 0 or p.financing == "budget":
        return ""
    lent = [q.id for q in scenario.proposals
            if q.type == "corridor" and q.id != p.id and q.financing != "budget"]
    if lent:
        return (f" The loans of {p.id} and {' and '.join(lent)} also put {usd(said.outside)} "
                "a year on the other economies as the lender's owners (the members by GDP; "
                "expected loss, interest subsidy), which the rows do not split by loan.")
    return (f" Its loan also puts {usd(said.outside)} a year more on the members outside "
            "the hosts as the lender's owners (by GDP; their share of its expected loss and "
            f"interest subsidy, corridor_cost_usd less corridor_own_cost_usd): "
            f"US${said.fee_outside:,.0f} a TEU would recover that too.")


def split_words(scenario: Any) -> str:
    """What the fee base weighs each edge's TEU by, as the run split its fee.

    By km is said as the assumption it is: no source of the project gives these lines'
    transit tariffs or a cost-based split (:mod:`scosim.network.fee_split`).
    """
    if scenario.parameters.network.fee_split == "freight_rate":
        return ("its share of the route's km x freight rate (parameters.network.fee_split "
                "freight_rate)")
    return ("its share of the route's km (an assumption: no source gives these lines' "
            "transit tariffs; parameters.network.fee_split=freight_rate weighs km x freight rate)")


def predates_sentence(p: Any, own: bool, command: str) -> str:
    """The sentence for a run made before ``corridor_own_cost_usd``, where ``p`` is lent.

    Such a run records only ``corridor_cost_usd``, so its own cost is taken as the whole:
    the hosts' figure is right, but the share ``p``'s loan puts on the lender's owners
    outside the hosts cannot be told from it and goes unsaid. ('' with the indicator, or
    for a project from budgets, whose figure is then whole: no loan, no owners' share.)

    Args:
        p: The project's proposal.
        own: Whether the run records ``corridor_own_cost_usd``.
        command: The ``scosim run`` command that repeats the run (seed, replications).
    """
    if own or p.financing == "budget":
        return ""
    return (" This run predates corridor_own_cost_usd (its indicators hold no such rows), "
            f"so the fee leaves out what {p.id}'s loan puts on the lender's owners outside "
            "the hosts (the members by GDP: expected loss, interest subsidy); to get it, "
            f"re-run: `{command}`.")
