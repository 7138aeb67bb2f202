"""Banking tables: recomputed from raw files, balance-sheet identities, bad-data errors."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest

from _raw import RAW, needs_raw_file  # tests/ on sys.path
from scosim.data.build import DEFAULT_VERSION
from scosim.data.constants import ECONOMIES, LISTED
from scosim.finance.data import TABLE_FILES, TABLES_DIR, FinanceDataError, load_banking

needs_raw = needs_raw_file("wdi_fb_ast_nper_zs.csv")


def _rows(name: str) -> list[dict[str, str]]:
    with open(TABLES_DIR / f"{name}.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def _raw_wdi(fname: str, code: str) -> tuple[float, int] | None:
    best = None
    with open(RAW / fname, newline="") as fh:
        for r in csv.DictReader(fh):
            if r["Country Code"] == code and 2015 <= int(r["Year"]) <= 2023 and r["Value"]:
                if best is None or int(r["Year"]) > best[1]:
                    best = (float(r["Value"]), int(r["Year"]))
    return best


def test_packaged_tables_load_and_balance():
    d = load_banking()
    assert d.codes == ECONOMIES
    assert np.all(np.diag(d.L) == 0)
    assert np.all(d.external_assets > 0)
    # External liabilities hold the deposits; deposits hold the insured part.
    assert np.all(d.external_liabilities >= d.deposits)
    assert np.all(d.deposits >= d.insured)
    # Capital ratios are the reported/imputed percentages (6 significant digits).
    ratio = d.capital / d.assets
    banks = {r["iso3"]: r for r in _rows("banks")}
    for k, c in enumerate(d.codes):
        assert ratio[k] == pytest.approx(float(banks[c]["capital_assets_pct"]) / 100, rel=1e-5)
    # Symmetric marginals: each system's cross-border claims equal its liabilities (RAS).
    np.testing.assert_allclose(d.interbank_claims, d.interbank_liabilities, rtol=1e-4)


def test_every_figure_has_a_known_source():
    sources = {r["source_id"] for r in _rows("sources")}
    prov = _rows("provenance")
    assert {r["source_id"] for r in prov} <= sources
    fields = ("gdp_usd", "npl_pct", "capital_assets_pct", "private_credit_pct_gdp",
              "domestic_credit_pct_gdp", "fuel_exports_pct", "assets_usd", "capital_usd",
              "deposits_usd", "insured_deposits_usd")
    have = {(r["key"], r["field"]) for r in prov}
    missing = [(c, f) for c in ECONOMIES for f in fields if (c, f) not in have]
    assert missing == []
    methods = {(r["key"], r["field"]): r["method"] for r in prov}
    # Economies with no WDI banking ratios are imputed, and say so.
    for c in ("IRN", "EGY", "QAT", "BHR", "MMR", "TKM"):
        assert methods[(c, "npl_pct")].startswith("imputed:")
        assert methods[(c, "capital_assets_pct")].startswith("imputed:")
    assert methods[("KAZ", "npl_pct")].startswith("reported")


@needs_raw
@pytest.mark.parametrize(
    ("field", "fname"),
    [("npl_pct", "wdi_fb_ast_nper_zs.csv"), ("capital_assets_pct", "wdi_fb_bnk_capa_zs.csv"),
     ("private_credit_pct_gdp", "wdi_fs_ast_prvt_gd_zs.csv")],
)
def test_reported_ratios_equal_raw(field, fname):
    banks = {r["iso3"]: r for r in _rows("banks")}
    prov = {(r["key"], r["field"]): r for r in _rows("provenance")}
    checked = 0
    for c in LISTED:
        raw = _raw_wdi(fname, c)
        if raw is None:
            assert prov[(c, field)]["method"].startswith("imputed")
            continue
        assert float(banks[c][field]) == pytest.approx(raw[0], rel=1e-5)
        assert int(prov[(c, field)]["year"]) == raw[1]
        checked += 1
    assert checked >= 15


@needs_raw
def test_gulf_imputation_is_peer_median():
    banks = {r["iso3"]: r for r in _rows("banks")}
    peers = [_raw_wdi("wdi_fb_bnk_capa_zs.csv", c)[0] for c in ("SAU", "ARE", "KWT")]
    assert float(banks["QAT"]["capital_assets_pct"]) == pytest.approx(np.median(peers), rel=1e-5)


@needs_raw
def test_rebuild_is_deterministic_and_matches_package(tmp_path):
    from scosim.finance.build import KAPPA, build_tables, check_tables, serialise

    a = serialise(build_tables(RAW))
    b = serialise(build_tables(RAW))
    assert a == b
    assert check_tables(RAW) == []
    # RAS margins: claims = KAPPA x domestic assets x openness for the listed economies.
    d = load_banking()
    banks = {r["iso3"]: r for r in _rows("banks")}
    for c in ("CHN", "RUS", "KAZ", "UZB"):
        r = banks[c]
        target = (KAPPA * float(r["domestic_credit_pct_gdp"]) / 100 * float(r["gdp_usd"])
                  * float(r["trade_openness"]))
        assert d.interbank_claims[d.index(c)] == pytest.approx(target, rel=1e-4)


@needs_raw
def test_missing_raw_file_is_named(tmp_path):
    from scosim.finance.build import RAW_FILES, FinanceBuildError, build_tables

    for f in RAW_FILES.values():
        if f != "wdi_fb_ast_nper_zs.csv":
            (tmp_path / f).symlink_to((RAW / f).resolve())
    with pytest.raises(FinanceBuildError, match="wdi_fb_ast_nper_zs.csv"):
        build_tables(tmp_path)


# ------------------------------------------------------------------ bad balance sheets
@pytest.fixture
def tables(tmp_path):
    for name in TABLE_FILES:
        shutil.copy(TABLES_DIR / f"{name}.csv", tmp_path / f"{name}.csv")
    return tmp_path


def _edit(path: Path, match: dict[str, str], field: str, value: str) -> int:
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
        header = list(rows[0].keys())
    hit = None
    for k, r in enumerate(rows, start=1):
        if all(r[a] == b for a, b in match.items()):
            r[field] = value
            hit = k
            break
    assert hit is not None
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return hit


def test_negative_capital_names_row(tables):
    row = _edit(tables / "banks.csv", {"iso3": "KGZ"}, "capital_usd", "-5e8")
    with pytest.raises(FinanceDataError,
                       match=rf"banks.csv row {row} \(iso3=KGZ\), field capital_usd: .*negative"):
        load_banking(tables)
    d = load_banking(tables, allow_negative_capital=True)
    assert d.capital[d.index("KGZ")] == -5e8


def test_exposure_to_unknown_economy_names_row(tables):
    row = _edit(tables / "exposures.csv", {"debtor": "KAZ", "creditor": "RUS"}, "creditor", "XYZ")
    with pytest.raises(FinanceDataError,
                       match=rf"exposures.csv row {row} \(debtor=KAZ, creditor=XYZ\), "
                             r"field creditor: unknown economy 'XYZ'"):
        load_banking(tables)


def test_exposures_exceeding_assets_name_rows(tables):
    row = _edit(tables / "exposures.csv", {"debtor": "CHN", "creditor": "KGZ"}, "usd", "5e12")
    with pytest.raises(FinanceDataError,
                       match=rf"interbank claims of KGZ .* more than its assets_usd .*"
                             rf"largest is row {row} \(debtor=CHN, creditor=KGZ\)"):
        load_banking(tables)


def test_non_numeric_and_missing_rows(tables):
    _edit(tables / "banks.csv", {"iso3": "TJK"}, "npl_pct", "n/a")
    with pytest.raises(FinanceDataError, match=r"row \d+ \(iso3=TJK\), field npl_pct: 'n/a'"):
        load_banking(tables)


def test_insured_above_deposits(tables):
    _edit(tables / "banks.csv", {"iso3": "ARM"}, "insured_deposits_usd", "1e13")
    with pytest.raises(FinanceDataError, match="iso3=ARM.*insured_deposits_usd"):
        load_banking(tables)


def test_exposures_are_the_maximum_entropy_solution():
    """RAS optimality: log(L / seed) = u_i + v_j on every link (KKT conditions of
    min KL(L || seed) under the margins), up to the tables' 6-digit rounding."""
    import pandas as pd

    trade_csv = TABLES_DIR.parents[1] / "data" / "tables" / DEFAULT_VERSION / "trade.csv"
    trade = pd.read_csv(trade_csv, index_col=0)
    T = trade.to_numpy(float)
    seed = T + T.T
    np.fill_diagonal(seed, 0.0)
    d = load_banking()
    i, j = np.nonzero(d.L)
    assert set(zip(i, j, strict=True)) == set(zip(*np.nonzero(seed), strict=True))
    y = np.log(d.L[i, j] / seed[i, j])
    n = len(d.codes)
    X = np.zeros((len(i), 2 * n))
    X[np.arange(len(i)), i] = 1.0
    X[np.arange(len(i)), n + j] = 1.0
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    assert np.max(np.abs(X @ coef - y)) < 1e-4


def test_build_cli_bad_raw_dir_exits_2(tmp_path, capsys):
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "tools" / "build_finance.py"
    spec = importlib.util.spec_from_file_location("build_finance", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    before = {f: (TABLES_DIR / f"{f}.csv").read_bytes() for f in TABLE_FILES}
    assert mod.main(["--raw", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "raw file not found" in err and "Traceback" not in err
    assert {f: (TABLES_DIR / f"{f}.csv").read_bytes() for f in TABLE_FILES} == before


@needs_raw
def test_published_aggregate_replaces_a_marginal():
    from scosim.finance.build import build_tables

    t = build_tables(RAW, aggregates={"RUS": 2.0e11})
    ex = t["exposures"]
    claims = ex.loc[ex["creditor"] == "RUS", "usd"].sum()
    liab = ex.loc[ex["debtor"] == "RUS", "usd"].sum()
    assert claims == pytest.approx(2.0e11, rel=1e-4)
    assert liab == pytest.approx(2.0e11, rel=1e-4)
    assert not (ex["debtor"] == ex["creditor"]).any()
