"""The README's performance table is what benchmarks/report.py makes of the committed records."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _report():
    spec = importlib.util.spec_from_file_location("bench_report", REPO / "benchmarks" /
                                                  "report.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_readme_table_equals_the_report_of_the_committed_records() -> None:
    report = _report()
    readme = (REPO / "README.md").read_text()
    block = report.current_block(readme)
    assert block, "README.md lacks the generated performance block"
    assert block == report.render(REPO / "benchmarks" / "results"), (
        "README performance table differs from the records: run python benchmarks/report.py "
        "--write")


def test_report_follows_the_records(tmp_path: Path) -> None:
    """A changed record changes the table (the check above is not vacuous)."""
    report = _report()
    src = REPO / "benchmarks" / "results" / "bench_batched.json"
    shutil.copy(src, tmp_path / "bench_batched.json")
    rec = json.loads(src.read_text())
    rec["ratio"] = {"median": 41.25, "min": 40.0, "max": 43.0, "n": 3}
    (tmp_path / "bench_batched.json").write_text(json.dumps(rec))
    text = report.render(tmp_path)
    assert "**41.2x [40.0-43.0]**" in text
    assert "bench_ge.json" not in text  # only records present are reported
    new = report.replace_block("a\n" + report.START + "\nold\n" + report.END + "\nb", text)
    assert new == "a\n" + text + "\nb"
