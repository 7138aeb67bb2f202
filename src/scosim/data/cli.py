"""``scosim data`` command: show an economy's figures, list sources, rebuild the tables.

Wire into the main CLI with::

    add_data_parser(subparsers)       # registers "data" with show / sources / rebuild
    args = parser.parse_args(); return args.func(args)
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

# numpy, pandas and rich are imported where used: building the ``scosim`` parser
# imports this module, and ``scosim --version`` must not pay for them.

#: Console width below which ``data show`` folds value, source and method into one column.
NARROW = 100
#: Environment variable that points at the raw data directory.
RAW_ENV = "SCOSIM_RAW_DIR"


def default_raw_dir() -> Path:
    """Raw data directory: ``$SCOSIM_RAW_DIR``, else ``<repo>/../shared/data/raw``.

    Raises:
        RawDataError: Neither: an installed package has no repository to look beside
            (three folders up from it is ``<venv>/lib``, which the error named).
    """
    env = os.environ.get(RAW_ENV)
    if env:
        return Path(env)
    from scosim.checkout import source_root

    repo = source_root()
    if repo is None:
        from scosim.data.raw import WHERE_RAW, RawDataError

        raise RawDataError(f"no raw data directory: this scosim is installed, not a checkout "
                           f"with ../shared/data/raw beside it ({WHERE_RAW})")
    return (repo / ".." / "shared" / "data" / "raw").resolve()


def _positive(text: str) -> int:
    """Argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value}")
    return value


def _fmt(v: object) -> str:
    """Human-readable cell: NaN/NA spelled out, large numbers in m / bn."""
    import numpy as np
    import pandas as pd

    if v is None or v is pd.NA:
        return "NA"
    if isinstance(v, bool | np.bool_):
        return str(bool(v))
    if isinstance(v, int | float | np.integer | np.floating):
        x = float(v)
        if math.isnan(x):
            return "NaN"
        if abs(x) >= 1e9:
            return f"{x / 1e9:,.2f} bn"
        if abs(x) >= 1e6:
            return f"{x / 1e6:,.2f} m"
        if x.is_integer():
            return f"{int(x):d}"
        return f"{x:.4g}"
    return str(v)


def _error(message: str) -> None:
    """A user error, as every scosim command reports one: on stderr, no traceback.

    One line piped (tests and scripts match it); wrapped at a terminal's width, as
    :func:`scosim.cli_errors.say` (``unknown economy``'s list of codes ran to 158).
    """
    from scosim.tty_lines import to_stderr

    to_stderr(f"scosim: error: {message}")


def _say(console: Console, text: str) -> None:
    """Print ``text`` on ``console``, wrapped at its width on a terminal.

    Never inside a path (:func:`scosim.tty_lines.message`); elsewhere one line, as
    before: scripts read it.
    """
    from scosim.tty_lines import message

    width = console.width if console.is_terminal else None
    console.print(message(text, width), markup=False, soft_wrap=True)


def _load(args: argparse.Namespace, console: Console) -> Any:
    """The calibration of ``--data-version`` (None on an unknown version, message printed)."""
    from scosim.data.calibration import load_calibration

    try:
        return load_calibration(getattr(args, "data_version", None))
    except ValueError as exc:
        _error(str(exc))
        return None


