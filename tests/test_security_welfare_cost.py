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


def _run(**overrides: object) -> SCOModel:
    sc = load_scenario(SCENARIOS / "afghan_instability_rats.yaml",
                       overrides={"years.end": 2028, "replications": 2,
                                  "parameters.security.instability": 1.3,
                                  # Voted through: at face value it is vetoed.
                                  "parameters.rules.vote": "always_yes", **overrides})
    m = SCOModel(sc)
    m.run_model()
    return m


def _lost_usd(m: SCOModel) -> np.ndarray:
    """The US$ the realised welfare takes out of expenditure: W = W_GE (1 - C / E')."""
    ge = m.ge
    return (1.0 - np.asarray(m.welfare) / np.asarray(ge.welfare_change)) * np.asarray(
        ge.expenditure)


def test_extra_spending_comes_out_of_expenditure_at_its_recorded_us_dollar_value() -> None:
    """Real expenditure net of a cost C is (E' - C) / P', so W = W_GE (1 - C / E'), C the
    spending above the baseline's in US$ as the run records it (``spending_usd``).

    The moving baseline re-bases the GE's flows to the run's GDP path, so E' is in the
    dollars of ``spending_usd``. Until 2026-12-06 C was the share times the GE's output,
    which is not GDP: 1.2 GDP for the UAE (domestic sales floored at 10 % of GDP in the
    data) and 1.002-1.012 GDP elsewhere (the re-basing's tariff-inclusive row targets).
    """
    m = _run()
    assert m.scenario.parameters.trade.moving_baseline
    mech = security_mechanism(m)
    spending_usd = np.asarray(m.records["spending_usd"][-1])
    extra_usd = spending_usd - mech.spend0 * m.gdp  # the baseline's spending, same GDP
    np.testing.assert_allclose(_lost_usd(m), extra_usd, rtol=1e-9,
                               atol=1e-9 * np.abs(extra_usd).max())
    # The check bites: expenditure and GDP differ by more than the tolerance where it
    # matters, and the spenders' GE output is not their GDP.
    ge = m.ge
    assert np.abs(m.gdp / np.asarray(ge.expenditure) - 1.0).max() > 0.05
    spends = extra_usd > 0
    assert spends.any()
    assert np.abs(np.asarray(ge.output)[spends] / m.gdp[spends] - 1.0).max() > 1e-3


def test_a_fixed_baseline_prices_the_spending_at_the_base_years_gdp() -> None:
    """With the base year's flows the GE's dollars are the base year's: the spending's
    share of expenditure is its share of GDP times the calibration's base-year GDP over E'.
    """
    m = _run(**{"parameters.trade.moving_baseline": False})
    mech = security_mechanism(m)
    extra_share = np.asarray(m.records["spending_share_gdp"][-1]) - mech.spend0
    base_gdp = m.cal.countries["gdp_usd"].to_numpy(dtype=float)  # US$ of the base year
    expected = extra_share * base_gdp
    np.testing.assert_allclose(_lost_usd(m), expected, rtol=1e-9,
                               atol=1e-9 * np.abs(expected).max())
    # The run's GDP has grown away from the base year's: pricing at it would differ.
    assert np.abs(m.gdp / base_gdp - 1.0).min() > 0.01


def test_the_answer_counts_security_spending_and_names_what_it_leaves_out() -> None:
    text = welfare_versus({"security": "security"})
    head, _, excluded = text.partition("; not counting ")
    assert "security spending above its baseline (spending_usd, and" in head
    assert "spending" not in excluded and "incidents" in excluded
