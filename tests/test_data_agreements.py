"""Data version 2023: trade agreements in force and the bilateral tariff matrix."""

from __future__ import annotations

import csv
import itertools
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _raw import RAW, needs_raw_file  # tests/ on sys.path
from scosim.data import EAEU, ECONOMIES, load_calibration
from scosim.data.agreements import (
    WTO_NAMES,
    _bloc_members,
    by_year,
    deepest,
    in_force,
    read_rta_rows,
)
from scosim.data.ahs_check import (
    AHS_LIST_PP,
    AHS_TARGET_SHARE,
    AHS_TOLERANCE_PP,
    ahs_ceiling,
    ahs_comparison,
    ahs_disagreements,
    ahs_levels,
    ahs_like_for_like,
    ahs_report,
    share_within,
)
from scosim.data.build import RAW_FILES
from scosim.data.psa_margins import margin_map
from scosim.data.suspension import KINDS
from scosim.data.tariffs import tariff_revenue

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "data.md"
needs_raw = needs_raw_file(RAW_FILES["ahs"])


@pytest.fixture(scope="module")
def cal():
    return load_calibration("2023")


def _types(cal, i: str, j: str, year: int) -> dict[int, str]:
    a = cal.agreements
    sub = a[(a["exporter"] == i) & (a["importer"] == j) & (a["year"] == year)]
    return dict(zip(sub["rta_id"], sub["type"], strict=True))


def _ahs() -> dict[str, dict[str, float]]:
    return json.loads((RAW / RAW_FILES["ahs"]).read_text())["reporters"]


def _fuel(cal) -> pd.Series:
    """Fuel-export shares as the rebuild uses them (WDI; Turkmenistan's year 2000)."""
    f = cal.countries["fuel_exports_pct"] / 100.0
    with open(RAW / RAW_FILES["fuel_exp"], newline="") as fh:
        tkm = {
            int(r["Year"]): float(r["Value"])
            for r in csv.DictReader(fh)
            if r["Country Code"] == "TKM"
        }
    return f.fillna(tkm[max(tkm)] / 100.0)


# ------------------------------------------------------------------ the agreements table


def test_agreements_table_shape_and_symmetry(cal) -> None:
    a = cal.agreements
    assert set(a["type"]) == {"CU", "FTA", "PSA"}
    assert not a.duplicated(["exporter", "importer", "year", "rta_id"]).any()
    assert a["year"].between(1990, 2026).all()
    # Agreements bind both parties: the table is symmetric in every year.
    fwd = set(zip(a["exporter"], a["importer"], a["year"], a["rta_id"], strict=True))
    assert fwd == {(j, i, y, r) for i, j, y, r in fwd}
    assert not (a["exporter"] == a["importer"]).any()


def test_eaeu_customs_union_not_before_2010_tariffs_zero_through_ftas(cal) -> None:
    """Issue 10 asks "EAEU pairs zero in 2023 and positive before 2010". The WTO file says the
    pairs were already duty-free before 2010 through FTAs, so what is tested is the kind: no
    customs union before 2010 (Belarus-Kazakhstan-Russia from 2010, the EAEU from 2015,
    Armenia and Kyrgyzstan by accession in 2015), FTAs before (docs/data.md)."""
    tau = cal.tariffs
    trio = {"BLR", "KAZ", "RUS"}
    for i, j in itertools.permutations(EAEU, 2):
        assert _types(cal, i, j, 2023).get(909) == "CU", (i, j)
        assert tau.loc[i, j] == 0.0
        for year in range(1994, 2010):
            assert "CU" not in _types(cal, i, j, year).values(), (i, j, year)
        # Zero tariff before 2010 through FTAs in force (the literal "positive" is not true).
        assert set(_types(cal, i, j, 2009).values()) == {"FTA"}, (i, j)
        for year in range(2010, 2015):
            types = _types(cal, i, j, year)
            assert 909 not in types
            if {i, j} <= trio:
                assert types.get(857) == "CU", (i, j, year)
            else:  # Armenia and Kyrgyzstan: FTAs only until their accession in 2015
                assert "CU" not in types.values(), (i, j, year)
    # Russia-Kazakhstan in 2009: the 1994 CIS FTA, the EurAsEC (no common external tariff),
    # the Common Economic Zone, their 1993 bilateral FTA and the 1997 treaty that became the
    # 2010 customs union, all as FTAs.
    assert _types(cal, "RUS", "KAZ", 2009) == {
        99: "FTA",
        106: "FTA",
        579: "FTA",
        832: "FTA",
        857: "FTA",
    }
    spells = cal.agreement_spells
    rk = spells[
        (spells["exporter"] == "RUS") & (spells["importer"] == "KAZ") & (spells["rta_id"] == 857)
    ]
    assert rk[["type", "from_date", "to_date"]].values.tolist() == [
        ["FTA", "1997-12-03", "2010-01-01"],
        ["CU", "2010-01-01", "2015-01-01"],
    ]


