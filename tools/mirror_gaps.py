"""Where the two sides of a 2023 trade record disagree most (mirror gaps).

Every flow among the 27 listed economies has up to two records in WITS 2023 (SOURCES.md 9a):
the importer's CIF imports and the exporter's FOB exports. The bundled trade matrix keeps the
importer's (docs/data.md, "Version 2023", step 1), the usual choice because customs check
imports more closely than exports. The two should differ by freight and insurance only
(about 6 %, the CIF/FOB factor IMF DOTS uses); many differ by far more. This script prints
the pairs with the largest gaps in US$, the exporter's report times 1.06 against the
importer's, so that a reader sees which flows a different rule would move, and by how much.

The largest gaps run both ways. The Gulf exporters' own records of their sales to China
and India are a fraction of what China and India record as imports from them (Saudi
Arabia's exports to China: US$7.6 bn against China's US$64.4 bn), most likely crude oil
that the exporters' records do not carry in full; keeping the importer's record keeps it.
Large gaps the other way, with China's exports to its neighbours, are well known: goods
declared at China's border that enter the importer's statistics at a lower value or not at
all (under-invoicing at the border, and shuttle and bazaar trade, part of it re-exported on
to other members, as through Kyrgyzstan's Dordoi and Kara-Suu markets). Where the importer
under-records, the model under-states the importer's imports from China, and so its
exposure to a union with China and the tariff revenue on them.

Usage: python tools/mirror_gaps.py [--raw ../shared/data/raw] [--top 15]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scosim.data import load_calibration
from scosim.data.flows import CIF_FOB_FACTOR, WITS_BAD_CELLS, read_wits
from scosim.data.raw import RawDataError

#: Default raw directory, as the build scripts take it (beside the clone).
RAW = Path(__file__).resolve().parents[2] / "shared" / "data" / "raw"


def gaps(raw_dir: Path) -> list[dict[str, object]]:
    """Every pair both sides report (neither record a known bad one), largest gap first.

    Returns:
        Rows with ``exporter``, ``importer``, ``importer_cif`` and ``exporter_fob`` (US$),
        ``gap`` (exporter's FOB x 1.06 less the importer's CIF, US$), ``ratio`` (the first
        over the second) and ``used`` (the bundled 2023 trade cell, US$).
    """
    recs = read_wits(raw_dir)
    trade = load_calibration("2023").trade
    rows = []
    for (rep, par, flow), imp in recs.items():
        if flow != "m":
            continue
        exporter, importer = par, rep
        exp = recs.get((exporter, importer, "x"))
        bad = "m" in WITS_BAD_CELLS.get((importer, exporter), ()) or "x" in WITS_BAD_CELLS.get(
            (exporter, importer), ()
        )
        if exp is None or bad or imp <= 0 or exp <= 0:
            continue
        rows.append({
            "exporter": exporter, "importer": importer, "importer_cif": imp,
            "exporter_fob": exp, "gap": exp * CIF_FOB_FACTOR - imp,
            "ratio": exp * CIF_FOB_FACTOR / imp,
            "used": float(trade.loc[exporter, importer]),
        })  # fmt: skip
    return sorted(rows, key=lambda r: -abs(r["gap"]))  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    """Print the largest mirror gaps; exit 2 with a message if the raw file is unreadable."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", type=Path, default=RAW, help="raw data directory (SOURCES.md)")
    ap.add_argument("--top", type=int, default=15, help="pairs to print (default 15)")
    args = ap.parse_args(argv)
    try:
        rows = gaps(args.raw)
    except RawDataError as exc:
        print(f"mirror_gaps: {exc}", file=sys.stderr)
        return 2
    total = sum(abs(r["gap"]) for r in rows)  # type: ignore[misc]
    print(f"{len(rows)} flows reported by both sides in 2023 (WITS); US$ bn; the model keeps "
          f"the importer's CIF record")
    print(f"{'exporter':>8} {'importer':>8} {'importer CIF':>13} {'exporter FOB x1.06':>19} "
          f"{'gap':>7} {'ratio':>6}")
    for r in rows[: args.top]:
        print(f"{r['exporter']:>8} {r['importer']:>8} {r['importer_cif'] / 1e9:13.2f} "
              f"{r['exporter_fob'] * CIF_FOB_FACTOR / 1e9:19.2f} {r['gap'] / 1e9:+7.2f} "
              f"{r['ratio']:6.2f}")
    shown = sum(abs(r["gap"]) for r in rows[: args.top])  # type: ignore[misc]
    print(f"The {min(args.top, len(rows))} pairs shown hold {100 * shown / total:.0f} % of the "
          f"absolute gaps over all {len(rows)} pairs (US$ {total / 1e9:.1f} bn).")
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main))
