"""Reports of a policy comparison: Markdown and self-contained HTML.

The report reads a :class:`scosim.compare.Comparison` (results, never the live
model) and writes ``report.md`` (plots linked relatively from ``plots/``) and
``report.html`` (the same content, plots embedded as base64 PNG so the file can
be mailed on its own). The terminal table `scosim compare` prints is
:mod:`scosim.compare_terminal`; the notes on how to read the table are
:mod:`scosim.report_notes`.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scosim.compare import SUMMARY_COLUMNS, Comparison, interval_label, no_change
from scosim.compare_names import side_names
from scosim.compare_plots import FigureJob, draw_all
from scosim.compare_shares import ci_heading
from scosim.indicator_display import (
    WELFARE,
    aggregate_indicators,
    caption,
    display,
    one_row_each,
    percent_of_runs,
    resolve_units,
)
from scosim.number_cells import (  # noqa: F401  (re-exported: scosim.report.sci_rows, ...)
    COARSE_NOTE,
    MAX_FIXED,
    SCI_BELOW,
    SHOWN_VALUES,
    _fixed,
    coarse_rows,
    column_formats,
    decimals,
    sci_rows,
)
from scosim.rare_runs import (
    RARE_COLUMNS,
    RARE_NOTE,
    paired_band,
    rare_rows,
    run_places,
    with_nonzero_runs,
)
from scosim.report_notes import (  # noqa: F401  (ev_note: re-exported, scosim.report.ev_note)
    _method_text,
    _notes,
    _unchanged_text,
    ev_note,
)
from scosim.same_runs import SAME_CELL, SAME_NOTE, SKEW_MARK, same_rows, skew_note, skewed_rows

_PROVENANCE_FIELDS = (
    "scenario",
    "scenario_hash",
    "seed",
    "replications",
    "data_version",
    "network_version",
    "package_version",
    "code_version",
    "started",
    "finished",
    "executor",
    "overrides",
)


def _fmt(x: Any) -> str:
    """Floats to 4 significant digits, NaN as an en dash; integers (seeds!) and text as they are."""
    if isinstance(x, float | np.floating):
        return "–" if math.isnan(x) else f"{x:.4g}"
    return str(x)


def _share(x: float, runs: int = 0) -> str:
    """A share of ``runs`` runs as a percentage, rounded as the run's answer rounds it.

    :func:`~scosim.indicator_display.percent_of_runs`: one decimal unless every share of
    that many runs is a whole percent (7 of 200 runs is 3.5 %, which whole percent printed
    as "4%" here while the terminal printed 3.5%); "100 %" with a space, as the run's
    answer writes it; NaN (no run had a value) as an en dash, not "nan%".
    """
    return "–" if x != x else f"{percent_of_runs(x, runs)} %"


def _slug(s: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in str(s)).strip("_") or "x"


def unchanged_economies(comparison: Comparison, year: int | None = None, *,
                        unpaired: bool = False) -> dict[str, list[str]]:
    """Per indicator, the economies no paired run changed in ``year`` (default: the last).

    A world or bloc total counts once, under its group's name, as in the table.

    Args:
        comparison: The comparison.
        year: The year of the table.
        unpaired: Instead, the economies no run has a value for in both scenarios.
    """
    t = one_row_each(comparison.table(year), aggregate_indicators(comparison.summary))
    if "country" not in t or "indicator" not in t:
        return {}
    still = t[(t["n_runs"] == 0).to_numpy() if unpaired else no_change(t)]
    return {str(i): sorted(str(c) for c in g["country"])
            for i, g in still.groupby(still["indicator"].astype(str), sort=True)}


def summary_table(comparison: Comparison, *, year: int | None = None,
                  units: Mapping[str, str] | None = None,
                  leave_out: bool = False) -> pd.DataFrame:
    """Plain-language summary for one year (default: the last): one row per country and indicator.

    Columns: country, indicator, unit, mean change, median change (of the same paired
    runs' differences, when the comparison has it), "<level> CI of the mean",
    "<low>-<high> % of runs" (the spread of runs), share of runs above baseline, runs.
    Units are those the model declares, else ``units``'s
    (:func:`scosim.indicator_display.resolve_units`);
    amounts in US$ are shown in US$ bn (:func:`scosim.indicator_display.display`);
    ``summary_table.csv`` keeps every indicator's own units. A world or bloc total
    (the same in every economy's column) is one row, its country the group's name.
    With ``leave_out``, rows where no paired run changed, and rows without a paired
    run, are left out (:func:`unchanged_economies` names them).
    """
    keys = [c for c in comparison.summary.columns if c not in SUMMARY_COLUMNS]
    t = one_row_each(with_nonzero_runs(comparison.table(year), comparison.spread, keys),
                     aggregate_indicators(comparison.summary))
    if leave_out:
        t = t[~no_change(t) & (t["n_runs"] > 0).to_numpy()]
    lvl = comparison.level
    ci = ci_heading(t["interval"] if "interval" in t else [],
                    interval_label(comparison.method, lvl))
    spread = interval_label("percentile", lvl)
    inds = t["indicator"] if "indicator" in t else pd.Series("", index=t.index)
    unit_of = resolve_units((str(i) for i in inds.unique()), units)
    shown = {i: display(str(i), unit_of[str(i)]) for i in inds.unique()}
    div = inds.map(lambda i: shown[i][2]).to_numpy(dtype=float)

    # Every number of a row to the precision its CI of the mean supports, one notation
    # down an indicator's column (a column of tiny changes in powers of ten).
    places, sci = column_formats(t, div)

    # One value in every run: "same in every run" for both intervals (scosim.same_runs).
    same = same_rows(t)

    def pairs(lo: pd.Series, hi: pd.Series) -> list[str]:
        return [SAME_CELL if m else f"{_fixed(a, d, e)} to {_fixed(b, d, e)}"
                for a, b, d, e, m in zip(lo / div, hi / div, places, sci, same, strict=True)]

    def runs_between() -> list[str]:
        """The spread of runs; where most runs do not differ, "0 but 1 run -2,048"."""
        band = pairs(t["runs_low"], t["runs_high"])
        if not all(c in t for c in RARE_COLUMNS):
            return band
        k, lo, hi = (t[c].to_numpy(dtype=float) for c in RARE_COLUMNS)
        # One format down an indicator's column for the k runs' own values.
        dk = run_places(t, div, places, sci)
        return [paired_band(n, k[j], lo[j] / div[j], hi[j] / div[j],
                            lambda x, d=dk[j], e=sci[j]: _fixed(x, d, e)) or band[j]
                for j, n in enumerate(t["n_runs"].to_numpy(dtype=float))]

    skew = skewed_rows(t)
    out = pd.DataFrame(
        {
            "country": t["country"] if "country" in t else "",
            "indicator": inds,
            "unit": inds.map(lambda i: shown[i][1] or ""),
            "mean change": [_fixed(m, d, e) for m, d, e in zip(t["mean"] / div, places, sci,
                                                                 strict=True)],
            # The run's answer gives medians: the same paired runs' median beside the mean.
            **({"median change": [_fixed(m, d, e) for m, d, e in zip(
                t["median"] / div, places, sci, strict=True)]} if "median" in t else {}),
            # The t interval of a skewed mean marked where it crosses 0 and no run does.
            ci: [c + SKEW_MARK if k else c for c, k in zip(pairs(t["low"], t["high"]),
                                                          skew, strict=True)],
            spread: runs_between(),
            "share of runs above baseline": [
                _share(x, int(n)) for x, n in zip(t["share_positive"], t["n_runs"], strict=True)],
            "runs": t["n_runs"].astype(int),
        }
    )
    # Whether a row is rounded to its own CI, coarser than its column: write_report says so.
    out.attrs["coarse"] = bool(any(coarse_rows(t, places, sci)))
    # And the notes under the table: rows the same in every run, skewed t intervals.
    out.attrs["below"] = [n for n in (SAME_NOTE if any(same) else None, skew_note(skew)) if n]
    # Within an indicator, biggest gains first: the "who gains, who loses" reading.
    out["_mean"] = t["mean"].to_numpy()
    out = out.sort_values(["indicator", "_mean"], ascending=[True, False], na_position="last")
    return out.drop(columns="_mean").reset_index(drop=True)


def csv_table(comparison: Comparison, *, year: int | None = None,
              units: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``summary_table.csv``: :meth:`Comparison.table` at full precision, every economy's row.

    Two columns after ``indicator`` say how to read a row: ``unit``, the unit of the
    change as stored (a difference of percentages in percentage points, US$ in US$, not
    the report's US$ bn; :func:`scosim.indicator_display.display`), and ``group``, the
    group a world or bloc total stands for (``bloc members``, ``world``, ...), empty for
    an economy's own value: such a total is the same in every economy's row, so a
    reader of Afghanistan's row of ``ev_members_usd`` is not led to take it for
    Afghanistan's gain.
    """
    t = comparison.table(year)
    if "indicator" not in t:
        return t
    inds = t["indicator"].astype(str)
    unit_of = resolve_units(inds.unique(), units)

    def stored(i: str) -> str:
        _, shown, div = display(i, unit_of[i])
        if shown is None:
            return ""
        return "US$" + shown[len("US$ bn"):] if div != 1.0 else shown

    at = list(t.columns).index("indicator") + 1
    t.insert(at, "unit", inds.map({i: stored(i) for i in inds.unique()}))
    groups = aggregate_indicators(comparison.summary)
    t.insert(at + 1, "group", [groups.get(i, "") for i in inds])
    return t


def _scaled(summary: pd.DataFrame, divisor: float) -> pd.DataFrame:
    """Summary rows with their mean and intervals divided by ``divisor`` (US$ to US$ bn)."""
    if divisor == 1.0:
        return summary
    out = summary.copy()
    cols = [c for c in ("mean", "median", "low", "high", "runs_low", "runs_high") if c in out]
    out[cols] = out[cols] / divisor
    return out


def _md_table(df: pd.DataFrame) -> str:
    def esc(v: Any) -> str:
        return str(v).replace("|", "\\|")

    lines = ["| " + " | ".join(esc(c) for c in df.columns) + " |"]
    lines.append("|" + "---|" * len(df.columns))
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(esc(v) for v in row) + " |")
    return "\n".join(lines)


def _html_table(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in df.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _provenance(policy: Mapping, baseline: Mapping) -> pd.DataFrame:
    from scosim.results import format_overrides

    def value(m: Mapping, f: str) -> str:
        if f == "overrides":
            return format_overrides(m.get(f)) or "none"
        return _fmt(m.get(f, "–"))

    from scosim.compare_provenance import plugin_rows

    rows = [[f, value(policy, f), value(baseline, f)] for f in _PROVENANCE_FIELDS]
    # The plug-ins and their code's hash: the same scenario with edited plug-in code
    # gives other numbers under the same name.
    rows += plugin_rows(policy, baseline)
    return pd.DataFrame(rows, columns=["field", "policy", "baseline"])


def write_report(
    comparison: Comparison,
    out_dir: str | Path,
    *,
    title: str,
    policy_manifest: Mapping | None = None,
    baseline_manifest: Mapping | None = None,
    indicators: Sequence[str] | None = None,
    units: Mapping[str, str] | None = None,
    year: int | None = None,
    year_note: str = "",
    plot_workers: int | None = None,
    on_figure: Callable[[int, int], None] | None = None,
) -> Path:
    """Write ``report.md`` and ``report.html`` (plus ``plots/*.png``) to ``out_dir``.

    Args:
        comparison: Output of :func:`scosim.compare.compare_results` (or ``compare``).
        out_dir: Directory to write into (created if needed).
        title: Report title.
        policy_manifest: Provenance of the policy run (default: the comparison's).
        baseline_manifest: Provenance of the baseline run (default: the comparison's).
        indicators: Indicators to report (default: all).
        units: Units of indicators the model does not declare (it declares most: each
            proposal type and mechanism lists its indicators' units), e.g.
            :data:`scosim.api.UNITS`; see :func:`scosim.indicator_display.resolve_units`.
        year: Year of the summary table and bar charts (default: the last year).
        year_note: Why that year, shown in the report (e.g. "the year of largest effect").
        plot_workers: Processes that draw the figures (default: the usable CPUs, at most
            4; 1 draws them in this process). The files are the same either way.
        on_figure: Called as ``on_figure(done, total)``: ``done`` 0 first, then per figure.

    Returns:
        Path of ``report.md``; ``report.html`` is written next to it, and
        ``provenance.json``, the runs compared with their versions and plug-ins
        (:mod:`scosim.compare_provenance`).
    """
    out = Path(out_dir)
    plots = out / "plots"
    plots.mkdir(parents=True, exist_ok=True)
    pm = dict(policy_manifest if policy_manifest is not None else comparison.policy_manifest)
    bm = dict(baseline_manifest if baseline_manifest is not None else comparison.baseline_manifest)
    units = dict(units or {})
    scen_p, scen_b = side_names(pm, bm)  # "X (as written)" and "X (--set ...)" for one X

    comp = comparison
    if indicators is not None:
        keep = set(indicators)
        # Summaries only: the run-level differences stay unread (they may be large).
        comp = comparison.subset(sorted(keep))
    inds = sorted(str(i) for i in comp.summary["indicator"].unique())
    yr = int(comp.summary["year"].max()) if year is None else year
    # Rows no paired run changed (outsiders' membership of a union...) are named, not
    # tabulated as "0 | 0 to 0", as in the figures and the terminal.
    table = summary_table(comp, year=yr, units=units, leave_out=True)
    still = unchanged_economies(comp, yr)
    unpaired = unchanged_economies(comp, yr, unpaired=True)
    # The runs compared, as the manifests say: the summary's largest count is 0 when no
    # indicator shown has a pair ("over 0 paired runs").
    n_runs = int(pm.get("replications") or (comp.summary["n_runs"].max()
                                            if len(comp.summary) else 0))
    unit_of = resolve_units(inds, units)
    aggs = aggregate_indicators(comp.summary)

    # Plots: files for Markdown, base64 for HTML. Drawn in worker processes, the
    # slow over-time small multiples first; each job carries its indicator's rows only.
    figures: list[tuple[str, str]] = []  # (caption, relative path)
    over_time: list[FigureJob] = []
    final_year: list[FigureJob] = []
    by_ind = {str(k): v for k, v in comp.summary.groupby("indicator", observed=True, sort=False)}
    spread = ({str(k): v for k, v in comp.spread.groupby("indicator", observed=True, sort=False)}
              if comp.spread is not None else None)
    titles = {"scenarios": (scen_p, scen_b), "seed": pm.get("seed")}
    for ind in inds:
        rel_t, rel_y = (f"plots/{_slug(ind)}_{kind}.png" for kind in ("over_time", "final_year"))
        name, unit, div = display(ind, unit_of[ind])
        # A world or bloc total is one panel and one bar, not 28 identical ones.
        rows = _scaled(one_row_each(by_ind[ind], aggs), div)
        over_time.append(("plot_difference_over_time", rows, ind, {
            "spread": None if spread is None else _scaled(one_row_each(spread[ind], aggs), div),
            "units": unit, "title": name, "path": out / rel_t, **titles}))
        final_year.append(("plot_final_year", rows, ind, {
            "year": yr, "units": unit, "title": name, "path": out / rel_y, **titles}))
        where = ("by country" if ind not in aggs
                 else "all economies together" if aggs[ind] == "all" else f"the {aggs[ind]}")
        # Named in words with the unit shown, the code once: the code alone ("ev_usd")
        # told a policy reader neither what was drawn nor in what.
        cap = caption(ind, unit)
        figures += [(f"{cap}: difference over time, {where}", rel_t),
                    (f"{cap}: who gains, who loses in {yr}" if ind in WELFARE
                     else f"{cap}: change in {yr}, {where}", rel_y)]
    if on_figure is not None:
        on_figure(0, len(over_time) + len(final_year))
    draw_all(over_time + final_year, workers=plot_workers, on_done=on_figure)

    intro = (
        f"Policy **{scen_p}** compared with baseline **{scen_b}** over {n_runs} paired runs"
        + (f" (seed {pm['seed']})" if pm.get("seed") is not None else "") + ". "
        f"Table: changes in {yr}{f' ({year_note})' if year_note else ''}, policy minus baseline, "
        "largest first within each indicator."
    )
    from scosim.compare_setup import economy_note, overrides_note

    notes = [n for n in (overrides_note(pm, bm),
                         economy_note(comp.policy_dir, comp.baseline_dir)) if n]
    if notes:
        intro += " Note: " + "; ".join(notes) + "."
    from scosim.run_outcome import compare_outcome

    if votes := compare_outcome(comp.policy_dir, comp.baseline_dir, n_runs):
        intro += " " + votes
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    prov = _provenance(pm, bm)
    from scosim.compare_provenance import write_compare_manifest

    write_compare_manifest(out, pm, bm, policy_dir=comp.policy_dir,
                           baseline_dir=comp.baseline_dir, level=comp.level,
                           method=str(comp.method), year=yr)
    method = _method_text(comp) + _notes(comp, inds, aggs,
                                         empty_rows=bool((table["runs"] == 0).any()))
    if table.attrs.get("coarse"):
        method.append(COARSE_NOTE)
    below = [x for n in table.attrs.get("below", []) for x in (n, "")]
    # A line starting "* " is a list item in Markdown: the mark escaped, as it is meant.
    below_md = [f"\\{n}" if n.startswith(f"{SKEW_MARK} ") else n for n in below]

    from scosim.run_warnings import carried

    # What each run said when it was made (a stress test, a slip), kept in its manifest.
    said = carried((role, m, f"{where}/manifest.json") for role, where, m in (
        ("policy", comp.policy_dir, pm), ("baseline", comp.baseline_dir, bm)))
    said_intro = ("The runs compared gave these warnings when they were made "
                  "(scosim run printed them; each run's manifest.json keeps them):")
    left_out = _unchanged_text(still, unpaired, yr, n_runs,
                               table["indicator"].astype(str).value_counts().to_dict())
    # An empty table's header says nothing: say why it is empty instead.
    none = f"No indicator differs in {yr} in any of the {n_runs} paired runs." if table.empty \
        else ""
    # The rendered table names each indicator in words, the code in brackets (as the
    # captions); summary_table itself keeps codes for the API and summary_table.csv.
    table = table.assign(indicator=table["indicator"].map(
        lambda i: display(str(i), None)[0]))
    # As under the terminal's table: what "0 but 1 run -2048" means, where a row is one
    # (rows left out have no paired run or none that differs: never one).
    keys = [c for c in comp.summary.columns if c not in SUMMARY_COLUMNS]
    rare = [RARE_NOTE, ""] if any(rare_rows(with_nonzero_runs(
        comp.table(yr), comp.spread, keys))) else []
    md = [f"# {title}", "", intro, "", "## Summary", "", none or _md_table(table), "", *below_md,
          *rare,
          *([left_out, ""] if left_out else []),
          *(["## Warnings", "", said_intro, "", *[f"- {w}" for w in said], ""] if said else []),
          "## Method", ""]
    md += [p + "\n" for p in method]
    md += ["## Plots", ""]
    md += [f"![{cap}]({rel})\n" for cap, rel in figures]
    md += ["## Provenance", "", _md_table(prov), "", f"_Generated {generated} by scosim._", ""]
    md_path = out / "report.md"
    md_path.write_text("\n".join(md), encoding="utf-8")

    def img(cap: str, rel: str) -> str:
        data = base64.b64encode((out / rel).read_bytes()).decode("ascii")
        return (
            f'<figure><img alt="{html.escape(cap)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(cap)}</figcaption></figure>"
        )

    def para(p: str) -> str:
        # The only Markdown in the method text is **bold**.
        parts = html.escape(p).split("**")
        return "<p>" + "".join(f"<b>{x}</b>" if i % 2 else x for i, x in enumerate(parts)) + "</p>"

    style = (
        "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
        "text-align:left}th{background:#f3f3f3}img{max-width:100%}figure{margin:1.5em 0}"
    )
    body = [
        f"<h1>{html.escape(title)}</h1>",
        para(intro),
        "<h2>Summary</h2>",
        para(none) if none else _html_table(table),
        *[para(x) for x in (*below, *rare) if x],  # the notes report.md has under it
        *[para(x) for x in left_out.split("\n\n") if x],
        *(["<h2>Warnings</h2>", para(said_intro),
           "<ul>" + "".join(f"<li>{html.escape(w)}</li>" for w in said) + "</ul>"]
          if said else []),
        "<h2>Method</h2>",
        *[para(p) for p in method],
        "<h2>Plots</h2>",
        *[img(cap, rel) for cap, rel in figures],
        "<h2>Provenance</h2>",
        _html_table(prov),
        f"<p><i>Generated {generated} by scosim.</i></p>",
    ]
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{style}</style></head>"
        f"<body>{''.join(body)}</body></html>"
    )
    (out / "report.html").write_text(page, encoding="utf-8")
    return md_path


def __getattr__(name: str) -> Any:
    # The terminal table moved to scosim.compare_terminal; the old import still works.
    if name in ("print_summary", "terminal_rows"):
        from scosim import compare_terminal

        return getattr(compare_terminal, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
