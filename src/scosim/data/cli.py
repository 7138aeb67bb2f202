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

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

#: Environment variable that points at the raw data directory.
RAW_ENV = "SCOSIM_RAW_DIR"


def default_raw_dir() -> Path:
    """Raw data directory: ``$SCOSIM_RAW_DIR`` or ``<repo>/../shared/data/raw``."""
    env = os.environ.get(RAW_ENV)
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[3]
    return (repo / ".." / "shared" / "data" / "raw").resolve()


def _fmt(v: object) -> str:
    """Human-readable cell: NaN/NA spelled out, large numbers in m / bn."""
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


def cmd_show(args: argparse.Namespace, console: Console | None = None) -> int:
    """Print one economy's figures with source ids and methods, plus top trade partners."""
    from scosim.data.calibration import load_calibration

    console = console or Console()
    cal = load_calibration()
    iso = str(args.iso3).upper()
    if iso not in cal.countries.index:
        console.print(
            f"error: unknown economy {iso!r}; allowed: {' '.join(cal.economies)}",
            markup=False,
            soft_wrap=True,
        )
        return 2
    row = cal.countries.loc[iso]
    t = Table(title=f"{iso} - {row['name']} (base year {cal.base_year}, data {cal.version})")
    for col in ("field", "value", "source", "method", "year"):
        t.add_column(col)
    p = cal.provenance
    prov = p[(p["table"] == "countries") & (p["key"] == iso)].set_index("field")
    for field in cal.countries.columns:
        if field == "name":
            continue
        if field in prov.index:
            pr = prov.loc[field]
            year = "" if pr["year"] is pd.NA else str(pr["year"])
            t.add_row(field, _fmt(row[field]), str(pr["source_id"]), str(pr["method"]), year)
        else:
            t.add_row(field, _fmt(row[field]), "", "", "")
    console.print(t)
    flows = cal.trade.drop(columns=iso).loc[iso].sort_values(ascending=False).head(args.top)
    imports = cal.trade.drop(index=iso)[iso].sort_values(ascending=False).head(args.top)
    tp = Table(title=f"{iso}: top trade partners (US$, CIF, {cal.base_year})")
    for col in ("export market", "exports", "import source", "imports"):
        tp.add_column(col)
    for (j, xv), (i, mv) in zip(flows.items(), imports.items(), strict=False):
        tp.add_row(str(j), _fmt(float(xv)), str(i), _fmt(float(mv)))
    console.print(tp)
    return 0


def cmd_sources(args: argparse.Namespace, console: Console | None = None) -> int:
    """Print the sources table."""
    from scosim.data.calibration import load_calibration

    console = console or Console()
    cal = load_calibration()
    t = Table(title=f"scosim calibration sources (data {cal.version})")
    for col in ("source_id", "publisher", "dataset", "series", "vintage", "licence"):
        t.add_column(col, overflow="fold")
    for sid, r in cal.sources.iterrows():
        t.add_row(str(sid), r["publisher"], r["dataset"], r["series"], r["vintage"], r["licence"])
    console.print(t)
    return 0


def cmd_rebuild(args: argparse.Namespace, console: Console | None = None) -> int:
    """Rebuild the packaged tables from the raw files, or only check them (``--check``)."""
    from scosim.data.build import RawDataError, check_tables, write_tables

    console = console or Console()
    raw = Path(args.raw) if args.raw else default_raw_dir()
    out = getattr(args, "out", None)
    try:
        if args.check:
            diffs = check_tables(raw, out)
            if diffs:
                for d in diffs:
                    console.print(f"DIFF {d}", markup=False, soft_wrap=True)
                return 1
            console.print("calibration tables match a fresh build", markup=False, soft_wrap=True)
            return 0
        target = write_tables(raw, out)
    except RawDataError as exc:
        console.print(f"error: {exc}", markup=False, soft_wrap=True)
        return 2
    except OSError as exc:
        console.print(f"error: cannot write tables: {exc}", markup=False, soft_wrap=True)
        return 2
    console.print(f"calibration tables written to {target}", markup=False, soft_wrap=True)
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
    show.add_argument("--top", type=int, default=5, help="number of trade partners to list")
    show.set_defaults(func=cmd_show)
    src = sub.add_parser("sources", help="list the data sources")
    src.set_defaults(func=cmd_sources)
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
