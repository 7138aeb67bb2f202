"""Security tables: rebuilt from raw files byte for byte, recomputed figures, bad input."""

from __future__ import annotations

import csv
import math
import shutil

import numpy as np
import pytest

from _raw import RAW as RAW_ROOT  # tests/ on sys.path
from _raw import needs_raw_file
from scosim.data.build import RawDataError
from scosim.data.constants import ECONOMIES, LISTED
from scosim.security.build import (
    RAW,
    TABLE_NAMES,
    build_security_tables,
    check_security_tables,
)
from scosim.security.calibration import (
    TABLES_DIR,
    SecurityTableError,
    load_security_calibration,
)

RAW_DIR = RAW_ROOT
needs_raw = needs_raw_file(RAW["gti"])


@needs_raw
def test_shipped_tables_equal_a_fresh_build_and_builds_are_identical():
    a = build_security_tables(RAW_DIR)
    b = build_security_tables(RAW_DIR)
    assert a == b
    assert check_security_tables(a, TABLES_DIR) == []


@needs_raw
def test_figures_recomputed_from_the_raw_files():
    with open(RAW_DIR / RAW["gti"], newline="") as fh:
        pak = [float(r["Incidents"]) for r in csv.DictReader(fh)
               if r["iso3c"] == "PAK" and 2018 <= int(r["Year"]) <= 2022]
    cal = load_security_calibration()
    assert cal.base_rate[ECONOMIES.index("PAK")] == pytest.approx(math.fsum(pak) / 5, rel=1e-6)
    kg = {"Heroin": 0.0, "Illicit morphine": 0.0, "Opium": 0.0}
    with open(RAW_DIR / RAW["unodc"], newline="") as fh:
        for r in csv.DictReader(fh):
            if r["msCode"] == "IRN" and r["Reference year"] == "2020" and r["DrugName"] in kg:
                kg[r["DrugName"]] += float(r["Kilograms"])
    want = (kg["Heroin"] + kg["Illicit morphine"] + kg["Opium"] / 10) / 1e3
    assert cal.seizures_t[2020][ECONOMIES.index("IRN")] == pytest.approx(want, rel=1e-5)


@needs_raw
def test_rows_are_keyed_by_country_name_where_the_file_s_codes_are_shifted():
    """In 2020 the file's iso3c is shifted against its names in 80 of 163 rows (the RUS
    row is Greece's). The names are right: their 2020 incidents lie closer to the same
    country's 2019 and 2021 than the codes' do. The tables follow the names."""
    import pandas as pd

    g = pd.read_csv(RAW_DIR / RAW["gti"])
    name = g[g["Year"] != 2020].groupby("iso3c")["Country"].agg(lambda c: c.mode().iloc[0])
    y20 = g[g["Year"] == 2020]
    y20 = y20[y20["Country"] != y20["iso3c"].map(name)]
    assert len(y20) == 80
    # (Scores cannot tell: rows are in rank order and shifted by one, so neighbours'
    # scores are alike; incidents can: 88 against 202 summed over the 80 rows.)
    inc = g.set_index(["Country", "Year"])["Incidents"]
    near = {c: (inc[(c, 2019)] + inc[(c, 2021)]) / 2 for c in name}
    by_name = sum(abs(r.Incidents - near[r.Country]) for r in y20.itertuples())
    by_code = sum(abs(r.Incidents - near[name[r.iso3c]]) for r in y20.itertuples())
    assert by_name < by_code / 2
    cal = load_security_calibration()
    for iso in LISTED:
        rows = g[(g["Country"] == name.get(iso)) & g["Year"].between(2018, 2022)]
        if len(rows) == 5:
            want = math.fsum(rows["Incidents"]) / 5
            assert cal.base_rate[ECONOMIES.index(iso)] == pytest.approx(want, rel=1e-6), iso
    assert cal.base_rate[ECONOMIES.index("RUS")] == pytest.approx(5.6)  # Greece's 43 gave 13


