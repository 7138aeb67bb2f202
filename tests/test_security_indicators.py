"""The security mechanism's cost indicators say what the run applies to trade costs.

``cost_multiplier`` is the factor on the edges inside an economy and
``trade_cost_factor_security`` the mean factor on its trade costs to its partners, both
from insecurity above its 2018-2022 level. Until 2026-12-05 ``cost_multiplier`` was
``1 + level`` of perceived insecurity (Afghanistan's read 1.83 in 2035 in
``afghan_corridor.yaml`` while the network applied 1.17), and with the network slot filled
``trade_cost_factor_security`` was 1 in every cell although insecurity raised trade costs
through the network.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from scosim.data.constants import ECONOMIES
from scosim.model.model import SCOModel
from scosim.runner import run_model
from scosim.scenario import load_scenario

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
SCALE = "parameters.mechanism_settings.security.instability_change_scale"
AFG, PAK = ECONOMIES.index("AFG"), ECONOMIES.index("PAK")
OFF = ~np.eye(len(ECONOMIES), dtype=bool)


def _records(model: SCOModel) -> dict[str, np.ndarray]:
    return {k: np.stack(v, axis=1) for k, v in model.records.items()}


def _network_factor(model: SCOModel) -> float:
    from scosim.network.mechanism import shared_network

    return float(shared_network(model).net.params["insecurity_cost_factor"])


def test_with_the_network_the_multiplier_is_the_one_the_network_applies() -> None:
    model = run_model(load_scenario(SCEN / "afghan_corridor.yaml"), runs=[0])
    rec = _records(model)
    # The network is fed the rise of expected insecurity above 2018-2022, clipped to [0, 1].
    np.testing.assert_array_equal(rec["route_instability"],
                                  np.clip(rec["insecurity_rise"], 0.0, 1.0))
    np.testing.assert_array_equal(rec["cost_multiplier"],
                                  1.0 + _network_factor(model) * rec["route_instability"])
    # Afghanistan in 2035: 1.17, not the 1.83 of its insecurity level.
    assert 1.1 < rec["cost_multiplier"][0, -1, AFG] < 1.2
    assert rec["insecurity"][0, -1, AFG] > 0.8


def test_with_the_network_and_no_corridor_the_trade_cost_factor_is_the_networks() -> None:
    # Nothing but insecurity moves the network here, so its t_hat is insecurity's factor.
    sc = load_scenario(SCEN / "afghan_instability.yaml",
                       overrides={"parameters.mechanisms.network": "corridor_network"})
    model = run_model(sc, runs=[0])
    rec = _records(model)
    t_hat = np.asarray(model.network_step.t_hat)
    np.testing.assert_allclose(rec["trade_cost_factor_security"][:, -1],
                               (t_hat * OFF).sum(axis=2) / (len(ECONOMIES) - 1),
                               rtol=1e-14, atol=0)
    assert rec["trade_cost_factor_security"][0, -1, AFG] > 1.005
    assert rec["network_trade_cost_change_pct"][0, -1, AFG] > 0.5


def test_with_the_network_corridors_are_not_counted_as_insecurity() -> None:
    # Instability held at 1 (scale 0): the railway still moves the network's trade costs,
    # insecurity moves none of them. The value of time held at its midpoint: a run's drawn
    # value scales how much the railway moves them (docs/network.md, "How sure").
    held = run_model(load_scenario(SCEN / "afghan_corridor.yaml",
                                   overrides={SCALE: 0.0,
                                              "parameters.network.vot_per_day": 0.0135}),
                     runs=[0])
    rec = _records(held)
    assert np.abs(rec["network_trade_cost_change_pct"]).max() > 0.1
    np.testing.assert_array_equal(rec["trade_cost_factor_security"], 1.0)
    np.testing.assert_array_equal(rec["cost_multiplier"], 1.0)
    # The rising path of the scenario raises them, Afghanistan's most.
    rising = _records(run_model(load_scenario(SCEN / "afghan_corridor.yaml"), runs=[0]))
    tcf = rising["trade_cost_factor_security"][0, -1]
    assert tcf[AFG] > 1.005 and tcf.argmax() == AFG
    assert (tcf >= 1.0).all()


def test_without_the_network_the_multiplier_prices_the_rise_falls_included() -> None:
    # RATS pushes Pakistan's expected incidents below their 2018-2022 rate at 2018-2022
    # instability; without the network the pair factors price that fall, and so does the
    # multiplier. (On the scenario's rising path the Afghan spillover outgrows the fall
    # from 2028, now that pooling acts on the transnational share of incidents only.)
    # Voted through: at face value the members facing no incidents veto the upgrade.
    model = run_model(load_scenario(SCEN / "afghan_instability_rats.yaml",
                                    overrides={"parameters.rules.vote": "always_yes",
                                               "parameters.security.instability": 1.0}),
                      runs=[0])
    rec = _records(model)
    mech = next(m for _, m in model.mechanisms if getattr(m, "pricing", None) is not None)
    np.testing.assert_array_equal(rec["cost_multiplier"],
                                  1.0 + mech.pricing.factor * rec["insecurity_rise"])
    # The upgrade is in force from 2027 (the third year).
    assert (rec["insecurity_rise"][0, 2:, PAK] < 0).all()
    assert (rec["cost_multiplier"][0, 2:, PAK] < 1.0).all()
