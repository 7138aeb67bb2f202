"""Property tests draw the same examples whatever ran before them (tests/conftest.py).

Hypothesis also draws constants found in the project's own modules that are loaded
when a test runs. Which are loaded depends on the tests that ran earlier (scosim
imports much lazily), so without the fixed profile's guard a derandomized test drew
other examples in the full suite than alone (it once hid a failing example of
test_finance_clearing.py until other files had run).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


def _draws() -> list[tuple[int, float]]:
    seen: list[tuple[int, float]] = []

    @settings(max_examples=300)
    @given(st.integers(), st.floats(allow_nan=False))
    def probe(i: int, x: float) -> None:
        seen.append((i, x))

    probe()
    return seen


@pytest.mark.skipif(settings().derandomize is False, reason="the explore profile draws afresh")
def test_examples_do_not_change_when_another_local_module_is_loaded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _draws()
    assert _draws() == before  # derandomized: the same draws twice
    # A module of the project's kind (local code, not site-packages) full of constants
    # no strategy would draw on its own.
    (tmp_path / "late_constants.py").write_text(
        "A = 987654321987\nB = -123456789123\nC = 31415926.535\nD = -2.718281828e-7\n"
        "E = [555555555555, 777777777777, 4.4e44, -9.9e-99]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("late_constants")
    try:
        assert _draws() == before
    finally:
        sys.modules.pop("late_constants", None)