def test_kyrgyzstan_russia_zero_from_accession(cal) -> None:
    # Accession on 12 August 2015 (WTO per-party date); in force at the end of 2015.
    assert 909 in _types(cal, "KGZ", "RUS", 2015) and 909 not in _types(cal, "KGZ", "RUS", 2014)
    assert _types(cal, "KGZ", "RUS", 2015).get(922) == "CU"
    assert "CU" not in _types(cal, "KGZ", "RUS", 2014).values()
    spells = cal.agreement_spells
    row = spells[
        (spells["exporter"] == "KGZ") & (spells["importer"] == "RUS") & (spells["rta_id"] == 909)
    ]
    assert row["from_date"].tolist() == ["2015-08-12"]
    assert cal.tariffs.loc["KGZ", "RUS"] == 0.0 == cal.tariffs.loc["RUS", "KGZ"]


def test_cis_fta_pairs_are_zero(cal) -> None:
    # Russia-Uzbekistan: 1993 bilateral FTA and the 1994 CIS FTA (Uzbekistan is outside the
    # 2011 treaty in the WTO file); Kazakhstan-Tajikistan: the 2011 CIS FTA.
    assert _types(cal, "RUS", "UZB", 2023) == {99: "FTA", 861: "FTA"}
    assert _types(cal, "KAZ", "TJK", 2023) == {762: "FTA"}
    for i, j in (("RUS", "UZB"), ("UZB", "RUS"), ("KAZ", "TJK"), ("TJK", "KAZ")):
        assert cal.tariffs.loc[i, j] == 0.0, (i, j)
        assert cal.source_of("value", f"{i}-{j}", table="tariffs")["source_id"] == "wto_rta"


def test_1994_cis_fta_is_replaced_only_between_parties_of_the_2011_treaty(cal) -> None:
    """RTA 762 replaced RTA 99 between its own parties; with Azerbaijan, Uzbekistan and
    Turkmenistan (outside 762) the 1994 agreement stays in force."""
    for i, j in (("AZE", "BLR"), ("AZE", "TJK"), ("ARM", "UZB"), ("BLR", "UZB"), ("UZB", "TJK")):
        assert _types(cal, i, j, 2023) == {99: "FTA"}, (i, j)
        assert cal.tariffs.loc[i, j] == 0.0 == cal.tariffs.loc[j, i]
    spells = cal.agreement_spells

    def span(i: str, j: str, rid: int) -> list[list[str]]:
        sub = spells[
            (spells["exporter"] == i) & (spells["importer"] == j) & (spells["rta_id"] == rid)
        ]
        return sub[["from_date", "to_date"]].values.tolist()

    # Between two parties of 762, RTA 99 ends when 762 binds both (the later entry): for
    # Kyrgyzstan-Russia on Kyrgyzstan's entry (13 December 2013), not on Russia's (2012).
    assert span("KGZ", "RUS", 99) == [["1995-12-28", "2013-12-13"]]
    assert span("KGZ", "RUS", 762) == [["2013-12-13", ""]]
    assert span("ARM", "BLR", 99) == [["1994-12-30", "2012-10-17"]]


def test_china_pakistan_below_mfn_china_russia_at_mfn(cal) -> None:
    flat = load_calibration("2023", composition=False).tariffs
    mfn = cal.countries["tariff_mfn"]
    assert deepest(cal.agreement_spells, 2023)[("CHN", "PAK")] == ("FTA", 153)
    assert cal.tariffs.loc["CHN", "PAK"] < mfn["PAK"] and cal.tariffs.loc["PAK", "CHN"] < mfn["CHN"]
    assert _types(cal, "CHN", "RUS", 2023) == {}
    assert flat.loc["CHN", "RUS"] == mfn["RUS"] and flat.loc["RUS", "CHN"] == mfn["CHN"]


