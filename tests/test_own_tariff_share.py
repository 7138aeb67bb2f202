"""tools/own_tariff_share.py: each member's welfare from the whole union and from its own
external tariff change alone (docs/customs_union.md, "How much of a member's figure is its
own tariff")."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from scosim.results import read_batches
from scosim.runner import run
from scosim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "own_tariff_share.py"
#: One run at the default sigma, every member kept in.
ONE_SIGMA = {"parameters.rules.defect": "never_defect", "parameters.trade.sigma": 5.0,
             "parameters.trade.sigma_spread": 0.0}


def _tool():
    spec = importlib.util.spec_from_file_location("own_tariff_share", TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules["own_tariff_share"] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def inputs() -> dict:
    sc = load_scenario(ROOT / "scenarios" / "customs_union.yaml", overrides=ONE_SIGMA)
    return _tool().union_inputs(sc, 2035)


def test_with_every_other_change_removed_the_two_columns_agree(inputs: dict) -> None:
    tool = _tool()
    codes, inside = inputs["codes"], inputs["inside"]
    for code in ("CHN", "IND"):
        j = codes.index(code)
        # A "union" that is only this member's tariff change on outsiders: no zero tariffs
        # inside, no other member's CET, no ban lifted, no sharing.
        only = inputs["base"].copy()
        only[~inside, j] = inputs["union"][~inside, j]
        assert not np.array_equal(only, inputs["base"])  # its tariff does change
        s = tool.welfare_split(**{**inputs, "union": only, "ban_change": None, "sharing": None})
        assert abs(s.whole[code]) > 1e-4  # a change worth comparing
        assert s.own[code] == pytest.approx(s.whole[code], rel=1e-12, abs=1e-15)
        # The other members' own tariffs are unchanged: nothing of theirs moves.
        assert all(s.own[c] == 0.0 for c in s.members if c != code)
    # With the whole union, the columns differ (China's own tariff is part of its gain).
    s = tool.welfare_split(**inputs)
    assert s.own["CHN"] != pytest.approx(s.whole["CHN"], rel=1e-3)


def test_the_whole_union_column_is_the_model_s_2035_welfare_on_the_base_year_s_flows(
        inputs: dict, tmp_path: Path) -> None:
    """The tool's solve against the model's: one run, the same sigma, flows not re-based."""
    res = run(ROOT / "scenarios" / "customs_union.yaml", replications=1, out=tmp_path,
              progress=False, plots=False,
              overrides={**ONE_SIGMA, "parameters.trade.moving_baseline": False})
    ind = read_batches(Path(res.path) / "indicators")
    w = ind[(ind["indicator"].astype(str) == "welfare_change_pct") & (ind["year"] == 2035)]
    model = dict(zip(w["country"].astype(str), w["value"], strict=True))
    s = _tool().welfare_split(**inputs)
    assert len(s.members) == 11  # the ten SCO members and Armenia, with the EAEU
    for c in s.members:
        assert 100 * s.whole[c] == pytest.approx(model[c], rel=1e-9, abs=1e-12), c
