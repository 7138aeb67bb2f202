"""Print the tables of docs/security.md and draw the demonstration plot.

Usage: python tools/security_report.py [--runs 200] [--png results/security_demo.png]

Tables: the calibrated baseline against GTI and UNODC, the implied interception shares
against UNODC's published ones, the 2023 supply collapse, methamphetamine seized beside the
opiates (UNODC data, not modelled), and the Afghan-instability demonstration with and without
a RATS upgrade (median and 5th-95th percentile over runs).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scosim.security import meth
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
    a = ap.parse_args(argv)
    system = SecuritySystem()
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
    sys.exit(main(sys.argv[1:]))
