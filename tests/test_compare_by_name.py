"""`scosim compare` by name refuses a name whose runs simulate different scenarios.

Found by an outside review: a copy of ``customs_union.yaml`` with another common external
tariff keeps ``name: customs_union``, and ``scosim compare customs_union baseline`` took
whichever ran last, silently (exit 0; only report.md showed the hash). A name means its
latest run *as written* (README), and which file is "as written" is then not known: the
candidates are listed instead, with how to pick one. Runs of one scenario with other
seeds or replications, or of an identical copy, are not ambiguous. Every comparison also
prints which run directory and scenario file each side used.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from scosim.cli import main

RUN = ["--no-plots", "--quiet"]
COMPARE = ["--quiet", "--indicator", "welfare_change_pct", "--plot-workers", "1"]


def _run(scenario: Path, out: Path, *extra: str) -> Path:
    """Run ``scenario`` (3 replications, unless ``extra`` says otherwise): its new directory."""
    name = "small_base" if "base" in scenario.name else "small_cu"
    before = set((out / name).glob("2*"))
    assert main(["run", str(scenario), "--replications", "3", "--out", str(out), *RUN,
                 *extra]) == 0
    (made,) = set((out / name).glob("2*")) - before
    return made


@pytest.fixture
def copies(tmp_path: Path, model_fixture) -> dict[str, Path]:
    """The shipped small_cu.yaml, a copy with another CET (same name:), an identical copy."""
    folder = tmp_path / "mine"
    folder.mkdir()
    shutil.copy(model_fixture("small_base.yaml"), folder)
    text = model_fixture("small_cu.yaml").read_text()
    assert "cet: weighted_mean" in text
    (folder / "other_cet.yaml").write_text(text.replace("cet: weighted_mean", "cet: 0.2"))
    (folder / "same_cu.yaml").write_text(text)
    return {"shipped": model_fixture("small_cu.yaml"), "other": folder / "other_cet.yaml",
            "same": folder / "same_cu.yaml", "base": model_fixture("small_base.yaml")}


def test_a_name_of_two_scenarios_is_refused_listing_them(
        tmp_path: Path, copies: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results"
    shipped = _run(copies["shipped"], out)
    other = _run(copies["other"], out)
    _run(copies["base"], out)
    capsys.readouterr()
    assert main(["compare", "small_cu", "small_base", "--out", str(out), *COMPARE]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "'small_cu' names 2 different scenarios" in err
    # Each candidate: its directory, file, hash and time, newest first.
    lines = [ln.strip() for ln in err.splitlines() if ln.strip().startswith(str(out))]
    assert [ln.split(":")[0] for ln in lines] == [str(other), str(shipped)]
    assert f"file {copies['other']}, scenario_hash {other.name.split('-')[1]}" in lines[0]
    assert f"file {copies['shipped']}, " in lines[1] and "finished 20" in lines[1]
    assert "Give the run directory (or its run id)" in err
    assert not (out / "compare").exists()  # nothing written
    # The advice works: the run directory, or the scenario file (its run reused).
    assert main(["compare", str(shipped), "small_base", "--out", str(out), *COMPARE]) == 0
    said = capsys.readouterr().out
    assert f"policy:   {shipped} ({copies['shipped']})" in said
    assert f"baseline: {out / 'small_base'}" in said and f"({copies['base']})" in said
    assert main(["compare", str(copies["other"]), "small_base", "--out", str(out),
                 "--seed", "7", "--replications", "3", *COMPARE]) == 0
    captured = capsys.readouterr()
    assert f"reusing the finished run {other}" in captured.err
    assert f"policy:   {other} ({copies['other']})" in captured.out


def test_runs_of_one_scenario_are_not_ambiguous(
        tmp_path: Path, copies: dict[str, Path], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Other replications, an identical copy, another working directory: one scenario."""
    out = tmp_path / "results"
    _run(copies["shipped"], out)
    _run(copies["base"], out)
    _run(copies["shipped"], out, "--replications", "2")
    monkeypatch.chdir(copies["same"].parent)
    latest = _run(Path(os.path.basename(copies["same"])), out)
    # --set runs are not the scenario as written: set aside, as before.
    _run(copies["other"], out, "--set", "proposals.cu.year=2026")
    capsys.readouterr()
    assert main(["compare", "small_cu", "small_base", "--out", str(out), *COMPARE]) == 0
    said = capsys.readouterr().out
    assert f"policy:   {latest} (same_cu.yaml)" in said


def test_show_refuses_a_name_of_two_scenarios_as_compare_does(
        tmp_path: Path, copies: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """``scosim show small_cu`` showed whichever ran last (exit 0)."""
    out = tmp_path / "results"
    shipped = _run(copies["shipped"], out)
    other = _run(copies["other"], out)
    capsys.readouterr()
    assert main(["show", "small_cu", "--out", str(out)]) == 2
    captured = capsys.readouterr()
    err = captured.err
    assert "Traceback" not in err and captured.out == "", captured
    assert err.startswith(
        f"scosim: error: 'small_cu' names 2 different scenarios under {out}/"), err
    lines = [ln.strip() for ln in err.splitlines() if ln.strip().startswith(str(out))]
    assert [ln.split(":")[0] for ln in lines] == [str(other), str(shipped)]
    # show runs nothing: the advice is a run, not a scenario file.
    assert err.rstrip().endswith("Give the run directory (or its run id) instead of the "
                                 "name; `scosim list` shows every run"), err
    assert "YAML file" not in err
    # The advice works.
    assert main(["show", str(shipped), "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"run: {shipped}\n")


def _with_outputs(copies: dict[str, Path], outputs: str) -> Path:
    """small_cu.yaml as shipped, with an ``outputs:`` block, in the user's folder."""
    path = copies["same"].parent / "small_cu.yaml"
    path.write_text(copies["shipped"].read_text() + outputs)
    return path


def test_runs_differing_only_in_outputs_are_one_scenario(
        tmp_path: Path, copies: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """Editing only ``outputs:`` between two runs made the name ambiguous to compare."""
    out = tmp_path / "results"
    _run(copies["base"], out)
    _run(_with_outputs(copies, "outputs: {bilateral: true}\n"), out)
    latest = _run(_with_outputs(copies, (
        "outputs: {indicators: [welfare_change_pct, gdp_usd], summary: all}\n")), out)
    capsys.readouterr()
    assert main(["compare", "small_cu", "small_base", "--out", str(out), *COMPARE]) == 0
    assert f"policy:   {latest} (" in capsys.readouterr().out
    assert main(["show", "small_cu", "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"run: {latest}\n")


def test_a_real_edit_beside_outputs_is_still_ambiguous(
        tmp_path: Path, copies: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """Outputs are left out of the identity, not everything after them."""
    out = tmp_path / "results"
    _run(copies["base"], out)
    _run(_with_outputs(copies, "outputs: {bilateral: true}\n"), out)
    edited = copies["same"].parent / "small_cu.yaml"
    edited.write_text(edited.read_text().replace("cet: weighted_mean", "cet: 0.2"))
    _run(edited, out)
    capsys.readouterr()
    assert main(["compare", "small_cu", "small_base", "--out", str(out), *COMPARE]) == 2
    assert "'small_cu' names 2 different scenarios" in capsys.readouterr().err
