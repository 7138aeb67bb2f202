"""The corridor failure hazard and recovery against the published figures they come from.

Closed forms (scosim.network.hazard; docs/network.md, "Where the failure hazard and the
recovery come from"): the 10-year failure probability at route instability 0 lies between
the loss-making defaults of commercial project finance and the loss rate of Afghanistan's
donor-built assets of 2008-2020, the recovery is Moody's mean recovery of the defaults that
lose money, and the corridor uses these values whoever lends.
"""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from scosim.network import corridor
from scosim.network.finance import failure_probability
from scosim.network.hazard import (
    FAILURE_BASE,
    FAILURE_SENSITIVITY,
    RECOVERY,
    SOURCES,
    annual_from_cumulative,
    cumulative_failure,
    loss_recovery,
)
from scosim.network.params import NetworkParams


def _loss_share() -> tuple[float, float]:
    """Share of project-finance defaults that lose money (Moody's), low and high."""
    return (1.0 - SOURCES["moodys_pf_full_recovery_share_high"],
            1.0 - SOURCES["moodys_pf_full_recovery_share_low"])


def test_ten_year_failure_at_base_risk_inside_the_sourced_range():
    # Lower end: commercial project finance's loss-making defaults in 10 years (S&P's and
    # Moody's 6.3-6.7 percent, of which a third lose money); upper end: Afghanistan's
    # donor-built assets, 31 percent in about 12 years, put on 10.
    low = min(SOURCES["sp_pf_cdr_10y"], SOURCES["moodys_pf_cdr_10y"]) * _loss_share()[0]
    afg_annual = annual_from_cumulative(SOURCES["sigar_afg_lost_share"],
                                        SOURCES["sigar_afg_years"])
    high = cumulative_failure(afg_annual, 10)
    p10 = cumulative_failure(float(failure_probability(np.zeros(1), 1)[0, 0]), 10)
    assert 0.02 < low < p10 < high < 0.3
    assert p10 == pytest.approx(cumulative_failure(FAILURE_BASE, 10))


def test_hazard_at_full_instability_above_afghanistans_base_rate():
    afg_annual = annual_from_cumulative(SOURCES["sigar_afg_lost_share"],
                                        SOURCES["sigar_afg_years"])
    h1 = float(failure_probability(np.ones(1), 1)[0, 0])
    assert h1 == pytest.approx(FAILURE_BASE + FAILURE_SENSITIVITY)
    assert afg_annual < h1 < 1.0


def test_recovery_is_the_mean_recovery_of_loss_making_defaults():
    mean = SOURCES["moodys_pf_mean_recovery"]
    at_two_thirds = loss_recovery(mean, SOURCES["moodys_pf_full_recovery_share_high"])
    at_sixty = loss_recovery(mean, SOURCES["moodys_pf_full_recovery_share_low"])
    assert at_two_thirds == pytest.approx(0.4)
    assert at_sixty == pytest.approx(0.5)
    assert at_two_thirds - 1e-12 <= RECOVERY <= at_sixty
    # Every default's mean recovery is the loss-makers' weighted with the full ones.
    for s in (0.6, 2.0 / 3.0):
        assert s * 1.0 + (1 - s) * loss_recovery(mean, s) == pytest.approx(mean)


def test_corridor_uses_the_sourced_values():
    # The scenario's parameters.network defaults, which every corridor reads whoever lends
    # (tests/test_network_hazard_params.py runs them); the bank's terms hold none.
    p = NetworkParams()
    assert (p.failure_base, p.failure_sensitivity, p.recovery) == (
        FAILURE_BASE, FAILURE_SENSITIVITY, RECOVERY)
    assert not {"failure_base", "failure_sensitivity", "recovery"} & set(corridor._BANK)


@pytest.mark.parametrize("field", ["recovery_rate", "failure_base", "failure_sensitivity"])
def test_bank_refuses_the_hazard_fields_it_never_read(field):
    # They were accepted and ignored by the network's DevelopmentBankSpec (removed
    # 2026-12-06): a bank with recovery_rate 0.8 lost as much as one without. The
    # development_bank type's own spec refuses them as unknown fields, named in the error.
    from scosim.proposals.specs import DevelopmentBankProposal

    with pytest.raises(ValidationError, match=field):
        DevelopmentBankProposal(type="development_bank", id="b", year=2025, **{field: 0.5})
