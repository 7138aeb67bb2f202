"""No file under version control carries a merge's conflict markers.

docs/scenarios.md held ``<<<<<<< HEAD`` ... ``>>>>>>> fix-netexp`` in its Trans-Afghan rows
for a day after a merge: every doc test passed, because none read that table's raw lines.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# A conflict's three markers, each at the start of a line as git writes them.
_MARKER = re.compile(r"^(<{7} |={7}$|>{7} )", re.MULTILINE)
_TEXT = {".py", ".md", ".yaml", ".yml", ".toml", ".csv", ".txt", ".json", ".cfg", ".ini"}


def _tracked() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [ROOT / p for p in out.splitlines() if Path(p).suffix in _TEXT]


def test_marker_pattern_finds_a_conflict() -> None:
    sample = "a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> fix-x\n"
    assert len(_MARKER.findall(sample)) == 3
    # A Markdown heading underline of other length or a code fence is not a marker.
    assert not _MARKER.findall("Title\n======\n```\n<<<< not\n")


def test_no_tracked_text_file_has_conflict_markers() -> None:
    files = _tracked()
    assert files, "git ls-files listed no text files"
    bad = []
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in _MARKER.finditer(text):
            bad.append(f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}")
    assert not bad, "merge conflict markers in: " + ", ".join(bad)
