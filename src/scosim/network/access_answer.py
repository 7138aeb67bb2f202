"""What a corridor run's answer says of its hosts' income: freight access charges and energy.

Two notes under the welfare table, each from the run's own per-run rows of one year
(``indicators/``; medians over runs of per-run figures, as the table's):

* :func:`access_lines`: a freight corridor whose scenario sets no transit fee
  (``transit_fee_usd_per_teu`` 0) brings its hosts nothing from the line's traffic: the
  freight rate is a cost used up in the GE, which reaches no economy's income
  (docs/network.md, "Who receives the rate"), so their net is their trade gain less the
  whole cost. The note says so, and gives the access charge per TEU that would recover the
  hosts' yearly cost (``corridor_cost_usd``: the payments' present value times the cost of
  funds, plus the O&M) at the run's traffic (``corridor_fee_base_teu``, whole-route TEU
  equivalents), with the command
  that runs the O&M's (and two lower fees). A fee raises the route's cost and cuts its
  traffic, so at the lower traffic it recovers less: whether any fee recovers the cost is
  known only by running fees, and the answer says so (an outside review, 2026-12-07: the
  whole cost's fee it suggested billed nothing). Each freight
  corridor gets its own, read off its paying hosts' rows where no other corridor of the
  run reaches them (:func:`_mixed_with`), else the line says what else they count. At a
  fee above 0 (one freight corridor) it gives what the hosts collect
  (``transit_fee_revenue_usd``, the fee times ``corridor_fee_base_teu``) and on what
  traffic, and why their net can fall despite it (the fee cuts the traffic billed), with
  the fee-0 twin's commands (an audit, 2026-12-07: the docs' figures for a US$1,500 fee
  were printed by no command).
* :func:`energy_lines`: an energy corridor's income to each economy (``energy_value_usd``)
  in US$ and as a share of its GDP (``gdp_usd``), beside the table's percentage of real
  expenditure, which for an exporter with a large surplus (Turkmenistan) is far below GDP.

An outside review (2026-12-07) found the answer silent on both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scosim.data.constants import NAMES
from scosim.rare_runs import rare
from scosim.tty_lines import answer_lines

#: Largest number of economies the energy note names.
SHOWN = 6


def _fee_max() -> float:
    """The largest ``transit_fee_usd_per_teu`` a scenario accepts (the spec's bound)."""
    from scosim.network.specs import CorridorProposal

    field = CorridorProposal.model_fields["transit_fee_usd_per_teu"]
    return float(next(m.le for m in field.metadata if getattr(m, "le", None) is not None))


def run_rows(run_dir: str | Path, names: Sequence[str], year: int | None = None
             ) -> tuple[int | None, dict[str, pd.DataFrame]]:
    """Per-run values of ``names`` in one year: ``(year, {name: runs x economies})``.

    Read from the run's ``indicators/`` batch files a batch at a time, only those rows.

    Args:
        run_dir: The run's directory.
        names: Indicators to read.
        year: The year; None: the last year any of them is recorded.

    Returns:
        The year (None when none is recorded) and a frame per recorded indicator.
    """
    from scosim.batch_rows import read_rows
    from scosim.result_tables import batch_files

    try:
        files = batch_files(Path(run_dir) / "indicators")
    except FileNotFoundError:
        return None, {}
    parts = []
    for f in files:
        # A slice at a time, without pyarrow.dataset's 43 MiB import (scosim.batch_rows).
        df = read_rows(f, ["run", "year", "country", "indicator", "value"], list(names))
        if year is not None:
            df = df[df["year"] == int(year)]
        elif len(df):  # only the last year's rows are kept
            df = df[df["year"] == df["year"].max()]
        parts.append(df)
    rows = pd.concat(parts) if parts else pd.DataFrame()
    if rows.empty:
        return None, {}
    last = int(rows["year"].max())
    rows = rows[rows["year"] == last]
    out = {str(n): g.pivot_table(index="run", columns="country", values="value",
                                 aggfunc="first")
           for n, g in rows.groupby("indicator")}
    return last, out


def _usd(v: float) -> str:
    """US$ in bn above 1 bn, else m: a policy reader's form."""
    sign = "-" if v < 0 else ""
    v = abs(v)
    return f"{sign}US${v / 1e9:.2f} bn" if v >= 1e9 else f"{sign}US${v / 1e6:.0f} m"


def energy_lines(run_dir: str | Path, year: int | None = None) -> list[str]:
    """Each economy's energy income (an importer's: saving) in US$ and over GDP (median over runs).

    Args:
        run_dir: The run's directory.
        year: The welfare table's year; None: the last.

    Returns:
        Wrapped lines; none where no economy has energy income in any run.
    """
    from scosim.network.answer_notes import _scenario

    if _scenario(run_dir) is None:  # no corridor proposal: nothing to read
        return []
    year, rows = run_rows(run_dir, ("energy_value_usd", "gdp_usd"), year)
    value, gdp = rows.get("energy_value_usd"), rows.get("gdp_usd")
    if value is None or gdp is None or not (value.to_numpy() != 0).any():
        return []
    gdp = gdp.reindex(index=value.index, columns=value.columns)
    usd = value.median()
    share = (100.0 * value / gdp).median()  # of each run's own GDP, then the median
    shown = usd[usd != 0].abs().sort_values(ascending=False, kind="stable").index[:SHOWN]
    said = "; ".join(f"{NAMES.get(c, c)} {_usd(usd[c])}, {share[c]:.2f} % of its GDP"
                     for c in shown)
    # An importer's worth is a saving, not an income: India's and Pakistan's on TAPI's gas.
    text = (f"Energy income or saving in {year} (energy_value_usd, what the energy corridors' "
            "deliveries are worth to the economy: a seller's rent, a transit state's fees, a "
            "buyer's saving on the LNG or power it would otherwise buy; and over its GDP, "
            f"gdp_usd; each the median over the {len(value)} runs): {said}. The welfare "
            "column is a percentage of real expenditure, which for an exporter with a large "
            "trade surplus is well below its GDP: the same income is a smaller share of GDP.")
    return answer_lines(text)


def access_lines(run_dir: str | Path, manifest: Mapping[str, Any],
                 year: int | None = None) -> list[str]:
    """What a freight corridor's hosts collect from its traffic.

    Nothing at fee 0, with each project's break-even fee where its hosts' records are its
    own (:func:`_mixed_with`; several freight corridors each get theirs, since 2026-12-07);
    at the scenario's fee (one freight corridor), the revenue and the traffic it is billed
    on.

    Args:
        run_dir: The run's directory (its ``scenario.yaml`` and ``indicators/``).
        manifest: The run's manifest: seed, replications, run id, scenario file, overrides.
        year: The welfare table's year; None: the last.

    Returns:
        Wrapped lines; none without a freight corridor, or at a fee with several.
    """
    from scosim.network.answer_notes import _scenario, payer_rules
    from scosim.network.break_even import (
        break_even,
        others_clause,
        outside_clause,
        predates_sentence,
        split_words,
    )
    from scosim.network.corridor_record import OWN_COST
    from scosim.network.finance import COST_OF_FUNDS
    from scosim.network.tables import load_network

    scenario = _scenario(run_dir)
    if scenario is None:
        return []
    carrier = load_network().projects["carrier"]
    freight = [(k, p) for k, p in enumerate(scenario.proposals)
               if p.type == "corridor" and carrier.get(p.project) == "freight"]
    free = [(k, p) for k, p in freight if p.transit_fee_usd_per_teu == 0]
    shares = {pid: s for pid, _, _, s in payer_rules(scenario)}
    lines: list[str] = []
    if len(freight) == 1 and not free:  # one line's fee: its records are its own
        k, p = freight[0]
        hosts = [c for c, v in shares.get(p.id, {}).items() if v > 0]
        lines += _fee_lines(run_dir, manifest, k, p, hosts, year)
    if not free:
        return lines
    year, rows = run_rows(run_dir, ("corridor_cost_usd", "corridor_fee_base_teu", OWN_COST),
                          year)
    own = OWN_COST in rows  # recorded since 2026-12-07: a lent corridor no longer mixes
    for k, p in free:
        hosts = [c for c, v in shares.get(p.id, {}).items() if v > 0]
        one = len(hosts) == 1
        their = "its" if one else "their"
        text = (f"Access revenue from {p.id} ({p.project}): the scenario sets no transit fee "
                "(transit_fee_usd_per_teu 0), and the freight rate is a cost used up in the "
                "GE that reaches no economy's income (docs/network.md, \"Who receives the "
                f"rate\"), so {_its_hosts(hosts)} collect{'s' if one else ''} nothing from "
                f"the line's traffic: {their} net is {their} trade gain less the whole yearly "
                "cost.")
        mixed = _mixed_with(scenario, p, shares, lent=not own)
        said = None if mixed else break_even(rows, hosts, OWN_COST)
        if said is not None and year is not None:
            fee, cost, teu, n_on, n_all = said[:5]
            om = _upkeep_usd(scenario, p)
            who = "the host pays" if one else "the hosts together pay"
            text += (f" An access charge that would recover {their} own cost: in {year} {who} "
                     f"{_usd(cost)} a year (the net's cost: {their} payments' present value "
                     f"times the cost of funds ({100 * COST_OF_FUNDS:g} % by default), a "
                     "perpetuity's "
                     f"yearly equivalent, plus the O&M, {_usd(om)} a year"
                     f"{others_clause(said, scenario, p, _usd)}) and the line "
                     f"bills {teu / 1e3:,.0f} thousand whole-route TEU equivalents a year in "
                     f"{their} territory (corridor_fee_base_teu: each edge's TEU weighted by "
                     f"{split_words(scenario)}, what a fee of US$1 a TEU collects; medians "
                     f"over the {n_on} of {n_all} runs in which it operates; "
                     f"{_edges_command(run_dir, manifest, year)}), so at that "
                     f"traffic a fee of US${fee:,.0f} a TEU would recover the "
                     f"{'host' if one else 'hosts'}' cost and "
                     f"US${om / teu:,.0f} the O&M alone."
                     f"{outside_clause(said, scenario, p, _usd)}"
                     f"{predates_sentence(p, own, _rerun_command(run_dir, manifest))}"
                     " But a fee raises the "
                     "route's cost and cuts its traffic, so at any fee it recovers less "
                     "than at this traffic: "
                     "whether any fee recovers the cost, even the O&M, is known only by "
                     "running fees (docs/network.md, \"What the answer says at fee 0\", "
                     "gives the Trans-Afghan railway's at four). "
                     + _fee_command(run_dir, manifest, k, om / teu) + ".")
        elif mixed:
            text += (f" The run's records of {_its_hosts(hosts)} also count {mixed}, so "
                     "no break-even fee is worked out for it" + _mixed_remedy(mixed, own)
                     + ".")
        elif year is not None and rows.get("corridor_fee_base_teu") is not None:
            # No run carries traffic: a fee bills nothing, so there is no fee to give.
            text += (f" The line carries no traffic in {year} in any run, so no break-even "
                     "fee.")
        lines += answer_lines(text)
    return lines


def _fee_lines(run_dir: str | Path, manifest: Mapping[str, Any], index: int, p: Any,
               hosts: Sequence[str], year: int | None) -> list[str]:
    """What a freight corridor's hosts collect at the scenario's fee, and on what traffic.

    Medians over the runs in which the line operates that year (``corridor_operating`` of a
    host; a failed or unbuilt line bills nothing), of the hosts' summed
    ``transit_fee_revenue_usd`` and ``corridor_fee_base_teu`` (the revenue is the fee times
    it), and each host's. The fee cuts the traffic, so the net can fall despite the revenue:
    said, with the commands that give the paired change against the same runs at fee 0.
    """
    year, rows = run_rows(run_dir, ("transit_fee_revenue_usd", "corridor_fee_base_teu",
                                    "corridor_operating"), year)
    rev, base = rows.get("transit_fee_revenue_usd"), rows.get("corridor_fee_base_teu")
    operating = rows.get("corridor_operating")
    cols = [c for c in hosts if rev is not None and base is not None and operating is not None
            and c in rev.columns and c in base.columns and c in operating.columns]
    if year is None or not cols:
        return []
    on = operating[cols].max(axis=1).reindex(rev.index).fillna(0.0) > 0
    if not on.any():
        return []
    r, b = rev.loc[on, cols], base.reindex(index=rev.index).loc[on, cols].fillna(0.0)
    each = "; ".join(_host_text(c, r[c], b[c]) for c in cols)
    fee = float(p.transit_fee_usd_per_teu)
    path = _scenario(run_dir, manifest, index)
    one = len(cols) == 1
    s_ = "s" if one else ""
    net = ("the host's trade gain: its net can fall although it collects it" if one else
           "the hosts' trade gain: their net can fall although they collect it")
    amount, over = _billed_text(r.sum(axis=1), b.sum(axis=1), each, year, len(on))
    text = (f"Access revenue from {p.id} ({p.project}): at the scenario's transit fee of "
            f"US${fee:,.0f} a TEU (transit_fee_usd_per_teu) {_its_hosts(cols)} "
            f"collect{s_} {amount} (transit_fee_revenue_usd, the fee times the whole-route "
            f"TEU equivalents billed in {'its' if one else 'their'} territory, "
            f"corridor_fee_base_teu: {over}). The fee is a cost on the route, so it cuts the "
            "traffic it "
            f"bills, and with it {net}. The same runs at fee 0: `scosim run {path} --set "
            f"proposals.{index}.transit_fee_usd_per_teu=0 --seed {manifest.get('seed')} "
            f"--replications {manifest.get('replications')}`, then `scosim compare` of this "
            "run with it (--indicator corridor_net_welfare_pct --indicator "
            "corridor_fee_base_teu: the mean and median paired differences over all the "
            "runs, 0 in those where the line does not operate in either).")
    return answer_lines(text)


def _its_hosts(hosts: Sequence[str]) -> str:
    """``its host (IRN)`` or ``its hosts (PAK, AFG)``: INSTC has one host."""
    return f"its host{'' if len(hosts) == 1 else 's'} ({', '.join(hosts)})"


def _teu(v: float) -> str:
    """TEU equivalents (``corridor_fee_base_teu``) in thousands from 1,000 up, else whole."""
    return (f"{v / 1e3:,.0f} thousand TEU equivalents" if v >= 1e3
            else f"{v:,.0f} TEU equivalents")


def _usd_span(v: pd.Series) -> str:
    """The least to the most of ``v`` in US$ (``US$32 to 56 m``); one value if alike."""
    lo, hi = _usd(float(v.min())), _usd(float(v.max()))
    if lo == hi:
        return lo
    unit = lo.rsplit(" ", 1)[1]
    return (f"{lo.rsplit(' ', 1)[0]} to {hi.removeprefix('US$')}" if hi.endswith(" " + unit)
            and not hi.startswith("-") else f"{lo} to {hi}")


def _teu_span(v: pd.Series) -> str:
    """The least to the most of ``v`` in TEU equivalents (``25 to 49 thousand ...``)."""
    lo, hi = _teu(float(v.min())), _teu(float(v.max()))
    if lo == hi:
        return lo
    lo_n, lo_unit = lo.split(" ", 1)
    return f"{lo_n} to {hi}" if hi.endswith(" " + lo_unit) else f"{lo} to {hi}"


def _host_text(code: str, rev: pd.Series, base: pd.Series) -> str:
    """One host's take over the runs the line operates: as :func:`_billed_text`, briefly."""
    paid = rev > 0
    k, n = int(paid.sum()), len(rev)
    if k == 0:
        return f"{code} nothing (no traffic billed)"
    if rare(n, k):
        return f"{code} {_usd_span(rev[paid])} on {_teu_span(base[paid])} in {k} of them"
    return f"{code} {_usd(float(rev.median()))} on {_teu(float(base.median()))}"


def _billed_text(total: pd.Series, billed: pd.Series, each: str, year: int, n_all: int
                 ) -> tuple[str, str]:
    """What the hosts collect, and the parenthesis that says on what, over the operating runs.

    A line can operate and bill nothing: the fee leaves it no traffic (5 of the 11 runs
    that operate in 2035 at US$1,150 on the Trans-Afghan railway, a new user's finding,
    2026-12-07, where the median was then the least of the 6 that billed). So, by the
    rule of :mod:`scosim.rare_runs`: where at most half the operating runs bill
    (:func:`~scosim.rare_runs.rare`), the least to the most of those that do, in k of n
    runs, and the mean; else the median and its 5-95 % band over the operating runs, as
    docs/network.md's fee table gives them, and how many of them bill, with their range.

    Args:
        total: The hosts' summed ``transit_fee_revenue_usd``, a value per operating run.
        billed: Their summed ``corridor_fee_base_teu``, likewise.
        each: Each host's figures (:func:`_host_text`).
        year: The year.
        n_all: The run's runs.

    Returns:
        The amount (``US$32 m a year in 2035``) and what the parenthesis after it says.
    """
    from scosim.runstats import HIGH, LOW

    paid = total > 0
    n, k = len(total), int(paid.sum())
    if rare(n, k):  # the median would be 0: the runs that bill, as the finance answer does
        return (f"{_usd_span(total[paid])} a year in {year} in {k} of the {n} runs in which "
                f"the line operates (of {n_all}), nothing in the other {n - k}",
                f"{_teu_span(billed[paid])} a year in those {k}; {each}; the mean over the "
                f"{n}: {_usd(float(total.mean()))}")
    band = (f"{_usd_span(pd.Series(np.percentile(total, [LOW, HIGH])))} on "
            f"{_teu_span(pd.Series(np.percentile(billed, [LOW, HIGH])))}")
    tail = ("" if k == n else "; it bills nothing in any of them" if k == 0 else
            f"; it bills in only {k} of the {n} operating runs, {_usd_span(total[paid])}, "
            f"and nothing in the other {n - k}, where it operates but bills no traffic at "
            "this fee")
    return (f"{_usd(float(total.median()))} a year in {year}",
            f"{_teu(float(billed.median()))} a year; {each}; medians over the {n} of "
            f"{n_all} runs in which the line operates, 5-95 % of them {band}{tail}")


def _mixed_with(scenario: Any, p: Any, shares: Mapping[str, Mapping[str, float]],
                lent: bool = True) -> str:
    """What else the paying hosts' records of ``p`` count ('' where they are ``p``'s alone).

    ``corridor_cost_usd`` and ``corridor_fee_base_teu`` are per economy, summed over the
    run's corridors, so a project's break-even can be read off its hosts' rows only where
    no other corridor reaches them: none of them pays for another corridor (its cost), no
    other freight corridor's route lies in their territory (its billed traffic), and, with
    ``lent`` (a run made before ``corridor_own_cost_usd`` was recorded), no other corridor
    is lent to (the lender's owners, the members by GDP, bear its expected loss). Since
    2026-12-07 the answer reads ``corridor_own_cost_usd``, the cost of the corridors an
    economy pays for, which leaves another's lenders' owners' loss out: a loan to another
    corridor no longer mixes (its repayments are fixed by the loan, not by ``p``'s fee or
    traffic, so holding it as the run had it and solving ``p``'s fee is sound). With one
    corridor the rows are always ``p``'s alone: the single figure of before.
    """
    from scosim.network.tables import load_network

    edges = load_network().edges
    carrier = load_network().projects["carrier"]
    mine = {c for c, v in shares.get(p.id, {}).items() if v > 0}
    said: list[str] = []
    for q in scenario.proposals:
        if q.type != "corridor" or q.id == p.id:
            continue
        both = mine & {c for c, v in shares.get(q.id, {}).items() if v > 0}
        if both:
            said.append(f"{q.id}'s cost ({', '.join(sorted(both))} "
                        f"pay{'s' if len(both) == 1 else ''} for it too)")
        if carrier.get(q.project) == "freight":
            route = {c for crossed in edges.loc[edges["project"] == q.project, "economies"]
                     for c in crossed} & mine
            if route:
                said.append(f"{q.id}'s traffic (its route crosses {', '.join(sorted(route))})")
        if lent and q.financing != "budget":
            said.append(f"the expected loss on {q.id}'s loan (its lender's owners bear it)")
    return "; ".join(said)


def _rerun_command(run_dir: str | Path, manifest: Mapping[str, Any]) -> str:
    """``scosim run`` of the run's scenario, its own ``--set``, seed and replications."""
    from scosim.attribution import rerun_scenario

    path = rerun_scenario(run_dir, manifest, "replications")[0]
    return (f"scosim run {path} --seed {manifest.get('seed')} "
            f"--replications {manifest.get('replications')}")


def _edges_command(run_dir: str | Path, manifest: Mapping[str, Any], year: int) -> str:
    """The clause with the command that prints each edge's containers (TEU) a year.

    ``corridor_fee_base_teu`` is whole-route equivalents; the containers each section
    carries are in no record of the run, so the report runs the scenario again with the
    run's seed and replications (:mod:`scosim.network.edge_teu`), to the answer's year
    (``--year``: the report's default is the last year, which the answer's need not be).
    """
    from scosim.attribution import rerun_scenario

    path = rerun_scenario(run_dir, manifest, "replications")[0]
    return (f"each edge's TEU: `python -m scosim.network.report {path} --edges --seed "
            f"{manifest.get('seed')} --replications {manifest.get('replications')} "
            f"--year {year}`")


def _mixed_remedy(mixed: str, own: bool) -> str:
    """What the user can do where a project's rows are mixed: one clause, '' if nothing.

    A run made before ``corridor_own_cost_usd`` was recorded mixes a lent corridor's loss
    into every member's cost: re-running it gives the figure. A shared payer or route
    cannot be split from the per-economy rows: the project's run alone gives its figure.
    """
    if not own and "'s loan" in mixed and "'s cost" not in mixed and "'s traffic" not in mixed:
        return (" (this run predates corridor_own_cost_usd, which leaves another corridor's "
                "loan out: re-run it to get the figure)")
    return " (its scenario run without the other corridors gives its own figure)"


def _upkeep_usd(scenario: Any, p: Any) -> float:
    """The project's yearly O&M in US$ as the run charges it, over all its hosts.

    ``m x C`` (:func:`scosim.network.upkeep.upkeep_usd`): the scenario's ``om_share``,
    else its carrier's (``params.csv``), times the proposal's build cost.
    """
    from scosim.network.tables import load_network
    from scosim.network.upkeep import carrier_om_share

    tables = load_network()
    row = tables.projects.loc[p.project]
    cost = p.build_cost_usd_bn or float(row["build_cost_high_usd_bn"] if p.cost_case == "high"
                                        else row["build_cost_usd_bn"])
    given = scenario.parameters.network.om_share
    share = carrier_om_share(tables, p.project) if given is None else float(given)
    return share * cost * 1e9


def _scenario(run_dir: str | Path, manifest: Mapping[str, Any], index: int) -> str:
    """The file the run was made from, with its own ``--set`` but the fee's restated.

    As the answer's other commands (:func:`scosim.attribution.rerun_scenario`): the run's
    resolved ``scenario.yaml`` was named whenever ``--set`` was given (a code review,
    2026-12-07), beside "To vary" commands naming the user's file.
    """
    from scosim.attribution import rerun_scenario

    return rerun_scenario(run_dir, manifest, f"proposals.{index}.transit_fee_usd_per_teu")[0]


def _fee_command(run_dir: str | Path, manifest: Mapping[str, Any], index: int,
                 om_fee: float) -> str:
    """The sentence with the ``scosim run`` command at the O&M's break-even fee, and two lower.

    The O&M's break-even at the run's traffic, rounded up to the next US$10 (the sentence
    says so: "US$1,142, rounded up to US$1,150"), and a quarter and a half of that, where a
    fee cuts less traffic and may collect more, to the nearest US$100 from US$100 up (else
    US$10): rough fees, and the round ones docs/network.md's four-fee table ran (US$300
    and 600 on the Trans-Afghan railway; to US$10 they were 290 and 580, a new user's
    finding, 2026-12-07). The whole cost's is not offered: a fee that high cuts the traffic
    to little or nothing (US$4,370 on the Trans-Afghan railway: US$0 on 0 TEU; an outside
    review, 2026-12-07). Fees above the spec's bound are dropped; the run's seed and
    replications.
    """
    path = _scenario(run_dir, manifest, index)
    seed, reps = manifest.get("seed"), manifest.get("replications")
    top = _fee_max()
    upkeep = int(np.ceil(om_fee / 10.0) * 10)
    fees = sorted({f for f in (_round_fee(upkeep / 4.0), _round_fee(upkeep / 2.0), upkeep)
                   if 0 < f <= top})
    if not fees:
        return (f"The O&M's fee is above the US${top:,.0f} a TEU a scenario accepts "
                "(transit_fee_usd_per_teu)")
    exact = f"US${om_fee:,.0f}"
    what = ((f"To run the O&M's, {exact}, rounded up to US${upkeep:,}"
             if exact != f"US${upkeep:,}" else f"To run the O&M's, {exact}")
            if fees[-1] == upkeep else
            f"The O&M's fee, {exact}, is above the US${top:,.0f} a TEU a scenario accepts; "
            f"to run US${fees[-1]:,}")
    lower = ", ".join(f"US${f:,.0f}" for f in fees[:-1])
    which = (" (a quarter and a half of it, rounded)"
             if fees[-1] == upkeep and len(fees) == 3 else "")
    also = f", and the same at {lower}{which}, lower fees that cut less traffic" if lower else ""
    return (f"{what}: `scosim run {path} --set "
            f"proposals.{index}.transit_fee_usd_per_teu={fees[-1]} --seed {seed} "
            f"--replications {reps}`{also}; then `scosim compare` of each with this run (the "
            "hosts' corridor_net_welfare_pct and transit_fee_revenue_usd)")


def _round_fee(v: float) -> int:
    """``v`` to the nearest US$100 from US$100 up, else to US$10 (halves up, not to even)."""
    step = 100 if v >= 100 else 10
    return int(np.floor(v / step + 0.5)) * step
