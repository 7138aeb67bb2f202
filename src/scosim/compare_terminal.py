"""The table ``scosim compare`` prints: one year's paired differences, largest first.

The same rows as the comparison report's table (:func:`terminal_rows`), in the
terminal through rich (:func:`print_summary`). A column whose value every row
shares (the year; the indicator and its unit when one is compared) moves into the
title, so the numbers fit a terminal's width.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from scosim.compare import SUMMARY_COLUMNS, Comparison, no_change
from scosim.compare_shares import ci_heading
from scosim.indicator_display import aggregate_indicators, display, one_row_each, resolve_units
from scosim.report import _fixed, _share, decimals

__all__ = ["print_summary", "terminal_rows"]


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

    Args:
        summary: Summary table; key columns are shown, then mean, interval, share.
        title: Table title (default names the interval).
        max_rows: Rows shown at most: the largest changes in absolute value, each
            indicator an equal share (:func:`_truncate`); a note then names the rows
            left out (per indicator, their countries) and where the full table is.
        console: A ``rich.console.Console`` (default: a new one on stdout).
        units: Units of indicators the model does not declare. When given (and the
            summary has an ``indicator`` column), a unit column follows it, with the
            units the model declares else these (:func:`resolve_units`), and amounts
            in US$ are shown in US$ bn, as in the comparison report's table.
        full_table: Where the whole table is (e.g. a report.md), for that note.
    """
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    keys = [c for c in summary.columns if c not in SUMMARY_COLUMNS]
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
    table = Table()
    for k in keys:
        table.add_column(k)
        if with_units and k == "indicator":
            table.add_column("unit")
    for c in ("mean", label, "share > 0", "runs"):
        table.add_column(c, justify="right")
    summary = shown
    kept, rest = _truncate(summary, max_rows)
    for r in kept.to_dict("records"):
        unit, div = None, 1.0
        if with_units:
            _, unit, div = display(str(r["indicator"]), unit_of[str(r["indicator"])])
        colour = _news(r)
        d = decimals(r["low"] / div, r["high"] / div)
        mean = _fixed(r["mean"] / div, d)
        mean = f"[{colour}]{mean}[/]" if colour else mean
        cells = []
        for k in keys:
            cells.append(str(r[k]))
            if with_units and k == "indicator":
                cells.append(unit or "")
        table.add_row(
            *cells,
            mean,
            f"{_fixed(r['low'] / div, d)} to {_fixed(r['high'] / div, d)}",
            _share(r["share_positive"]),
            str(r["n_runs"]),
        )
    # Above the table, left-aligned and wrapped at the text's width: centred over a
    # table of five narrow columns it broke into short lines.
    for line in title.splitlines():
        console.print(textwrap.fill(line, 95, subsequent_indent="  "), highlight=False,
                      markup=False)
    if len(summary) or not (n_still or n_unpaired):
        console.print(table)
    # An empty table's frame says nothing: the title, then why nothing is in it.
    if n_unpaired:
        console.print(f"[dim]{n_unpaired} rows without a paired run (no value in both "
                      "scenarios) not shown[/]", highlight=False)
    if n_still:
        console.print(f"[dim]{n_still} rows without a change in any paired run not shown[/]",
                      highlight=False)
    if len(rest):
        console.print(f"[dim]{_left_out(rest, full_table)}[/]", highlight=False)


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
    in the report's table; a world or bloc total is one row under the group's name.
    """
    s = comparison.summary
    rows = s[(s["year"] == year) & s["indicator"].isin(list(indicators))]
    rows = one_row_each(rows, aggregate_indicators(s[s["indicator"].isin(list(indicators))]))
    order = {str(i): k for k, i in enumerate(indicators)}
    rows = rows.assign(_ind=rows["indicator"].astype(str).map(order), _mean=rows["mean"])
    rows = rows.sort_values(["_ind", "_mean"], ascending=[True, False], na_position="last",
                            kind="stable")
    return rows.drop(columns=["_ind", "_mean"]).reset_index(drop=True)
