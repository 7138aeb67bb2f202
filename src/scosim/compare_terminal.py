"""The table ``scosim compare`` prints: one year's paired differences, largest first.

The same rows as the comparison report's table (:func:`terminal_rows`), made into
text (:func:`summary_table`: units, US$ in bn, shares in percent, the rows left out
counted) and printed through rich (:func:`print_table`, :func:`print_summary`). The
explorer shows the same :class:`SummaryTable`. A column whose value every row
shares (the year; the indicator and its unit when one is compared) moves into the
title, so the numbers fit a terminal's width.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from scosim.compare import SUMMARY_COLUMNS, Comparison, no_change, runs_band
from scosim.compare_layout import (
    RARE_CELL,
    SummaryTable,
    cell_width,
    decimal_aligned,
    fitting,
    indicator_groups,
    parts,
    rich_table,
)
from scosim.compare_shares import ci_heading
from scosim.indicator_display import aggregate_indicators, display, one_row_each, resolve_units
from scosim.number_cells import COARSE_NOTE, _fixed, coarse_rows, column_formats
from scosim.rare_runs import RARE_COLUMNS, RARE_NOTE, paired_band, run_places, with_nonzero_runs
from scosim.report import _share
from scosim.same_runs import SAME_CELL, SAME_NOTE, SKEW_MARK, same_rows, skew_note, skewed_rows

__all__ = ["SummaryTable", "compared_parts", "fit_terminal", "indicator_groups", "output_console",
           "print_summary", "print_table", "summary_table", "terminal_rows"]


#: The statistics' columns, right-aligned after the keys (the interval's is named by it),
#: besides the median and the spread of runs a summary may add.
N_STATS = 4
#: The run-level spread's columns a summary may carry (:func:`terminal_rows`): the central
#: ``level`` share of the runs' differences, printed beside the CI of the mean.
SPREAD_COLUMNS = ("runs_low", "runs_high")


#: Under a table with the median column: what it is, and why it may differ from the mean.
MEDIAN_NOTE = ("'mean' is the average and 'median' the middle of the same paired runs' "
               "differences (the run's answer gives medians): a few runs that move far, "
               "e.g. a member leaving, pull the mean away from the median.")
#: Added to it where a row has no median to show.
NO_MEDIAN = "n/a: no median of differences without paired runs."


def precision_note(level: float) -> str:
    """The line under the table: the CI is the mean's precision, not the outcome's spread."""
    pct = f"{level * 100:g} %"
    return (f"The {pct} CI is the precision of the mean of the simulated runs (it narrows "
            f"with more runs); {spread_note(level)}")


def spread_note(level: float) -> str:
    """What the spread of runs is: the note where the CI of the mean is not shown."""
    band = runs_band(level)
    same = "this band" if band == runs_band(0.9) else f"the {runs_band(0.9)}"
    return (f"'{band}' is how uncertain the outcome is: the middle {level * 100:g} % of the "
            f"runs' differences (the run's answer gives {same} beside its medians).")


def _band_level(heading: str) -> float | None:
    """The level of a spread-of-runs heading (:func:`~scosim.compare.runs_band`), else None."""
    m = re.fullmatch(r"([\d.]+)-([\d.]+) % of runs", heading)
    return (float(m[2]) - float(m[1])) / 100 if m else None


def summary_table(
    summary: pd.DataFrame,
    *,
    title: str | None = None,
    max_rows: int = 60,
    units: Mapping[str, str] | None = None,
    full_table: str | None = None,
) -> SummaryTable:
    """The table :func:`print_summary` prints, as text (the explorer shows the same).

    Args:
        summary: Summary table; key columns are shown, then mean, median (when it has
            one: a note then says what each is), interval, the spread of runs (when it
            has :data:`SPREAD_COLUMNS`, as :func:`terminal_rows` gives), share. With the
            spread, a note says what each interval is.
        title: Table title (default names the interval).
        max_rows: Rows shown at most: the largest changes in absolute value, each
            indicator an equal share (:func:`_truncate`); a note then names the rows
            left out (per indicator, their countries) and where the full table is.
        units: Units of indicators the model does not declare. When given (and the
            summary has an ``indicator`` column), a unit column follows it, with the
            units the model declares else these (:func:`resolve_units`), and amounts
            in US$ are shown in US$ bn, as in the comparison report's table.
        full_table: Where the whole table is (e.g. a report.md), for that note.
    """
    keys = [c for c in summary.columns
            if c not in (*SUMMARY_COLUMNS, *SPREAD_COLUMNS, *RARE_COLUMNS)]
    spread = all(c in summary.columns for c in SPREAD_COLUMNS)
    counted = spread and all(c in summary.columns for c in RARE_COLUMNS)
    n_rare = 0
    with_median = "median" in summary.columns
    level = float(summary["level"].iloc[0]) if len(summary) and "level" in summary else 0.9
    runs_label = runs_band(level)
    # Rows where no paired run changed at all would push the changes off the table.
    still = no_change(summary)
    n_still = int(still.sum())
    # Nor rows without a paired run ("– to –", 0 runs), as the report's table.
    unpaired = (summary["n_runs"] == 0).to_numpy()
    n_unpaired = int(unpaired.sum())
    shown = summary[~still & ~unpaired]
    # The heading names the intervals of the rows shown (a hidden row's kind is not news).
    label = ci_heading((shown if len(shown) else summary)["interval"], "interval")
    title = title or f"Policy minus baseline ({label})"
    with_units = units is not None and "indicator" in keys
    unit_of = (resolve_units((str(i) for i in summary["indicator"].unique()), units)
               if with_units else {})
    # A value every row shares is said once, in the title: a year column of one year
    # and a unit repeated on every row pushed the numbers off an 80-column terminal.
    if len(shown) and "year" in keys and shown["year"].nunique() == 1:
        year = str(shown["year"].iloc[0])
        title += "" if year in title else f", {year}"
        keys.remove("year")
    one_indicator = (with_units and len(shown) > 0 and len(keys) > 1
                     and shown["indicator"].nunique() == 1)
    if one_indicator:
        name = str(shown["indicator"].iloc[0])
        _, unit, _ = display(name, unit_of[name])
        title += f"\n{name}" + (f": {unit}" if unit else "")
        keys.remove("indicator")
    columns = [c for k in keys for c in ((k, "unit") if with_units and k == "indicator"
                                         else (k,))]
    # Each indicator's notation decided over every row shown (kept or not), as report.md.
    places, sci = column_formats(shown, _divisors(shown, unit_of if with_units else None))
    shown = shown.assign(_places=pd.Series(places, index=shown.index, dtype=object), _sci=sci,
                         _coarse=coarse_rows(shown, places, sci), _same=same_rows(shown),
                         _skew=pd.Series(skewed_rows(shown), index=shown.index, dtype=object))
    kept, rest = _truncate(shown, max_rows)
    rows: list[tuple[str, ...]] = []
    news: list[str] = []
    records = kept.to_dict("records")
    fmts = []  # each row's unit, divisor, decimals and whether in powers of ten
    for r in records:
        unit, div = None, 1.0
        if with_units:
            _, unit, div = display(str(r["indicator"]), unit_of[str(r["indicator"])])
        fmts.append((unit, div, r["_places"], bool(r["_sci"])))
    # One format down an indicator's column for the k runs' own values.
    d_runs = run_places(kept, [f[1] for f in fmts], [f[2] for f in fmts], [f[3] for f in fmts])
    for r, (unit, div, d, e), d_k in zip(records, fmts, d_runs, strict=True):
        cells = []
        for k in keys:
            cells.append(str(r[k]))
            if with_units and k == "indicator":
                cells.append(unit or "")
        # The runs' spread at the CI's precision: it is wider, never finer.
        band = ((f"{_fixed(r['runs_low'] / div, d, e)} to "
                 f"{_fixed(r['runs_high'] / div, d, e)}",) if spread else ())
        # Mostly 0: "0 but 1 run -2,048", not "0 to 0" beside a mean of -51.
        rare = (paired_band(r["n_runs"], r["runs_nonzero"], r["runs_nonzero_min"] / div,
                            r["runs_nonzero_max"] / div,
                            lambda x, d=d_k, e=e: _fixed(x, d, e))
                if counted else None)
        if rare is not None:
            band, n_rare = (rare,), n_rare + 1
        ci = f"{_fixed(r['low'] / div, d, e)} to {_fixed(r['high'] / div, d, e)}"
        if r["_same"]:  # no spread: "+15.2", not "+15.204000 to +15.204000" twice
            ci, band = SAME_CELL, ((SAME_CELL,) if spread else ())
        elif r["_skew"]:
            ci += SKEW_MARK
        # Beside the mean, the median of the same paired differences, at its precision.
        mid = ((_median_cell(r["median"], div, d, e),) if with_median else ())
        rows.append((*cells, _fixed(r["mean"] / div, d, e), *mid,
                     ci, *band,
                     _runs_share(r["share_positive"], int(r["n_runs"])), str(r["n_runs"])))
        news.append(_news(r))
    notes: list[str] = []
    if n_unpaired:
        notes.append(f"{n_unpaired} rows without a paired run (no value in both scenarios) "
                     "not shown")
    if n_still:
        notes.append(f"{n_still} rows without a change in any paired run not shown")
    if len(rest):
        notes.append(_left_out(rest, full_table))
    if n_rare:
        notes.insert(0, RARE_NOTE)
    if rows and kept["_same"].any():
        notes.insert(0, SAME_NOTE)
    if rows and (skew := skew_note(list(kept["_skew"]))):
        notes.insert(0, skew)
    if rows and kept["_coarse"].any():
        notes.insert(0, COARSE_NOTE)
    if spread and rows:
        notes.insert(0, precision_note(level))
    if with_median and rows:
        notes.insert(0, MEDIAN_NOTE + (f" {NO_MEDIAN}" if any(
            r[len(columns) + 1] == "n/a" for r in rows) else ""))
    notes[:0] = _identical_notes(summary, np.asarray(still) & ~unpaired, ~unpaired)
    return SummaryTable(
        title=tuple(title.splitlines()),
        columns=(*columns, "mean", *(("median",) if with_median else ()), label,
                 *((runs_label,) if spread else ()), "share > 0", "runs"),
        rows=tuple(rows),
        news=tuple(news),
        notes=tuple(notes),
        drawn=bool(len(shown)) or not (n_still or n_unpaired),
    )


def _identical_notes(summary: pd.DataFrame, still: np.ndarray, paired: np.ndarray) -> list[str]:
    """``"X is identical in every paired run"`` for each indicator no paired run changed.

    Said outright: a heading and "28 rows without a change ... not shown" with no table
    under it read as if something had failed.
    """
    if "indicator" not in summary or not still.any():
        return []
    ind = summary["indicator"].astype(str).to_numpy()
    years = summary["year"].unique() if "year" in summary else []
    when = f" in {years[0]}" if len(years) == 1 else ""
    same = [i for i in dict.fromkeys(ind[paired]) if still[(ind == i) & paired].all()]
    return [f"{display(i, None)[0]} is identical in every paired run{when}: the policy and "
            "the baseline give the same value for every economy." for i in same]


def print_summary(
    summary: pd.DataFrame,
    *,
    title: str | None = None,
    max_rows: int = 60,
    console: Any | None = None,
    units: Mapping[str, str] | None = None,
    full_table: str | None = None,
) -> None:
    """Print a summary (from :func:`scosim.compare.summarise`) as a rich table.

    The table of :func:`summary_table` (its arguments but ``console``, a
    ``rich.console.Console``, default a new one on stdout), each mean coloured as news.
    """
    table = summary_table(summary, title=title, max_rows=max_rows, units=units,
                          full_table=full_table)
    print_table(table, console)


#: Width of ``scosim compare``'s table when the output's is unknown (piped, redirected):
#: the flat table with a unit column was about 215 columns wide there.
PIPED_WIDTH = 100


def output_console() -> Any:
    """The console ``scosim compare`` prints to: the terminal's width, else :data:`PIPED_WIDTH`."""
    import sys

    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else PIPED_WIDTH)


