"""Partial-scope preferences per agreement (table ``psa_margins``), from the WITS AHS excerpt."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pandas as pd
import pytest

from _raw import RAW, needs_raw_file  # tests/ on sys.path
from scosim.data import ECONOMIES, load_calibration
from scosim.data.agreements import deepest
from scosim.data.build import RAW_FILES
from scosim.data.psa_margins import (
    ASSUMED_MARGIN,
    build_psa_margins,
    margin_map,
    psa_margin,
)
from scosim.data.raw import RawDataError
from scosim.data.suspension import PAIRS as SUSPENSION_PAIRS
from scosim.data.tariffs import composition_factors, fuel_shares, read_ahs

ROOT = Path(__file__).resolve().parents[1]
needs_raw = needs_raw_file(RAW_FILES["ahs"])
GSTP, APTA_CHINA, EAEU_IRAN = 146, 46, 1028


@pytest.fixture(scope="module")
def cal():
    return load_calibration("2023")


def _margins(cal) -> dict[int, float]:
    return margin_map(cal.psa_margins)


def _independent_margin(cal, rid: int) -> tuple[float, int]:
    """An agreement's margin straight from the raw JSON: (median margin, covered pairs)."""
    reps = json.loads((RAW / RAW_FILES["ahs"]).read_text())["reporters"]
    listed = [c for c in ECONOMIES if c != "ROW"]
    pref = deepest(cal.agreement_spells, 2023)
    each = []
    for (exp, imp), (kind, r) in pref.items():
        if (kind, r) != ("PSA", rid) or imp not in reps or exp not in reps[imp]:
            continue
        free = sorted(float(v) for e, v in reps[imp].items()
                      if e in listed and e != imp and (e, imp) not in pref
                      and (e, imp) not in SUSPENSION_PAIRS)
        mid = len(free) // 2
        level = free[mid] if len(free) % 2 else (free[mid - 1] + free[mid]) / 2
        each.append(max(0.0, 1.0 - float(reps[imp][exp]) / level))
    each.sort()
    mid = len(each) // 2
    return (each[mid] if len(each) % 2 else (each[mid - 1] + each[mid]) / 2), len(each)


@needs_raw
@pytest.mark.parametrize("rid", [GSTP, APTA_CHINA, EAEU_IRAN])
def test_margin_is_the_median_over_the_agreements_pairs_in_the_raw_excerpt(cal, rid) -> None:
    expected, n = _independent_margin(cal, rid)
    row = cal.psa_margins.set_index("rta_id").loc[rid]
    assert n > 0 and int(row["pairs_in_excerpt"]) == n
    assert float(row["margin"]) == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert row["kind"] == "applied" and row["source_id"] == "wits_ahs"


@needs_raw
def test_gstp_shows_no_preference_and_the_packaged_table_is_the_build(cal) -> None:
    # GSTP (RTA 146): India charges Egypt and Iran more than its level; the median is 0.
    assert _margins(cal)[GSTP] == 0.0
    fresh = build_psa_margins(read_ahs(RAW), cal.agreement_spells)
    pd.testing.assert_frame_equal(fresh, cal.psa_margins, check_dtype=False, rtol=1e-12)


def test_every_psa_in_the_agreements_has_a_labelled_margin(cal) -> None:
    m = cal.psa_margins.set_index("rta_id")
    psa = set(cal.agreement_spells.loc[cal.agreement_spells["type"] == "PSA", "rta_id"])
    assert set(m.index) == psa
    assumed = m[m["kind"] == "assumption"]
    # Without applied-tariff evidence: the assumed share, named an assumption.
    assert (assumed["margin"] == ASSUMED_MARGIN).all()
    assert (assumed["source_id"] == "scosim_rule").all()
    assert assumed["method"].str.startswith("assumption:").all()
    assert {124, 147, 150} <= set(assumed.index)  # SAPTA, PTN, the 1968 Tripartite
    applied = m[m["kind"] == "applied"]
    assert ((applied["margin"] >= 0) & (applied["margin"] < 1)).all()
    assert (applied["pairs_in_excerpt"] > 0).all()


def test_a_pair_under_a_dormant_scheme_pays_the_importers_mfn_rate(cal) -> None:
    """India on Iran (GSTP only): MFN x the composition factor, no 25 % cut."""
    assert deepest(cal.agreement_spells, 2023)[("IRN", "IND")] == ("PSA", GSTP)
    mfn = cal.countries["tariff_mfn"]
    flat = load_calibration("2023", composition=False).tariffs
    assert flat.loc["IRN", "IND"] == pytest.approx(mfn["IND"], rel=1e-12)
    s = composition_factors(cal.trade, fuel_shares(cal.countries))
    a, b = ECONOMIES.index("IRN"), ECONOMIES.index("IND")
    assert cal.tariffs.loc["IRN", "IND"] == pytest.approx(mfn["IND"] * s[a, b], rel=1e-9)


def test_every_psa_cell_is_its_own_agreements_margin_off_mfn(cal) -> None:
    flat = load_calibration("2023", composition=False).tariffs
    mfn = cal.countries["tariff_mfn"]
    margins = _margins(cal)
    cells = [(k, r) for k, (t, r) in deepest(cal.agreement_spells, 2023).items()
             if t == "PSA" and k not in SUSPENSION_PAIRS]
    assert len({r for _, r in cells}) >= 3
    for (exp, imp), rid in cells:
        assert flat.loc[exp, imp] == pytest.approx((1 - margins[rid]) * mfn[imp], rel=1e-12)


def _spells(rows: list[tuple[str, str, int, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(e, i, r, t, "2000-01-01", "", f"agreement {r}") for e, i, r, t in rows],
        columns=["exporter", "importer", "rta_id", "type", "from_date", "to_date", "name"],
    )


def test_build_clips_negative_margins_and_assumes_without_evidence() -> None:
    # IND's partners without agreement: AZE 10, KAZ 12, MNG 14 (median 12 for the PSA cells).
    ahs = {"IND": {"AZE": 10.0, "KAZ": 12.0, "MNG": 14.0, "IRN": 15.0, "EGY": 9.0,
                   "CHN": 6.0}}
    spells = _spells([("IRN", "IND", 7, "PSA"), ("EGY", "IND", 7, "PSA"),
                      ("CHN", "IND", 7, "PSA"), ("CHN", "IND", 3, "FTA"),
                      ("TUR", "IRN", 9, "PSA")])
    t = build_psa_margins(ahs, spells).set_index("rta_id")
    # IRN: 1 - 15/12 < 0 -> 0; EGY: 1 - 9/12 = 0.25; CHN is under the FTA, not agreement 7.
    assert t.loc[7, "margin"] == pytest.approx(statistics.median([0.0, 0.25]))
    assert (t.loc[7, "pairs"], t.loc[7, "pairs_in_excerpt"]) == (2, 2)
    assert t.loc[9, "margin"] == ASSUMED_MARGIN and t.loc[9, "kind"] == "assumption"
    assert 3 not in t.index
    with pytest.raises(RawDataError, match="RTA 5"):
        psa_margin(margin_map(t.reset_index()), 5)
