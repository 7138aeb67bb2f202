"""A trade proposal's preview prices the trade costs the filled slots apply.

The security slot (without the network) multiplies every year's trade costs by the
pair factors of the insecurity rise; the network slot by its ``t_hat`` of routes and
insecurity. The year's trade step solves with them, so a preview that left them out
would score a free-trade area in a world with fewer trade costs than the one it enters.
Checked against the run itself: in a world that does not move from year to year
(constant instability, base-year trade pattern, no gradual adjustment), the gain the
2026 summit previews equals the GE welfare of 2027 with the area in force over the
same year without it; and the preview's reference welfare (``welfare_now``) equals
the welfare the 2026 trade step then realises, also with the finance slot's dollar
channel under the year's sanctions. A corridor's preview, which varies the network's
factor itself, carries the others the same way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.model import phases
from scosim.model.council import welfare_now
from scosim.model.model import SCOModel
from scosim.model.policy import build_policy, preview_policy, with_slot_costs
from scosim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
HEAD = f"""extends: {SCENARIOS / "baseline.yaml"}
name: {{name}}
years: {{{{start: 2025, end: 2027}}}}
parameters:
  mechanisms: {{mechanisms}}
  trade: {{{{moving_baseline: false, adjustment_years: 0}}}}
  security: {{{{instability: 1.6}}}}
  council: {{{{decision_rule: null}}}}
  rules: {{{{vote: always_yes}}}}
"""
FTA = """proposals:
  - type: free_trade_area
    id: fta
    year: 2026
    proposer: KAZ
    participants: [KAZ, KGZ, TJK, UZB, PAK, IND, CHN]
    phase_in: {2027: 1.0}
"""
SLOTS = {"security": "{security: security}",
         "network": "{security: security, network: corridor_network}",
         "finance": "{finance: banking_systems}",
         "all": "{security: security, network: corridor_network, finance: banking_systems}"}
# Sanctions of 2026 (finance_crisis.yaml's): the finance slot's dollar channel raises
# trade costs in that year.
SANCTIONS = """events:
  - {type: sanctions, year: 2026, target: RUS, by: ROW, trade_cost: 0.2, severity: 1.0}
