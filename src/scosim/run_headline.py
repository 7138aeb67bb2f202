"""The short answer a run prints: who gains, who loses, who votes against.

``scosim run`` ends by printing a small table and writes the same text into the
run as ``summary.txt``. It is drawn from the statistics the plots and
``summary.csv`` are drawn from (:class:`scosim.runstats.RunStats`), so it
cannot disagree with them:

* the welfare columns are those of ``plots/welfare_final_year.png``: the same
  year (the last, or the year of largest effect when nothing is left by then),
  the **median** over runs and the 5th-95th percentile across runs
  (:func:`scosim.plots.who_gains_data`), the statistic of the bloc totals under the
  table and of the README's figures, said once in the heading; and the share of runs
  with a gain (exact at any size: :meth:`scosim.runstats.RunStats.share_positive`), the
  "share > 0" of ``scosim compare``;
* when some state left the union in some run, a "while in" column: the median of each
  member's welfare change in its last year inside, up to the table's year
  (:mod:`scosim.member_welfare`), so a leaver's loss as a member stands beside its
  figure after its exit (Iran in ``customs_union.yaml``);
* the vote columns count the events ``plots/membership_timeline.png`` counts
  (:mod:`scosim.run_votes`): the share of runs in which the state voted no, whatever
  the decision rule (under consensus a member's no is a veto), "did not vote" for a state
  that was not among the voters, the share of runs in which it left ("left": on its own
  or with its bloc), and withdrawals ("withdrew") as a mean number a run over all the
  runs, which the notes say with the number of runs. A state that leaves in year ``t`` is
  outside from ``t + 1``, so one leaving in the table's year counts both in "in union" and
  in "left"; the notes say so. Shares of more than 100 runs have one decimal.

Rows are the economies the proposal concerns (SCO members that year, economies in
a customs union that year in any run, and every state that voted), then the largest gains
and losses among the others, which is where a union's trade diversion shows
(:mod:`scosim.headline_rows` picks them). The lines after the table are drawn up by their own
modules: who left and whose accession was barred (:mod:`scosim.exit_answer`), what became of
the proposals (:mod:`scosim.run_outcome`), the votes (:mod:`scosim.run_votes`), the bloc's
totals (:mod:`scosim.bloc_answer`) and what the runs vary (:mod:`scosim.run_spread`). The
public names of ``headline_rows`` and ``exit_answer`` are importable from here too.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from scosim.answer_digits import is_zero_row, rounded_note, welfare_places, zero_line
from scosim.answer_table import layout
from scosim.bloc_answer import bloc_lines
from scosim.cet_answer import UnionTariffs, cet_lines, run_union_tariffs
from scosim.exit_answer import barred_lines, exit_lines
from scosim.headline_rows import (
    OTHERS,
    SHOWN,
    WELFARE_COLUMNS,
    _vote_columns,
    has_answer,
    headline_table,
)
from scosim.indicator_display import percent_of_runs, signed
from scosim.mechanism_answer import (
    HeadlineIndicator,
    economy_label,
    mechanism_lines,
    net_columns,
    net_label,
    run_headline_indicators,
    run_welfare_versus,
)
from scosim.plots import (
    HIGH,
    LOW,
    load_plot_data,
    membership_of,
    run_title,
    short_run_caveat,
)
from scosim.result_tables import Result, _is_url, open_result
from scosim.results import HEADLINE_FILE
from scosim.run_outcome import outcome_lines, zero_score_lines
from scosim.run_spread import Spread, spread_lines
from scosim.run_votes import committed_lines, vote_cell, vote_notes
from scosim.runstats import ZERO, RunStats

if TYPE_CHECKING:
    from scosim.finance.crisis_outcomes import OutcomeCounts
    from scosim.hindcast.adopted_note import RecordNote
from scosim.security.baseline_note import pakistan_lines
from scosim.security.damage_note import damage_lines, displaced_lines
from scosim.tty_lines import ANSWER_WIDTH, answer_lines
from scosim.vote_reasons import why_no_lines
from scosim.welfare_split import split_lines

__all__ = ["HEADLINE_FILE", "OTHERS", "SHOWN", "WELFARE_COLUMNS", "barred_lines", "exit_lines",
           "has_answer", "headline_of_run", "headline_table", "headline_text", "was_drawn",
           "with_footer", "worked_out_headline", "write_headline"]


def _pct(value: float, places: int = 2) -> str:
    # The table's decimals (answer_digits.welfare_places); a loss that rounds to zero is -0.00.
    return signed(value, places)


#: The last line of the answer a run with plots keeps (``summary.txt``); within the
#: answer's 80 columns (it read "every indicator of every run: indicators/.", 90).
WITH_PLOTS = "Figures: plots/ (statistics: summary.csv); every run's indicators: indicators/."
#: The last line when the answer is worked out for a run made without plots.
FROM_TABLES = "Worked out from the run's tables (it was made without plots)."
#: The last line when it is worked out for a run made with plots whose ``summary.txt``
#: is gone: FROM_TABLES said "made without plots" beside the run's figures.
MISSING = f"{HEADLINE_FILE} is missing; worked out from the run's tables (figures: plots/)."
#: Last lines this module wrote before: an older run's answer ends with one.
_OLD_FOOTERS = ("Figures: plots/; their statistics: summary.csv; every indicator of every run: "
                "indicators/.",)


def with_footer(text: str, footer: str) -> str:
    """The answer with its last line, where the rest of the numbers are, replaced.

    For a front end that shows the answer with its own figures (the explorer): a
    line such as :data:`FROM_TABLES` ("made without plots") is false on a page that
    draws them. Only the footers this module writes are replaced; an answer that ends
    otherwise (written by an older version) gets ``footer`` as one more line.

    Args:
        text: The answer (:func:`headline_of_run`).
        footer: Its new last line.
    """
    lines = text.rstrip("\n").split("\n")
    if lines and lines[-1] in (WITH_PLOTS, FROM_TABLES, MISSING, *_OLD_FOOTERS):
        lines = lines[:-1]
    return "\n".join([*lines, footer]) + "\n"


def _sources(st: RunStats, declared: Mapping[str, HeadlineIndicator]) -> str:
    """"mechanisms", "proposals" or both: whose headline indicators the run recorded."""
    kinds = {"proposals" if not h.slot else "mechanisms"
             for n, h in declared.items() if st.has(n)}
    return " and ".join(k for k in ("mechanisms", "proposals") if k in kinds)


def headline_text(st: RunStats, title: str, footer: str = WITH_PLOTS,
                  mechanisms: Mapping[str, HeadlineIndicator] | None = None,
                  versus: str = "without the policy", scope: str | None = None,
                  own_effect: Iterable[str] = (), pays: Iterable[str] = (),
                  income: Iterable[str] = (),
                  spread: Spread | None = None,
                  unions: Callable[[int], Sequence[UnionTariffs]] | None = None,
                  at: tuple[int, str] | None = None,
                  answer_slots: Collection[str] | None = None,
                  records: Mapping[str, RecordNote] | None = None,
                  status: Mapping[str, str] | None = None) -> str:
    """The answer as plain text: a heading, the table of :func:`headline_table`, notes.

    When no economy's welfare moved in any run (a proposal rejected everywhere),
    the welfare columns are left out and the votes are the answer. When a filled
    slot's mechanism or a proposal's type names indicators for the answer
    (``Mechanism.headline``, e.g. bank failures and fiscal cost; ``ProposalType.headline``,
    e.g. what a corridor's hosts pay), they come first: they are what such a scenario asks.

    Args:
        st: The run's statistics.
        title: Scenario name and seed, as in the plots' titles.
        footer: The last line: where the rest of the numbers are.
        mechanisms: The headline indicators of the run's mechanisms and proposal types
            (:func:`scosim.mechanism_answer.run_headline_indicators`); none by default.
        versus: What welfare is measured against, after "the same year"
            (:func:`scosim.mechanism_answer.run_welfare_versus`).
        scope: When the scenario's shocks are in the table with its proposals, what the
            table is (:func:`scosim.attribution.run_scope`): said under the heading.
        own_effect: Lines saying how to get the proposals' own effect
            (:func:`scosim.attribution.own_effect_lines`) and what part of it a corridor's
            uncosted measures make (:func:`scosim.network.answer_notes.measure_lines`),
            printed after the notes.
        pays: Lines saying which rule set each corridor's cost shares
            (:func:`scosim.network.answer_notes.payer_lines`), after the proposals' records.
        income: Lines on the corridors' hosts' income (:mod:`scosim.network.access_answer`:
            a fee-0 freight corridor's access revenue, none, and its break-even fee; an
            energy corridor's income in US$ and over GDP), under the table's notes.
        spread: What the scenario draws per run and holds fixed
            (:func:`scosim.run_spread.run_spread`): said after the votes, with the commands
            that vary the rest (:func:`scosim.run_spread.spread_lines`); none by default.
        unions: Each customs union's CET and its members' tariffs on outsiders in a
            year, a function of the table's year
            (:func:`scosim.cet_answer.run_union_tariffs`), said after the bloc's totals.
        at: The table's year and its words when a filled mechanism names the year its
            shocks and policies act (:func:`scosim.answer_year.run_answer_year`); None:
            the last year (:func:`scosim.plots.who_gains_data`).
        answer_slots: The slots whose mechanism names that year
            (:func:`scosim.answer_year.run_answer_slots`): only their blocks of headline
            indicators are shown in it; None: every block.
        records: The proposals an adopted hindcast record codes
            (:func:`scosim.hindcast.adopted_note.run_record_notes`): a line under each one's
            outcome says the SCO adopted it.
        status: Said after a proposal's outcome line, by id: a corridor's runs operating
            and failed in the table's year (:mod:`scosim.network.corridor_status`).

    Returns:
        Lines ending in a newline: prose within :data:`ANSWER_WIDTH`, tables wider where need be.
    """
    first = mechanism_lines(st, mechanisms or {}, at[0] if at else None, answer_slots)
    if first:
        # A heading wrapped too: with a long scenario name it ran to 81-93 columns.
        first = [*answer_lines(f"What the scenario's {_sources(st, mechanisms or {})} record: "
                               f"{title}"),
                 *first, *pays, ""]
    if not st.has("welfare_change_pct"):  # only the mechanisms have something to say
        return "\n".join([*first, footer]) + "\n"
    def _nets(y: int, codes: list[str]) -> list[float]:
        # The net columns count in the table's decimals, which decide the others shown.
        return [v for n in net_columns(st, mechanisms or {}, y, codes)
                for v in n.values.to_numpy().ravel() if pd.notna(v)]

    rows, others, year, when, n_runs = headline_table(st, at, _nets)
    has_union = bool((rows["in_union"] > 0).any())  # recorded everywhere, shown if it occurs
    _, short, what = membership_of(st)
    votes = _vote_columns(rows)
    # A share column holds "did not vote" where a state was not among the voters.
    wide = {h: max(8, len(h), len(vote_cell(h, float("nan"), 0))) for h in votes}
    welfare = pd.concat([rows[["median", "low", "high"]], others[["median", "low", "high"]]])
    # Who left in some run: its welfare while inside, beside its figure after the exit.
    left = [c for c in rows.index if st.exit_runs.get(c, 0)]
    has_while = bool(left) and bool(rows.loc[left, "while"].notna().any())
    moved = bool((welfare.abs() > ZERO).to_numpy().any())
    # Welfare net of what the scenario's proposals cost (a corridor's payments), beside the
    # gross: the gain the Council's vote scores. Not without a welfare change to net.
    nets = net_columns(st, mechanisms or {}, year, [*rows.index, *others.index]) if moved else []
    if not moved and votes:  # the votes are the answer: most votes against first
        rows = rows.sort_values(votes, ascending=False, kind="stable")
    shown = [*welfare.to_numpy().ravel(), *(v for n in nets for v in n.values.to_numpy().ravel()
                                            if pd.notna(v))]
    # Decimals enough for most of the table's changes to show a digit: two for a
    # customs union's tenths, more for a corridor's far members' thousandths.
    places = welfare_places(shown)

    def _pct(value: float) -> str:
        return signed(value, places)

    num = max(len(_pct(v)) for v in shown)
    band = f"{LOW}-{HIGH} % of runs"
    show_while = moved and has_while
    while_head = f"while {short}"

    def cells(code: str, r: pd.Series, extra: bool) -> list[str]:
        out: list[str] = []
        if moved:
            out += [_pct(r["median"]), f"{_pct(r['low']):>{num}} to {_pct(r['high']):>{num}}",
                    f"{percent_of_runs(r['gains'], n_runs)} %"]
            for n in nets:  # as the welfare columns; blank where it has no value
                v = n.values.loc[code]
                out += (["", ""] if pd.isna(v["median"]) else
                        [_pct(v["median"]), f"{_pct(v['low']):>{num}} to {_pct(v['high']):>{num}}"])
        if extra and show_while:  # blank for an economy never inside
            out.append(_pct(r["while"]) if pd.notna(r["while"]) else "")
        if extra and has_union:
            out.append(f"{percent_of_runs(r['in_union'], n_runs)} %"
                       if pd.notna(r["in_union"]) else "")
        if extra:
            out += [vote_cell(h, r[h], wide[h], n_runs).strip() for h in votes]
        return out

    heads: list[str] = []
    if moved:
        # With a net column the gross one is named: both are medians.
        heads += ["welfare" if nets else "median", band, "gains"]
        for n in nets:
            heads += [net_label(n.name), band]
    heads += [while_head] if show_while else []
    heads += [short] if has_union else []
    heads += list(votes)
    outcome = _outcome(st, n_runs, records or {}, status)
    # The union's totals and Art. XXIV check, which the table's rows do not add up to.
    blocs = bloc_lines(st, year, n_runs, places)
    if moved:
        # A scenario's shocks are in the table with its proposals: say so first, as the
        # "proposal ...: adopted" line under it reads as the proposal's effect otherwise.
        # One paragraph, wrapped once: wrapped piece by piece, "policy," was left alone.
        intro = [*([f"{scope}:"] if scope else []),
                 f"welfare change {when} against the same year {versus},",
                 "percent of real expenditure: " + _statistic(st, n_runs, bool(blocs))]
        out = [*answer_lines(f"Who gains, who loses: {title}"), *answer_lines(" ".join(intro))]
        for n in nets:  # what the net column takes off, in the owner's words
            out += answer_lines(f"{net_label(n.name)} ({n.name}): {n.what}; the same statistics.")
        if caveat := short_run_caveat(st, year):  # as welfare_final_year.png says
            out += answer_lines(caveat + ".")
    elif votes:
        out = [*answer_lines(f"Who votes against: {title}"),
               f"no economy's welfare moved in any of {n_runs} runs"]
    else:
        out = [*answer_lines(f"Who gains, who loses, who votes against: {title}"),
               f"no economy's welfare moved in any of {n_runs} runs"]
    out = first + out + outcome + barred_lines(st, n_runs)
    # SCO members a subset union never took in and that did not vote on it: apart, as
    # "in union 0 %" among the members read as a no or an exit.
    apart = _not_party(st, rows) if moved and has_union else []
    # A table with no column (nothing moved, no vote against, no union) would list names only.
    groups = [[(c, r, True) for c, r in rows.drop(index=apart).iterrows()],
              [(c, r, False) for c, r in rows.loc[apart].iterrows()] if apart else [],
              [(c, r, False) for c, r in others.iterrows()] if moved else []]
    # A row 0 in every column, in every run, says nothing: one line names such rows
    # (corridor_energy's six far members printed "0.00  0.00 to 0.00  0 %" twice).
    folded = [str(c) for g in groups for c, r, x in g if moved and is_zero_row(cells(c, r, x))]
    groups = [[(c, r, x) for c, r, x in g if str(c) not in folded] for g in groups]
    labelled = [(economy_label(str(c)), cells(c, r, x)) for g in groups for c, r, x in g]
    tables = [layout("economy", heads, labelled)]
    whole = layout("economy", heads, labelled, width=10**6)  # the names uncut
    if nets and max(map(len, whole[0] + whole[1])) > ANSWER_WIDTH:
        # Too wide with its net columns beside the welfare ones, or only with the names
        # cut ("KGZ Kyrgyzst." at four decimals; corridor_energy's two net columns):
        # those in a table of their own under it, the same rows in the same order.
        net = set(range(3, 3 + 2 * len(nets)))
        tables = [layout("economy", [h for i, h in enumerate(heads) if i not in net],
                         [(lab, [x for i, x in enumerate(c) if i not in net])
                          for lab, c in labelled]),
                  layout("economy", [heads[i] for i in sorted(net)],
                         [(lab, [c[i] for i in sorted(net)]) for lab, c in labelled])]
    for k, (head, body) in enumerate(tables):
        body = [body[sum(map(len, groups[:i])):sum(map(len, groups[:i + 1]))] for i in range(3)]
        if k:
            out.append(f"  the same economies, {' and '.join(net_label(n.name) for n in nets)} "
                       "(median and band as above):")
        if moved or votes or has_union:
            out += [*head, *body[0]]
        if body[1]:
            out += [f"  other SCO members, not invited (in {what} in no run, no vote):",
                    *body[1]]
        if moved and body[2]:
            out += ["  other economies, largest gains and losses:", *body[2]]
        if not k:
            out += zero_line(folded)
    notes = ["gains: share of runs with a gain"] if moved else []
    if moved and (signs := rounded_note((x for _, c in labelled for x in c), places)):
        notes.append(signs)  # "-0.00" read as "no change" where it is a loss too small to show
    if nets:
        notes[0] += " (in welfare, before what it pays)"
    if show_while:
        notes.append(f"{while_head}: median welfare change in the last year, up to {year}, "
                     f"each run had the economy in {what} ({year} where it stayed, its year "
                     "of exit where it left; blank if never in): its loss or gain as a member, "
                     "where the first column counts a leaver after its exit")
    if has_union:
        notes.append(f"{short}: share of runs in {what} in {year}")
    notes += vote_notes(st, votes, list(rows.index), n_runs)
    if "left" in votes:
        notes.append(f"left: share of the {n_runs} runs in which the state left, on its own "
                     "or with its bloc")
        # Compliance follows the year's trade: a leaver is inside in its last year
        # (docs/customs_union.md, "One year, one state"). Without this, IRN "in union 14 %"
        # and "left 0.86" in 2035 summed to more than one run in every run.
        notes.append("a state that leaves in year t is in its arrangement until the end of t "
                     "and outside from t+1" + (
                         f": one leaving in {year} counts in both '{short}' and 'left'"
                         if has_union else ""))
    if "withdrew" in votes:
        notes.append(f"withdrew: mean number of times a run, over all {n_runs} runs, the state "
                     "voted yes, then said no when asked about the smaller group its yes would "
                     "form (the willing without the others, or a union joined by fewer "
                     "outsiders; a number, not a share of runs)")
    if not votes and st.votes:
        notes.append("no state voted against in any run" + _committed_note(st))
    if moved and not st.votes and not st.adopted_runs and versus.startswith("without the policy"):
        # "The policy" would read as a proposal; here there is none (a heading that names
        # only mechanisms or sanctions needs no such note).
        notes.append("no proposal was voted on: 'the policy' is what the scenario's "
                     "mechanisms change (trade costs, spending) against the base year's")
    if notes:
        out += answer_lines("; ".join(notes) + ".")
    out += damage_lines(st)  # the size of the terrorism damage welfare leaves out
    out += displaced_lines(st)  # and where a hardening rule moves the attacks
    if moved:
        out += list(income)
        # a member whose real GDP rose while its welfare fell: which part did it
        out += split_lines(st, year, rows.index)
    out += blocs
    if unions is not None and st.has("in_customs_union"):
        out += cet_lines(unions(year), st, year)
    out += exit_lines(st, n_runs)
    out += committed_lines(st, n_runs) + why_no_lines(st)  # the terms that outweigh a gain
    out += pakistan_lines(st)  # the security baseline, a fifth of 2024's (docs/security.md)
    if moved or votes or has_union:  # what the bands and shares above span
        out += spread_lines(spread, st, moved=moved, in_arrangement=has_union,
                            exits_said=any(k == "defection" for k, _, _ in st.exits))
    if moved:
        out += list(own_effect)
    out.append(footer)
    return "\n".join(out) + "\n"


def _not_party(st: RunStats, rows: pd.DataFrame) -> list[str]:
    """Rows of SCO members never in the run's arrangement and without a vote on it.

    A union of some members (``participants: [CHN, RUS, ...]``) leaves the others out; kept
    in the answer, apart: a member's loss from a union it was not asked to join is part of it.
    """
    voted = {c for (kind, c) in st.event_counts if kind == "vote"}
    return [c for c, r in rows.iterrows()
            if c not in voted and not st.exit_runs.get(c, 0)
            and not (r["in_union"] > 0) and pd.isna(r["while"])]


def _committed_note(st: RunStats) -> str:
    """After "no state voted against": that the scenario fixed the votes, if it did.

    Else it read as the states' verdict beside :func:`scosim.run_votes.committed_lines`.
    """
    from scosim.vote_stats import COMMITTED_RULES, rule_name

    rules = sorted({rule_name(r) for v in st.ordered_first_votes() for c in v.states
                    for r in v.rules[c] if rule_name(r) in COMMITTED_RULES})
    if not rules:
        return ""
    some_no = any(n for n in st.vote_runs.score_no.values())
    return (f": the scenario fixes the votes ({', '.join(rules)})"
            + ("; on their own scores some would have voted no (below)" if some_no else ""))


def _statistic(st: RunStats, n_runs: int, bloc: bool = False) -> str:
    """Which statistic the answer prints: the median over every run, exits and all.

    One statistic for the whole answer, the README's: the welfare table, its "net" and
    "while in" columns and the bloc totals are all medians over runs with the 5th-95th
    percentile. The table used to give means beside the bloc totals' medians, and
    ``scosim compare``'s mean world gain (+4.6) read as a second figure beside the
    answer's median (+3.8) for the same run.
    """
    kept = (", those in which an economy left counted after its exit"
            if any(k in ("defection", "bloc_exit") for k, _, _ in st.exits) else "")
    below = ", here and in the bloc totals below" if bloc else ""
    return (f"the median over all {n_runs} runs{kept}, with the {LOW}th-{HIGH}th "
            f"percentile across runs{below} (scosim compare gives mean and median differences)")



def _outcome(st: RunStats, n_runs: int, records: Mapping[str, RecordNote],
             status: Mapping[str, str] | None = None) -> list[str]:
    """One line per proposal voted on: the share of runs in which it was adopted.

    After it, what became of it since (``status``: a corridor's runs operating and failed)
    and, under a proposal the SCO adopted in the hindcast record, a line saying so
    (``records``).
    """
    out: list[str] = []
    voted = {p for p, _ in st.votes_by}
    for pid in sorted(voted | set(st.adopted_runs)):
        adopted = {pid: st.adopted_runs[pid]} if pid in st.adopted_runs else {}
        out += outcome_lines([pid], adopted, n_runs, status)
        if pid in records:
            out += answer_lines(records[pid].line(st.adopted_runs.get(pid, 0), n_runs))
    return out + zero_score_lines(st)  # a vote that weighed nothing is no finding


def write_headline(st: RunStats, title: str, run_dir: Path,
                   mechanisms: Mapping[str, HeadlineIndicator] | None = None,
                   banking: OutcomeCounts | None = None) -> Path:
    """Write :func:`headline_text` into ``run_dir`` as :data:`HEADLINE_FILE`.

    With the headline indicators of the mechanisms the run's scenario filled
    (``mechanisms``, read from the run when not given), and the banking outcomes when
    already gathered with the banking figure's statistics (``banking``: one read of the
    batch files for both; read from the run when not given).
    """
    path = Path(run_dir) / HEADLINE_FILE
    if mechanisms is None:
        mechanisms = run_headline_indicators(run_dir)
    text = headline_text(st, title, mechanisms=mechanisms, versus=run_welfare_versus(run_dir),
                         **_attribution(run_dir, drawing=True, banking=banking))
    path.write_text(text, encoding="utf-8")
    return path


def headline_of_run(run: str | Path) -> str | None:
    """A finished run's answer: its ``summary.txt``, else :func:`worked_out_headline`.

    Args:
        run: A run directory or a run's URL.

    Returns:
        The text, or None when the run records no welfare change and no vote.

    Raises:
        FileNotFoundError: A run in an object store without ``summary.txt``.
    """
    res = open_result(run)
    text = res.headline
    return text if text is not None else worked_out_headline(res)


def worked_out_headline(res: Result) -> str | None:
    """The answer of a run that has no ``summary.txt``, from its batch files.

    Runs made with ``--no-plots``, or before ``summary.txt`` existed, have no file, nor
    one whose file was removed; for a local run the answer is computed from its batch
    files, the way the plots would read them (memory does not grow with the runs). Its
    last line says so, and whether the run was made without plots (:data:`FROM_TABLES`)
    or with them (:data:`MISSING`).

    Args:
        res: The run.

    Returns:
        The text, or None when the run records no welfare change and no vote.

    Raises:
        FileNotFoundError: A run in an object store (its tables would have to be
            downloaded first).
    """
    drawn = was_drawn(res)
    if _is_url(res.path):
        why = "its file was removed" if drawn else "it was made without plots"
        raise FileNotFoundError(
            f"{res.path} has no {HEADLINE_FILE} ({why}); the answer is worked out from "
            "tables only for a run on this machine")
    st = load_plot_data(Path(res.path))
    declared = run_headline_indicators(res.path)
    if not has_answer(st, declared):
        return None
    return headline_text(st, run_title(res.manifest), MISSING if drawn else FROM_TABLES,
                         declared, versus=run_welfare_versus(res.path),
                         # its figures are there to cite, as in the summary.txt it lost
                         **_attribution(res.path, drawing=drawn))


def was_drawn(res: Result) -> bool:
    """Whether the run was made with plots: its manifest lists them, or it has a figure.

    The manifest's ``plots`` is the list of files drawn (None for ``--no-plots``); a run
    from before it was recorded counts as drawn when its ``plots/`` holds a PNG.
    """
    if res.manifest.get("plots"):
        return True
    return not _is_url(res.path) and any((Path(res.path) / "plots").glob("*.png"))


def _attribution(run_dir: str | Path, drawing: bool = False,
                 banking: OutcomeCounts | None = None) -> dict:
    """``scope``, ``own_effect``, ``pays``, ``income``, ``spread``, ``unions``, ``at`` and more.

    ``drawing``: the answer is written with the run's plots (:func:`write_headline`), so
    the figures it cites are drawn. ``banking``: the banking outcomes when gathered
    (:func:`scosim.finance.crisis_outcomes.outcome_lines`).
    """
    import json

    from scosim.answer_year import run_answer_slots, run_answer_year
    from scosim.attribution import own_effect_lines, run_scope
    from scosim.finance.crisis_outcomes import outcome_lines
    from scosim.hindcast.adopted_note import run_record_notes
    from scosim.network.access_answer import access_lines, energy_lines
    from scosim.network.answer_notes import lender_lines, measure_lines, payer_lines
    from scosim.network.corridor_status import corridor_status
    from scosim.run_spread import run_spread
    from scosim.run_warnings import stress_lines

    try:
        manifest = json.loads((Path(run_dir) / "manifest.json").read_text())
    except (OSError, ValueError):
        manifest = {}
    # A corridor's payments say which rule set them; its gain, what its free reforms make;
    # a banking crisis, each run's worst outcome (the banking figure's first panel).
    at = run_answer_year(run_dir)
    year = at[0] if at else None
    # A route instability beyond any incident level: the answer says it is a stress test.
    return {"income": [*stress_lines(manifest), *access_lines(run_dir, manifest, year),
                       *energy_lines(run_dir, year)],
            "scope": run_scope(run_dir),
            "own_effect": [*own_effect_lines(run_dir, manifest),
                           *measure_lines(run_dir, manifest)],
            # Who lends to a bank-financed corridor: no bank is in force by default.
            "pays": [*payer_lines(run_dir), *lender_lines(run_dir),
                     *outcome_lines(run_dir, year, drawing, banking)],
            "spread": run_spread(run_dir, manifest),
            "unions": run_union_tariffs(run_dir), "at": at,
            # "adopted in every run" of a corridor that failed in some: how many operate.
            "status": corridor_status(run_dir, year),
            "answer_slots": run_answer_slots(run_dir) if at else None,
            # A proposal the SCO adopted (hindcast record): the answer says so under it.
            "records": run_record_notes(run_dir)}
