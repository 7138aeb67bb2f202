"""The data commands as a user meets them (defects found in an audit).

Raw copies are cut short or emptied the way a failed download or a bad copy leaves
them; every one must stop the rebuild with one line naming the file, exit 2 (no
traceback, also from ``tools/build_calibration.py``) and leave the tables as they were.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from _raw import RAW, needs_raw_file  # tests/ on sys.path
from scosim.data.build import RAW_FILES, RawDataError, write_tables
from scosim.data.calibration import TABLES_DIR
from test_data_build import _raw_copy  # tests/ is on sys.path (rootdir)

REPO = Path(__file__).resolve().parents[1]
needs_raw = needs_raw_file(RAW_FILES["gdp"])


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(path.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(path).as_posix().encode() + p.read_bytes())
    return h.hexdigest()


def _put(raw: Path, fname: str, data: bytes) -> None:
    (raw / fname).unlink()
    (raw / fname).write_bytes(data)


def _cut(fname: str, keep: int) -> bytes:
    """The first ``keep`` bytes of a raw file: a copy cut short in the middle of a line."""
    data = (RAW / fname).read_bytes()[:keep]
    assert not data.endswith(b"\n")
    return data


CASES = [
    # An empty sheet export: pandas' "No columns to parse from file" named no file.
    (RAW_FILES["sipri_usd"], lambda f: b"", "the file is empty"),
    # Cut inside the rows: pandas' "Encountered all NA values" named no file.
    (RAW_FILES["gti"], lambda f: _cut(f, 2000), "does not end with a newline"),
    # Cut inside a fallback source: the build wrote its figure as missing, silently.
    (RAW_FILES["owid_pe"], lambda f: _cut(f, 1000), "does not end with a newline"),
    # Cut at a line boundary: GTI rows of covered economies were read as "no figure".
    (RAW_FILES["gti"],
     lambda f: b"".join((RAW / f).read_bytes().splitlines(keepends=True)[:30]),
     "no row for ARE"),
]


@needs_raw
@pytest.mark.parametrize(("fname", "corrupt", "message"), CASES)
def test_cut_or_empty_raw_file_is_named_and_tables_kept(
    tmp_path: Path, fname: str, corrupt, message: str
) -> None:
    raw = _raw_copy(tmp_path)
    _put(raw, fname, corrupt(fname))
    out = tmp_path / "tables"
    shutil.copytree(TABLES_DIR, out)
    before, packaged = _digest(out), _digest(TABLES_DIR)
    with pytest.raises(RawDataError, match=message) as err:
        write_tables(raw, out)
    assert str(err.value).startswith(f"{fname}: ")
    assert _digest(out) == before and _digest(TABLES_DIR) == packaged


@needs_raw
@pytest.mark.parametrize(("fname", "corrupt", "message"), CASES[:2])
def test_build_calibration_tool_reports_one_line_and_exits_2(
    tmp_path: Path, fname: str, corrupt, message: str
) -> None:
    """The script the docs name, run as a user runs it: no traceback."""
    raw = _raw_copy(tmp_path)
    _put(raw, fname, corrupt(fname))
    packaged = _digest(TABLES_DIR)
    for extra in ([], ["--check"]):
        done = subprocess.run(
            [sys.executable, str(REPO / "tools" / "build_calibration.py"), "--raw", str(raw),
             "--out", str(tmp_path / "out"), *extra],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        assert done.stderr.strip().splitlines() == [
            done.stderr.strip().splitlines()[0]] and fname in done.stderr
        assert message in done.stderr
    assert not (tmp_path / "out").exists()
    assert _digest(TABLES_DIR) == packaged


def _show(argv: list[str], width: int = 250) -> str:
    import argparse

    from rich.console import Console

    from scosim.data.cli import add_data_parser

    parser = argparse.ArgumentParser(prog="scosim")
    add_data_parser(parser.add_subparsers(dest="command", required=True))
    console = Console(record=True, width=width)
    args = parser.parse_args(argv)
    assert args.func(args, console=console) == 0
    return console.export_text()


def _partner_rows(out: str) -> dict[str, list[str]]:
    """Partner -> its cells in `data show`'s partners table (one line each at this width)."""
    table = out.split("top trade partners")[1].split("trade agreements")[0]
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip("│ ").split("│")]
        if len(cells) == 7 and len(cells[0]) == 3 and cells[0].isupper():
            rows[cells[0]] = cells
    return rows


@needs_raw
def test_show_says_whether_a_flow_was_reported_or_mirrored_as_the_raw_file_has_it() -> None:
    """`data show RUS` gave 'wits_2023' for China's report and for Russia's mirror alike.

    Russia did not report to Comtrade for 2023: each of its imports is China's (or
    India's...) export record x 1.06, each of its exports the partner's import record.
    Checked cell by cell against wits2023_bilateral_sco27.csv.
    """
    import csv

    with open(RAW / RAW_FILES["wits"], newline="") as fh:
        recs = {(r["r"], r["p"], r["f"]): float(r["v"]) for r in csv.DictReader(fh)}
    rows = _partner_rows(_show(["data", "show", "RUS", "--top", "8"]))
    listed = [j for j in rows if j != "ROW" and ((j, "RUS", "m") in recs
                                                 or ("RUS", j, "m") in recs)]
    assert {"CHN", "IND", "TUR"} <= set(listed)
    for j in listed:
        _, _, xsrc, _, msrc, _, _ = rows[j]
        # Russia's exports to j: j reported them as imports.
        assert recs.get((j, "RUS", "m"), 0) > 0 and xsrc == "wits_2023: importer's report, CIF"
        # Russia's imports from j: no Russian record, so j's exports x 1.06.
        assert ("RUS", j, "m") not in recs and (j, "RUS", "x") in recs
        assert msrc == "wits_2023: mirror: exporter's FOB report x 1.06"
    assert rows["BLR"][2] == "imf_dots: imputed: DOTS 2019 x growth"
    assert rows["ROW"][2] == "scosim_rule: residual: WDI total minus listed partners"