def fit_terminal(table: SummaryTable, width: int) -> SummaryTable:
    """The table as a terminal ``width`` wide shows it: one line a row where it can be.

    Each interval takes up to 20 characters ("+0.00354 to +0.00481"): with the median and
    both intervals the welfare table needed 94 columns, and at 80 every row folded onto
    two lines, its numbers split from their ends. Where a table (or one of its indicator
    groups) would fold a row at ``width`` even with its headings folded, the CI of the
    mean is left out, and the first note says so and where it is. The spread of runs is
    kept: it is how uncertain the outcome is, what the run's answer gives beside its
    medians (the CI says how precisely the runs pin the mean down, and narrows with more
    runs). A table that still folds without it is returned whole: folded, nothing is
    hidden. Only a terminal's table is fitted: the piped one, which scripts read, and the
    explorer's keep every column.

    Args:
        table: The table :func:`summary_table` built, with the spread of runs.
        width: The terminal's width in characters.

    Returns:
        ``table``, or a copy without the CI of the mean and with the note.
    """
    if table.drawn and table.rows and all(fitting([g], width) for g in parts(table)):
        return table
    cols = list(table.columns)
    spread = [c for c in cols if _band_level(c) is not None]
    if not (table.drawn and table.rows and spread):
        return table
    ci = cols.index(spread[0]) - 1  # the interval's column, just before the runs' spread
    narrow = replace(table, columns=tuple(c for k, c in enumerate(cols) if k != ci),
                     rows=tuple(tuple(x for k, x in enumerate(r) if k != ci)
                                for r in table.rows))
    how = "each row fits on one line"
    if not all(fitting([g], width) for g in parts(narrow)):
        # "0 but 3 runs -1.233 to -1.104" (paired_band) on two lines, its count above its
        # values, rather than the CI back in every table and every cell folded by rich.
        k = narrow.columns.index(spread[0])
        # Only the cells wider than what the other columns leave (headings folded; the
        # indicator and its unit are each group's heading, not columns).
        rest = [j for j, c in enumerate(narrow.columns) if j != k
                and not (len(parts(narrow)) > 1 and c in ("indicator", "unit"))]
        room = width - 3 * (len(rest) + 1) - 1 - sum(
            max([len(r[j]) for r in narrow.rows] + [len(w) for w in narrow.columns[j].split()])
            for j in rest)
        narrow = replace(narrow, rows=tuple(
            (*r[:k], RARE_CELL.sub("\\1\n\\2", r[k]) if len(r[k]) > room else r[k],
             *r[k + 1:]) for r in narrow.rows))
        if not all(fitting([g], width) for g in parts(narrow)):
            return table
        how = "each row fits, one whose runs mostly do not differ on two lines"
    # The width each part needs with its headings folded, as _fitting lays them out.
    need = max(sum(max([cell_width(r[k]) for r in g.rows] + [len(w) for w in c.split()])
                   for k, c in enumerate(g.columns)) + 3 * len(g.columns) + 1
               for g in parts(table))
    said = (f"The {cols[ci]} is not shown at {width} columns, so that {how} (with it the "
            f"table needs {need}): a wider terminal, piped output and report.md show it.")
    # The CI's note speaks of a column no longer shown: what the spread is, alone.
    pct = _band_level(spread[0]) or 0.9
    notes = tuple(spread_note(pct) if n == precision_note(pct) else n for n in table.notes
                  if not n.startswith(f"{SKEW_MARK} "))  # its marks were in the CI's cells
    return replace(narrow, notes=(said, *notes))


