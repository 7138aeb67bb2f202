"""Security spending in the run's welfare: what the trade step takes out, and what the answer says.

An outside review (2026-12-06) found the answer saying the spending was not counted while
the trade step subtracted it, and subtracting a share of GDP from expenditure as if the
two were equal.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from scosim.mechanism_answer import welfare_versus
from scosim.model.model import SCOModel
from scosim.scenario import load_scenario
from scosim.security.mechanism import security_mechanism

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def test_extra_spending_comes_out_of_expenditure_at_its_us_dollar_value() -> None:
    """Real expenditure net of a cost C is (E' - C) / P', so W = W_GE (1 - C / E') with C the
    spending above the baseline's, a share of GDP times the GE's GDP Y'."""
    sc = load_scenario(SCENARIOS / "afghan_instability_rats.yaml",
                       overrides={"years.end": 2028, "replications": 2,
                                  "parameters.security.instability": 1.3})
    m = SCOModel(sc)
    m.run_model()
    mech = security_mechanism(m)
    extra = np.asarray(m.records["spending_share_gdp"][-1]) - mech.spend0
    ge = m.ge
    cost_usd = extra * np.asarray(ge.output)
    lost = (1.0 - np.asarray(m.welfare) / np.asarray(ge.welfare_change)) * np.asarray(
        ge.expenditure)
    np.testing.assert_allclose(lost, cost_usd, rtol=1e-9, atol=1e-9 * np.abs(cost_usd).max())
    # The check bites: expenditure and GDP differ by more than the tolerance where it matters.
    assert np.abs(np.asarray(ge.output) / np.asarray(ge.expenditure) - 1.0).max() > 0.05
    assert (extra > 0).any()


def test_the_answer_counts_security_spending_and_names_what_it_leaves_out() -> None:
    text = welfare_versus({"security": "security"})
    head, _, excluded = text.partition("; not counting ")
    assert "security spending above its baseline (spending_usd)" in head
    assert "spending" not in excluded and "incidents" in excluded
