"""Rebuild (or check) the packaged banking tables of scosim.finance from the raw files.

Usage: python tools/build_finance.py [--raw DIR] [--check]

DIR defaults to $SCOSIM_RAW_DIR or ../shared/data/raw next to the repository. A missing,
empty or cut-off raw file exits 2 with one line naming it.
"""

from __future__ import annotations

import argparse
import sys

from scosim.data.cli import default_raw_dir
from scosim.data.raw import RawDataError, require_raw_files
from scosim.finance.build import RAW_FILES, check_tables, write_tables


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", default=None, help="raw data directory")
    ap.add_argument("--check", action="store_true", help="only compare with the packaged copy")
    args = ap.parse_args(argv)
    try:
        raw = args.raw or default_raw_dir()  # installed scosim: no default, one line
        # A cut-off WDI file otherwise read as missing figures: "out of date" with --check,
        # silently imputed tables without it.
        require_raw_files(raw, RAW_FILES.values())
        if args.check:
            stale = check_tables(raw)
            if stale:
                print(f"out of date: {', '.join(stale)}")
                return 1
            print("banking tables are up to date")
            return 0
        out = write_tables(raw)
    except RawDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # a parser's error the build let through: name the directory
        print(f"error: {raw}: the raw files could not be read ({type(exc).__name__}: {exc})",
              file=sys.stderr)
        return 2
    print(f"wrote banking tables to {out}")
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main, sys.argv[1:]))
