"""Rebuild the network's energy tables from the raw Energy Institute files and the closed
borders' rows of transit_restrictions.csv (scosim.network.build.CLOSED_BORDERS), and validate
every network table.

Usage: python tools/build_network.py [--raw DIR] [--check]

--raw defaults to $SCOSIM_RAW_DIR or ../shared/data/raw next to the repository. --check
compares instead of writing and exits 1 when a table differs. A missing, empty or cut-off
raw file, or bad table data, exits 2 with one line naming it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scosim.data.cli import default_raw_dir
from scosim.data.raw import RawDataError, require_raw_files
from scosim.network.build import (
    EI_CONSUMPTION,
    EI_MOVEMENTS,
    EI_PIPELINE,
    EI_PRODUCTION,
    rebuild,
)
from scosim.network.tables import NetworkDataError

#: The raw files the energy tables are derived from.
EI_FILES = (EI_PIPELINE, EI_CONSUMPTION, EI_PRODUCTION, EI_MOVEMENTS)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--raw", type=Path, default=None)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    try:
        raw = args.raw or default_raw_dir()  # installed scosim: no default, one line
        require_raw_files(raw, EI_FILES)
        differ = rebuild(raw, check=args.check)
    except (NetworkDataError, RawDataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, KeyError, IndexError, StopIteration) as exc:
        # The sheets' parsers expect the Review's layout: a row, column or header they
        # look for is not there. Say which files, not a traceback.
        print(f"error: {raw}: the Energy Institute sheets ({', '.join(EI_FILES)}) lack a row, "
              f"column or header the build needs ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 2
    if differ:
        print("differ from what the raw files and CLOSED_BORDERS give: " + ", ".join(differ))
        return 1
    print("network tables valid" + (" and up to date" if args.check else " (rebuilt)"))
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main, sys.argv[1:]))