def test_only_land_borders_are_borders():
    # CEPII's contiguity has the UAE next to Qatar (a border ceded to Saudi Arabia in
    # 1974); Qatar's one land border is Saudi Arabia's (CIA World Factbook).
    with open(TABLES_DIR / "borders.csv", newline="") as fh:
        pairs = {(r["iso_a"], r["iso_b"]) for r in csv.DictReader(fh)}
    assert ("ARE", "QAT") not in pairs and ("QAT", "ARE") not in pairs
    assert ("QAT", "SAU") in pairs and ("ARE", "SAU") in pairs


@needs_raw
def test_a_corrupted_raw_file_is_reported_with_file_and_line(tmp_path):
    for name in RAW.values():
        shutil.copy(RAW_DIR / name, tmp_path / name)
    p = tmp_path / RAW["gti"]
    lines = p.read_text().splitlines()
    k = next(i for i, ln in enumerate(lines) if ln.startswith("PAK,"))
    cols = lines[k].split(",")
    cols[4] = "many"
    lines[k] = ",".join(cols)
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(RawDataError, match=rf"{RAW['gti']}: line {k + 1}: Incidents"):
        build_security_tables(tmp_path)
    shutil.copy(RAW_DIR / RAW["gti"], p)
    (tmp_path / RAW["unodc"]).unlink()
    with pytest.raises(RawDataError, match="raw file not found"):
        build_security_tables(tmp_path)


def test_loader_reports_bad_values_with_file_line_and_field(tmp_path):
    for name in TABLE_NAMES:
        shutil.copy(TABLES_DIR / f"{name}.csv", tmp_path / f"{name}.csv")
    p = tmp_path / "capacity.csv"
    lines = p.read_text().splitlines()
    cols = lines[3].split(",")
    cols[1] = "-0.2"
    lines[3] = ",".join(cols)
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(SecurityTableError, match=r"capacity.csv: line 4, field 'milex_share_gdp'"):
        load_security_calibration(tmp_path)
    (tmp_path / "borders.csv").write_text("iso_a,iso_b,source\nCHN,XXX,x\n")
    shutil.copy(TABLES_DIR / "capacity.csv", p)
    with pytest.raises(SecurityTableError, match=r"borders.csv: line 2, field 'iso_b'"):
        load_security_calibration(tmp_path)
    shutil.copy(TABLES_DIR / "borders.csv", tmp_path / "borders.csv")
    ab = tmp_path / "afghan_borders.csv"
    ab.write_text(ab.read_text() + "KAZ,100,cia_factbook\n")
    with pytest.raises(SecurityTableError,
                       match=r"afghan_borders.csv: line 8, field 'iso3': KAZ has no land border"):
        load_security_calibration(tmp_path)
    ab.write_text("iso3,border_km,source\nPAK,2670,cia_factbook\n")
    with pytest.raises(SecurityTableError, match=r"afghan_borders.csv: no border length for AFG"):
        load_security_calibration(tmp_path)
    (tmp_path / "threat.csv").unlink()
    with pytest.raises(SecurityTableError, match="threat.csv: table not found"):
        load_security_calibration(tmp_path)


def test_shipped_tables_cover_every_listed_economy_with_a_source():
    cal = load_security_calibration()
    assert cal.codes == ECONOMIES
    for field in ("base_rate", "milex_share"):
        src = cal.sources[field]
        assert all(s not in ("", "none") for s in src[: len(LISTED)]), field
    assert np.all(cal.gdp_usd[: len(LISTED)] > 0)
    # Land borders are symmetric and Afghanistan's six neighbours are all listed.
    assert (cal.contiguity == cal.contiguity.T).all()
    afg = {ECONOMIES[j] for j in np.flatnonzero(cal.contiguity[ECONOMIES.index("AFG")])}
    assert afg == {"CHN", "PAK", "IRN", "TJK", "UZB", "TKM"}


def test_no_global_terrorism_database_fields_are_shipped():
    # The GTD (event-level, not redistributable) has eventid/iyear columns; we ship GTI only.
    for name in TABLE_NAMES:
        header = (TABLES_DIR / f"{name}.csv").read_text().splitlines()[0].lower()
        assert "eventid" not in header and "iyear" not in header
