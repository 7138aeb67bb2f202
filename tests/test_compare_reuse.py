"""`scosim compare` of a scenario file reuses a finished run that would give its numbers.

Found by an outside review: every compare of a YAML file ran it again, although a run of
the same resolved scenario, seed, replications and versions was finished in the results
root (the same numbers bit for bit). Now it is reused, and said; anything that differs
is run, and ``--rerun`` runs it anyway.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scosim.cli import main


def _runs(root: Path) -> dict[str, set[str]]:
    """The finished run directories under ``root``, by scenario."""
    return {s: {p.name for p in (root / s).iterdir() if not p.name.startswith(".")}
            for s in ("small_cu", "small_base") if (root / s).is_dir()}


def _compare(model_fixture, root: Path, *extra: str) -> int:
    return main(["compare", str(model_fixture("small_cu.yaml")),
                 str(model_fixture("small_base.yaml")), "--out", str(root), "--quiet",
                 "--indicator", "welfare_change_pct", "--plot-workers", "1", *extra])


def test_a_second_compare_of_the_same_files_runs_nothing(
        tmp_path, model_fixture, capsys, monkeypatch) -> None:
    assert _compare(model_fixture, tmp_path) == 0
    first = _runs(tmp_path)
    assert {s: len(r) for s, r in first.items()} == {"small_cu": 1, "small_base": 1}
    table = capsys.readouterr().out.split("report:")[0]

    def no_run(*args, **kwargs):
        raise AssertionError("the model was run again")

    monkeypatch.setattr("scosim.api.run", no_run)
    assert _compare(model_fixture, tmp_path) == 0
    assert _runs(tmp_path) == first
    captured = capsys.readouterr()
    # One line for each file, naming the run it used.
    for scenario, (run_id,) in first.items():
        assert (f"{model_fixture(scenario + '.yaml')}: reusing the finished run "
                f"{tmp_path / scenario / run_id} (same resolved scenario, seed 7, 6 "
                "replications and versions; --rerun runs it again)") in captured.err
    assert captured.out.split("report:")[0] == table  # the same comparison
    assert len(list((tmp_path / "compare").iterdir())) == 2


def test_what_differs_is_run_again(tmp_path, model_fixture, capsys) -> None:
    assert _compare(model_fixture, tmp_path) == 0
    first = _runs(tmp_path)
    # The baseline's run made with another scosim version: not the same numbers.
    (base_run,) = first["small_base"]
    manifest = tmp_path / "small_base" / base_run / "manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()),
                                    "package_version": "0.0.1"}))
    capsys.readouterr()
    assert _compare(model_fixture, tmp_path) == 0
    second = _runs(tmp_path)
    assert second["small_cu"] == first["small_cu"]  # the policy's run is reused
    assert len(second["small_base"] - first["small_base"]) == 1
    err = capsys.readouterr().err
    assert "small_cu.yaml: reusing" in err and "small_base.yaml: reusing" not in err
    # Other replications (an override the manifest records): both are run.
    assert _compare(model_fixture, tmp_path, "--replications", "3") == 0
    third = _runs(tmp_path)
    assert [len(third[s] - second[s]) for s in ("small_cu", "small_base")] == [1, 1]
    assert "reusing" not in capsys.readouterr().err
    # --rerun runs files whose runs are there.
    assert _compare(model_fixture, tmp_path, "--replications", "3", "--rerun") == 0
    assert [len(_runs(tmp_path)[s] - third[s]) for s in ("small_cu", "small_base")] == [1, 1]


def test_a_changed_scenario_file_is_run_again(tmp_path, model_fixture, capsys) -> None:
    policy = tmp_path / "cu.yaml"
    policy.write_text(Path(model_fixture("small_cu.yaml")).read_text().replace(
        "extends: small_base.yaml", f"extends: {model_fixture('small_base.yaml')}"))
    args = ["compare", str(policy), str(model_fixture("small_base.yaml")), "--out",
            str(tmp_path / "results"), "--quiet", "--plot-workers", "1"]
    assert main(args) == 0
    first = _runs(tmp_path / "results")
    capsys.readouterr()
    policy.write_text(policy.read_text().replace("cet: weighted_mean", "cet: max"))
    assert main(args) == 0
    second = _runs(tmp_path / "results")
    assert len(second["small_cu"] - first["small_cu"]) == 1
    assert second["small_base"] == first["small_base"]
    assert "small_base.yaml: reusing" in capsys.readouterr().err



@pytest.mark.parametrize("flags", [["--executor", "process", "--workers", "2"],
                                   ["--scheduler", "tcp://127.0.0.1:1"]],
                         ids=["process", "scheduler"])
def test_options_of_a_run_are_said_to_do_nothing_when_no_run_is_made(
        tmp_path, model_fixture, capsys, monkeypatch, flags) -> None:
    # Found by a review: with both files' runs reused the options were accepted in
    # silence, as if they had run something.
    assert _compare(model_fixture, tmp_path) == 0
    capsys.readouterr()
    monkeypatch.setattr("scosim.api.run", _no_run)
    assert _compare(model_fixture, tmp_path, *flags) == 0  # a note, not an error
    shown = "--executor dask --scheduler tcp://127.0.0.1:1" if "--scheduler" in flags else (
        " ".join(flags))
    assert (f"scosim: note: {shown} had no effect: no run was made (both sides are finished "
            "runs)") in capsys.readouterr().err
    # The policy's run given by id, the baseline's file reused: nothing is run either.
    (run_id,) = _runs(tmp_path)["small_cu"]
    assert main(["compare", run_id, str(model_fixture("small_base.yaml")), "--out",
                 str(tmp_path), "--quiet", "--indicator", "welfare_change_pct",
                 "--plot-workers", "1", *flags]) == 0
    assert "had no effect" in capsys.readouterr().err


def test_no_note_when_a_file_is_run(tmp_path, model_fixture, capsys, monkeypatch) -> None:
    from scosim.api import compare_runs

    class Ran(Exception):
        pass

    def ran(*args, **kwargs):
        raise Ran

    monkeypatch.setattr("scosim.api.run", ran)
    with pytest.raises(Ran):  # nothing under the root: the policy's file is run
        compare_runs(str(model_fixture("small_cu.yaml")), str(model_fixture("small_base.yaml")),
                     out=tmp_path, executor="process", workers=2, progress=False)
    assert "had no effect" not in capsys.readouterr().err


def _no_run(*args, **kwargs):
    raise AssertionError("the model was run again")
