"""A RATS upgrade's economic term counts the trade gain of lower insecurity.

With the security slot filled, the mechanism prices each economy's expected insecurity
into trade costs every year, so an upgrade that lowers expected incidents raises the
run's welfare through trade. The preview's economic term adds that gain
(``info["trade_gain"]``) to the contribution's cost. Checked against the run itself: in
a world that does not move from year to year (constant instability, base-year trade
pattern, efforts at their calibrated fixed point), the preview made at the 2026 summit
equals the GE welfare of 2027 with the upgrade in force over the same year without it,
both without the network (the mechanism's own pricing) and with it (the network's),
and beside the finance slot, whose dollar channel of sanctions raises the year's trade
costs on both sides.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from _tools import load_tool
from scosim.data.constants import ECONOMIES
from scosim.model.model import SCOModel
from scosim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
TJK = ECONOMIES.index("TJK")
HEAD = f"""extends: {SCENARIOS / "baseline.yaml"}
name: {{name}}
years: {{{{start: 2025, end: 2027}}}}
parameters:
  mechanisms: {{mechanisms}}
  trade: {{{{moving_baseline: false, short_run_share: 1.0}}}}
  security: {{{{instability: 1.6}}}}
  council: {{{{decision_rule: null}}}}
  rules: {{{{vote: always_yes}}}}
"""
UPGRADE = """proposals:
  - type: rats_upgrade
    id: rats_centre
    year: 2026
    proposer: KAZ
    participants: members
    units: [anti_drug, information_security, organized_crime]
    intel_gain: 0.5
    upgrade_cost_share_gdp: 0.00005
"""
SLOTS = {"security": "{security: security}",
         "network": "{security: security, network: corridor_network}",
         "finance": "{security: security, finance: banking_systems}"}
# With the finance slot: sanctions on Russia in both years (the dollar channel raises
# trade costs in each; no direct trade-cost change, so the world stays as it is).
SANCTIONS = """events:
  - {type: sanctions, year: 2026, target: RUS, by: ROW, trade_cost: 0.0, severity: 1.0}
  - {type: sanctions, year: 2027, target: RUS, by: ROW, trade_cost: 0.0, severity: 1.0}
"""


def _write(tmp_path: Path, name: str, slots: str, proposals: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    events = SANCTIONS if slots == "finance" else ""
    path.write_text(HEAD.format(name=name, mechanisms=SLOTS[slots]) + events + proposals)
    return path


def _model(tmp_path: Path, name: str, slots: str, proposals: str) -> SCOModel:
    return SCOModel(load_scenario(_write(tmp_path, name, slots, proposals)), runs=[0, 1])


def _run(model: SCOModel):
    """Step 2025; preview the upgrade (if any) as the 2026 summit does; run to 2027."""
    model.step()
    pv = None
    if model.arrangements:
        arr = model.arrangements[0]
        pv = arr.preview(model, arr.invitees(model))
    while model.running:
        model.step()
    return pv, model.ge.welfare_change


@pytest.mark.parametrize("slots", ["security", "network", "finance"])
def test_trade_gain_is_the_welfare_the_run_realises(tmp_path, slots) -> None:
    pv, with_up = _run(_model(tmp_path, f"up_{slots}", slots, UPGRADE))
    _, without = _run(_model(tmp_path, f"plain_{slots}", slots, ""))
    realised = with_up / without - 1.0
    trade = pv.info["trade_gain"]
    np.testing.assert_allclose(trade, realised, rtol=0, atol=1e-12)
    # Lower incidents next to Afghanistan lower Tajikistan's trade costs: a gain, of about
    # its contribution (0.005 % of GDP) in this world at 1.6 times 2018-2022 instability
    # (docs/security.md section 11, tools/rats_trade_gain.py); the economic term is the
    # gain minus the contribution, out of expenditure (tests/test_preview_expenditure.py
    # checks it against the record).
    assert (trade[:, TJK] > 0).all()
    np.testing.assert_array_equal(pv.gain, trade - pv.info["contribution_share_of_expenditure"])



@pytest.mark.parametrize("slots", ["security", "network"])
def test_the_documented_tool_previews_this_world(tmp_path, slots) -> None:
    # docs/security.md quotes tools/rats_trade_gain.py for this world's trade gains: the
    # scenario it writes must be the one checked above, slot for slot.
    tool = load_tool("rats_trade_gain")
    label = {"security": "without the network", "network": "with the network"}[slots]
    here = load_scenario(_write(tmp_path, "here", slots, UPGRADE)).model_dump()
    (tmp_path / "tool").mkdir()
    captured: list[dict] = []

    def _capture(scenario, runs):
        captured.append(scenario.model_dump())
        raise _Stop

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("scosim.model.model.SCOModel", _capture)
        with pytest.raises(_Stop):
            tool.preview(tool.SLOTS[label], tmp_path / "tool", 2)
    there = captured[0]
    here.pop("name"), there.pop("name")
    assert there == here


class _Stop(Exception):
    """Raised by the stand-in model once the tool's scenario is captured."""
