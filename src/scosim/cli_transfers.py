"""``scosim transfers RUN``: the side payments that would carry each rejected Council vote.

Prints, per proposal and vote year, over the run's replications: the share of runs in
which a budget-balanced transfer among the voters carries the vote (or it carried without
one) with its Monte Carlo standard error, the median total transfer (US$ bn a year, and
percent of the bloc's gain) with its 5-95 % range, the total required and the payers'
capacity over every rejected run, the gap where no plan exists, and each voter's median
receipt or payment (US$ bn or million, as most of the table reaches, and % of its
expenditure); writes ``transfers.csv`` (one row
per vote and voter, a chunk of runs at a time) into the run folder. The analysis is
:mod:`scosim.side_payments`; what it is and is not: docs/rules.md, "Side payments".
Building the parser imports nothing heavy.
"""

from __future__ import annotations

import argparse
import math
import sys
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
    from scosim.native_stdout import native_stdout_to_stderr
    from scosim.result_tables import _is_url
    from scosim.run_catalogue import CHOOSE_FOR_SHOW, resolve_run
    from scosim.side_payments import TransferError
    from scosim.side_payments_chunks import TableWriter, priced_chunks

    if _is_url(args.run):
        say(f"error: {args.run}: transfers reads a run on this machine (it writes "
            f"{TABLE} beside it); copy the run folder here first", None)
        return 2
    writer = None
    try:
        run_dir = resolve_run(args.run, args.out, refuse_ambiguous=True,
                              choose=CHOOSE_FOR_SHOW)
        out = Path(run_dir) / TABLE
        # A chunk of runs at a time, its rows appended to the table (bounded memory);
        # HiGHS's stray debug line goes to stderr, not into the answer (native_stdout).
        with native_stdout_to_stderr():
            for part in priced_chunks(run_dir):
                writer = writer or TableWriter(out)
                writer.add(part)
        assert writer is not None  # priced_chunks yields a chunk or raises
        tally = writer.close()
    except (TransferError, FileNotFoundError, ValueError) as exc:
        if writer is not None:
            writer.discard()
        say(f"error: {exc}", None)
        return 2
    except BaseException:
        if writer is not None:
            writer.discard()  # nothing half-written left behind
        raise
    from scosim.tty_lines import labelled, tty_width

    n_runs = tally.runs
    # The paths as `scosim show` gives them: whole, on a line of their own where they do
    # not fit beside the label on a terminal.
    width = tty_width(sys.stdout)
    print(*labelled("run:", [str(run_dir)], width, 5), sep="\n")
    blocks = ["\n".join(_wrapped(
        f"Side payments that would carry each Council vote, over {_runs(n_runs)} (docs/rules.md, "
        "\"Side payments\"). US$ a year at full phase-in (bn; under US$0.1 bn, million): a "
        "flow paid every year the "
        "arrangement is in force, not a present value. The gains are those the Council "
        "weighed at the vote (its preview of the proposal, in US$ of the year before it), "
        "not the run's answer, which gives the outcome in the last simulated year in that "
        "year's US$, so the two differ. The spread over runs covers their "
        "vote shocks and drawn parameters (trade elasticity, GDP path); the political "
        "weights are those of the scenario unless it draws them (parameters.weights.draw).")),
        *("\n".join(_wrapped(*_lines(s))) for s in tally.summary())]
    text = "\n\n".join(blocks)
    print(text)
    from scosim.cited_docs import docs_note

    print()
    print(*labelled("written:", [str(out)], width, 9), sep="\n")
    print(docs_note(text, width), end="")  # installed: where the cited pages are, last
    return 0


def _wrapped(*lines: str) -> list[str]:
    """Each line wrapped as the run's answer (:data:`~scosim.tty_lines.ANSWER_WIDTH`).

    Its indent kept; a table's rows and the reasons (4 spaces, laid out already) whole.
    """
    import re

    from scosim.tty_lines import ANSWER_WIDTH, answer_lines

    out: list[str] = []
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        if indent >= 4 or len(line) <= ANSWER_WIDTH:
            out.append(line)
            continue
        # A figure and its unit kept on one line: "US$ bn", "US$22.4 bn", "US$4.2 million".
        glued = re.sub(r"(US\$\S*) (bn|million)", "\\1\xa0\\2", line.strip())
        out += [" " * indent + t.replace("\xa0", " ")
                for t in answer_lines(glued, ANSWER_WIDTH - indent)]
    return out