def cmd_show(args: argparse.Namespace, console: Console | None = None) -> int:
    """Print one economy's figures with source ids and methods, partners and agreements."""
    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    cal = _load(args, console)
    if cal is None:
        return 2
    iso = str(args.iso3).upper()
    if iso not in cal.countries.index:
        _error(f"unknown economy {iso!r}; allowed: {' '.join(cal.economies)}")
        return 2
    row = cal.countries.loc[iso]
    t = Table(title=f"{iso} - {row['name']} (base year {cal.base_year}, data {cal.version})")
    # Field names and source ids are never cut: they are what a user types next. The long
    # method text folds instead, so the table stays readable on a narrow terminal.
    fields = [f for f in cal.countries.columns if f != "name"]
    # Below NARROW columns the value, source and method share one folding column.
    narrow = console.width < NARROW
    t.add_column("field", no_wrap=True, min_width=max(len(f) for f in fields))
    if narrow:
        t.add_column("value | source | method (year)", overflow="fold")
    else:
        t.add_column("value", no_wrap=True)
        t.add_column("source", no_wrap=True)
        t.add_column("method (year)", ratio=1, overflow="fold")
    p = cal.provenance
    prov = p[(p["table"] == "countries") & (p["key"] == iso)].set_index("field")
    for field in fields:
        cells = [_fmt(row[field]), "", ""]
        if field in prov.index:
            pr = prov.loc[field]
            year = "" if pr["year"] is pd.NA else f" ({pr['year']})"
            note = KIND_NOTES.get((field, str(pr["source_id"])))
            cells[1:] = [str(pr["source_id"]),
                         f"{pr['method']}{year}" + (f"; kind: {note}" if note else "")]
        if narrow:
            t.add_row(field, " | ".join(c for c in cells if c))
        else:
            t.add_row(field, *cells)
    console.print(t)
    console.print(_partners_table(cal, iso, args.top, narrow))
    measures = _measures_table(cal, iso)
    if measures is not None:
        console.print(measures)
    if iso != "ROW" and not cal.agreement_spells.empty:
        console.print(_agreements_table(cal, iso))
    return 0


def _cell_source(cal: Any, table: str, key: str, field: str = "value") -> tuple[str, str]:
    p = cal.provenance
    hit = p[(p["table"] == table) & (p["key"] == key) & (p["field"] == field)]
    if hit.empty:
        return "", ""
    last = hit.iloc[-1]
    return str(last["source_id"]), str(last["method"])


#: What kind of figure a trade cell is, by the start of its provenance method (docs/data.md,
#: "trade"): a flow the importer reported is not the exporter's mirror record, nor an
#: imputation. The source id alone (``wits_2023``) covers the first two.
FLOW_KINDS: tuple[tuple[str, str], ...] = (
    ("reported:importer_cif", "importer's report, CIF"),
    ("fallback:exporter_fob", "mirror: exporter's FOB report x 1.06"),
    ("imputed:no ", "imputed: DOTS 2019 x growth"),
    ("imputed:zero", "no record: zero"),
    ("derived:WDI", "residual: WDI total minus listed partners"),
    ("derived:intra-ROW", "residual: WDI world imports"),
    ("derived:RAS", "RAS-scaled to WDI 2023 totals"),
)


def _kind(method: str) -> str:
    return next((kind for start, kind in FLOW_KINDS if method.startswith(start)), method)


def flow_source(cal: Any, key: str) -> str:
    """Source id and kind of the trade cell ``key`` (``"KAZ-CHN"``), for a reader.

    ``wits_2023: importer's report, CIF`` or ``wits_2023: mirror: exporter's FOB report x
    1.06``; a version-2019 cell adds the kind of the DOTS 2019 record it was scaled from.
    """
    sid, method = _cell_source(cal, "trade", key)
    if not sid:
        return ""
    text = f"{sid}: {_kind(method)}"
    psid, pmethod = _cell_source(cal, "trade", key, "pattern_2019")
    if psid:
        text += f", from {psid} 2019 {_kind(pmethod)}"
    return text


#: Figures of one kind stored in a column of another: said next to the value. The column
#: ``tariff_mfn`` is otherwise a WDI trade-weighted MFN mean; these two sources are neither
#: MFN-only nor, for the AHS, trade-weighted (docs/data.md, "What kind each rate is").
KIND_NOTES: dict[tuple[str, str], str] = {
    ("tariff_mfn", "heritage_2019"): "an applied trade-weighted rate, preferences included, "
    "standing in for MFN",
    ("tariff_mfn", "wits_ahs"): "an applied (AHS) simple average over tariff lines, on "
    "partners without a preference, standing in for a trade-weighted MFN mean",
}


