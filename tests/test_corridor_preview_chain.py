"""tools/corridor_preview_chain.py: each term of docs/network.md's preview chain, checked.

The tool reads Afghanistan's 2026 preview of the budget-financed Trans-Afghan railway at
instability 0.8 term by term; these tests hold its terms to the preview's own formula and
to the closed forms docs/network.md states, so a term printed from the wrong place (or a
preview whose parts no longer add up) fails here.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def chain() -> dict[str, float]:
    spec = importlib.util.spec_from_file_location(
        "corridor_preview_chain", ROOT / "tools" / "corridor_preview_chain.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool.preview_chain(0.8, "AFG")


def test_the_terms_add_up_to_the_preview_the_council_read(chain) -> None:
    """net = q (GE gain + fees - O&M) - cost, and cost = paid - salvage + owners' risk."""
    t = chain
    assert t["year"] == 2026
    assert t["net_pct"] == pytest.approx(
        t["q"] * (t["ge_gain_pct"] + t["fees_pct"] - t["upkeep_pct"]) - t["cost_pct"],
        rel=1e-12, abs=1e-12)
    # The hosts' O&M: 2 percent of the build cost a year, Afghanistan's share of it (params.csv).
    assert t["upkeep_pct"] > 0
    assert t["cost_pct"] == pytest.approx(t["paid_pct"] - t["salvage_pct"]
                                          + t["owners_risk_pct"], rel=1e-12)
    # Budget-financed: no bank, so no owners' risk; Afghanistan gains from trade, pays more.
    assert t["owners_risk_pct"] == 0.0
    assert t["ge_gain_pct"] > 0 and t["net_pct"] < 0


def test_the_operating_share_and_salvage_are_the_closed_forms(chain) -> None:
    """h = 0.01 + 0.1 x 0.8; q = r (1 + r) x^(k+1) / (r + h), x = (1 - h) / (1 + r), k = 6
    years of construction (k = 0: at once); a budget stake paid at the start salvages
    recovery x h / (c + h) of itself at the cost of funds c."""
    t, r, k = chain, 0.04, 6
    h = 0.01 + 0.1 * 0.8
    assert t["hazard"] == pytest.approx(h, rel=1e-12)
    x = (1 - h) / (1 + r)
    assert t["q"] == pytest.approx(r * (1 + r) * x ** (k + 1) / (r + h), rel=1e-9)
    assert t["q_at_once"] == pytest.approx(r * (1 + r) * x / (r + h), rel=1e-9)
    assert t["cost_of_funds"] == 0.07
    assert t["salvage_share_of_stake"] == pytest.approx(t["salvage_share_formula"], rel=1e-6)
    assert t["salvage_share_formula"] == pytest.approx(0.4 * h / (0.07 + h), rel=1e-12)


def test_valuing_the_flows_at_4_percent_lowers_the_cost(chain) -> None:
    """Valued and annualised at 4 percent, the same stake costs less a year: 4/7 from the
    annualisation (2026-12-06: a present value is annualised at its own rate) and, at the
    lower rate, the salvage of later failures is worth more, so the valuation's own ratio
    docs/network.md quotes is above 1 too."""
    ratio = chain["cost_ratio"]
    valuation = ratio / (chain["cost_of_funds"] / 0.04)
    assert 1.0 < valuation < 1.2