def _bn(v: float) -> str:
    """A US$ bn figure with enough decimals for small ones (0.004, not 0.0)."""
    if not math.isfinite(v):
        return "n/a"
    if v == 0:
        return "0"  # not "0.0": nothing, in any unit
    if abs(v) >= 10:
        return f"{v:.1f}"
    if abs(v) >= 1:
        return f"{v:.2f}"
    return f"{v:.{min(6, 2 - math.floor(math.log10(abs(v))))}f}"


#: Below this many US$ bn a figure reads in US$ million ("US$4.2 million", not
#: "US$0.00415 bn").
MILLION_BELOW = 0.1


def _usd(v: float, million: bool | None = None) -> str:
    """A US$ bn figure in words: "US$1.44 bn", "-US$1.44 bn", "US$4.2 million".

    ``million``: in US$ million; None: where ``0 < |v| <`` :data:`MILLION_BELOW`.
    """
    if v == 0:
        return "US$0"  # a zero part: "US$0.0 bn" read as a rounded amount
    if million is None:
        million = 0 < abs(v) < MILLION_BELOW
    sign = "-" if v < 0 else ""
    return (f"{sign}US${_mn(abs(v))} million" if million else f"{sign}US${_bn(abs(v))} bn")


def _mn(v: float) -> str:
    """A US$ bn figure in US$ million: one decimal from 1 million, none from 100.

    3 significant figures from 100 million up ("18,800", not "18,825.0": a median over
    runs with bn-wide ranges has no more; 2026-12-07 review).
    """
    from scosim.side_payments_text import sig3

    m = v * 1e3
    if abs(m) >= 100:
        return ("-" if m < 0 else "") + sig3(abs(m))
    return f"{m:.1f}" if abs(m) >= 1 else _bn(m)


def _pct(share: float) -> str:
    """A share below 1 in percent: "1.6", "0.42" (2 significant figures), "37" from 10."""
    pct = 100 * share
    if pct >= 9.95:
        return str(min(round(pct), 99))
    return f"{pct:.2g}" if pct > 0 else "0"


def _why_no_plan(s: dict[str, Any], reach: float, enough: int) -> str:
    """Which constraint binds where no run has a plan (a review asked why, 2026-12-07).

    Where those in favour could give up the need in some runs, the leader's receipt is
    said to be the cause only in the runs in which it is known to receive
    (``capacity_why``: bought under consensus, or paid to stay); in the others their
    scores' response to the payments; the runs in which they could not give up the need
    are said apart (a review found the sentence asserting the leader's receipt unchecked
    and leaving them out, 2026-12-07).
    """
    if not enough:
        return (f"  No run has a plan among the voters because those in favour must keep "
                f"their bars: at their logged scores they could give up at most "
                f"{_pct(reach)} % of what the bought voters need in any run.")
    led, below = s.get("capacity_why", (0, math.nan))
    n = s["no_plan"]
    causes = []
    if led:
        causes.append(f"{_leader(s)}'s receipt widens its lead over them past their bars"
                      + ("" if led == enough else f" in {led} of them"))
    if led < enough:
        causes.append(("" if not led else f"in the other {enough - led}, ")
                      + "their scores respond to the payments (the vote shock is rescaled "
                      "with the terms, the relative-gains term moves), so paying it all "
                      "would take them below their bars")
    text = (f"  No run has a plan among the voters: in {enough} of the {_runs(n)} those in "
            f"favour could give up what the bought voters need at their logged scores, but "
            f"{'; '.join(causes)}.")
    if enough < n and math.isfinite(below):
        text += (f" In the other {n - enough} they could give up at most {_pct(below)} % of "
                 "what the bought voters need.")
    return text


def _leader(s: dict[str, Any]) -> str:
    """The leading economy's name, as the shortfall split gives it."""
    from scosim.data.constants import NAMES

    lead = s.get("split", {}).get("leader") or ""
    return NAMES.get(lead, lead) or "the leading economy"


def _range(t: tuple[float, float, float]) -> str:
    """Median and 5-95 % range of US$ bn figures, the range in the median's unit.

    A median of 0 has no unit: the range's, from its wider end, is written after it.
    """
    if t[0] == 0:
        end = max(abs(t[1]), abs(t[2]))
        million = 0 < end < MILLION_BELOW
        num = _mn if million else _bn
        unit = "" if end == 0 else (" million" if million else " bn")
        return f"US$0 (5-95 %: {num(t[1])} to {num(t[2])}{unit})"
    million = 0 < abs(t[0]) < MILLION_BELOW
    num = _mn if million else _bn
    return f"{_usd(t[0], million)} (5-95 %: {num(t[1])} to {num(t[2])})"


