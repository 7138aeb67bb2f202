"""docs/security.md's baseline table is what the code computes (same seed and runs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scosim.security.model import SecuritySystem
from scosim.security.validation import baseline_rows

DOC = Path(__file__).resolve().parents[1] / "docs" / "security.md"


def _doc_rows() -> dict[tuple[str, str], float]:
    out = {}
    for line in DOC.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[1].startswith(("terrorist incidents", "opiates seized")):
            out[(cells[0], cells[1])] = float(cells[4])
    return out


def test_documented_baseline_table_matches_the_model():
    doc = _doc_rows()
    rows = baseline_rows(SecuritySystem(), n_runs=200, seed=2024)
    assert len(doc) == len(rows) == 20
    for r in rows:
        assert doc[(r["economy"], r["quantity"])] == pytest.approx(r["model"], rel=0.01, abs=0.01)
