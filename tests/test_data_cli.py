"""`scosim data` subcommands, driven through a small argparse parser."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import pytest
from rich.console import Console

from _raw import RAW, needs_raw_file  # tests/ on sys.path
from scosim.data.build import RAW_FILES
from scosim.data.calibration import TABLES_DIR
from scosim.data.cli import add_data_parser, rebuild_main

needs_raw = needs_raw_file(RAW_FILES["gdp"])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scosim")
    sub = parser.add_subparsers(dest="command", required=True)
    add_data_parser(sub)
    return parser


def _run(argv: list[str], width: int = 200) -> tuple[int, str]:
    console = Console(record=True, width=width)
    args = _parser().parse_args(argv)
    code = args.func(args, console=console)
    return code, console.export_text()


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(q for q in path.rglob("*") if q.is_file()):
        h.update(str(p.relative_to(path)).encode() + p.read_bytes())
    return h.hexdigest()


def test_show_lists_figures_sources_and_partners() -> None:
    code, out = _run(["data", "show", "kaz", "--top", "3"])
    assert code == 0
    assert "Kazakhstan" in out and "wdi_gdp" in out and "gdp_usd" in out
    assert "top trade partners" in out
    # Kazakhstan's largest merchandise partners include China and Russia.
    partners = out.split("top trade partners")[1]
    assert "CHN" in partners and "RUS" in partners


@pytest.mark.parametrize("width", [60, 80, 100])
def test_show_never_cuts_field_names_or_source_ids(width: int) -> None:
    """On a narrow terminal the method text folds; names a user types next stay whole."""
    from scosim.data import load_calibration

    cal = load_calibration()
    code, out = _run(["data", "show", "RUS"], width=width)
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= width
    words = set(out.replace("│", " ").replace("┃", " ").split())
    for field in cal.countries.columns.drop("name"):
        assert field in words, (width, field)
    used = cal.provenance.loc[cal.provenance["key"] == "RUS", "source_id"]
    for sid in set(used) & {"wdi_gdp", "wb_tariff", "sipri_milex", "wdi_fuel_exports"}:
        assert sid in words, (width, sid)
    assert "…" not in out


def test_show_lists_cell_sources_and_agreements(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(["data", "show", "RUS", "--top", "4"])
    assert code == 0
    partners = out.split("top trade partners")[1].split("trade agreements")[0]
    assert "CHN" in partners and "IND" in partners and "wits_2023" in partners
    agreements = out.split("trade agreements in force in 2023")[1]
    assert "909" in agreements and "BLR" in agreements and "Eurasian Economic Union" in agreements
    code, out = _run(["data", "show", "RUS", "--data-version", "2019"])
    assert code == 0 and "v2019" in out and "trade agreements" not in out
    code, out = _run(["data", "show", "RUS", "--data-version", "2020"])
    err = capsys.readouterr().err
    assert code == 2 and not out and err.startswith("scosim: error:") and "2023, 2019" in err


def test_show_unknown_economy_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    """On stderr, as every scosim command's errors, with what is allowed."""
    code, out = _run(["data", "show", "XYZ"])
    err = capsys.readouterr().err
    assert code == 2 and not out
    assert err.startswith("scosim: error: unknown economy 'XYZ'; allowed: CHN RUS")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_sources_table() -> None:
    code, out = _run(["data", "sources"])
    assert code == 0
    for sid in ("wdi_gdp", "imf_dots", "cepii_geodist", "heritage_2019", "eaeu_treaty"):
        assert sid in out
    for sid in ("wits_2023", "wits_mirror", "wto_rta", "wits_ahs", "ind_pak_suspension"):
        assert sid in out


def test_rebuild_bad_raw_dir_returns_2_and_keeps_tables(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _digest(TABLES_DIR)
    code, out = _run(["data", "rebuild", "--raw", str(tmp_path / "absent")])
    err = capsys.readouterr().err
    assert code == 2 and not out
    assert err.startswith("scosim: error:") and "not found" in err
    assert _digest(TABLES_DIR) == before


@needs_raw
def test_rebuild_check_passes_and_tool_wrapper(tmp_path: Path) -> None:
    code, out = _run(["data", "rebuild", "--raw", str(RAW), "--check"])
    assert code == 0 and "match" in out
    assert rebuild_main(["--raw", str(RAW), "--out", str(tmp_path / "t")]) == 0
    assert _digest(tmp_path / "t") == _digest(TABLES_DIR)
    # A stale table is reported as a difference with exit code 1.
    (tmp_path / "t" / "2023" / "countries.csv").write_text("iso3\n")
    assert rebuild_main(["--raw", str(RAW), "--out", str(tmp_path / "t"), "--check"]) == 1