def _table_unit(values: list[float]) -> tuple[str, Any]:
    """The per-voter table's unit (its header) and its formatter, from its US$ bn figures.

    US$ bn where most figures are at least 1 bn, else US$ million: a table of a few
    million each read "0.00678" in US$ bn.
    """
    big = sum(abs(v) >= 1 for v in values)
    if 2 * big > len(values):
        return "US$ bn", lambda v: _bn(abs(v))
    return "US$ mn", lambda v: "0" if v == 0 else _mn(abs(v))


def upper_95(n: int) -> float:
    """The exact one-sided 95 % upper bound on a share seen in none of ``n`` runs.

    ``1 - 0.05 ** (1 / n)`` (Clopper-Pearson with no success): 95 % at one run, about
    ``3 / n`` (the rule of three) for many; the rule itself gave "below 300.0 %" at one.
    """
    return 1.0 - 0.05 ** (1.0 / n)


def _error(s: dict[str, Any]) -> str:
    """The Monte Carlo error of the share of runs with a plan, in words."""
    p, n = s["plan_share"], s["runs"]
    if 0.0 < p < 1.0:
        return f"Monte Carlo standard error {100 * s['plan_share_se']:.1f} points"
    side = "without" if p == 1.0 else "with"
    return (f"no run {side} one; the share {side} one is below {100 * upper_95(n):.1f} % "
            "at 95 % confidence")


def _runs(k: int, what: str = "run") -> str:
    """``k`` runs in words: "1 run", "3 rejected runs"."""
    return f"{k} {what}" + ("" if k == 1 else "s")


def _in_share(share: float, n: int) -> str:
    """``share`` of ``n`` rejected runs in words: "all 20 rejected runs", "45 % of the 20 ...".

    A whole percent: "100.0 % of the 20" gave a decimal no 20 runs have (2026-12-07 review).
    """
    k = round(share * n)
    if k == n:
        return f"all {_runs(n, 'rejected run')}" if n > 1 else "the one rejected run"
    if k == 0:
        return f"none of the {_runs(n, 'rejected run')}"
    # Never "0 %" or "100 %" for some runs but not all.
    pct = min(max(round(100 * share), 1), 99)
    return f"{pct} % of the {_runs(n, 'rejected run')}"


def _side(m: tuple[float, float, int, int]) -> str:
    """The group of a voter's row: what it does in more runs, receive or pay ("" neither).

    A tie (as many runs each way) by its median's sign, receiving where 0.
    """
    _, _, got, paid = m
    if got == paid == 0:
        return ""  # never moves: not listed
    if got != paid:
        return "receiving:" if got > paid else "paying:"
    return "paying:" if m[0] < 0 else "receiving:"


