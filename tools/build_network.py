"""Rebuild the network's energy tables from the raw Energy Institute files and validate
every network table.

Usage: python tools/build_network.py [--raw DIR] [--check]

--raw defaults to ../shared/data/raw relative to the repository. --check compares instead of
writing and exits 1 when a table differs. Bad table data exits 2 with a NetworkDataError.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scosim.network.build import rebuild
from scosim.network.tables import NetworkDataError

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--raw", type=Path, default=ROOT.parent / "shared" / "data" / "raw")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    try:
        differ = rebuild(args.raw, check=args.check)
    except NetworkDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if differ:
        print("differ from the raw files: " + ", ".join(differ))
        return 1
    print("network tables valid" + (" and up to date" if args.check else " (rebuilt)"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