def print_table(table: SummaryTable, console: Any | None = None) -> None:
    """Print a :class:`SummaryTable` through rich (default: a new console on stdout).

    A table whose unit column makes it wider than the console is printed one indicator
    at a time, the unit in each group's heading (:func:`indicator_groups`): at 80 columns
    the unit wrapped every row onto seven lines, and piped it made one table 215 wide. On
    a terminal too narrow for a row on one line, the CI of the mean is left out
    (:func:`fit_terminal`). Numbers line up on the decimal point (:func:`decimal_aligned`).
    """
    from rich.console import Console
    from rich.measure import Measurement
    from rich.text import Text

    console = console or Console()
    # Piped too: one rule for every compare table, decimal points in line.
    table = decimal_aligned(table)
    if console.is_terminal:  # piped, every column as before: scripts read it
        table = fit_terminal(table, console.width)
    out = rich_table(table)
    # Above the table, left-aligned and wrapped at the text's width: centred over a
    # table of five narrow columns it broke into short lines.
    for line in table.title:
        console.print(textwrap.fill(line, min(console.width, 95), subsequent_indent="  "),
                      highlight=False, markup=False)
    groups = indicator_groups(table)
    # Its natural width, not clamped to the console's (Measurement.get clamps).
    wide = console.options.update(max_width=10_000)
    fits = Measurement.get(console, wide, out).maximum <= console.width
    if not console.is_terminal:
        # Piped, scripts read it: at the table's natural width, never a cell folded onto
        # two lines (a row of tiny values at 100 columns was), and wider than the layout
        # width only where it must be; one table per indicator where that is wider.
        for g in ([table] if len(groups) == 1 or fits else groups) if table.drawn else []:
            if g is not table:
                console.print(textwrap.fill(g.title[0], min(console.width, 95),
                                            subsequent_indent="  "),
                              highlight=False, markup=False, style="bold")
            t = rich_table(g)
            # print(width=) is clamped to the console's: widen the console for the table.
            layout = console.width
            console.width = max(layout, Measurement.get(console, wide, t).maximum)
            try:
                console.print(t)
            finally:
                console.width = layout
    elif table.drawn and (len(groups) == 1 or fits):
        # Too wide, its headings folded before rich folds its numbers (a table of one
        # indicator and the median column at 80 columns).
        console.print(out if fits else rich_table(table, fitting([table], console.width)))
    elif table.drawn:
        # The same widths in every group where they fit (headings whole, else folded): the
        # numbers line up from one group to the next. Else each group's own where they
        # fit (the median column made a 5-decimal group wrap at 100 columns because
        # another group's cells were wide); wider, rich fits each group itself.
        common = fitting(groups, console.width)
        for g in groups:
            console.print(textwrap.fill(g.title[0], min(console.width, 95),
                                        subsequent_indent="  "),
                          highlight=False, markup=False, style="bold")
            console.print(rich_table(g, common or fitting([g], console.width)))
    for note in table.notes:
        # Wrapped here: rich's wrapping left a space at the end of each line it broke.
        console.print(Text(textwrap.fill(note, console.width, break_on_hyphens=False,
                                         break_long_words=False), style="dim"),
                      highlight=False, soft_wrap=True)


