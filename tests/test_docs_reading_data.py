"""The "Reading the data" example of docs/mechanisms.md runs as written and reads the data.

The block after ``<!-- tested: tests/test_docs_reading_data.py -->`` is written to a module,
named by dotted path in a small scenario's network slot and run; its indicator must be 1
exactly for the economies whose net energy imports in the calibration are positive (the
World Bank's figure, docs/data.md), 0 elsewhere and where the figure is missing.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

from scosim.data.calibration import load_calibration
from scosim.result_tables import read_batches
from scosim.runner import run
from scosim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
MARK = "<!-- tested: tests/test_docs_reading_data.py -->"


def _example() -> str:
    text = (ROOT / "docs" / "mechanisms.md").read_text(encoding="utf-8")
    assert text.count(MARK) == 1, "the page must mark exactly one block for this test"
    m = re.match(r"\s*```python\n(.*?)```", text.split(MARK)[1], re.S)
    assert m, "the mark must be followed by a python block"
    return m.group(1)


@pytest.fixture
def example_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "reading_data_example.py").write_text(_example())
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "reading_data_example:EnergyImporters"
    sys.modules.pop("reading_data_example", None)


def test_the_example_reads_the_calibration_column(example_module: str, tmp_path: Path) -> None:
    scen = tmp_path / "importers.yaml"
    scen.write_text(
        f"extends: {ROOT / 'tests' / 'fixtures' / 'model' / 'small_base.yaml'}\n"
        "name: importers\nreplications: 2\nyears: {end: 2026}\n"
        f"parameters:\n  mechanisms: {{network: '{example_module}'}}\n")
    res = run(load_scenario(scen), out=tmp_path / "results", progress=False, plots=False)
    table = read_batches(Path(res.path) / "indicators", indicators=["net_energy_importer"])
    cal = load_calibration()
    imports = cal.countries["net_energy_imports_pct"]
    want = {c: float(v > 0) if v == v else 0.0 for c, v in imports.items()}
    got = table.groupby("country", observed=True)["value"].agg(["min", "max"])
    assert set(got.index) == set(want)
    for code, (lo, hi) in got.iterrows():
        assert lo == hi == want[code], code
    # The data has both kinds, and gaps: the test tells importers from exporters.
    assert 0 < sum(want.values()) < len(want) and imports.isna().any()
    assert np.isnan(cal.vector("net_energy_imports_pct")).sum() == imports.isna().sum()
