"""Bad input, tried from the outside (second round): what tests/test_audit_inputs.py missed.

Each test reproduces a defect found by running the real CLI in a scratch directory
and checks the fix: one clear message naming what is wrong, exit status 2, no
traceback, and nothing left under the results root.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scosim.cli import main
from scosim.results import PARTIAL_PREFIX
from scosim.runner import run

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL_BASE = FIXTURES / "model" / "small_base.yaml"  # 6 replications, 4 years
SMALL_CU = FIXTURES / "model" / "small_cu.yaml"  # extends it


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    """A finished run of ``small_base`` (2 replications, no plots)."""
    out = tmp_path_factory.mktemp("finished") / "results"
    return run(SMALL_BASE, out=out, replications=2, progress=False, plots=False).path


def _runs(root: Path) -> list[str]:
    """Every run directory (finished or partial) under a results root."""
    return sorted(str(p.parent.relative_to(root)) for p in root.glob("*/*/manifest.json"))


# ------------------------------------------------------------------ damaged manifests


@pytest.mark.parametrize("text", ["[]", "null", '"complete"'])
def test_a_manifest_that_is_json_but_not_an_object_is_named(tmp_path, capsys, finished_run,
                                                             text):
    """A manifest.json holding ``[]`` or ``null`` (valid JSON, not an object) ended show,
    list and compare in "AttributeError: 'list' object has no attribute 'get'"."""
    root = tmp_path / "results"
    damaged = root / "small_base" / "damaged"
    shutil.copytree(finished_run, damaged)
    (damaged / "manifest.json").write_text(text)
    good = root / "small_base" / finished_run.name
    shutil.copytree(finished_run, good)

    assert main(["show", str(damaged)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"scosim: error: {damaged / 'manifest.json'} is damaged: it holds "
                          f"{text}, not a JSON object")
    assert "Traceback" not in err
    assert main(["compare", str(damaged), str(good), "--out", str(root), "--quiet"]) == 2
    assert "is damaged: it holds" in capsys.readouterr().err
    assert main(["list", "--out", str(root)]) == 0
    listed = capsys.readouterr().out
    assert "damaged manifest" in listed and finished_run.name in listed
    assert not (root / "compare").exists()


def test_a_partial_run_with_a_damaged_manifest_is_not_resumed_and_does_not_stop_a_run(
        tmp_path, capsys):
    """``scosim run`` looks for an interrupted run to resume; one whose manifest held
    ``[]`` stopped it with an AttributeError."""
    root = tmp_path / "results"
    partial = root / "small_base" / f"{PARTIAL_PREFIX}20250101T000000-x"
    partial.mkdir(parents=True)
    (partial / "manifest.json").write_text("[]")
    assert main(["run", str(SMALL_BASE), "--out", str(root), "--replications", "2",
                 "--quiet", "--no-plots"]) == 0
    assert "resumed" not in capsys.readouterr().err
    assert (partial / "manifest.json").read_text() == "[]"  # left as it was


# ------------------------------------------------------------------ compare runs nothing in vain


def _year_file(tmp_path: Path, start: int, end: int) -> Path:
    path = tmp_path / "later.yaml"
    path.write_text(f"extends: {SMALL_BASE}\nname: later\nyears: {{start: {start}, end: {end}}}\n")
    return path


@pytest.mark.parametrize(("case", "message"), [
    ("missing baseline", "no finished run 'nope' under"),
    ("other seed", "policy and baseline have different seed (3 vs 7)"),
    ("no common year", "policy (2025-2028) and baseline (2031-2034) simulate no common year"),
    ("year outside", "--year 2040 is not a year both runs simulated (2025-2028)"),
])
def test_compare_refuses_before_it_runs_a_scenario_file(tmp_path, capsys, finished_run, case,
                                                        message):
    """A policy YAML file was run (and its run left under --out) before the comparison
    found the baseline missing, of another seed, of other years, or --year outside them."""
    root = tmp_path / "results"
    base = root / "small_base" / finished_run.name
    shutil.copytree(finished_run, base)  # seed 7, 2 replications, 2025-2028
    args = {
        "missing baseline": [str(SMALL_CU), "nope", "--replications", "2"],
        "other seed": [str(SMALL_CU), str(base), "--replications", "2", "--seed", "3"],
        "no common year": [str(SMALL_CU), str(_year_file(tmp_path, 2031, 2034))],
        "year outside": [str(SMALL_CU), str(SMALL_BASE), "--year", "2040"],
    }[case]
    before = _runs(root)
    assert main(["compare", *args, "--out", str(root), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert _runs(root) == before
    assert not (root / "compare").exists()