def _partners_table(cal: Any, iso: str, top: int, narrow: bool = False) -> Table:
    """Top partners with each flow's and tariff's source (provenance per cell)."""
    from rich.table import Table

    title = f"{iso}: top trade partners (US$, CIF, {cal.base_year}; tariffs {iso} charges)"
    tp = Table(title=title)
    if narrow:
        cols = ("partner", "exports (source)", "imports (source)", "tariff (method)")
    else:
        cols = ("partner", "exports", "source", "imports", "source", "tariff", "tariff method")
    for col in cols:
        folds = col.startswith(("tariff", "source")) or narrow
        tp.add_column(col, overflow="fold" if folds else "ellipsis", no_wrap=not folds)
    x = cal.trade
    turnover = (x.loc[iso] + x[iso]).drop(iso).sort_values(ascending=False).head(top)
    for j in turnover.index:
        xs, ms = flow_source(cal, f"{iso}-{j}"), flow_source(cal, f"{j}-{iso}")
        _, tm = _cell_source(cal, "tariffs", f"{j}-{iso}")
        kind = _tariff_kind(cal, str(j), iso)
        tm = f"{kind}: {tm}" if kind else tm
        xv, mv = _fmt(float(x.loc[iso, j])), _fmt(float(x.loc[j, iso]))
        rate = f"{100 * float(cal.tariffs.loc[j, iso]):.2f} %"
        if narrow:
            tp.add_row(str(j), f"{xv} ({xs})", f"{mv} ({ms})", f"{rate} ({tm})")
        else:
            tp.add_row(str(j), xv, xs, mv, ms, rate, tm)
    return tp


def _tariff_kind(cal: Any, exporter: str, importer: str) -> str:
    """The kind of the tariff cell (``tariff_kinds``), "" for tables without it."""
    k = cal.tariff_kinds
    if k.empty:
        return ""
    hit = k.loc[(k["exporter"] == exporter) & (k["importer"] == importer), "kind"]
    return str(hit.iloc[0]) if len(hit) else ""


def _measures_table(cal: Any, iso: str) -> Table | None:
    """The tariff cells of ``iso``, charged or faced, that are a measure's tariff equivalent.

    None when it has none (or the tables predate ``tariff_kinds``): every other cell is an
    applied rate, whose kind the partners table says.
    """
    from rich.table import Table

    from scosim.data.tariff_kinds import KINDS, MEASURE_KINDS

    k = cal.tariff_kinds
    if k.empty:
        return None
    rows = k[k["kind"].isin(MEASURE_KINDS) & ((k["exporter"] == iso) | (k["importer"] == iso))]
    if rows.empty:
        return None
    tm = Table(title=f"{iso}: tariff cells that are not applied rates (table tariff_kinds)")
    for col in ("exporter", "importer", "tariff", "kind", "without the measure"):
        tm.add_column(col, overflow="fold")
    for _, r in rows.iterrows():
        i, j = str(r["exporter"]), str(r["importer"])
        _, method = _cell_source(cal, "tariffs", f"{i}-{j}")
        tm.add_row(i, j, f"{100 * float(cal.tariffs.loc[i, j]):.2f} %",
                   f"{r['kind']}: {KINDS[str(r['kind'])]}",
                   f"{100 * float(r['rate_without_measure']):.2f} % ({_agreement_of(cal, i, j)})")
    return tm


def _agreement_of(cal: Any, exporter: str, importer: str) -> str:
    """The deepest agreement in force for the pair in the base year (the build's rule), or MFN."""
    from scosim.data.agreements import deepest

    spells = cal.agreement_spells
    found = deepest(spells, int(cal.base_year)) if not spells.empty else {}
    if (exporter, importer) not in found:
        return "MFN"
    kind, rid = found[(exporter, importer)]
    name = spells.loc[spells["rta_id"] == int(rid), "name"]
    return f"{kind} {name.iloc[0] if len(name) else ''}, WTO RTA {rid}".replace(" ,", ",")


def _agreements_table(cal: Any, iso: str) -> Table:
    """Agreements in force for ``iso`` in the base year (WTO RTA ids)."""
    from rich.table import Table

    a = cal.agreements
    sub = a[(a["exporter"] == iso) & (a["year"] == cal.base_year)]
    ta = Table(title=f"{iso}: trade agreements in force in {cal.base_year} (WTO RTA database)")
    ta.add_column("partner", no_wrap=True)
    ta.add_column("type", no_wrap=True)
    ta.add_column("RTA id", no_wrap=True)
    ta.add_column("agreement", overflow="fold")
    for _, r in sub.sort_values(["importer", "rta_id"]).iterrows():
        ta.add_row(str(r["importer"]), str(r["type"]), str(r["rta_id"]), str(r["name"]))
    return ta


