"""What a sweep says in words: its parameters and outputs on figures, its printed indices.

Kept apart from :mod:`scosim.api_sweep` (which re-exports them) so that the sweep's
running and its labelling can be read separately.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

import pandas as pd

from scosim.experiments.sweep import EXIT_COLUMN
from scosim.indicator_display import percent_of_runs
from scosim.sweepable import SWEPT_COLLECTION, SWEPT_INSTABILITY

#: An output ``indicator:CODE[:YEAR]`` as ``scosim sweep --output`` takes it.
_OUT = re.compile(r"\A(?P<ind>[a-z][a-z0-9_]*):(?P<c>[A-Z]{3})(?::(?P<y>\d{4}))?\Z")


def param_label(name: str, sc: Any) -> str:
    """``"trade.sigma: elasticity of substitution"``: a swept parameter, for a figure's axis.

    The field's description in the scenario schema, the proposal type's spec
    (``proposals.<id>.<field>``: ``"cet of proposal sco_cu (customs_union): ..."``) or
    the mechanism's settings model; the bare name where none is written.
    """
    from scosim.model.slots import SETTING_PREFIX

    parts = name.split(".")
    if name.startswith(SWEPT_INSTABILITY):
        from scosim.data.constants import NAMES

        code = name.removeprefix(SWEPT_INSTABILITY)
        return f"network instability of {NAMES.get(code, code)} (0-1, every year)"
    if name.startswith(SWEPT_COLLECTION):
        from scosim.data.constants import NAMES

        code = name.removeprefix(SWEPT_COLLECTION)
        return (f"collection rate of {NAMES.get(code, code)} (duty collected / statutory "
                "duty)")
    try:
        if name.startswith(SETTING_PREFIX):
            from scosim.model.slots import get_mechanism

            mech, field = parts[-2], parts[-1]
            model = get_mechanism(mech).settings_model
            desc = model.model_fields[field].description if model is not None else None
            head = f"{field} of mechanism {mech}"
        elif parts[0] == "proposals" and len(parts) == 3:
            prop = next(p for p in sc.proposals if p.id == parts[1])
            desc = type(prop).model_fields[parts[2]].description
            head = f"{parts[2]} of proposal {prop.id} ({prop.type})"
        else:
            node: Any = sc
            for part in parts[:-1]:
                node = getattr(node, part)
            desc = type(node).model_fields[parts[-1]].description
            head = name.removeprefix("parameters.")
    except (AttributeError, KeyError, StopIteration):  # a plug-in's field we cannot read
        return name.removeprefix("parameters.")
    return f"{head}: {desc}" if desc else head


def output_label(spec: str, sc: Any) -> str:
    """``"welfare change (welfare_change_pct) of KAZ in 2035, percent"``: a sweep output."""
    from scosim.indicator_display import NAMES, resolve_units

    m = _OUT.match(spec)
    if not m:
        return spec
    ind = m["ind"]
    year = m["y"] or sc.years.end
    name = f"{NAMES[ind]} ({ind})" if ind in NAMES else ind
    from scosim.api import UNITS  # api re-exports this module

    unit = resolve_units([ind], UNITS)[ind]
    return f"{name} of {m['c']} in {year}" + (f", {unit}" if unit else "")


def output_years(outputs: list[str], sc: Any) -> dict[str, int]:
    """The year each sweep output is read in: its own (``ind:KAZ:2030``) or the last."""
    years = {}
    for o in outputs:
        m = _OUT.match(o)
        years[o] = int(m["y"]) if m and m["y"] else int(sc.years.end)
    return years


def years_line(meta: dict[str, Any]) -> list[str]:
    """The line saying which year the outputs are of ([] for a sweep that did not record it).

    The printed summary never said it (the figure did): a reader of "corridor_paid_usd:AFG
    2.2 to 3.8" could not tell the year.
    """
    years = meta.get("output_years")
    if not years:
        return []
    if len(set(years.values())) == 1:
        return [f"values in {next(iter(years.values()))}"]
    return ["values in: " + ", ".join(f"{o} {y}" for o, y in years.items())]


def output_unit(spec: str) -> str | None:
    """The unit of a sweep output's values as stored (``"US$"`` for ``gdp_usd:KAZ``), or None.

    The indicator's declared unit (:func:`scosim.indicator_display.resolve_units`, with
    :data:`scosim.api.UNITS` for those that declare none); a mean over replications
    keeps it.
    """
    from scosim.indicator_display import resolve_units

    m = _OUT.match(spec)
    if not m:
        return None
    from scosim.api import UNITS  # api re-exports this module

    return resolve_units([m["ind"]], UNITS)[m["ind"]]


def defect_rules(sc: Any) -> str:
    """The scenario's defect rule, and any country's own: ``"threshold_defect"``."""
    rule = str(sc.parameters.rules["defect"])
    own = sorted({f"{c} {r['defect']}" for c, r in ((c, o.rules) for c, o in sc.countries.items())
                  if "defect" in r and str(r["defect"]) != rule})
    return rule + (f" ({', '.join(own)})" if own else "")


def exits_note(sc: Any, table: pd.DataFrame) -> str | None:
    """What a sweep's outputs are after: exits under the scenario's defect rule.

    A point's mean mixes runs in which members left with runs in which they stayed,
    so an output can jump between points because exits do (Kazakhstan's welfare
    against the CET of customs_union.yaml); the printed table and the figure give each
    point's share of runs with an exit beside it. None where no run of any point had
    an exit (or the design does not count them).
    """
    if EXIT_COLUMN not in table or not (table[EXIT_COLUMN] > 0).any():
        return None
    return (f"values are after exits under the scenario's defect rule ({defect_rules(sc)}): "
            "'exit' is the share of a point's runs in which a state left an arrangement "
            "(grey x on the figure); to hold every state in, run with --set "
            "parameters.rules.defect=never_defect.")


def percent_params(params: Any, sc: Any) -> list[str]:
    """The swept parameters that are tariffs given as fractions, shown in % (a CET)."""
    out = []
    for p in params:
        text = param_label(p, sc).lower()
        if "tariff" in text and "fraction" in text:
            out.append(p)
    return out


def sigma_spread_note(sc: Any, params: Any) -> str | None:
    """What a sweep of ``parameters.trade.sigma`` leaves out of the scenario, or None.

    A swept sigma is each run's sigma exactly (``SCOModel._init_sigma``): the
    scenario's ``sigma_spread`` (a per-run draw of sigma within +-spread) is not
    applied, so a point is not ``scosim run`` of the scenario at that sigma, which
    draws it. Said only where it matters: sigma swept and a spread above 0.

    Args:
        sc: The loaded scenario.
        params: The swept parameters, by name.
    """
    spread = float(sc.parameters.trade.sigma_spread)
    if "parameters.trade.sigma" not in params or spread <= 0:
        return None
    return (f"parameters.trade.sigma is swept: each run uses the point's sigma exactly, "
            f"without the scenario's per-run spread (sigma_spread {spread:g}, which "
            f"draws each run's sigma within +-{spread:g} of it); scosim run at that sigma "
            "gives the same numbers only with --set parameters.trade.sigma_spread=0")


def collection_spread_note(sc: Any, params: Any) -> str | None:
    """What a sweep of a collection rate leaves out of the scenario, or None.

    As for sigma (:func:`sigma_spread_note`): a swept rate is each run's rate exactly,
    without the scenario's ``collection_rate_spread`` for that economy. Said only where
    the scenario draws a swept economy's rate.
    """
    spread = sc.parameters.trade.collection_rate_spread
    codes = [n.removeprefix(SWEPT_COLLECTION) for n in params
             if n.startswith(SWEPT_COLLECTION)]
    drawn = [c for c in codes if spread.get(c, 0.0) > 0]
    if not drawn:
        return None
    return ("; ".join(f"{SWEPT_COLLECTION}{c} is swept: each run uses the point's rate "
                      f"exactly, without the scenario's per-run draw (collection_rate_spread."
                      f"{c} {spread[c]:g})" for c in drawn)
            + "; scosim run at that rate gives the same numbers only with the spread set to 0")


def after_runs_note(method: str, points: int, replications: int) -> str:
    """What a sweep that failed after its last point ran kept (nothing), and what to do.

    It said "no batch had finished, so nothing was kept" once every point had run.
    """
    runs = f"all {points:,} points ran ({points * replications:,} model runs)"
    if method in ("sobol", "morris"):
        return (f"{runs}, then the {method.capitalize()} analysis of their outputs (or "
                "writing its files) failed, for the reason the error gives; nothing was kept, "
                "since the same command would fail the same way. Change what the error names "
                "and run again: for an output without a value at some points, an --output "
                "defined at every point, or --method lhs or grid, which keep such points")
    return (f"{runs}, then writing the design's outputs or figure failed, for the reason "
            "the error gives; nothing was kept, since the same command would fail the same "
            "way: change what the error names and run again")


def notes_text(meta: dict[str, Any]) -> list[str]:
    """The manifest's ``notes`` (what the sweep's numbers leave out), as printed lines."""
    return [f"note: {n}" for n in meta.get("notes", [])]


#: Rows of a table of outputs by the value of one parameter, and rows and columns of an
#: output by the values of two (values evenly spaced beyond); outputs of the first.
_MAX_ROWS, _MAX_COLS = 10, 6
#: Outputs a table by parameter value is printed for (the summary has them all).
_MAX_TABLES = 2


def replications_text(n: int) -> str:
    """``"1 replication"``, ``"4 replications"``: a count of replications in words."""
    return f"{n:,} replication" + ("" if n == 1 else "s")


def _shown(unit: str | None) -> tuple[str, float]:
    """A unit as printed and the divisor of its values: US$ in billions, as run tables."""
    from scosim.indicator_display import US_BN

    if unit is not None and unit.startswith("US$"):
        return "US$ bn" + unit[len("US$"):], US_BN
    return unit or "", 1.0


def _num(v: float) -> str:
    return "no value" if v != v else f"{v:.4g}"


def _spaced(values: list[float], most: int) -> list[float]:
    """At most ``most`` of ``values``, evenly spaced, the first and last included."""
    if len(values) <= most:
        return values
    import numpy as np

    return [values[i] for i in np.unique(np.linspace(0, len(values) - 1, most).round()
                                         .astype(int))]


def _cells(frame: pd.DataFrame, divisor: dict[str, float] | float) -> pd.DataFrame:
    """``frame``'s values as printed: four significant digits, in the units shown."""
    return frame.apply(lambda c: [
        _num(v / (divisor if isinstance(divisor, float) else divisor[c.name])) for v in c])