def _divisors(rows: pd.DataFrame, unit_of: Mapping[str, str] | None) -> list[float]:
    """What each row's values are divided by to be shown (1e9 for US$ bn); 1 without units."""
    if unit_of is None or "indicator" not in rows:
        return [1.0] * len(rows)
    return [display(str(g), unit_of[str(g)])[2] for g in rows["indicator"]]


def _median_cell(median: float, div: float, places: int | None, sci: bool) -> str:
    """The median's cell: "n/a" where no run is paired (a median of differences needs pairs)."""
    return "n/a" if pd.isna(median) else _fixed(median / div, places, sci)


def _runs_share(x: float, runs: int) -> str:
    """A share of runs in percent, as ``report.md`` prints it (:func:`scosim.report._share`)."""
    return _share(x, runs)


def _truncate(summary: pd.DataFrame, max_rows: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows to print (in the table's order) and those left out, at most ``max_rows``.

    The largest changes in absolute value, each indicator keeping an equal share of the
    rows (its leftover share going to the others): cutting the sorted table's tail hid
    the largest falls (Pakistan's -38 incidents in afghan_corridor_rats) and every row of
    the last indicators.
    """
    if len(summary) <= max_rows:
        return summary, summary.iloc[0:0]
    size = summary["mean"].abs().fillna(-1.0)
    groups = (list(summary.groupby("indicator", observed=True, sort=False).groups.values())
              if "indicator" in summary else [summary.index])
    # Equal shares, the rows an indicator cannot use handed on in turn.
    quota = dict.fromkeys(range(len(groups)), 0)
    left = max_rows
    while left > 0:
        wants = [k for k, g in enumerate(groups) if quota[k] < len(g)]
        if not wants:
            break
        share = max(left // len(wants), 1)
        for k in wants:
            extra = min(share, len(groups[k]) - quota[k], left)
            quota[k] += extra
            left -= extra
    keep = set()
    for k, g in enumerate(groups):
        keep |= set(size.loc[g].sort_values(ascending=False, kind="stable").index[:quota[k]])
    mask = summary.index.isin(list(keep))
    return summary[mask], summary[~mask]


def _news(row: Mapping[str, Any]) -> str:
    """Colour of a mean change in the terminal: green good news, red bad, none if neither.

    By the indicator's :data:`~scosim.indicator_display.DIRECTION` (more incidents are
    red); a summary without an indicator column is coloured by sign, as before.
    """
    from scosim.indicator_display import BETTER, WORSE, direction

    sign = 1 if row["mean"] > 0 else -1 if row["mean"] < 0 else 0
    if "indicator" in row:
        way = direction(str(row["indicator"]))
        sign *= 1 if way == BETTER else -1 if way == WORSE else 0
    return {1: "green", -1: "red"}.get(sign, "")


def _left_out(rest: pd.DataFrame, full_table: str | None) -> str:
    """``"12 more rows not shown: incidents: UZB, TKM; ... Full table: report.md"``."""
    text = f"{len(rest)} more rows not shown"
    if "indicator" in rest and "country" in rest:
        parts = [f"{ind}: {', '.join(str(c) for c in g['country'])}"
                 for ind, g in rest.groupby("indicator", observed=True, sort=False)]
        text += ": " + "; ".join(parts)
    return text + (f". Full table: {full_table}" if full_table else "")


def terminal_rows(comparison: Comparison, year: int, indicators: Sequence[str]) -> pd.DataFrame:
    """Summary rows ``scosim compare`` prints: one year, those indicators, as the report has them.

    Within each indicator (in the order given) the largest mean change comes first, as
    in the report's table; a world or bloc total is one row under the group's name. The
    spread of the runs' differences (the comparison's ``spread``) is in ``runs_low`` and
    ``runs_high``: the terminal prints it beside the CI of the mean; with the runs whose
    difference is not 0, the least and most of those, in :data:`RARE_COLUMNS`.
    """
    s = comparison.summary
    rows = s[(s["year"] == year) & s["indicator"].isin(list(indicators))]
    # Beside the CI of the mean, how far apart the runs are (the report's column too).
    keys = [c for c in s.columns if c not in SUMMARY_COLUMNS]
    spread = comparison.spread
    if len(spread) and all(k in spread.columns for k in keys):
        sp = spread[(spread["year"] == year) & spread["indicator"].isin(list(indicators))]
        rows = rows.merge(sp[[*keys, "low", "high"]].rename(
            columns={"low": "runs_low", "high": "runs_high"}), on=keys, how="left")
        rows = with_nonzero_runs(rows, sp, keys)
    rows = one_row_each(rows, aggregate_indicators(s[s["indicator"].isin(list(indicators))]))
    order = {str(i): k for k, i in enumerate(indicators)}
    rows = rows.assign(_ind=rows["indicator"].astype(str).map(order), _mean=rows["mean"])
    rows = rows.sort_values(["_ind", "_mean"], ascending=[True, False], na_position="last",
                            kind="stable")
    return rows.drop(columns=["_ind", "_mean"]).reset_index(drop=True)


def compared_runs(comp: Comparison) -> list[str]:
    """One line per side: the run directory compared and the scenario file it ran.

    ``policy:   results/customs_union/<run id> (scenarios/customs_union.yaml)``; the file
    as its run recorded it (relative to where that run was started).
    """
    return [f"{label:<10}{' '.join(items)}" for label, items in compared_parts(comp)]


def compared_parts(comp: Comparison) -> list[tuple[str, list[str]]]:
    """:func:`compared_runs`' lines as a label and its items, for a terminal to lay out.

    ``("policy:", ["results/customs_union/<run id>", "(scenarios/customs_union.yaml)"])``
    (:func:`scosim.tty_lines.labelled`).
    """
    return [(f"{role}:", [str(where),
                          f"({m.get('scenario_file') or 'scenario file not recorded'})"])
            for role, where, m in (("policy", comp.policy_dir, comp.policy_manifest),
                                   ("baseline", comp.baseline_dir, comp.baseline_manifest))]


def carried_warnings(comp: Comparison) -> list[tuple[bool, str, str]]:
    """``(is_note, line, message)`` per warning or note the compared runs keep, for stderr.

    A run compared by name, id or directory, or reused, is not run again: its warnings
    (a stress test, a slip) are said from its manifest (:mod:`scosim.run_warnings`).
    """
    from scosim.run_warnings import carried_said

    return carried_said((role, m, f"{where}/manifest.json")
                   for role, where, m in (("policy", comp.policy_dir, comp.policy_manifest),
                                          ("baseline", comp.baseline_dir,
                                           comp.baseline_manifest)))
