"""A collection rate does not scale the India-Pakistan suspension's duty.

India's duty on Pakistan's goods is the tariff equivalent of the trade the suspension cut,
calibrated on the flows observed under it (scosim.data.suspension), not a statutory rate
its customs under-collect. Scaling it by India's collection rate (0.33) cut the blockade
to a third, so that lifting it restored less than the trade it cut. Checked against the
model without the setting: the suspension's cell, and the pair's base-year trade, are the
same bits with and without India's rate, and every other tariff India charges is scaled.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.mechanisms.suspensions import duty_pairs, lift_bans, suspended_pairs
from scosim.mechanisms.trade import solve_ge
from scosim.model.model import SCOModel
from scosim.model.policy import PolicyState, build_policy
from scosim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
OVER = {"replications": 2, "years.end": 2030, "parameters.rules.defect": "never_defect"}


def _model(rate: float | None = None, **over: object) -> SCOModel:
    extra = {} if rate is None else {"parameters.trade.collection_rates.IND": rate}
    return SCOModel(load_scenario(SCENARIOS / "customs_union.yaml",
                                  overrides={**OVER, **extra, **over}))


def test_indias_suspension_duty_is_collected_in_full_and_its_other_tariffs_are_scaled():
    plain, m = _model(), _model(0.33)
    pak, ind = m.codes.index("PAK"), m.codes.index("IND")
    # The data's duty cell, and the only one: Pakistan's ban on India is a trade cost.
    cells = duty_pairs(m.cal.provenance, list(m.codes))
    assert [tuple(x) for x in np.argwhere(cells)] == [(pak, ind)]
    assert suspended_pairs(m.cal.provenance, list(m.codes))[ind, pak]
    # Each run's sigma re-states the equivalent; it is prohibitive (above 100 %).
    assert np.all(plain.tau0[..., pak, ind] > 1.0)
    np.testing.assert_array_equal(m.tau0[..., pak, ind], plain.tau0[..., pak, ind])
    # So is the pair's base-year trade at the importer's prices: CIF times (1 + duty).
    np.testing.assert_array_equal(m.flows0[..., pak, ind], plain.flows0[..., pak, ind])
    # Every other exporter's goods pay a third of India's statutory rate.
    others = np.ones(m.N, dtype=bool)
    others[[pak, ind]] = False
    np.testing.assert_array_equal(m.tau0[..., others, ind], 0.33 * plain.tau0[..., others, ind])
    assert np.all(plain.tau0[..., others, ind][..., m.codes.index("CHN")] > 0.05)


def test_a_union_that_keeps_the_suspension_keeps_it_unscaled():
    # suspensions: kept holds India's duty on Pakistan inside the union; the CET on the
    # outsiders and the zeros inside are collected at India's rate.
    over = {"proposals.sco_cu.suspensions": "kept"}
    plain, m = _model(None, **over), _model(0.33, **over)
    plain.run_model()
    m.run_model()
    pak, ind, row = (m.codes.index(c) for c in ("PAK", "IND", "ROW"))
    assert np.all(plain.tariffs[:, pak, ind] > 1.0)  # still the suspension in 2030
    np.testing.assert_array_equal(m.tariffs[:, pak, ind], plain.tariffs[:, pak, ind])
    np.testing.assert_array_equal(build_policy(m).tariffs[:, pak, ind], m.tariffs[:, pak, ind])
    np.testing.assert_array_equal(m.tariffs[:, row, ind], 0.33 * plain.tariffs[:, row, ind])
    assert np.all(m.tariffs[:, row, ind] > 0.01)  # the CET, a third collected


#: India's imports from Pakistan in FY2018-19, the last full year before the measures,
#: US$ (DGCI&S, reported to India's Parliament in July 2022: moneycontrol.com, "No progress
#: in resuming trade with Pakistan, Centre tells Parliament", 2022-07-28; the yardstick of
#: tests/test_suspension_calibration.py).
PAK_TO_IND_BEFORE = 0.495e9


def _lifted_cif(rate: float | None) -> float:
    """Pakistan's exports to India (CIF) in 2023 once both measures alone are lifted.

    From the model's base at sigma 5 (one run, no draw): India's duty to SAFTA's zero,
    Pakistan's ban removed from the trade costs; every other tariff as it is.
    """
    over = {"parameters.trade.sigma_spread": 0.0}
    if rate is not None:
        over["parameters.trade.collection_rates.IND"] = rate
    m = SCOModel(load_scenario(SCENARIOS / "baseline.yaml", overrides=over), runs=range(1))
    pak, ind = m.codes.index("PAK"), m.codes.index("IND")
    policy = PolicyState(tariffs=np.array(m.tau0)[None].copy(),
                         cost_change=np.ones((1, m.N, m.N)))
    lift_bans(policy, m.ban_factor, np.ones((1, m.N), dtype=bool), np.ones(1),
              np.ones(1, dtype=bool))
    policy.tariffs[0, pak, ind] = policy.tariffs[0, ind, pak] = 0.0
    ge = solve_ge(m.flows0, sigma=m.sigma, tariffs=m.tau0, new_tariffs=policy.tariffs,
                  cost_change=policy.ban_change, deficits="level")
    return float(ge.flows[0, pak, ind])  # at a zero tariff, CIF


def test_lifting_the_suspension_restores_the_trade_it_cut_whatever_indias_rate():
    # The equivalent is calibrated so that lifting it restores about the pair's trade
    # before the suspension. Scaled by 0.33 it restored a twelfth of it (US$0.06 bn).
    plain, collected = _lifted_cif(None), _lifted_cif(0.33)
    assert 0.5 < plain / PAK_TO_IND_BEFORE < 2.0
    assert 0.5 < collected / PAK_TO_IND_BEFORE < 2.0
    # The rest of India's tariffs, a third as high, move its prices a little, not this.
    assert collected == pytest.approx(plain, rel=0.02)