def _fit(lines: list[str], width: int | None) -> list[str]:
    """Prose ``lines`` wrapped at a terminal's ``width``, continuations indented.

    A figure kept with its label and unit, as the run's answer keeps them
    (:func:`scosim.tty_lines.message` with ``figures``). As they are where ``width`` is
    None (piped: tests and scripts read them). Never given a table's rows: a row wrapped
    is a table broken.
    """
    from scosim.tty_lines import message

    return (lines if width is None
            else message("\n".join(lines), width, figures=True).split("\n"))


#: The prefix every scenario parameter's path has, left out of a table that would not fit.
PREFIX = "parameters."


def _index_table(shown: pd.DataFrame, width: int | None) -> list[str]:
    """The indices' rows, fitted to a terminal's ``width`` where they are wider.

    At 80 columns a Morris row ran to 84-89 ("parameters.council.vote_noise
    welfare_change_pct:KAZ ..."), wrapped by the terminal: the common ``parameters.``
    prefix is then left out (said once above the table), and where that is not enough,
    one table per output under its name. Piped (``width`` None) the rows are as before:
    scripts read them.
    """
    rows = shown.to_string(index=False).splitlines()
    if width is None or max(map(len, rows)) <= width:
        return rows
    names = shown["parameter"].astype(str)
    note: list[str] = []
    if names.str.startswith(PREFIX).all():
        shown = shown.assign(parameter=names.str.removeprefix(PREFIX))
        note = _fit([f'parameter: each path without its leading "{PREFIX}" (to fit the '
                     "terminal)"], width)
        rows = shown.to_string(index=False).splitlines()
    if max(map(len, rows)) <= width:
        return [*note, *rows]
    out = list(note)
    for name, part in shown.groupby("output", sort=False):
        out += [f"{name}:", *part.drop(columns="output").to_string(index=False).splitlines()]
    return out