def _voter_table(members: list[tuple[str, tuple[float, float, int, int]]],
                 n_plan: int) -> list[str]:
    """The per-voter table: each voter's median receipt or payment, receivers first.

    Each column headed ("economy", the unit, "% of its expenditure") and its figures
    right-aligned. Every voter that receives or pays in any run is listed once, in the
    group of what it does in more runs (:func:`_side`): a median of 0 paying in some runs
    was left out, and a negative median receiving in some runs listed in both groups
    (2026-12-07 review). Where who receives (or pays) varies by run, a last column says
    in how many runs each does, headed for its group; a voter that also does the other
    in some runs says so on a line under the table. 77 columns with the longest name the
    Council has ("RUS Russian Federation"), within the answer's 80.
    """
    from scosim.data.constants import NAMES

    members = sorted(members, key=lambda kv: (-kv[1][0], kv[0]))  # largest receipt first
    names = {c: f"{c} {NAMES.get(c, c)}" for c, _ in members}
    listed = [(c, m) for c, m in members if _side(m)]
    if not listed:
        return []
    unit, num = _table_unit([m[0] for _, m in listed])
    groups = []
    for label, count, k_of in (("receiving:", "runs it receives in", 2),
                               ("paying:", "runs it pays in", 3)):
        who = [(c, m) for c, m in listed if _side(m) == label]
        if label == "paying:":
            who.reverse()  # largest payer first
        # Who receives varies by run (under a majority the set bought; under consensus a
        # no vote the smaller lead already turns): in how many runs each does.
        varies = any(0 < m[k_of] < n_plan for _, m in who)
        if who:
            groups.append((label, count if varies else "", k_of, who))
    width = max(len("economy"), *(len(names[c]) for c, _ in listed))
    col = max(len(unit), *(len(num(m[0])) for _, m in listed))
    runs = _runs(n_plan)
    head = next((g[1] for g in groups if g[1]), "")  # the first count heading shown
    last = max([len(f"{n_plan} of {runs}")] + [len(g[1]) for g in groups])
    pct = "% of its expenditure"
    out = [f"    {'economy':<{width}}  {unit:>{col}}  {pct}"
           + (f"  {head:>{last}}" if head else "")]
    for label, count, k_of, who in groups:
        # A group whose count heading is not the one above says its own.
        out.append(f"    {label}" if not count or count == head else
                   f"    {label:<{width + col + len(pct) + 4}}  {count:>{last}}")
        out += [f"    {names[c]:<{width}}  {num(m[0]):>{col}}  {abs(m[1]):>{len(pct)}.3f}"
                + (f"  {f'{m[k_of]} of {runs}':>{last}}" if count else "")
                for c, m in who]
    # Both in some runs: the other count, under the table in its order (its row is in
    # one group).
    out += [f"    {names[c]} also {'pays' if k_of == 2 else 'receives'} in "
            f"{m[5 - k_of]} of the {runs}"
            for _, _, k_of, who in groups for c, m in who if m[2] and m[3]]
    return out


def _outside_line(s: dict[str, Any]) -> str:
    """What money from outside the voters would have to add where no run has a plan.

    Not the need above: the outside money is what the least plan's receivers get less
    what the voters in favour pay towards it (the programme's budget, ``sum r = sum p +
    o``), so its band can differ where they pay in some runs (RATS centre, 40 runs: need
    1.97 to 3.64, outside money 1.96 to 3.64); said, as a reviewer read two bands of one
    figure.
    """
    runs = "run" if s["no_plan"] == 1 else "runs"
    k = s.get("outside_runs", s["no_plan"])
    add = (f"add {_range(s['outside_bn'])}, the need less what the voters in favour pay "
           "towards it.")
    if k == s["no_plan"]:
        return (f"  No plan in {s['no_plan']} {runs}: money from outside the voters would "
                f"have to {add}")
    # No money carries these (a voter money cannot move or keep; reasons below).
    return (f"  No plan in {s['no_plan']} {runs}; in {s['no_plan'] - k} of them no money "
            "would carry the vote (why: below)"
            + (f"; in the other {k}, money from outside the voters would have to {add}"
               if k else "."))


