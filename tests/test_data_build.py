"""Rebuild from the raw files: recomputed figures, determinism, check and bad input."""

from __future__ import annotations

import csv
import functools
import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _raw import RAW, needs_raw_file  # tests/ on sys.path
from scosim.data import ECONOMIES, LISTED, ROW, load_calibration
from scosim.data.build import (
    CIF_FOB_FACTOR,
    DOTS_NAMES,
    RAW_FILES,
    RawDataError,
    build_tables,
    check_tables,
    ras,
    serialise,
    write_tables,
)
from scosim.data.calibration import TABLES_DIR, load_calibration_from

needs_raw = needs_raw_file(RAW_FILES["gdp"])


def _wdi(fname: str, code: str, year: int) -> float:
    with open(RAW / fname, newline="") as fh:
        for row in csv.DictReader(fh):
            if row["Country Code"] == code and row["Year"] == str(year):
                return float(row["Value"])
    raise LookupError((fname, code, year))


@functools.cache
def _dots_cells() -> dict[tuple[str, str, str, str], tuple[float, str]]:
    with open(RAW / RAW_FILES["dots"], newline="") as fh:
        return {
            (r["reporter_iso3"], r["partner_dots_name"], r["flow"], r["year"]): (
                float(r["value"]) * 1e6,
                r["flag"],
            )
            for r in csv.DictReader(fh)
        }


def _dots(reporter: str, partner: str, flow: str, year: int) -> tuple[float, str]:
    return _dots_cells()[(reporter, DOTS_NAMES[partner], flow, str(year))]