def design_text(table: pd.DataFrame, meta: dict[str, Any], width: int | None = None) -> str:
    """What ``scosim sweep`` prints for a grid or Latin hypercube: the outputs over the points.

    Each output's minimum, median and maximum over the design's points (each point
    a mean over its replications), US$ in billions as in a run's tables; for a grid
    of one or two parameters, each output by parameter value too (a large grid's values
    evenly spaced, with a note; every point is in ``design_outputs.parquet``).

    Args:
        table: ``design_outputs.parquet``: a column per parameter and per output.
        meta: The sweep's manifest (``method``, ``params``, ``outputs``,
            ``replications_per_point``).
        width: A terminal's width, its prose (not its tables) wrapped at it; None piped.
    """
    params, outputs = list(meta["params"]), list(meta["outputs"])
    reps, points = meta["replications_per_point"], len(table)
    design = "grid" if meta["method"] == "grid" else "Latin hypercube"
    shown = {o: _shown(output_unit(o)) for o in outputs}
    div = {o: shown[o][1] for o in outputs}
    stats = _cells(table[outputs].agg(["min", "median", "max"]).div(pd.Series(div)).T, 1.0)
    # Names left-aligned, numbers right-aligned (to_string aligns all alike). The units
    # under the table, not in a column: a unit's prose made a row 98 columns wide.
    columns = [["output", *outputs], *([c, *stats[c]] for c in stats)]
    widths = [max(map(len, c)) for c in columns]
    table_lines = ["  ".join(c[i].ljust(w) if j == 0 else c[i].rjust(w)
                             for j, (c, w) in enumerate(zip(columns, widths, strict=True)))
                   .rstrip() for i in range(len(outputs) + 1)]
    lines = [*_fit([f"{design} of {points} points x {replications_text(reps)} = {points * reps} "
                   "model runs; each output over the points (a point: the mean of its runs):",
                   *notes_text(meta), *years_line(meta), *exits_lines(table, reps)], width),
             *table_lines, *_fit(_unit_lines({o: shown[o][0] for o in outputs}), width)]
    if meta["method"] != "grid" or len(params) > 2:
        return "\n".join(lines)
    pct = set(meta.get("percent_params", []))
    every = "every point: design_outputs.parquet"
    axes = [sorted(pd.unique(table[p])) for p in params]
    # Two tables of two parameters take the lines of one table of one.
    rows = _spaced(axes[0], _MAX_ROWS if len(params) == 1 else _MAX_COLS)
    if len(params) == 1:
        notes = []
        if len(rows) < len(axes[0]):
            notes.append(f"{len(rows)} of {len(axes[0])} values, evenly spaced")
        if len(outputs) > _MAX_COLS:
            notes.append(f"the first {_MAX_COLS} outputs")
        by = table.set_index(params[0]).loc[rows, outputs[:_MAX_COLS]]
        by = _cells(by, div).set_axis([_value(v, params[0] in pct) for v in rows])
        by = by.rename_axis(params[0])
        if EXIT_COLUMN in table:  # the point's exits beside its values: they move them
            # The share of the point's runs in which any state left ("exit" read as a rate).
            by["any state left"] = [f"{percent_of_runs(v, reps)}%"
                          for v in table.set_index(params[0]).loc[rows, EXIT_COLUMN]]
        said = "".join(f"; {n}" for n in [*notes, every]) if notes else ""
        lines += _fit([f"by {params[0]} (units as above{said}):"], width)
        lines.append(by.reset_index().to_string(index=False))
        return "\n".join(lines)
    cols = _spaced(axes[1], _MAX_COLS)
    cut = (f"; {len(rows)} x {len(cols)} of {len(axes[0])} x {len(axes[1])} values, evenly "
           f"spaced, {every}" if (len(rows), len(cols)) != tuple(map(len, axes)) else "")
    for o in outputs[:_MAX_TABLES]:
        grid = table.set_index(params)[o].unstack(params[1]).loc[rows, cols]
        lines += _fit([f"{o} ({shown[o][0] or 'no unit'}) by {params[0]} (rows) and "
                       f"{params[1]} (columns){cut}:"], width)
        grid = _cells(grid, div[o]).set_axis([_value(v, params[0] in pct) for v in rows]).set_axis(
            [_value(v, params[1] in pct) for v in cols], axis=1)
        lines.append(grid.to_string())
    if EXIT_COLUMN in table:
        grid = table.set_index(params)[EXIT_COLUMN].unstack(params[1]).loc[rows, cols]
        lines += _fit([f"share of runs in which any state left by {params[0]} (rows) and "
                       f"{params[1]} (columns){cut}:"], width)
        lines.append(grid.map(lambda v: f"{percent_of_runs(v, reps)}%").set_axis(
            [_value(v, params[0] in pct) for v in rows]).set_axis(
            [_value(v, params[1] in pct) for v in cols], axis=1).to_string())
    if len(outputs) > _MAX_TABLES:
        lines += _fit([f"(tables of the first {_MAX_TABLES} outputs; {every})"], width)
    return "\n".join(lines)