def _lines(s: dict[str, Any]) -> list[str]:
    """The printed block of one proposal and year (:func:`scosim.side_payments.summarise`)."""
    from scosim.data.constants import NAMES
    from scosim.indicator_display import percent_of_runs

    rule = s["decision_rule"]
    rejected = s["runs"] - s.get("adopted", s["carried"])
    out = [f"{s['proposal']}, vote of {s['year']} ({rule}): rejected in {rejected} of "
           f"{_runs(s['runs'])}; figures in {s['priced_at']}."]
    if s["not_priced"] + s["no_voters"] < s["runs"]:
        # None and every run whole ("100 %"), as every share of runs elsewhere.
        out.append(f"  A plan would carry the vote in "
                   f"{percent_of_runs(s['plan_share'], s['runs'])} % of runs "
                   f"({_error(s)}): {_runs(s['plan'], 'rejected run')} with a plan, "
                   f"{s['carried']} adopted without one.")
    if s["plan"]:
        pm, plo, phi = s["share_pct"]
        share = (f", {pm:.0f} % of the bloc's economic gain ({plo:.0f} to {phi:.0f})"
                 if not math.isnan(pm) else ", the bloc gains nothing in US$")
        out.append(f"  Total transfer where a plan exists: {_range(s['total_bn'])}{share}.")
    priced = s["plan"] + s["no_plan"]
    if priced:
        k = s.get("required_runs", priced)
        over = "" if k == priced else f", over the {k} that money could carry,"
        k_stay, stay = s.get("stay", (0, None))
        who = " (and the voters in favour paid to stay)" if k_stay else ""
        lead = s.get("split", {}).get("leader") or ""
        lead = NAMES.get(lead, lead) or "the leading economy"
        # What they can give up is reckoned at their logged scores: where the leader is
        # paid (those paid to stay show it), its receipt widens its lead and leaves less.
        when = f", before {lead}'s receipt widens its lead" if k_stay else ""
        # What is paid to stay is part of what the plan needs, not of what the voters in
        # favour can give up: said within the need, before the capacity (a reader took
        # "Of that", after the capacity, for a part of it).
        stayed = (f"; of that need, voters in favour are paid to stay at their bars in "
                  f"{k_stay} of the {_runs(priced)} (paying {lead} widens its lead over them), "
                  f"a median {_range(stay)} over those {k_stay}" if k_stay else "")
        out.append(f"  Over all {_runs(priced, 'rejected run')} priced: the bought voters{who} "
                   f"need{over} {_range(s['required_bn'])}{stayed}.")
        # A sponsor votes yes whatever its score: it may give its economic gain instead,
        # said only where that is more in some run (a review found the note on every line).
        k_gain = s.get("capacity_gain_runs", 0)
        gave = (f" (a sponsor: its economic gain instead, where that is more: in {k_gain} "
                f"of the {_runs(priced)})" if k_gain else "")
        out.append(f"  The voters in favour could give up {_range(s['capacity_bn'])} and "
                   f"still vote yes, at their logged scores{when}{gave}.")
    if s["no_plan"]:
        out.append(_outside_line(s))
    reach, enough = s.get("capacity_reach", (math.nan, 0))
    if s["no_plan"] and not s["plan"] and math.isfinite(reach):
        out.append(_why_no_plan(s, reach, enough))
    if s["members"]:
        out.append(f"  Per voter, median over the {_runs(s['plan'])} with a plan (medians of "
                   "each voter's own figure: they do not add up to the total):")
        out += _voter_table(list(s["members"].items()), s["plan"])
    if priced:
        g, glo, ghi = s["gain_bn"]
        out.append(f"  The bloc's economic gain: {_range(s['gain_bn'])}, above zero in "
                   f"{_in_share(s['gain_positive'], priced)} priced.")
    sp = s.get("split", {})
    if sp.get("runs"):
        lead = NAMES.get(sp["leader"], sp["leader"]) if sp["leader"] else "the largest economy"
        # Trust and security only where they weigh (security is 0 without its mechanism).
        # Every amount as the rest of the answer gives it: "US$95.8 million", "-US$5.1
        # million" (a bare "0.0958" or "-0.00513" read in US$ bn beside them).
        extra = "".join(f", {name} {_usd(sp[key])}" for name, key in (
            ("trust", "trust_bn"), ("security", "security_bn")) if sp[key] != 0)
        out.append(
            f"  At their logged scores the bought voters fall short by "
            f"{_usd(sp['short_bn'])}: economic loss {_usd(sp['econ_bn'])}, concern at "
            f"{lead}'s lead {_usd(sp['dominance_bn'])}, sovereignty "
            f"{_usd(sp['sovereignty_bn'])}{extra}, vote shock {_usd(sp['noise_bn'])} (medians "
            f"over the {sp['runs']} priced {'run' if sp['runs'] == 1 else 'runs'}; the "
            "parts' medians need not add up). The payment "
            f"differs from this total because the concern at {lead}'s lead responds to the "
            "payments and the shock is rescaled with the terms.")
    k, med, top = s["noise_short"]
    if s["plan"]:
        out.append("  Each state's vote shock keeps its draw and is rescaled with the size of "
                   "its terms after the transfers, as the Council scales it; recomputed apart, "
                   f"{k} of the {s['plan']} plans leave a state short"
                   + (f" (median {_usd(med)}, largest {_usd(top)})." if k else "."))
    for what in ("not_priced", "no_voters"):
        if s[what]:
            out.append(f"  {what.replace('_', ' ')} in {_runs(s[what])}")
    from scosim.tty_lines import ANSWER_WIDTH, prose

    # Each kind of reason with its runs, at the answer's width, its runs' lines indented.
    for reason, k in zip(s["reasons"][:3], s["reason_runs"], strict=False):
        out += prose(f"    in {k} {'run' if k == 1 else 'runs'}: {reason}", ANSWER_WIDTH,
                     indent="      ").split("\n")
    return out
