"""A sweep says when its output did not move, and when it sweeps a field no vote reads.

Found by a policy analyst: ``scosim sweep scenarios/customs_union.yaml --method grid
--param proposals.sco_cu.depth=0:1 --output welfare_change_pct:KAZ`` printed -0.1712 at
every point without a word: depth enters only the states' vote scores, and the votes of
that scenario are committed (``always_yes``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.cli import main
from scosim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
DEPTH = "proposals.sco_cu.depth"
KAZ = "welfare_change_pct:KAZ"


def test_an_output_equal_at_every_point_is_flat() -> None:
    from scosim.sweep_checks import flat_outputs

    table = pd.DataFrame({"p": [0.0, 0.5, 1.0], "a": [-0.17, -0.17, -0.17],
                          "b": [-0.17, -0.17, -0.1700001], "c": [np.nan] * 3,
                          "d": [1.0, np.nan, 1.0]})
    # "b" moved (by little, but moved); "d" has a value at some points only.
    assert flat_outputs(table, ["a", "b", "c", "d"]) == ["a", "c"]
    assert flat_outputs(table.iloc[:1], ["a"]) == []  # one point: nothing to compare


def test_a_field_only_votes_read_is_said_where_every_vote_is_committed() -> None:
    from scosim.sweep_checks import score_only_warning

    committed = load_scenario(SCENARIOS / "customs_union.yaml")  # always_yes
    said = score_only_warning(committed, [DEPTH, "parameters.trade.sigma"])
    assert said is not None and said.startswith(f"{DEPTH} only enters")
    assert "always_yes" in said and "parameters.trade.sigma" not in said
    assert score_only_warning(committed, ["parameters.trade.sigma"]) is None
    # The states score the proposal there: depth moves their votes.
    scored = load_scenario(SCENARIOS / "customs_union_consensus.yaml")
    assert score_only_warning(scored, [DEPTH]) is None


def test_a_sweep_of_depth_under_committed_votes_warns_before_and_after(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["sweep", str(SCENARIOS / "customs_union.yaml"), "--method", "grid", "--n", "2",
            "--output", KAZ, "--replications", "1", "--out", str(tmp_path), "--quiet"]
    assert main([*args, "--param", f"{DEPTH}=0:1"]) == 0
    err = capsys.readouterr().err
    warned = [line for line in err.splitlines() if "warning:" in line]
    assert len(warned) == 2, err
    assert f"{DEPTH} only enters the states' vote scores" in warned[0]
    assert warned[1].startswith(f"scosim: warning: {KAZ} (") and DEPTH in warned[1]
    assert "the same at every one of the 2 points" in warned[1]
    (made,) = (tmp_path / "customs_union" / "sweeps").iterdir()
    meta = json.loads((made / "manifest.json").read_text())
    assert meta["warnings"] == [warned[1].removeprefix("scosim: warning: ")]
    # A field that moves the output: no warning.
    assert main([*args, "--param", "proposals.sco_cu.cet=0:0.2"]) == 0
    assert "warning:" not in capsys.readouterr().err


def test_a_flat_output_of_a_plugin_s_field_names_the_likely_cause(visa_plugin) -> None:
    """A plug-in type that lists a field but reads ``self.proposal.<field>`` sweeps nothing
    (docs/proposals.md); the warning did not say so (an outside review, 2026-12-07).
    Built-ins read ``self.value`` (tests/test_builtin_sweep.py): no such hint for them."""
    from scosim.scenario import validate_data
    from scosim.sweep_checks import flat_outputs_warning

    sc = validate_data({
        "name": "v", "years": {"start": 2025, "end": 2027}, "replications": 1,
        "parameters": {"mechanisms": {"network": "visa_mobility"}},
        "proposals": [{"type": "visa_free", "id": "ca_visa", "year": 2026, "proposer": "KAZ",
                       "participants": ["KAZ", "KGZ"]},
                      {"type": "customs_union", "id": "cu", "year": 2026, "proposer": "KAZ",
                       "participants": ["KAZ", "KGZ"]}]})
    table = pd.DataFrame({"w": [0.5, 0.5]})
    said = flat_outputs_warning(table, ["w"], ["proposals.ca_visa.cost_cut"], sc)
    assert said is not None and said.endswith(
        "; proposals.ca_visa.cost_cut is a field of the plug-in type 'visa_free': if it "
        "reads `self.proposal.cost_cut` instead of `self.value('cost_cut')`, every point "
        "runs with the scenario's value (docs/proposals.md, \"Sweeping a field of a "
        "proposal\")")
    setting = "parameters.mechanism_settings.visa_mobility.receipts_share_gdp"
    said = flat_outputs_warning(table, ["w"], [setting], sc)
    assert "of the plug-in mechanism 'visa_mobility': if it reads " \
           "`self.settings.receipts_share_gdp` instead of" in said
    for builtin in ("proposals.cu.depth", "parameters.trade.sigma"):
        assert "plug-in" not in flat_outputs_warning(table, ["w"], [builtin], sc)