def _unit_lines(units: dict[str, str]) -> list[str]:
    """The outputs' units, under the summary table: one line where they share one."""
    if len(set(units.values())) == 1:
        return [f"unit: {next(iter(units.values())) or 'none'}"]
    return ["units:", *(f"  {o}: {u or 'none'}" for o, u in units.items())]


def _value(v: float, percent: bool) -> str:
    """A parameter's value as printed: ``0.05`` or, for a tariff, ``0.05 (5%)``."""
    return f"{v:.6g} ({v * 100:.4g}%)" if percent else f"{v:.6g}"


def exits_lines(table: pd.DataFrame, reps: int = 0) -> list[str]:
    """The design's exits in one line ([] for a design without :data:`EXIT_COLUMN`).

    Shares of runs rounded as a run's answer rounds them (:func:`percent_of_runs`): a
    point's of its ``reps`` runs, the whole design's of all its runs.
    """
    if EXIT_COLUMN not in table:
        return []
    share = table[EXIT_COLUMN]
    every = reps * len(table)
    if share.min() == share.max():  # said once: "100.0% over all (100% to 100% by point)"
        return [f"runs with an exit: {percent_of_runs(share.max(), reps)}% at every point "
                f"(each point's in {EXIT_COLUMN!r} of design_outputs.parquet)"]
    return [f"runs with an exit: {percent_of_runs(share.mean(), every)}% over all points "
            f"({percent_of_runs(share.min(), reps)}% to {percent_of_runs(share.max(), reps)}% "
            f"by point; each point's in {EXIT_COLUMN!r} of design_outputs.parquet)"]


