"""The CET rules compare rates of one kind (scosim.data.cet_inputs), not tariff_mfn's mix.

``countries.tariff_mfn`` holds WDI MFN trade-weighted means for most importers but a simple
mean of applied (AHS) rates for India, which won the ``max`` rule with it (12.16 %). The
kind of each rate is read from the provenance (its source), not guessed from its value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.cet_answer import union_tariffs
from scosim.data import MEMBERS, load_calibration
from scosim.data.cet_inputs import KIND, PUBLISHED, cet_inputs
from scosim.model.model import SCOModel
from scosim.proposals.customs_union import CustomsUnion
from scosim.scenario.loader import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _union(name: str) -> tuple[SCOModel, CustomsUnion]:
    model = SCOModel(load_scenario(SCENARIOS / f"{name}.yaml",
                                   overrides={"replications": 1}), runs=[0])
    arr = next(a for a in model.arrangements if isinstance(a, CustomsUnion))
    return model, arr


def test_every_members_cet_rate_is_an_mfn_trade_weighted_mean() -> None:
    model, arr = _union("customs_union_fortress")
    cal = model.cal
    prov = cal.provenance.query("table == 'countries' and field == 'tariff_mfn'")
    source = dict(zip(prov["key"], prov["source_id"], strict=True))
    # India's tariff_mfn is a simple AHS mean (source wits_ahs), of another kind: the rule
    # reads the trade-weighted MFN average the WTO publishes instead.
    assert source["IND"] == "wits_ahs"
    cet = arr.negotiate(model, arr.invitees(model))["cet"][0]
    assert arr.proposal.cet == "max" and cet == pytest.approx(0.126)
    assert cal.countries.loc["IND", "tariff_mfn"] < cet  # not the 12.16 % simple mean
    assert model.mfn[model.codes.index("IND")] == PUBLISHED["IND"][0]
    for code in MEMBERS:
        rate = model.mfn[model.codes.index(code)]
        assert model.mfn_inputs.kinds[model.codes.index(code)] == KIND
        if source[code] == "wb_tariff":  # WDI TM.TAX.MRCH.WM.FN.ZS: taken as it is
            assert rate == cal.countries.loc[code, "tariff_mfn"]


def test_indias_published_total_agrees_with_its_parts() -> None:
    # World Tariff Profiles 2022, India, Part A.1: trade-weighted MFN averages on 2020
    # imports, agricultural 63.3 % on US$22.8 bn and non-agricultural 9.4 % on US$370.1 bn,
    # each rounded to 0.1: the total they imply, within that rounding, holds the 12.6 %.
    (ag, ag_m), (non, non_m) = (63.3, 22.8), (9.4, 370.1)
    low = ((ag - 0.05) * ag_m + (non - 0.05) * non_m) / (ag_m + non_m)
    high = ((ag + 0.05) * ag_m + (non + 0.05) * non_m) / (ag_m + non_m)
    total = 100 * PUBLISHED["IND"][0]
    assert low - 0.05 <= total <= high + 0.05
    assert PUBLISHED["IND"][1] == 2020


def test_a_rate_of_another_kind_stays_labelled_as_what_it_is() -> None:
    cal = load_calibration()
    codes = list(cal.countries.index)
    inputs = cet_inputs(cal, codes)
    kinds = dict(zip(codes, inputs.kinds, strict=True))
    # Heritage's applied rate (preferences included) and the AHS simple mean: no figure of
    # the compared kind is stored for them, so they stay, named as fallbacks.
    assert kinds["TKM"] == "applied_weighted" and "not an MFN rate" in inputs.fallback["TKM"]
    assert kinds["AZE"] == "ahs_simple" and "not trade-weighted" in inputs.fallback["AZE"]
    assert np.array_equal(inputs.rates[codes.index("TKM")],
                          cal.countries.loc["TKM", "tariff_mfn"])
    assert set(inputs.fallback) == {c for c, k in kinds.items() if k != KIND} | {"IND"}


def test_the_answers_cet_line_names_the_member_without_the_wdi_rate() -> None:
    sc = load_scenario(SCENARIOS / "customs_union.yaml", overrides={"replications": 1})
    (union,) = union_tariffs(sc, 2035)
    assert set(union.fallback) == {"IND"}
    assert "12.60 %" in union.fallback["IND"] and "World Tariff Profiles" in union.fallback[
        "IND"]
