"""Rebuild (or check) the security tables in src/scosim/security/tables from the raw files.

Usage: python tools/build_security.py [--raw DIR] [--check]

--raw defaults to ../shared/data/raw relative to the repository root. --check exits 1
(and writes nothing) when a shipped table differs from a fresh build.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scosim.data.raw import RawDataError
from scosim.security.build import (
    build_security_tables,
    check_security_tables,
    write_security_tables,
)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "scosim" / "security" / "tables"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", type=Path, default=ROOT / ".." / "shared" / "data" / "raw")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args(argv)
    try:
        tables = build_security_tables(a.raw)
    except RawDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if a.check:
        stale = check_security_tables(tables, OUT)
        for name in stale:
            print(f"stale: {name}.csv", file=sys.stderr)
        return 1 if stale else 0
    for p in write_security_tables(tables, OUT):
        print(f"wrote {p.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