def _tables_digest(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(q for q in path.rglob("*") if q.is_file()):
        h.update(str(p.relative_to(path)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


# ----------------------------------------------------------------------------- RAS (pure)


def test_ras_rank_one_seed_has_closed_form() -> None:
    """A rank-one seed scales to r c^T / total (the unique RAS solution)."""
    rng = np.random.default_rng(3)
    seed = np.outer(rng.uniform(1, 5, 6), rng.uniform(1, 5, 5))
    r = rng.uniform(1, 10, 6)
    c = rng.uniform(1, 10, 5)
    c *= r.sum() / c.sum()
    np.testing.assert_allclose(ras(seed, r, c), np.outer(r, c) / r.sum(), rtol=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=10_000))
def test_ras_hits_margins_and_keeps_cross_ratios(seed_int: int) -> None:
    rng = np.random.default_rng(seed_int)
    n = int(rng.integers(2, 7))
    seed = rng.uniform(0.1, 10, (n, n))
    r = rng.uniform(1, 10, n)
    c = rng.uniform(1, 10, n)
    c *= r.sum() / c.sum()
    x = ras(seed, r, c)
    np.testing.assert_allclose(x.sum(axis=1), r, rtol=1e-9)
    np.testing.assert_allclose(x.sum(axis=0), c, rtol=1e-6)
    # Biproportional scaling leaves every cross-product ratio of the seed unchanged.
    np.testing.assert_allclose(
        x[0, 0] * x[1, 1] / (x[0, 1] * x[1, 0]),
        seed[0, 0] * seed[1, 1] / (seed[0, 1] * seed[1, 0]),
        rtol=1e-9,
    )


def test_ras_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        ras(np.array([[1.0, -1.0], [1.0, 1.0]]), np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="differs"):
        ras(np.ones((2, 2)), np.ones(2), 2 * np.ones(2))
    with pytest.raises(ValueError, match="shapes"):
        ras(np.ones((2, 3)), np.ones(2), np.ones(2))


# ------------------------------------------------------------------- against the raw files


@needs_raw
def test_levels_match_raw_wdi_exactly() -> None:
    # Version 2019 keeps every WDI total; version 2023 replaces Afghanistan's (tested in
    # test_data_trade2023.py).
    c = load_calibration("2019").countries
    for iso in ("CHN", "KAZ", "TKM", "MDV", "ARE", "AFG"):
        assert c.loc[iso, "gdp_usd"] == _wdi(RAW_FILES["gdp"], iso, 2023)
        assert c.loc[iso, "population"] == _wdi(RAW_FILES["pop"], iso, 2023)
        assert c.loc[iso, "exports_usd"] == _wdi(RAW_FILES["exports"], iso, 2023)
    for field, fname in (("gdp_usd", "gdp"), ("population", "pop"), ("imports_usd", "imports")):
        world = _wdi(RAW_FILES[fname], "WLD", 2023)
        listed = sum(_wdi(RAW_FILES[fname], iso, 2023) for iso in LISTED)
        assert c.loc[ROW, field] == pytest.approx(world - listed, rel=1e-12)
    # TKM is the vintage trap named in SOURCES.md: 39.0 bn in this vintage (59.9 bn in older).
    assert c.loc["TKM", "gdp_usd"] == pytest.approx(39.0e9, rel=0.01)


@needs_raw
def test_bilateral_flows_keep_the_dots_pattern() -> None:
    """RAS preserves cross-ratios, so the flows of data version 2019 must reproduce raw
    2019 DOTS ratios.

    Cells are built here independently from the raw file: importer-reported CIF where
    reported, else exporter FOB times the documented CIF/FOB factor.
    """
    cal = load_calibration("2019")
    p = cal.provenance
    pat = p[(p["table"] == "trade") & (p["field"] == "pattern_2019")].set_index("key")["method"]

    def pattern(i: str, j: str) -> float:
        method = pat[f"{i}-{j}"]
        if method == "reported:importer_cif":
            value, flag = _dots(j, i, "imports_cif", 2019)
            assert flag == ""
            return value
        assert method == f"fallback:exporter_fob*{CIF_FOB_FACTOR}"
        value, flag = _dots(i, j, "exports_fob", 2019)
        assert flag == ""
        return value * CIF_FOB_FACTOR

    fob_cells = [k.split("-") for k, m in pat.items() if m.startswith("fallback:exporter_fob")]
    assert len(fob_cells) >= 3
    x = cal.trade
    pairs = [
        ("CHN", "RUS", "KAZ", "IND"),
        ("UZB", "KAZ", "RUS", "TUR"),
        ("IND", "ARE", "SAU", "PAK"),
    ]
    # Quartets that include FOB-fallback cells: (i, j) fallback, plus partners k, l.
    for i, j in fob_cells[:3]:
        k = next(
            e
            for e in ("CHN", "RUS", "TUR", "IND")
            if e not in (i, j)
            and pat.get(f"{i}-{e}") == "reported:importer_cif"
            and pat.get(f"{e}-{j}") == "reported:importer_cif"
        )
        ll = next(
            e
            for e in ("KAZ", "ARE", "SAU", "IRN", "CHN")
            if e not in (i, j, k)
            and pat.get(f"{e}-{j}", "").startswith(("reported", "fallback"))
            and pat.get(f"{k}-{e}", "").startswith(("reported", "fallback"))
            and pat.get(f"{i}-{e}", "").startswith(("reported", "fallback"))
        )
        pairs.append((i, j, k, ll))
    for i, j, k, ll in pairs:
        # X_ij X_kl / (X_il X_kj) is invariant under row and column scaling.
        cells = [x.loc[i, j], x.loc[k, ll], x.loc[i, ll], x.loc[k, j]]
        got = cells[0] * cells[1] / (cells[2] * cells[3])
        want = pattern(i, j) * pattern(k, ll) / (pattern(i, ll) * pattern(k, j))
        # Flows are stored in whole dollars: each cell carries a relative error <= 0.5 / value.
        rounding = sum(0.5 / v for v in cells)
        assert got == pytest.approx(want, rel=1e-9 + rounding), (i, j, k, ll)


@needs_raw
def test_distances_and_landlocked_match_geodist() -> None:
    g = load_calibration().geography.set_index(["exporter", "importer"])
    wanted = {("CHN", "RUS"), ("IND", "UZB"), ("KAZ", "KGZ"), ("MDV", "TKM"), ("EGY", "ARE")}
    seen = 0
    with open(RAW / RAW_FILES["dist"], newline="", encoding="latin-1") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            key = (row["iso_o"], row["iso_d"])
            if key in wanted:
                seen += 1
                assert g.loc[key, "dist_km"] == float(row["dist"])
                assert g.loc[key, "distw_km"] == float(row["distw"])
                assert g.loc[key, "contig"] == float(row["contig"])
    assert seen == len(wanted)
    c = load_calibration().countries
    landlocked = {iso for iso in LISTED if c.loc[iso, "landlocked"]}
    assert {"KAZ", "KGZ", "TJK", "UZB", "AFG", "MNG", "ARM", "NPL", "AZE", "TKM"} <= landlocked
    assert not landlocked & {"CHN", "RUS", "IND", "IRN", "PAK", "TUR", "EGY"}


@needs_raw
def test_tariffs_use_series_codes_not_swapped_labels() -> None:
    c = load_calibration().countries
    # SOURCES.md: KAZ 2019 applied 2.32 %, MFN 6.87 %; the packaged value is the latest year,
    # so compare the ordering and that the labels were not trusted.
    assert c.loc["KAZ", "tariff_applied"] < c.loc["KAZ", "tariff_mfn"]
    with open(RAW / RAW_FILES["tariff"], newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["country_code"] == "CHN"]
    latest = max(int(r["year"]) for r in rows if r["series"] == "TM.TAX.MRCH.WM.AR.ZS")
    ar = next(
        float(r["value"])
        for r in rows
        if r["series"] == "TM.TAX.MRCH.WM.AR.ZS" and int(r["year"]) == latest
    )
    assert c.loc["CHN", "tariff_applied"] == pytest.approx(ar / 100, abs=1e-12)


@needs_raw
def test_rebuild_is_deterministic_and_check_passes(tmp_path: Path) -> None:
    a = serialise(build_tables(RAW), RAW)
    b = serialise(build_tables(RAW), RAW)
    assert a == b
    assert check_tables(RAW) == []
    out = write_tables(RAW, tmp_path / "tables")
    assert _tables_digest(out) == _tables_digest(TABLES_DIR)
    rebuilt = load_calibration_from(out)
    assert rebuilt.version == load_calibration().version


@needs_raw
def test_check_tolerates_last_digit_noise_but_not_real_changes(tmp_path: Path) -> None:
    """A last-digit difference (another libm) passes the check; a real change does not."""
    out = tmp_path / "tables"
    shutil.copytree(TABLES_DIR, out)
    geo = out / "2023" / "geography.csv"
    lines = geo.read_text().splitlines()
    head = lines[0].split(",")
    col = head.index("distw_km")
    cells = lines[1].split(",")
    value = float(cells[col])
    cells[col] = repr(value * (1 + 4e-16))  # about one unit in the last place
    assert cells[col] != lines[1].split(",")[col]
    lines[1] = ",".join(cells)
    geo.write_text("\n".join(lines) + "\n")
    assert check_tables(RAW, out) == []
    cells[col] = repr(value * 1.001)
    lines[1] = ",".join(cells)
    geo.write_text("\n".join(lines) + "\n")
    diffs = check_tables(RAW, out)
    assert len(diffs) == 1 and "2023/geography.csv" in diffs[0] and "distw_km" in diffs[0]


def test_exact_sums_do_not_depend_on_order() -> None:
    """The builders' sums (math.fsum) give the same bits in any order; numpy's may not."""
    from scosim.data.raw import fdot, fsum_rows

    rng = np.random.default_rng(11)
    v = rng.lognormal(20, 3, 5000)
    w = rng.uniform(0, 1, 5000)
    perm = rng.permutation(5000)
    assert fdot(v, w) == fdot(v[perm], w[perm])
    m = rng.lognormal(20, 3, (3, 5000))
    np.testing.assert_array_equal(fsum_rows(m), fsum_rows(m[:, perm]))


def _raw_copy(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for fname in RAW_FILES.values():
        (raw / fname).symlink_to((RAW / fname).resolve())
    return raw


def _replace(raw: Path, fname: str, text: str) -> None:
    (raw / fname).unlink()
    (raw / fname).write_text(text, encoding="utf-8")


def _drop_line(text: str, start: str) -> str:
    return "\n".join(ln for ln in text.splitlines() if not ln.startswith(start)) + "\n"


@needs_raw
@pytest.mark.parametrize(
    ("fname", "mutate", "message"),
    [
        (RAW_FILES["gdp"], lambda t: t.replace("Value", "Valeur", 1), "missing column"),
        (
            RAW_FILES["gdp"],
            lambda t: t.replace("\nKazakhstan,KAZ,2023,", "\nKazakhstan,KAZ,1823,"),
            "no value for country KAZ in 2023",
        ),
        (RAW_FILES["pop"], lambda t: t.replace(",WLD,2023,", ",WLD,2023,lots", 1), "unparsable"),
        (
            RAW_FILES["sipri_usd"],
            lambda t: t.replace("\nKazakhstan,", "\nKazakstan,"),
            "Kazakhstan",
        ),
        (
            RAW_FILES["dots"],
            lambda t: _drop_line(t, "TKM,"),
            "absent",
        ),
        (RAW_FILES["wits"], lambda t: t.replace("ARE,AFG,x,", "ARE,AFG,z,", 1), "line 2"),
        (RAW_FILES["wits"], lambda t: t.replace("ARE,AFG,x,", "ARE,XXX,x,", 1), "XXX"),
        (RAW_FILES["wits"], lambda t: t.replace("r,p,f,v,y", "r,p,f,value,y", 1), "missing col"),
        (
            RAW_FILES["wits"],
            lambda t: t.replace("ARE,AFG,x,1842700408.205", "ARE,AFG,x,-5", 1),
            "non-negative",
        ),
        (RAW_FILES["wits_mirror"], lambda t: _drop_line(t, "AFG,"), "no mirror total"),
        (RAW_FILES["ahs"], lambda t: t[: len(t) // 2], "not valid JSON"),
        (RAW_FILES["ahs"], lambda t: t.replace('"CHN": 6.15254505123204', '"CHN": -1'), "ARM.CHN"),
        (RAW_FILES["ahs"], lambda t: t.replace('"IND": {', '"INX": {', 1), "importer IND absent"),
    ],
)
def test_corrupted_raw_file_raises_and_leaves_tables(
    tmp_path: Path, fname: str, mutate, message: str
) -> None:
    raw = _raw_copy(tmp_path)
    text = (RAW / fname).read_text(encoding="utf-8")
    _replace(raw, fname, mutate(text))
    out = tmp_path / "tables"
    shutil.copytree(TABLES_DIR, out)
    before = _tables_digest(out)
    packaged = _tables_digest(TABLES_DIR)
    with pytest.raises(RawDataError, match=message) as err:
        write_tables(raw, out)
    assert fname in str(err.value)
    assert _tables_digest(out) == before
    assert _tables_digest(TABLES_DIR) == packaged


@needs_raw
@pytest.mark.parametrize("key", ["geo", "wits", "wits_mirror", "rta", "ahs"])
def test_missing_raw_file_is_named(tmp_path: Path, key: str) -> None:
    raw = _raw_copy(tmp_path)
    (raw / RAW_FILES[key]).unlink()
    with pytest.raises(RawDataError, match=f"{RAW_FILES[key]}: raw file not found"):
        build_tables(raw)


@needs_raw
def test_broken_workbook_is_named(tmp_path: Path) -> None:
    raw = _raw_copy(tmp_path)
    (raw / RAW_FILES["rta"]).unlink()
    (raw / RAW_FILES["rta"]).write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(RawDataError, match=f"{RAW_FILES['rta']}: cannot be read"):
        build_tables(raw)


@needs_raw
def test_workbook_without_entry_dates_is_named(tmp_path: Path) -> None:
    import openpyxl

    raw = _raw_copy(tmp_path)
    wb = openpyxl.load_workbook(RAW / RAW_FILES["rta"])
    ws = wb["AllRTAs"]
    for cell in ws[1]:
        if cell.value == "Date of Entry into Force (G)":
            cell.value = "Entry (G)"
    (raw / RAW_FILES["rta"]).unlink()
    wb.save(raw / RAW_FILES["rta"])
    with pytest.raises(RawDataError, match=r"lacks column\(s\) \['Date of Entry into Force"):
        build_tables(raw)


@needs_raw
def test_workbook_without_the_2011_cis_fta_is_named(tmp_path: Path) -> None:
    """The CIS supersession rule needs RTA 99 and 762; a workbook without one is an error."""
    import openpyxl

    raw = _raw_copy(tmp_path)
    wb = openpyxl.load_workbook(RAW / RAW_FILES["rta"])
    ws = wb["AllRTAs"]
    header = [c.value for c in ws[1]]
    col = header.index("RTA ID") + 1
    rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, col).value == 762]
    assert len(rows) == 1
    ws.delete_rows(rows[0])
    (raw / RAW_FILES["rta"]).unlink()
    wb.save(raw / RAW_FILES["rta"])
    with pytest.raises(RawDataError, match=rf"{RAW_FILES['rta']}: .*RTA id\(s\) \[762\]"):
        build_tables(raw)


def test_missing_raw_dir(tmp_path: Path) -> None:
    with pytest.raises(RawDataError, match="not found"):
        build_tables(tmp_path / "nowhere")


@needs_raw
def test_row_geography_is_between_extremes() -> None:
    g = load_calibration().geography
    listed = g[(g["exporter"] != ROW) & (g["importer"] != ROW) & (g["exporter"] != g["importer"])]
    row_pairs = g[(g["exporter"] == ROW) ^ (g["importer"] == ROW)]
    assert row_pairs["distw_km"].between(listed["distw_km"].min(), 20_000).all()
    assert set(g["exporter"]) == set(ECONOMIES)


@needs_raw
@pytest.mark.parametrize("core", ["Prescott", "Sandybridge"])
def test_geography_does_not_depend_on_the_blas_kernel(core: str) -> None:
    """The ROW distance means used a BLAS dot product, whose last digit changed with the
    OpenBLAS kernel (issue 9); with exact sums the table is the same under other kernels."""
    import os
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path\n"
        "from scosim.data.build import build_tables, serialise\n"
        "raw = Path(sys.argv[1])\n"
        "files = serialise(build_tables(raw), raw)\n"
        "sys.stdout.buffer.write(files['geography.csv'])\n"
    )
    env = {**os.environ, "OPENBLAS_CORETYPE": core}
    out = subprocess.run(
        [sys.executable, "-c", code, str(RAW)], env=env, capture_output=True, check=True
    ).stdout
    assert out == (TABLES_DIR / "2023" / "geography.csv").read_bytes()
