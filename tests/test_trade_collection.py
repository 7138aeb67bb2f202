"""Collection rates (parameters.trade.collection_rates): duty collected / statutory duty.

The model charged every importer its statutory rate on every import, booking India's
base-year duty at about three times its customs receipts (docs/data.md, "Base-year tariff
revenue against customs receipts"). A collection rate scales every tariff the importer
charges before the GE. Checked against the accounting identity (base-year revenue is the
rate times the statutory revenue) and against ``solve_ge`` given the scaled matrices,
built from a model run without the setting.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.mechanisms.collection import collected, collection_vector
from scosim.mechanisms.trade import baseline_accounts, solve_ge
from scosim.model.model import SCOModel
from scosim.model.policy import build_policy
from scosim.scenario import ScenarioError, load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
RATE = "parameters.trade.collection_rates"
#: A union fully phased in by 2029; the year's GE is one plain solve (no short run, no
#: re-based baseline), so an outside solve_ge can repeat it.
OVER = {"replications": 2, "years.end": 2030, "parameters.rules.defect": "never_defect",
        "parameters.trade.moving_baseline": False, "parameters.trade.short_run_share": 1.0,
        "parameters.trade.adjustment_years": 0}


def _model(**rates: float) -> SCOModel:
    over = dict(OVER) | {f"{RATE}.{k}": v for k, v in rates.items()}
    return SCOModel(load_scenario(SCENARIOS / "customs_union.yaml", overrides=over))


@pytest.mark.parametrize(("key", "value", "message"), [
    ("XYZ", 0.5, "unknown country code 'XYZ'; allowed: CHN, RUS"),
    ("IND", 0.0, "0 is not a collection rate: use a number in (0, 1]"),
    ("IND", 1.5, "1.5 is not a collection rate: use a number in (0, 1]"),
    ("IND", -0.2, "-0.2 is not a collection rate"),
    ("IND", "a third", "expected a number"),
])
def test_bad_collection_rates_name_the_field_and_what_is_allowed(key, value, message) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(SCENARIOS / "baseline.yaml", overrides={f"{RATE}.{key}": value})
    text = str(err.value)
    assert f"{RATE}.{key}" in text
    assert message in text


def test_the_set_form_reaches_the_scenario() -> None:
    from scosim.scenario.overrides import parse_overrides  # the CLI's --set PATH=VALUE

    over = parse_overrides([f"{RATE}.IND=0.33", f"{RATE}.CHN=0.78"])
    sc = load_scenario(SCENARIOS / "baseline.yaml", overrides=over)
    assert sc.parameters.trade.collection_rates == {"IND": 0.33, "CHN": 0.78}
    sc = load_scenario(SCENARIOS / "baseline.yaml", overrides={f"{RATE}.IND": 0.33})
    assert sc.parameters.trade.collection_rates == {"IND": 0.33}
    assert load_scenario(SCENARIOS / "baseline.yaml").parameters.trade.collection_rates == {}


def test_collection_vector_defaults_and_errors() -> None:
    codes = ("CHN", "IND", "ROW")
    assert collection_vector({}, codes) is None
    np.testing.assert_array_equal(collection_vector({"IND": 0.33}, codes), [1.0, 0.33, 1.0])
    with pytest.raises(ValueError, match="unknown economies PAK"):
        collection_vector({"PAK": 0.5}, codes)
    with pytest.raises(ValueError, match=r"collection_rates.IND is 2; .* in \(0, 1\]"):
        collection_vector({"IND": 2.0}, codes)
    t = np.full((2, 3, 3), 0.1)
    assert collected(t, None) is t  # no setting: the very same array is solved
    np.testing.assert_array_equal(collected(t, np.array([1.0, 0.5, 1.0]))[:, :, 1], 0.05)


def _rates(m: SCOModel, **rates: float) -> np.ndarray:
    """(N, N) each importer's rate over its exporters, 1 on India's suspension of Pakistan."""
    c = np.ones((m.N, m.N))
    for code, rate in rates.items():
        c[:, m.codes.index(code)] = rate
    c[m.codes.index("PAK"), m.codes.index("IND")] = 1.0  # a suspension is not scaled
    return c


def test_base_year_revenue_is_the_rate_times_the_statutory_revenue() -> None:
    plain, m = _model(), _model(IND=0.33, CHN=0.78)
    c = _rates(m, IND=0.33, CHN=0.78)
    # Statutory revenue from the model without the setting: CIF imports times the rates,
    # each cell times its rate (India's duty on Pakistan's goods, a suspension, in full).
    cif, tau = plain.trade_cif0, np.broadcast_to(plain.tau0, (plain.R, plain.N, plain.N))
    statutory = np.einsum("...ij,...ij->...j", cif, tau)
    expected = np.einsum("...ij,...ij->...j", cif, tau * c)
    booked = baseline_accounts(m.flows0, np.broadcast_to(m.tau0, (m.R, m.N, m.N)))
    np.testing.assert_allclose(booked["tariff_revenue"], expected, rtol=1e-12, atol=0)
    chn, ind = m.codes.index("CHN"), m.codes.index("IND")
    np.testing.assert_allclose(booked["tariff_revenue"][:, chn], 0.78 * statutory[:, chn],
                               rtol=1e-12, atol=0)
    # India: a third of its statutory duty, plus the two-thirds the suspension keeps.
    pak = m.codes.index("PAK")
    suspension = cif[pak, ind] * tau[:, pak, ind]
    np.testing.assert_allclose(booked["tariff_revenue"][:, ind],
                               0.33 * statutory[:, ind] + 0.67 * suspension, rtol=1e-12)


def test_every_tariff_an_importer_charges_is_scaled_and_the_ge_is_solve_ge_s() -> None:
    plain, m = _model(), _model(IND=0.33)
    plain.run_model()
    m.run_model()
    c = _rates(m, IND=0.33)
    # The union's CET and the internal zeros, the agreements and the base rates: all of
    # the statutory tariffs of the run without the setting, times India's rate.
    np.testing.assert_array_equal(m.tariffs, plain.tariffs * c)
    np.testing.assert_array_equal(m.tau0, plain.tau0 * c)
    ind = m.codes.index("IND")
    outside = ~np.isin(np.array(m.codes), ["CHN", "RUS", "IND", "PAK", "IRN", "KAZ", "KGZ",
                                           "TJK", "UZB", "BLR", "ARM"])
    assert np.all(np.isclose(m.tariffs[:, outside, ind], 0.33 * plain.tariffs[:, outside, ind]))
    assert plain.tariffs[0, m.codes.index("ROW"), ind] > 0.04  # the CET, statutory
    # The baseline with the agreements in force since the base year, solved from the
    # base year's flows at the scaled rates (one solve: the steps compose at sigma).
    base = solve_ge(m.flows_base, sigma=m.sigma, tariffs=plain.tau_base * c,
                    new_tariffs=np.broadcast_to(plain.tau0 * c, m.tariffs.shape),
                    deficits="level")
    np.testing.assert_allclose(m.flows0, base.flows, rtol=1e-10)
    policy = build_policy(m)
    np.testing.assert_array_equal(policy.tariffs, m.tariffs)
    cost = policy.cost_change if policy.ban_change is None else (
        policy.cost_change * policy.ban_change)
    ge = solve_ge(m.flows0, sigma=m.sigma, tariffs=plain.tau0 * c,
                  new_tariffs=plain.tariffs * c, cost_change=cost, deficits="level")
    np.testing.assert_allclose(m.ge.welfare_change, ge.welfare_change, rtol=1e-12, atol=0)
    np.testing.assert_allclose(m.ge.tariff_revenue, ge.tariff_revenue, rtol=1e-12)
    # And the setting matters: India's duty falls, so does what it gives up in the union.
    assert np.all(m.ge.baseline_tariff_revenue[:, ind]
                  < 0.34 * plain.ge.baseline_tariff_revenue[:, ind])
