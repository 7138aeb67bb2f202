"""The README's common external tariff and China's MFN rate have a command that prints them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from scosim.data import MEMBERS, load_calibration
from scosim.data.cet_inputs import cet_inputs

TOOL = Path(__file__).resolve().parents[1] / "tools" / "shipped_scenarios_summary.py"


def _tool():
    spec = importlib.util.spec_from_file_location("shipped_scenarios_summary", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_cet_is_the_rule_over_the_members_mfn_rates() -> None:
    tool = _tool()
    cal = load_calibration()
    codes = list(cal.countries.index)
    mfn = dict(zip(codes, cet_inputs(cal, codes).rates, strict=True))  # one kind for all
    weighted = tool.common_external_tariff("customs_union")
    assert weighted["rule"] == "weighted_mean" and set(weighted["mfn_pct"]) == set(MEMBERS)
    for code, rate in weighted["mfn_pct"].items():  # the rates the CET rules compare
        assert rate == pytest.approx(100 * mfn[code], abs=5e-4)
    assert sum(weighted["import_weight"].values()) == pytest.approx(1.0, abs=6e-3)
    mean = sum(weighted["mfn_pct"][c] * w for c, w in weighted["import_weight"].items())
    assert weighted["cet_pct"] == pytest.approx(mean, abs=0.02)  # rounded weights
    assert min(weighted["mfn_pct"].values()) < weighted["cet_pct"] < max(
        weighted["mfn_pct"].values())
    fortress = tool.common_external_tariff("customs_union_fortress")
    assert fortress["rule"] == "max"
    assert fortress["cet_pct"] == pytest.approx(max(fortress["mfn_pct"].values()), abs=1e-3)
