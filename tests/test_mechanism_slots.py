"""Mechanism slots: a mechanism plugs in by dotted path, runs before trade, changes results."""

from __future__ import annotations

import numpy as np
import pytest

from scosim.model.slots import SLOTS, plan
from scosim.runner import run_model
from scosim.scenario import ScenarioError, validate_data


def _scenario(**mechanisms):
    return validate_data({
        "name": "slots", "years": {"start": 2025, "end": 2027}, "replications": 3,
        "parameters": {"mechanisms": mechanisms},
    })


def test_default_plan_lists_every_slot_in_order():
    assert SLOTS == ("growth", "security", "network", "finance", "trade")
    assert plan({}) == [("growth", "calibrated_growth"), ("security", None), ("network", None),
                        ("finance", None), ("trade", "ge_trade")]


def test_a_security_mechanism_writes_the_policy_state_before_trade_reads_it():
    base = run_model(_scenario())
    m = run_model(_scenario(security="plugin_pkgs.toy_security:ToyInsecurity"))
    afg = m.codes.index("AFG")
    w = np.stack(m.records["welfare_change_pct"], axis=1)
    w0 = np.stack(base.records["welfare_change_pct"], axis=1)
    # Higher trade costs lower Afghanistan's welfare in the same year's trade solve.
    assert (w[:, :, afg] < w0[:, :, afg] - 0.01).all()
    rise = np.stack(m.records["insecurity_rise"], axis=1)[:, 0, afg]
    assert ((rise >= 0.1) & (rise <= 0.3)).all() and np.unique(rise).size == 3
    # Bigger rise, bigger loss: the draw per run reaches the GE.
    loss = (w0 - w)[:, 0, afg]
    assert np.array_equal(np.argsort(rise), np.argsort(loss))
    # The slot's stream is its own: growth draws are the baseline's.
    assert np.array_equal(m.growth_z, base.growth_z)
    path = "gdp_baseline_path_usd"
    assert np.array_equal(np.stack(m.records[path]), np.stack(base.records[path]))


def test_a_wrong_slot_or_an_unknown_mechanism_is_an_error():
    with pytest.raises(ScenarioError, match="fills slot 'security', not 'finance'"):
        _scenario(finance="plugin_pkgs.toy_security:ToyInsecurity")
    with pytest.raises(ScenarioError, match="unknown slot 'weather'"):
        _scenario(weather="ge_trade")
    with pytest.raises(ScenarioError, match="unknown mechanism 'ge_trad'.*did you mean 'ge_trade'"):
        _scenario(trade="ge_trad")



def test_a_misspelt_slot_or_headline_kind_is_refused_with_its_near_miss(
        forget_test_plugins) -> None:
    """A slot ``"netwrok"`` and a headline kind ``"totl"`` got no "did you mean" (an outside
    review, 2026-12-07)."""
    from scosim.model.slots import Mechanism, register_mechanism
    from scosim.plugins import HEADLINE_KINDS, PluginError

    class Misplaced(Mechanism):
        name = "slot_typo_pool"
        slot = "netwrok"

    with pytest.raises(PluginError) as err:
        register_mechanism(Misplaced)
    assert str(err.value) == ("mechanism 'slot_typo_pool' fills slot 'netwrok' (did you mean "
                              f"'network'?); slots are: {', '.join(SLOTS)}")

    class Miskind(Mechanism):
        name = "kind_typo_pool"
        slot = "network"
        indicators = {"pool_usd": "US$"}
        headline = {"pool_usd": "totl"}

    with pytest.raises(PluginError) as err:
        register_mechanism(Miskind)
    assert str(err.value) == (
        "mechanism 'kind_typo_pool': `headline` indicator 'pool_usd' has kind 'totl' (did you "
        f"mean 'total'?); kinds are: {', '.join(HEADLINE_KINDS)}")
    Miskind.headline = {"pool_usd": "average"}  # nothing near: no guess
    with pytest.raises(PluginError, match=r"has kind 'average'; kinds are"):
        register_mechanism(Miskind)

def _summit_and_year(sc) -> tuple[np.ndarray, np.ndarray]:
    """``welfare_now`` at the 2026 summit (no events) and the welfare 2026 realises."""
    from scosim.model.council import welfare_now
    from scosim.model.model import SCOModel

    model = SCOModel(sc, runs=[0, 1, 2])
    model.step()
    before = welfare_now(model).copy()
    model.step()
    return before, model.ge.welfare_change


def test_a_plug_in_cost_factor_reaches_the_council_previews(monkeypatch):
    """A plug-in that says what its step multiplies into trade costs
    (``preview_cost_factor``) is priced by the default preview: the welfare a preview
    divides by is the one the year's trade step realises (base-year trade pattern).
    Without the hook (the default) the preview scores a world without those costs."""
    from plugin_pkgs.toy_security import ToyInsecurity
    from scosim.model.slots import Mechanism

    sc = validate_data({
        "name": "slots", "years": {"start": 2025, "end": 2026}, "replications": 3,
        "parameters": {"mechanisms": {"security": "plugin_pkgs.toy_security:ToyInsecurity"},
                       "trade": {"moving_baseline": False}},
    })
    now, realised = _summit_and_year(sc)
    np.testing.assert_allclose(now, realised, rtol=0, atol=1e-12)
    monkeypatch.setattr(ToyInsecurity, "preview_cost_factor", Mechanism.preview_cost_factor)
    now, realised = _summit_and_year(sc)
    assert np.abs(now - realised).max() > 1e-4
