"""How much of SCO members' mutual trade national-currency settlement can clear (2023).

Usage: python tools/settlement_netting.py [--year 2023]

Prints, from the packaged trade table (exports x[i, j], CIF, US$): the members' mutual
trade, its bilateral and multilateral netting ratios (scosim.finance.netting), each member's
net position in a clearing of the members, the same ratios over all the model's economies,
and the share of each member pair's trade that a 80 percent settlement floor can cover under
``clearing: bilateral`` and ``multilateral`` (docs/finance.md section 4).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from scosim.data.constants import ECONOMIES, MEMBERS
from scosim.finance.netting import (
    bilateral_netting_ratio,
    clearable_shares,
    multilateral_netting_ratio,
    net_positions,
)

TABLES = Path(__file__).resolve().parents[1] / "src" / "scosim" / "data" / "tables"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--year", default="2023", help="data version (tables/<year>/trade.csv)")
    args = ap.parse_args()
    path = TABLES / args.year / "trade.csv"
    if not path.is_file():
        versions = ", ".join(sorted(p.name for p in TABLES.iterdir() if p.is_dir()))
        raise SystemExit(f"--year {args.year}: no trade.csv for it (data versions: {versions})")
    t = pd.read_csv(path, index_col=0).to_numpy(dtype=float)
    members = np.array([c in MEMBERS for c in ECONOMIES])
    x = np.where(members[:, None] & members[None, :], t, 0.0)
    np.fill_diagonal(x, 0.0)
    total = x.sum()
    bil, mult = bilateral_netting_ratio(t, members), multilateral_netting_ratio(t, members)
    print(f"members' mutual trade {args.year}: US${total / 1e9:.1f} bn")
    for name, r in (("bilateral   ", bil), ("multilateral", mult)):
        print(f"  {name} netting ratio {100 * r:.1f} % (left to settle {100 * (1 - r):.1f} %)")
    rho = 100 * (mult - bil) / (1 - bil)
    print(f"  multilateral netting of the bilateral residual: {rho:.1f} %")
    print("  net positions in a clearing of the members, US$ bn:")
    for c, v in zip(ECONOMIES, net_positions(t, members), strict=True):
        if c in MEMBERS:
            print(f"    {c} {v / 1e9:+8.1f}")
    print(f"all {len(ECONOMIES)} economies: bilateral {100 * bilateral_netting_ratio(t):.1f} %, "
          f"multilateral {100 * multilateral_netting_ratio(t):.1f} %")
    caps = {c: clearable_shares(t, members[None], c)[0] for c in ("bilateral", "multilateral")}
    print("member pairs whose trade clears below 80 %: share of the pair's trade (bilateral, "
          "multilateral), pair trade US$ bn")
    idx = [ECONOMIES.index(c) for c in MEMBERS]
    rows = [(caps["bilateral"][i, j], caps["multilateral"][i, j], ECONOMIES[i], ECONOMIES[j],
             (t[i, j] + t[j, i]) / 1e9) for a, i in enumerate(idx) for j in idx[a + 1:]]
    for b, m, ci, cj, v in sorted(rows, key=lambda r: -r[4]):
        if b < 0.8 and v >= 1.0:
            print(f"  {ci}-{cj} {100 * b:5.1f} % {100 * m:5.1f} %  {v:7.1f}")


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    raise SystemExit(run_command(main))