"""


def _model(tmp_path: Path, name: str, slots: str, proposals: str,
           parameters: str = "", lag: int | None = None) -> SCOModel:
    path = tmp_path / f"{name}.yaml"
    head = HEAD.format(name=name, mechanisms=SLOTS[slots])
    head = head.replace("  council:", parameters + "  council:")
    if lag is not None:
        head = head.replace("decision_rule: null}",
                            f"decision_rule: null, ratification_lag: {lag}}}")
    if "security: security" not in SLOTS[slots]:
        # Without the security slot nothing reads the instability: an error to write it.
        head = head.replace("  security: {instability: 1.6}\n", "")
    path.write_text(head + proposals)
    return SCOModel(load_scenario(path), runs=[0, 1])


@pytest.mark.parametrize("slots", ["security", "network"])
def test_preview_is_the_gain_the_run_realises(tmp_path, slots) -> None:
    with_fta = _model(tmp_path, f"fta_{slots}", slots, FTA)
    with_fta.step()  # 2025
    arr = with_fta.arrangements[0]
    pv = arr.preview(with_fta, arr.invitees(with_fta))
    while with_fta.running:
        with_fta.step()
    plain = _model(tmp_path, f"plain_{slots}", slots, "")
    while plain.running:
        plain.step()
    assert arr.in_force.all()
    realised = with_fta.ge.welfare_change / plain.ge.welfare_change - 1.0
    np.testing.assert_allclose(pv.gain, realised, rtol=0, atol=1e-12)
    # The slots' costs matter here: the same two states without them (the arrangements
    # alone) score the area differently, by far more than the tolerance.
    without = build_policy(with_fta, exclude=arr)
    adopted = arr.policy_if_adopted(with_fta, arr.invitees(with_fta), without=without)
    bare = (with_fta.solve_policy(adopted).welfare_change
            / with_fta.solve_policy(without).welfare_change - 1.0)
    assert np.abs(bare - realised).max() > 1e-6


@pytest.mark.parametrize("slots", ["security", "network", "finance"])
def test_welfare_now_is_the_welfare_the_trade_step_realises(tmp_path, slots,
                                                           monkeypatch) -> None:
    model = _model(tmp_path, f"now_{slots}", slots, SANCTIONS)
    seen: dict[str, np.ndarray] = {}
    council = phases.council_phase

    def summit(m: SCOModel, year: int) -> None:
        # What a preview of this summit divides by, after the year's events.
        if year == 2026:
            seen["now"] = welfare_now(m).copy()
            seen["factors"] = (preview_policy(m, costs=True).cost_change
                               / preview_policy(m).cost_change)
        council(m, year)

    monkeypatch.setattr(phases, "council_phase", summit)
    model.step()  # 2025: efforts settle at their fixed point, as the run goes on
    model.step()  # 2026
    np.testing.assert_allclose(seen["now"], model.ge.welfare_change, rtol=0, atol=1e-12)
    # The slots' factors are not neutral in this world (instability 1.6; sanctions).
    assert np.abs(seen["factors"] - 1.0).max() > 1e-3


def test_without_factors_the_policy_is_returned_as_it_is(tmp_path) -> None:
    """No slot that changes trade costs: the preview's states are the arrangements' alone."""
    path = tmp_path / "bare.yaml"
    path.write_text(f"extends: {SCENARIOS / 'free_trade_area.yaml'}\nname: bare\n")
    model = SCOModel(load_scenario(path), runs=[0])
    policy = build_policy(model)
    assert with_slot_costs(model, policy) is policy


CORRIDOR = """proposals:
  - type: corridor
    id: instc
    year: 2026
    proposer: IND
    project: INSTC_CHABAHAR
    start_year: 2026
    construction_years: 1
    financing: budget
"""
# Sanctions on Russia in both years, no direct trade-cost change: the finance slot's
# dollar channel raises the same trade costs in 2026, when the summit previews, and in
# 2027, when the corridor operates.
SANCTIONS_BOTH = """events:
  - {type: sanctions, year: 2026, target: RUS, by: ROW, trade_cost: 0.0, severity: 1.0}
  - {type: sanctions, year: 2027, target: RUS, by: ROW, trade_cost: 0.0, severity: 1.0}
"""


def test_corridor_preview_prices_the_other_slots_costs(tmp_path) -> None:
    """A corridor's GE gain, previewed at the 2026 summit, is the one 2027 realises when it
    operates, beside the finance slot's dollar channel (which the network does not carry)."""
    # Base-year loads: with each year's solved trade (network.loads) the 2026 preview would
    # route 2025's trade and 2027 2026's (sanctions in it), so their congestion would differ.
    loads = "  network: {loads: base_year}\n"
    # In force at the 2026 summit (no ratification lag): construction starts no earlier
    # than entry into force, so the line is built in 2026 and operates in 2027.
    with_c = _model(tmp_path, "corridor", "all", SANCTIONS_BOTH + CORRIDOR, loads, lag=0)
    with_c.step()  # 2025
    arr = with_c.arrangements[0]
    pv = arr.preview(with_c, arr.invitees(with_c))
    finance = dict(with_c.mechanisms)["finance"]
    dollar = finance.trade_cost_factor(with_c, preview_policy(with_c))
    while with_c.running:
        with_c.step()
    plain = _model(tmp_path, "plain", "all", SANCTIONS_BOTH, loads, lag=0)
    while plain.running:
        plain.step()
    assert arr.in_force.all()
    realised = with_c.ge.welfare_change / plain.ge.welfare_change - 1.0
    np.testing.assert_allclose(pv.info["ge_gain"], realised, rtol=0, atol=1e-12)
    # Not a test of nothing: the corridor moves welfare, and the dollar channel moves
    # trade costs by far more than the tolerance.
    assert np.abs(realised).max() > 1e-5
    assert np.abs(dollar - 1.0).max() > 1e-3
