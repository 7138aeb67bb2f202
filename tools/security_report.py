"""Print the tables of docs/security.md and draw the demonstration plot.

Usage: python tools/security_report.py [--runs 200] [--png results/security_demo.png]
       [--window FIRST-LAST [--raw DIR]]

Tables: the calibrated baseline against GTI and UNODC, the implied interception shares
against UNODC's published ones, the 2023 supply collapse, methamphetamine seized beside the
opiates (UNODC data, not modelled), and the Afghan-instability demonstration with and without
a RATS upgrade (median and 5th-95th percentile over runs).
--window rebuilds the security tables from the raw folder with another base-rate window
(tools/build_security.py --window) into a temporary folder and reports on those; the
shipped tables are not touched.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from scosim.data.cli import default_raw_dir
from scosim.data.raw import RawDataError
from scosim.security import meth
from scosim.security.build import build_security_tables, write_security_tables
from scosim.security.calibration import load_security_calibration
from scosim.security.model import SecuritySystem
from scosim.security.plots import plot_security
from scosim.security.validation import (
    DEMO_YEARS,
    baseline_rows,
    collapse_2023,
    demo_rows,
    instability_demo,
    interception_rows,
    markdown,
)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--png", type=Path, default=Path("results") / "security_demo.png")
    ap.add_argument("--window", default=None, help="base-rate years FIRST-LAST (default: the "
                    "shipped tables)")
    ap.add_argument("--raw", type=Path, default=None)
    a = ap.parse_args(argv)
    if a.window is None:
        system = SecuritySystem()
    else:
        first, _, last = a.window.partition("-")
        if not (first.isdigit() and last.isdigit()):
            print(f"error: --window {a.window!r} is not FIRST-LAST, e.g. 2020-2024",
                  file=sys.stderr)
            return 2
        try:
            tables = build_security_tables(a.raw or default_raw_dir(), (int(first), int(last)))
        except RawDataError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        with tempfile.TemporaryDirectory() as d:
            write_security_tables(tables, Path(d))
            system = SecuritySystem(load_security_calibration(Path(d)))
    print("## Baseline against data\n")
    print(markdown(baseline_rows(system, a.runs), ["economy", "quantity", "data", "data_range",
                                                   "model", "model_band"]))
    print("\n## Interception shares\n")
    print(markdown(interception_rows(system), ["economy", "share", "anchor", "note"]))
    c = collapse_2023(system, a.runs)
    print(f"\n## 2023 collapse\n\nmean seizures, all route economies: 2022 {c['2022']:.3g} t, "
          f"2023 {c['2023']:.3g} t (ratio {c['ratio']:.3g})")
    print(f"\n## Methamphetamine beside the opiates, {meth.SHOWN_YEAR} (UNODC data)\n")
    print(meth.markdown())
    print(f"\n{meth.OPIATES_ONLY}")
    variants = instability_demo(system, a.runs)
    rows = demo_rows(variants, system.codes)
    print(f"\n## Afghan instability rising, {DEMO_YEARS[-1]}\n")
    print(markdown(rows, ["indicator", *variants]))
    a.png.parent.mkdir(parents=True, exist_ok=True)
    plot_security(variants, DEMO_YEARS, a.png, title="Afghan instability rising to 2.5x")
    print(f"\nplot: {a.png}")
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main, sys.argv[1:]))
