"""The figures docs/hindcasts.md gives for a Development Bank and an Afghan accession.

``scenarios/afghan_instability.yaml`` (its seed) with two proposals in place of its own: a
``development_bank`` proposed by China in 2025 under ``qualified_majority`` and
Afghanistan's accession proposed by Russia in 2027; 50 runs. Prints the runs in which the
bank is adopted, who votes no to it in most runs, and Tajikistan's, Kyrgyzstan's and
Belarus's mean economic term on the accession (percent of GDP) and their yes votes.

Usage::

    PYTHONPATH=src python tools/bank_accession_figures.py [--replications 50] [--depth 0.15]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from scosim.results import read_batches  # noqa: E402
from scosim.runner import run  # noqa: E402

PROPOSALS = [
    {"type": "development_bank", "id": "bank", "year": 2025, "proposer": "CHN",
     "decision_rule": "qualified_majority"},
    {"type": "accession", "id": "afg", "year": 2027, "applicant": "AFG", "proposer": "RUS"},
]


def main(replications: int, depth: float | None = None) -> None:
    """Run the case and print its figures (``depth``: the bank's, else the spec's)."""
    props = [dict(p) for p in PROPOSALS]
    if depth is not None:
        props[0]["depth"] = depth
    with tempfile.TemporaryDirectory() as out:
        res = run(ROOT / "scenarios" / "afghan_instability.yaml", replications=replications,
                  out=Path(out), progress=False, plots=False,
                  overrides={"proposals": props})
        ev = read_batches(Path(res.path) / "events")
    for col in ("type", "country", "proposal"):
        ev[col] = ev[col].astype(str)
    votes = ev[ev["type"] == "vote"]
    bank = votes[votes["proposal"] == "bank"]
    adopted = ev[(ev["type"] == "adopted") & (ev["proposal"] == "bank")]["run"].nunique()
    no = bank[bank["yes"] == 0].groupby("country")["run"].nunique()
    no = no.sort_values(ascending=False).head(5)
    print(f"bank adopted in {adopted} of {replications} runs; no from "
          + ", ".join(f"{c} in {n}" for c, n in no.items()))
    acc = votes[votes["proposal"] == "afg"]
    for code in ("TJK", "KGZ", "BLR"):
        x = acc[acc["country"] == code]
        print(f"{code}: accession econ term {100 * x['term_econ'].mean():+.3f} % of GDP "
              f"(mean), yes in {int(x['yes'].sum())} of {len(x)}")


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=50)
    parser.add_argument("--depth", type=float, default=None,
                        help="the bank's sovereignty depth (default: the spec's, 0.25)")
    args = parser.parse_args()
    raise SystemExit(run_command(main, args.replications, args.depth))
