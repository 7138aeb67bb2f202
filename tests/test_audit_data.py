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

from scosim.data.build import RAW_FILES, RawDataError, write_tables
from scosim.data.calibration import TABLES_DIR

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / ".." / "shared" / "data" / "raw"
needs_raw = pytest.mark.skipif(
    not (RAW / RAW_FILES["gdp"]).is_file(),
    reason=f"raw data directory {RAW} not available (only in the development tree)",
)


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(path.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(path).as_posix().encode() + p.read_bytes())
    return h.hexdigest()


def _raw_copy(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for fname in RAW_FILES.values():
        (raw / fname).symlink_to((RAW / fname).resolve())
    return raw


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