def test_show_names_an_applied_rate_filed_as_mfn() -> None:
    """Afghanistan's tariff_mfn is Heritage's applied rate; India's an AHS simple mean. Say so."""
    def line(iso: str, field: str) -> str:
        """The field's row with its folded continuation lines, as one string."""
        lines = _show(["data", "show", iso], width=300).splitlines()
        k = next(i for i, ln in enumerate(lines) if f"│ {field} " in ln)
        row = [lines[k]]
        for ln in lines[k + 1:]:
            if not ln.startswith("│  "):  # the next field's row, or the table's end
                break
            row.append(ln)
        return " ".join(" ".join(c.strip() for c in r.split("│")) for r in row)

    assert "heritage_2019" in line("AFG", "tariff_mfn")
    assert "an applied trade-weighted rate, preferences included, standing in for MFN" in line(
        "AFG", "tariff_mfn")
    assert "wits_ahs" in line("IND", "tariff_mfn")
    # The AHS figure is a simple average over lines, not the trade-weighted mean the column
    # holds for the WDI importers: a reader comparing India with China must be told.
    assert "applied (AHS) simple average over tariff lines" in line("IND", "tariff_mfn")
    assert "standing in for a trade-weighted MFN mean" in line("IND", "tariff_mfn")
    # A World Bank MFN series is an MFN rate; an applied column is an applied rate.
    assert "wb_tariff" in line("CHN", "tariff_mfn") and "standing in" not in line(
        "CHN", "tariff_mfn")
    assert "standing in" not in line("AFG", "tariff_applied")


def test_show_2019_names_the_dots_record_a_scaled_cell_came_from() -> None:
    rows = _partner_rows(_show(["data", "show", "KAZ", "--data-version", "2019"]))
    assert rows["CHN"][2].startswith("scosim_rule: RAS-scaled to WDI 2023 totals, from imf_dots "
                                     "2019 ")


TOOLS_TABLES = {
    "build_finance.py": REPO / "src" / "scosim" / "finance" / "tables",
    "build_network.py": REPO / "src" / "scosim" / "network" / "tables",
    "build_security.py": REPO / "src" / "scosim" / "security" / "tables",
    "build_calibration.py": TABLES_DIR,
}
EI_PIPELINE = "ei_statistical_review_2024_sheet_gas_trade_pipeline.csv"


def _full_copy(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for p in RAW.iterdir():
        if p.is_file():
            (raw / p.name).symlink_to(p.resolve())
    return raw


def _tool(tool: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "tools" / tool), *args],
                          capture_output=True, text=True, timeout=300)


@needs_raw
@pytest.mark.parametrize("tool", sorted(TOOLS_TABLES))
def test_every_build_tool_names_a_missing_raw_directory(tool: str, tmp_path: Path) -> None:
    """build_network.py printed a FileNotFoundError traceback; none said how to point elsewhere."""
    before = _digest(TOOLS_TABLES[tool])
    for args in (["--raw", str(tmp_path / "nowhere")], ["--check", "--raw", str(tmp_path)]):
        done = _tool(tool, *args)
        assert done.returncode == 2, (args, done.stderr)
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
        if "nowhere" in args[-1]:
            assert "raw data directory not found (pass --raw DIR or set $SCOSIM_RAW_DIR)" \
                in done.stderr
        else:
            assert "raw file not found in" in done.stderr
    assert _digest(TOOLS_TABLES[tool]) == before


@needs_raw
@pytest.mark.parametrize(
    ("tool", "fname", "corrupt", "message"),
    [
        # A traceback (pandas' EmptyDataError).
        ("build_security.py", "gti2023_global_terrorism_index_2012_2022.csv", lambda d: b"",
         "gti2023_global_terrorism_index_2012_2022.csv: the file is empty"),
        # "out of date" with --check; without it, the cut rows imputed from peers, silently.
        ("build_finance.py", "wdi_fb_ast_nper_zs.csv", lambda d: d[:3000],
         "wdi_fb_ast_nper_zs.csv: does not end with a newline"),
        # A traceback (KeyError in the pipeline matrix).
        ("build_network.py", EI_PIPELINE, lambda d: d[:3000],
         f"{EI_PIPELINE}: does not end with a newline"),
        # Whole lines dropped: a traceback (KeyError: ('China', 'Turkmenistan')).
        ("build_network.py", EI_PIPELINE,
         lambda d: b"".join(d.splitlines(keepends=True)[:12]),
         "lack a row, column or header the build needs (KeyError"),
    ],
)
def test_build_tools_name_a_bad_raw_file_in_one_line(
    tool: str, fname: str, corrupt, message: str, tmp_path: Path
) -> None:
    raw = _full_copy(tmp_path)
    _put(raw, fname, corrupt((RAW / fname).read_bytes()))
    before = _digest(TOOLS_TABLES[tool])
    for extra in (["--check"], []):
        done = _tool(tool, "--raw", str(raw), *extra)
        assert done.returncode == 2, done.stdout + done.stderr
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
        assert message in done.stderr
    assert _digest(TOOLS_TABLES[tool]) == before


@needs_raw
def test_security_check_says_the_tables_are_up_to_date() -> None:
    done = _tool("build_security.py", "--check")
    assert done.returncode == 0 and done.stdout.strip() == "security tables are up to date"
