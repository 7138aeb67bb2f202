"""`scosim data` subcommands, driven through a small argparse parser."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import pytest
from rich.console import Console

from scosim.data.build import RAW_FILES
from scosim.data.calibration import TABLES_DIR
from scosim.data.cli import add_data_parser, rebuild_main

RAW = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "raw"
needs_raw = pytest.mark.skipif(
    not (RAW / RAW_FILES["gdp"]).is_file(), reason=f"raw data directory {RAW} not available"
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scosim")
    sub = parser.add_subparsers(dest="command", required=True)
    add_data_parser(sub)
    return parser


def _run(argv: list[str]) -> tuple[int, str]:
    console = Console(record=True, width=200)
    args = _parser().parse_args(argv)
    code = args.func(args, console=console)
    return code, console.export_text()


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(path.iterdir()):
        h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()


def test_show_lists_figures_sources_and_partners() -> None:
    code, out = _run(["data", "show", "kaz", "--top", "3"])
    assert code == 0
    assert "Kazakhstan" in out and "wdi_gdp" in out and "gdp_usd" in out
    assert "top trade partners" in out
    # Kazakhstan's largest merchandise partners include China and Russia.
    partners = out.split("top trade partners")[1]
    assert "CHN" in partners and "RUS" in partners


def test_show_unknown_economy_is_a_one_line_error() -> None:
    code, out = _run(["data", "show", "XYZ"])
    assert code == 2
    assert out.strip().startswith("error: unknown economy 'XYZ'")
    assert "Traceback" not in out and len(out.strip().splitlines()) <= 2


def test_sources_table() -> None:
    code, out = _run(["data", "sources"])
    assert code == 0
    for sid in ("wdi_gdp", "imf_dots", "cepii_geodist", "heritage_2019", "eaeu_treaty"):
        assert sid in out


def test_rebuild_bad_raw_dir_returns_2_and_keeps_tables(tmp_path: Path) -> None:
    before = _digest(TABLES_DIR)
    code, out = _run(["data", "rebuild", "--raw", str(tmp_path / "absent")])
    assert code == 2
    assert out.startswith("error:") and "not found" in out
    assert _digest(TABLES_DIR) == before


@needs_raw
def test_rebuild_check_passes_and_tool_wrapper(tmp_path: Path) -> None:
    code, out = _run(["data", "rebuild", "--raw", str(RAW), "--check"])
    assert code == 0 and "match" in out
    assert rebuild_main(["--raw", str(RAW), "--out", str(tmp_path / "t")]) == 0
    assert _digest(tmp_path / "t") == _digest(TABLES_DIR)
    # A stale table is reported as a difference with exit code 1.
    (tmp_path / "t" / "countries.csv").write_text("iso3\n")
    assert rebuild_main(["--raw", str(RAW), "--out", str(tmp_path / "t"), "--check"]) == 1