def wide_intervals_note(indices: pd.DataFrame, n: int) -> str | None:
    """A warning when a Sobol index's confidence interval is wider than the index itself.

    An index whose half-width exceeds it (``S1_conf > |S1|``, ``ST_conf > |ST|``) has an
    interval reaching past zero: the sample cannot tell it from no effect, and its size
    and rank are noise. The bootstrap half-widths shrink about as ``1/sqrt(n)``, so four
    times the base sample halves them. Undefined (NaN) indices are left to their own note.

    Args:
        indices: The Sobol ``indices.csv`` (``parameter, output, S1, S1_conf, ST, ST_conf``).
        n: The base sample size the indices came from.

    Returns:
        One sentence naming the indices concerned (``S1 of p on o: 0.12 +/- 0.31``) and
        suggesting a larger ``--n``; None when every interval is narrower than its index.
    """
    wide: list[str] = []
    for _, row in indices.iterrows():
        for idx in ("S1", "ST"):
            value, half = float(row[idx]), float(row[f"{idx}_conf"])
            if value == value and half == half and half > abs(value):
                wide.append(f"{idx} of {row['parameter']} on {row['output']}: "
                            f"{value:.3f} +/- {half:.3f}")
    if not wide:
        return None
    shown = "; ".join(wide[:6]) + (f"; and {len(wide) - 6} more" if len(wide) > 6 else "")
    return (f"warning: {len(wide)} of {2 * len(indices)} indices have a confidence interval "
            f"wider than the index itself ({shown}): they cannot be told from zero at base "
            f"sample n = {n}. Run again with a larger --n (the intervals shrink about as "
            f"1/sqrt(n): --n {4 * n} roughly halves them).")


