"""Rebuild (or check) the security tables in src/scosim/security/tables from the raw files.

Usage: python tools/build_security.py [--raw DIR] [--window FIRST-LAST] [--check]

--raw defaults to $SCOSIM_RAW_DIR or ../shared/data/raw next to the repository. --window sets
the years whose mean incidents are the baseline rate (default 2018-2022, the shipped tables';
years after 2022 use the typed-in GTI 2025 counts where there are any, Pakistan's only).
--check exits 1 (and writes nothing) when a shipped table differs from a fresh build. A
missing, empty or cut-off raw file, or a window outside the allowed years, exits 2 with one
line naming it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scosim.data.cli import default_raw_dir
from scosim.data.raw import RawDataError, require_raw_files
from scosim.security.build import (
    RATE_WINDOW,
    RAW,
    build_security_tables,
    check_security_tables,
    write_security_tables,
)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "scosim" / "security" / "tables"


def _window(text: str) -> tuple[int, int]:
    first, sep, last = text.partition("-")
    if not (sep and first.strip().isdigit() and last.strip().isdigit()):
        raise argparse.ArgumentTypeError(f"{text!r} is not FIRST-LAST, e.g. 2018-2022")
    return int(first), int(last)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", type=Path, default=None)
    ap.add_argument("--window", type=_window, default=RATE_WINDOW,
                    help="base-rate years FIRST-LAST (default %(default)s)")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args(argv)
    try:
        raw = a.raw or default_raw_dir()  # installed scosim: no default, one line
        require_raw_files(raw, RAW.values())
        tables = build_security_tables(raw, a.window)
    except RawDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # a parser's error the build let through: name the directory
        print(f"error: {raw}: the raw files could not be read ({type(exc).__name__}: {exc})",
              file=sys.stderr)
        return 2
    if a.check:
        stale = check_security_tables(tables, OUT)
        for name in stale:
            print(f"stale: {name}.csv", file=sys.stderr)
        if not stale:
            print("security tables are up to date")  # as the other tools say it
        return 1 if stale else 0
    for p in write_security_tables(tables, OUT):
        print(f"wrote {p.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main, sys.argv[1:]))