def test_india_pakistan_suspension(cal) -> None:
    mfn = cal.countries["tariff_mfn"]
    assert cal.tariffs.loc["IND", "PAK"] > 5 * mfn["PAK"]
    assert cal.tariffs.loc["PAK", "IND"] > 5 * mfn["IND"]
    assert cal.source_of("value", "PAK-IND", table="tariffs")["source_id"] == "ind_pak_suspension"
    # SAFTA is in force for the pair; the suspension overrides it.
    assert _types(cal, "PAK", "IND", 2023).get(188) == "FTA"


def test_blocs_expand_with_member_dates(cal) -> None:
    # ASEAN-India: Cambodia from 15 July 2011, Myanmar from 1 June 2010 (per-party dates).
    assert 438 in _types(cal, "KHM", "IND", 2011) and 438 not in _types(cal, "KHM", "IND", 2010)
    assert 438 in _types(cal, "MMR", "IND", 2010)
    assert 42 in _types(cal, "CHN", "KHM", 2005)
    # GCC customs union; EAEU-Iran: interim agreement (partial scope) until 2025, then FTA.
    assert _types(cal, "QAT", "SAU", 2023).get(17) == "CU"
    assert _types(cal, "IRN", "RUS", 2023) == {1028: "PSA"}
    assert _types(cal, "IRN", "RUS", 2025) == {1316: "FTA"}
    # A bloc's agreement with a third party does not link the bloc's own members.
    assert 1149 not in _types(cal, "RUS", "KAZ", 2023)  # EAEU-Serbia


def test_asean_agreements_with_outsiders_do_not_link_cambodia_and_myanmar(cal) -> None:
    # ASEAN-Japan, -India, -Australia-New Zealand and -Hong Kong date Cambodia and Myanmar
    # on their own ("Specific Entry/Exit dates") as members of the ASEAN party: they link
    # each with the outside partner, not the two with each other (they once did).
    spells = cal.agreement_spells
    pair = spells[spells["exporter"].isin(["KHM", "MMR"]) & spells["importer"].isin(["KHM", "MMR"])]
    assert set(pair["rta_id"]) == {126, 1170}  # AFTA and its 1993 predecessor
    assert set(pair["name"]) == {"ASEAN Free Trade Area (AFTA)"}
    prov = cal.provenance[(cal.provenance["table"] == "tariffs")
                          & cal.provenance["key"].isin(["KHM-MMR", "MMR-KHM"])]
    assert set(prov["method"]) == {"derived:zero, FTA RTA 1170 in force 2023"}
    assert cal.tariffs.loc["KHM", "MMR"] == cal.tariffs.loc["MMR", "KHM"] == 0.0
    # Each is still linked with India from its own date.
    assert 438 in _types(cal, "KHM", "IND", 2023) and 438 in _types(cal, "MMR", "IND", 2010)


@needs_raw
def test_no_agreement_of_a_bloc_links_members_it_does_not_name(cal) -> None:
    """A bloc's agreement with outsiders links two members only if both signed it themselves."""
    rows = read_rta_rows(RAW)
    blocs = _bloc_members(rows, RAW_FILES["rta"])
    pairs = set(zip(cal.agreement_spells["rta_id"], cal.agreement_spells["exporter"],
                    cal.agreement_spells["importer"], strict=True))
    checked = 0
    for row in rows:
        signed = {p.strip() for c in ("Original signatories", "Current signatories")
                  for p in str(row[c] or "").split(";")}
        own = {WTO_NAMES[n] for n in signed if n in WTO_NAMES}
        for bloc in signed & set(blocs):
            inside = set(blocs[bloc]) - own
            rid = int(row["RTA ID"])
            assert not {(i, j) for r, i, j in pairs if r == rid and {i, j} <= inside}, (rid, bloc)
            checked += 1
    assert checked >= 10  # ASEAN's, the GCC's and the EAEU's agreements with outsiders
    # Plurilaterals whose parties are all mutual still link every pair of them.
    for rid, i, j in ((762, "RUS", "KAZ"), (909, "RUS", "KAZ"), (188, "IND", "PAK"),
                      (188, "AFG", "NPL"), (16, "KWT", "ARE"), (1170, "KHM", "MMR")):
        assert (rid, i, j) in pairs and (rid, j, i) in pairs, (rid, i, j)


