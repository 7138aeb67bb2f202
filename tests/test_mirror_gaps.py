"""tools/mirror_gaps.py: the two sides of each 2023 record, set beside the bundled cell.

The identity checked is the build's importer-first rule (docs/data.md, "Version 2023"):
every pair both sides report keeps the importer's CIF record, so the tool's ``used`` column
(the bundled trade matrix) must equal the raw importer's record, and its gap is the raw
exporter's record times the CIF/FOB factor less it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from _raw import RAW, needs_raw_file
from _tools import TOOLS, load_tool

TOOL = TOOLS / "mirror_gaps.py"


@needs_raw_file("wits2023_bilateral_sco27.csv")
def test_each_pair_keeps_the_importer_s_record_and_the_gap_is_the_other_side_s() -> None:
    from scosim.data.flows import CIF_FOB_FACTOR, read_wits

    rows = load_tool("mirror_gaps").gaps(RAW)
    recs = read_wits(RAW)
    assert len(rows) > 100  # most listed pairs are reported by both sides
    for r in rows:
        imp = recs[(r["importer"], r["exporter"], "m")]
        exp = recs[(r["exporter"], r["importer"], "x")]
        assert abs(r["used"] - imp) <= 0.5, r  # whole dollars in the bundled table
        assert r["gap"] == exp * CIF_FOB_FACTOR - imp
    gaps = [abs(r["gap"]) for r in rows]
    assert gaps == sorted(gaps, reverse=True)
    # China's exports to Kyrgyzstan: China records about four times what Kyrgyzstan does.
    kgz = next(r for r in rows if (r["exporter"], r["importer"]) == ("CHN", "KGZ"))
    assert kgz["ratio"] > 3


def test_a_missing_raw_directory_exits_2_with_a_message(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(TOOL), "--raw", str(tmp_path / "none")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and not done.stdout
    assert "wits2023_bilateral_sco27.csv" in done.stderr and "Traceback" not in done.stderr
