"""The built-in proposal types other than the customs union, in small scenarios."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.scenario import load_scenario

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"

FTA = {"type": "free_trade_area", "id": "fta", "year": 2026, "proposer": "CHN"}
BANK = {"type": "development_bank", "id": "bank", "year": 2026, "proposer": "CHN"}
JOIN = {"type": "accession", "id": "mng_join", "year": 2029, "proposer": "RUS",
        "applicant": "MNG"}


def _accession_econ_terms(*arrangements: dict) -> dict[str, float]:
    """Each member's econ term on Mongolia's accession (run 0), both arrangements in force."""
    from scosim.model.model import SCOModel

    sc = load_scenario(BASELINE, overrides={
        "replications": 1, "years": {"start": 2025, "end": 2029},
        "parameters.rules.vote": "always_yes", "proposals": [*arrangements, JOIN]})
    model = SCOModel(sc)
    model.run_model()
    return {ev["country"]: float(ev["term_econ"]) for ev in model.log.records()
            if ev["type"] == "vote" and ev["proposal"] == "mng_join"}


def test_accession_gain_counts_every_arrangement_whatever_their_order() -> None:
    # Before: only the first arrangement open to all members counted, so the members'
    # expected gain from an accession changed with the order of the scenario's list.
    a = _accession_econ_terms(FTA, BANK)
    b = _accession_econ_terms(BANK, FTA)
    assert a.keys() == b.keys() and len(a) == 10
    np.testing.assert_allclose([a[c] for c in a], [b[c] for c in a], rtol=1e-9, atol=1e-15)
    # Both count: neither order's terms equal the FTA's alone.
    fta_only = _accession_econ_terms(FTA)
    assert any(a[c] != pytest.approx(fta_only[c], rel=1e-6, abs=1e-12) for c in a)