def test_in_force_uses_the_31_december_rule(cal) -> None:
    spells = cal.agreement_spells
    tur_are = spells[(spells["exporter"] == "TUR") & (spells["importer"] == "ARE")]
    assert tur_are["from_date"].tolist() == ["2023-09-01"]
    assert len(in_force(tur_are, 2023)) == 1 and len(in_force(tur_are, 2022)) == 0


def _by_year_one_year_at_a_time(spells: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """The definition: :func:`in_force` on 31 December of every year, concatenated."""
    cols = ["exporter", "importer", "year", "rta_id", "type", "name"]
    return pd.concat([in_force(spells, y).assign(year=y)[cols] for y in range(first, last + 1)],
                     ignore_index=True)


def test_by_year_is_in_force_year_by_year(cal) -> None:
    """The long table (computed from each spell's years) equals the year-by-year definition."""
    spells = cal.agreement_spells
    edge = pd.DataFrame({  # ends on 31 December, ends on 1 January, within one year, open
        "exporter": ["AAA", "BBB", "CCC", "DDD", "EEE"],
        "importer": ["ZZZ"] * 5,
        "rta_id": [1, 2, 3, 4, 5],
        "type": ["FTA", "CU", "PSA", "FTA", "CU"],
        "from_date": ["2001-01-01", "2001-12-31", "2005-03-01", "2010-06-30", "1980-01-01"],
        "to_date": ["2003-12-31", "2004-01-01", "2005-09-01", "", "1985-01-01"],
        "name": ["a", "b", "c", "d", "e"],
    })
    for table in (spells, edge, pd.concat([edge, spells], ignore_index=True), spells.iloc[:0]):
        for first, last in ((1990, 2026), (2001, 2004), (2005, 2005), (1950, 1960)):
            pd.testing.assert_frame_equal(by_year(table, first, last),
                                          _by_year_one_year_at_a_time(table, first, last))
    assert set(by_year(edge, 2000, 2012).groupby("rta_id")["year"].apply(tuple).items()) == {
        (1, (2001, 2002)), (2, (2001, 2002, 2003)), (4, (2010, 2011, 2012))}


# ---------------------------------------------------------------- tariffs and the excerpt


@needs_raw
def test_composition_adjustment_follows_fuel_shares(cal) -> None:
    """The factor tau / tau_flat is (1 - f_i) / mean_j: ratios across suppliers follow fuel."""
    f = _fuel(cal)
    tau = cal.tariffs
    flat = load_calibration("2023", composition=False).tariffs
    for j, i, k in (("IND", "RUS", "CHN"), ("CHN", "SAU", "IND"), ("TUR", "KAZ", "CHN")):
        ratio = (tau.loc[i, j] / flat.loc[i, j]) / (tau.loc[k, j] / flat.loc[k, j])
        assert ratio == pytest.approx((1 - f[i]) / (1 - f[k]), rel=1e-9)
    # Russia (mostly fuel) faces a lower rate in India than China does, before preferences.
    assert (
        tau.loc["RUS", "IND"] / flat.loc["RUS", "IND"]
        < tau.loc["CHN", "IND"] / flat.loc["CHN", "IND"]
    )
    # Each importer's import-weighted mean rate is unchanged by the adjustment (MFN partners
    # and preference partners alike are rescaled, so compare before preferences on ROW).
    x = cal.trade
    for j in ("CHN", "IND", "TUR", "KAZ"):
        w = x[j].drop(j)
        w = w / w.sum()
        s = (1 - f.loc[w.index]) / float((w * (1 - f.loc[w.index])).sum())
        assert (w * s).sum() == pytest.approx(1.0, rel=1e-12)
        assert tau.loc["ROW", j] == pytest.approx(flat.loc["ROW", j] * s["ROW"], rel=1e-9)


def test_psa_cells_are_their_agreements_documented_fraction_of_mfn(cal) -> None:
    flat = load_calibration("2023", composition=False).tariffs
    mfn = cal.countries["tariff_mfn"]
    # Russia on Iran: the EAEU-Iran interim agreement (partial scope) only.
    kind, rid = deepest(cal.agreement_spells, 2023)[("IRN", "RUS")]
    assert kind == "PSA"
    margin = margin_map(cal.psa_margins)[rid]
    assert 0 < margin < 1
    assert flat.loc["IRN", "RUS"] == pytest.approx((1 - margin) * mfn["RUS"], rel=1e-12)


def test_revenue_effect_of_the_composition_adjustment_is_documented(cal) -> None:
    flat = load_calibration("2023", composition=False)
    # Pakistan's ban on Indian goods collects nothing: its tariff equivalent books none.
    bans = [pair for pair, kind in KINDS.items() if kind == "ban"]
    on = tariff_revenue(cal.trade, cal.tariffs, bans)
    off = tariff_revenue(flat.trade, flat.tariffs, bans)
    assert tariff_revenue(cal.trade, cal.tariffs) - on == pytest.approx(
        cal.trade.loc["IND", "PAK"] * cal.tariffs.loc["IND", "PAK"], rel=1e-9)
    assert cal.manifest["tariff_revenue_usd"] == {
        "composition_adjusted": round(on),
        "flat": round(off),
    }
    text = DOC.read_text(encoding="utf-8")
    assert f"US${on / 1e9:,.1f} bn" in text and f"US${off / 1e9:,.1f} bn" in text
    assert f"{100 * (on / off - 1):+.1f} %" in text


def _flat():
    return load_calibration("2023", composition=False).tariffs


@needs_raw
def test_ahs_check_section_of_docs_is_the_computed_report(cal) -> None:
    report = ahs_report(
        cal.tariffs, _flat(), cal.countries["tariff_mfn"], _ahs(), cal.agreement_spells
    )
    assert report in DOC.read_text(encoding="utf-8")


@needs_raw
def test_every_ahs_duty_free_cell_is_zero_in_the_built_matrix(cal) -> None:
    """The kind check of the agreement layer: what AHS shows duty-free (EAEU, GCC, the CIS
    FTAs, including Armenia-Uzbekistan and Azerbaijan-Belarus/-Tajikistan through the 1994
    CIS FTA) has an agreement in force and a zero tariff."""
    comp = ahs_comparison(cal.tariffs, _ahs())
    zero = comp[comp["ahs_pct"] == 0.0]
    assert len(zero) >= 25
    pref = deepest(cal.agreement_spells, 2023)
    for imp, exp in zip(zero["importer"], zero["exporter"], strict=True):
        assert (exp, imp) in pref and cal.tariffs.loc[exp, imp] == 0.0, (imp, exp)


@needs_raw
def test_like_for_like_view_is_the_preference_structure_on_a_leave_one_out_level(cal) -> None:
    ahs = _ahs()
    mfn = cal.countries["tariff_mfn"]
    view = ahs_like_for_like(_flat(), mfn, ahs, cal.agreement_spells)
    v = view.set_index(["importer", "exporter"])
    assert v.loc[("TUR", "CHN"), "view_pct"] == pytest.approx(v.loc[("TUR", "CHN"), "level_pct"])
    assert v.loc[("ARM", "RUS"), "view_pct"] == 0.0  # EAEU
    _, rid = deepest(cal.agreement_spells, 2023)[("IRN", "LKA")]
    assert v.loc[("LKA", "IRN"), "view_pct"] == pytest.approx(
        (1 - margin_map(cal.psa_margins)[rid]) * v.loc[("LKA", "IRN"), "level_pct"]
    )
    assert v.loc[("IND", "PAK"), "group"] == "suspension"
    # Leave one out: a cell's own AHS value does not move its level, but moves the others'.
    changed = json.loads(json.dumps(ahs))
    changed["LKA"]["RUS"] = 95.0
    before = ahs_levels(ahs, cal.agreement_spells)
    after = ahs_levels(changed, cal.agreement_spells)
    assert after[("LKA", "RUS")] == before[("LKA", "RUS")]
    assert any(after[k] != before[k] for k in after if k[0] == "LKA" and k[1] != "RUS")
    # The level is a median of AHS values on partners without an agreement.
    lka = [
        x
        for e, x in ahs["LKA"].items()
        if e in ECONOMIES
        and e not in ("RUS", "LKA")
        and (e, "LKA") not in deepest(cal.agreement_spells, 2023)
    ]
    assert before[("LKA", "RUS")] == pytest.approx(float(np.median(lka)))


@needs_raw
def test_ceiling_of_one_rate_per_importer_is_below_the_target(cal) -> None:
    """Why 80 % is out of reach: even a rate per importer fitted to the excerpt itself, with
    every preferential cell counted as matched, leaves too many partners outside 1.5 pp."""
    ahs = _ahs()
    ceiling = ahs_ceiling(ahs, cal.agreement_spells)
    # Brute force over a fine grid of levels, independently of the window search.
    pref = deepest(cal.agreement_spells, 2023)
    hit = total = 0
    for imp, row in ahs.items():
        cells = [(e, x) for e, x in row.items() if e in ECONOMIES and e != imp]
        free = [x for e, x in cells if (e, imp) not in pref]
        grid = np.arange(0.0, 30.0, 0.005)
        best = max(sum(abs(x - lv) <= AHS_TOLERANCE_PP + 1e-9 for x in free) for lv in grid)
        hit += len(cells) - len(free) + best
        total += len(cells)
    assert ceiling == pytest.approx(hit / total)
    assert ceiling < AHS_TARGET_SHARE


@needs_raw
@pytest.mark.xfail(
    strict=True,
    reason="issue 10 asks >= 80 % within 1.5 pp; on the like-for-like basis the built matrix "
    "reaches about 60 %, and no matrix with one non-preferential rate per importer can reach "
    "80 % (ceiling 79 %: AHS simple averages vary with each partner's line mix; docs/data.md)",
)
def test_agreement_with_ahs_excerpt_reaches_80_percent(cal) -> None:
    view = ahs_like_for_like(_flat(), cal.countries["tariff_mfn"], _ahs(), cal.agreement_spells)
    view = view[view["group"] != "suspension"]
    assert share_within(view["diff_pp"]) >= AHS_TARGET_SHARE


@needs_raw
def test_every_large_disagreement_is_listed_with_a_reason(cal) -> None:
    big = ahs_disagreements(
        cal.tariffs, _flat(), cal.countries["tariff_mfn"], _ahs(), cal.agreement_spells
    )
    assert len(big) > 0 and (big["diff_pp"].abs() > AHS_LIST_PP).all()
    text = DOC.read_text(encoding="utf-8")
    rows = {}
    for m in re.finditer(
        r"^\| (\w{3}) \| (\w{3}) \| ([\d.]+) \| ([\d.]+) \| (.+?) \|$", text, re.M
    ):
        rows[(m[1], m[2])] = (float(m[3]), float(m[4]), m[5].strip())
    for imp, exp, built, ref, reason in zip(
        big["importer"],
        big["exporter"],
        big["built_pct"],
        big["ahs_pct"],
        big["reason"],
        strict=True,
    ):
        assert (imp, exp) in rows, f"docs/data.md does not list {imp} <- {exp}"
        doc_built, doc_ref, doc_reason = rows[(imp, exp)]
        assert doc_built == pytest.approx(built, abs=0.006) and doc_ref == pytest.approx(
            ref, abs=0.006
        )
        assert doc_reason == reason
    assert len(rows) == len(big)
    # No cell is left unexplained as "no agreement" any more (the CIS FTA fix).
    assert not big["reason"].str.startswith("duty-free in AHS").any()


def test_mfn_vector_used_by_cet_rules(cal) -> None:
    mfn = cal.vector("tariff_mfn")
    assert mfn.shape == (len(ECONOMIES),) and np.isfinite(mfn).all() and (mfn > 0).all()
    # One common external tariff for the five EAEU members.
    assert len({cal.countries.loc[e, "tariff_mfn"] for e in EAEU}) == 1
    assert math.isclose(
        cal.countries.loc["BLR", "tariff_mfn"], cal.countries.loc["RUS", "tariff_mfn"]
    )
