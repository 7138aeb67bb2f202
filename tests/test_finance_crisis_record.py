"""The per-economy crisis frequency and its comparison with Laeven & Valencia's record."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import poisson

from scosim.finance.calibration import baseline_crisis_frequency
from scosim.finance.crisis_record import (
    LV2012_STARTS,
    compare,
    frequency_by_economy,
    years_in_record,
)
from scosim.finance.system import FinanceSystem


def test_economies_add_up_to_the_calibrated_frequency():
    """The mean over the listed economies of the per-economy rate is the calibration's
    pooled frequency of the same runs (one count, split by economy)."""
    fs = FinanceSystem()
    rates = frequency_by_economy(fs, 60, seed=11)
    pooled, _, _ = baseline_crisis_frequency(fs, 60, seed=11)
    listed = [v for c, v in rates.items() if c != "ROW"]
    assert np.mean(listed) == pytest.approx(pooled, rel=1e-12)


def test_poisson_probabilities_against_scipy():
    """P(recorded or more) and P(recorded or fewer) at the model's expected number, as
    scipy's Poisson distribution gives them, over the record's years (1970-2011; from
    1992 for the former Soviet republics)."""
    rates = {c: 0.01 * (i + 1) for i, c in enumerate(LV2012_STARTS)}
    for r in compare(rates):
        mu = rates[r.code] * years_in_record(r.code)
        assert r.expected == pytest.approx(mu)
        assert r.p_at_least == pytest.approx(poisson.sf(r.recorded - 1, mu), abs=1e-12)
        assert r.p_at_most == pytest.approx(poisson.cdf(r.recorded, mu), abs=1e-12)
    assert years_in_record("CHN") == 42 and years_in_record("RUS") == 20


def test_record_has_china_and_india():
    """The record the brief names: China 1998, India 1993; Russia 1998 and 2008."""
    assert LV2012_STARTS["CHN"] == (1998,)
    assert LV2012_STARTS["IND"] == (1993,)
    assert LV2012_STARTS["RUS"] == (1998, 2008)