def indices_text(indices: pd.DataFrame, meta: dict[str, Any], *, points: int,
                 width: int | None = None) -> str:
    """The indices ``scosim sweep`` prints: what they are, from how many runs, rounded.

    Sobol indices are shares of variance: three decimals are more than their
    intervals support at any affordable n. Morris effects are in each output's unit
    per full range of the parameter, US$ in billions as in a run's tables (the units
    said once, under the table, as :func:`design_text` says them; ``indices.csv`` keeps
    US$ and a ``unit`` column): four significant digits. NaN (an
    output that never varies) reads "undefined". The intervals' level is the file's
    ``conf_level`` (95 % in files without it). On a terminal (``width``) its prose is
    wrapped at the terminal's width, its table's rows kept whole.
    """
    reps = meta["replications_per_point"]
    runs = f"{points} points x {replications_text(reps)} = {points * reps} model runs"
    level = (f"{float(indices['conf_level'].iloc[0]):.0%}"
             if "conf_level" in indices and len(indices) else "95%")
    shown = indices.copy()
    if meta["method"] == "sobol":
        head = (f"Sobol indices (base sample n = {meta['n']}; {runs}); S1_conf, ST_conf: "
                f"half-widths of {level} bootstrap confidence intervals")
        cols = {c: "{:.3f}" for c in ("S1", "S1_conf", "ST", "ST_conf")}
    else:
        head = (f"Morris elementary effects ({meta['n']} trajectories; {runs}); in each "
                "output's unit (under the table) per full range of the parameter; "
                f"mu_star_conf: half-width of the {level} bootstrap confidence interval of "
                "mu_star")
        cols = {c: "{:.4g}" for c in ("mu", "mu_star", "mu_star_conf", "sigma")}
        units = {o: _shown(output_unit(o)) for o in shown["output"].unique()}
        div = shown["output"].map(lambda o: units[o][1])
        for c in cols:
            shown[c] = shown[c] / div
    for c, f in cols.items():
        shown[c] = [("undefined" if v != v else f.format(v)) for v in shown[c]]
    # The columns read here, not those the file adds (conf_level, the unit as stored).
    table = _index_table(shown[["parameter", "output", *cols]], width)
    if meta["method"] == "morris":
        # Once under the table, as design_text's: in a last column each row repeated its
        # unit's prose, and a row ran past 80 columns.
        table += _fit(_unit_lines({o: u for o, (u, _) in units.items()}), width)
    text = "\n".join([*_fit([head, *notes_text(meta), *years_line(meta)], width), *table])
    if meta["method"] == "morris":
        # A parameter with no effect anywhere is news about the scenario, not the method
        # (in a scenario whose votes a rule fixes, the vote weights move nothing).
        inert = indices.groupby("parameter", sort=False)[["mu_star", "sigma"]].apply(
            lambda d: bool((d == 0).all().all()))
        if inert.any():
            text += "\n" + "\n".join(_fit([
                "no effect at any point on any output: "
                + ", ".join(str(p) for p in inert[inert].index)
                + " (nothing it sets reaches these outputs in this scenario, e.g. votes "
                "fixed by a rule)"], width))
    if meta["method"] == "sobol" and (shown[list(cols)] == "undefined").any().any():
        text += "\n" + "\n".join(_fit([
            "undefined: the output is the same at every point, within numerical noise "
            "(no variance to apportion)"], width))
    if meta["method"] == "sobol" and (wide := wide_intervals_note(indices, int(meta["n"]))):
        wrapped = (textwrap.wrap(wide, 95, break_on_hyphens=False) if width is None
                   else _fit([wide], width))
        text += "\n" + "\n".join(wrapped)
    return text
