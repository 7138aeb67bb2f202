"""Bank failures do not reach the real economy, and the docs say so (outside review).

Before 2026-12-06 docs/finance.md section 10 listed no fire sales, runs or sovereign-bank
loop, but not that a failed banking system leaves GDP, trade and welfare unchanged, so the
union's "no welfare difference in any run" read as a finding; it holds by construction.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from scosim.runner import run

ROOT = Path(__file__).resolve().parents[1]


def _by_run(ind, name: str):
    rows = ind[ind["indicator"] == name]
    return rows.set_index(["run", "year", "country"])["value"].sort_index()


def test_russia_failing_or_not_leaves_welfare_and_gdp_unchanged(tmp_path: Path) -> None:
    over = {"replications": 3, "years": {"start": 2025, "end": 2026}}
    crisis = run(str(ROOT / "scenarios" / "finance_crisis.yaml"), out=str(tmp_path / "a"),
                 progress=False, plots=False, overrides=over)
    # No bad loans from any shock: no system fails.
    calm = run(str(ROOT / "scenarios" / "finance_crisis.yaml"), out=str(tmp_path / "b"),
               progress=False, plots=False,
               overrides={**over, "parameters.finance.npl_sensitivity": 0.0})
    fails = _by_run(crisis.indicators, "bank_failures").xs("RUS", level="country")
    assert fails.xs(2026, level="year").max() == 1.0
    assert _by_run(calm.indicators, "bank_failures").xs("RUS", level="country").max() == 0.0
    for name in ("welfare_change_pct", "gdp_usd"):
        a, b = _by_run(crisis.indicators, name), _by_run(calm.indicators, name)
        assert len(a) == len(b) > 0, name
        np.testing.assert_array_equal(a.to_numpy(), b.reindex(a.index).to_numpy())
    doc = " ".join((ROOT / "docs" / "finance.md").read_text().split())
    limits = doc.split("## 10. Limitations", 1)[1]
    assert "**Bank failures do not reach the real economy.**" in limits
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert "none for the banking union in any run or year, by construction" in readme