def cmd_sources(args: argparse.Namespace, console: Console | None = None) -> int:
    """Print the sources table."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    cal = _load(args, console)
    if cal is None:
        return 2
    t = Table(title=f"scosim calibration sources (data {cal.version})")
    t.add_column("source_id", no_wrap=True, min_width=max(len(str(i)) for i in cal.sources.index))
    for col in ("publisher", "dataset", "series", "vintage", "licence"):
        t.add_column(col, overflow="fold")
    for sid, r in cal.sources.iterrows():
        t.add_row(str(sid), r["publisher"], r["dataset"], r["series"], r["vintage"], r["licence"])
    console.print(t)
    return 0


def cmd_rebuild(args: argparse.Namespace, console: Console | None = None) -> int:
    """Rebuild the packaged tables from the raw files, or only check them (``--check``)."""
    from rich.console import Console

    from scosim.data.build import RawDataError, check_tables, write_tables

    console = console or Console()
    out = getattr(args, "out", None)
    raw: Path | str = args.raw or "the raw data directory"  # bound for the handlers below
    try:
        raw = Path(args.raw) if args.raw else default_raw_dir()
        if args.check:
            diffs = check_tables(raw, out)
            if diffs:
                for d in diffs:
                    _say(console, f"DIFF {d}")
                return 1
            _say(console, "calibration tables match a fresh build")
            return 0
        target = write_tables(raw, out)
    except RawDataError as exc:
        _error(str(exc))
        return 2
    except ValueError as exc:
        # A reader that let a parser's error through: still one line naming the directory
        # (tools/build_calibration.py has no other handler, and printed a traceback).
        _error(f"{raw}: the raw files could not be read ({type(exc).__name__}: {exc})")
        return 2
    except OSError as exc:
        _error(f"cannot write tables: {exc}")
        return 2
    _say(console, f"calibration tables written to {target}")
    return 0


def add_data_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``data`` command (``show``, ``sources``, ``rebuild``) on ``subparsers``.

    Every leaf parser sets ``func`` to a handler taking the parsed namespace and returning an
    exit code (0 ok, 1 differences found by ``--check``, 2 error).
    """
    data = subparsers.add_parser("data", help="calibration data: show, sources, rebuild")
    sub = data.add_subparsers(dest="data_command", required=True)
    show = sub.add_parser("show", help="an economy's figures with sources, and top partners")
    show.add_argument("iso3", help="ISO3 code, e.g. KAZ (ROW for Rest of World)")
    show.add_argument("--top", type=_positive, default=5, help="number of trade partners to list")
    show.set_defaults(func=cmd_show)
    src = sub.add_parser("sources", help="list the data sources")
    src.set_defaults(func=cmd_sources)
    for p in (show, src):
        p.add_argument(
            "--data-version",
            default=None,
            help="calibration data version: 2023 (default) or 2019 "
            "(default from $SCOSIM_DATA_VERSION)",
        )
    reb = sub.add_parser("rebuild", help="rebuild the packaged tables from the raw files")
    reb.add_argument(
        "--raw",
        default=None,
        help=f"raw data dir (default ${RAW_ENV} or ../shared/data/raw next to the repository)",
    )
    reb.add_argument(
        "--check", action="store_true", help="only compare a fresh build with the packaged tables"
    )
    reb.add_argument("--out", default=None, help=argparse.SUPPRESS)
    reb.set_defaults(func=cmd_rebuild)
    return data


def rebuild_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``tools/build_calibration.py``: ``[--raw DIR] [--check]``."""
    parser = argparse.ArgumentParser(description="Rebuild the scosim calibration tables.")
    parser.add_argument("--raw", default=None, help="raw data directory")
    parser.add_argument("--check", action="store_true", help="only check, do not write")
    parser.add_argument("--out", default=None, help="output directory (default: packaged)")
    return cmd_rebuild(parser.parse_args(argv))
