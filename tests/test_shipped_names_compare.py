"""``scosim:<name>`` wherever a scenario file is taken: compare, sweep, explore.

Until 2026-12-07 a shipped scenario could be named in ``extends:``, ``scosim run`` and
``scosim validate``, but ``scosim compare scosim:customs_union scosim:baseline`` looked
for a finished run called ``scosim:customs_union``, ``scosim sweep`` made the name a path
under the current folder, and ``scosim explore`` outside a checkout refused to start (no
``./scenarios``). After ``pip install scosim`` these names are a user's only way to the
shipped scenarios.

The runs use the small fixture scenarios, put in place of the installed package's copy
(``shipped.PACKAGED``), so the names go through the same lookup as from a wheel.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scosim.cli import main
from scosim.scenario import shipped

COMPARE = ["--quiet", "--indicator", "welfare_change_pct", "--plot-workers", "1"]


@pytest.fixture
def small_shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_fixture) -> Path:
    """The small fixtures as the installed package's shipped scenarios; cwd a bare folder."""
    folder = tmp_path / "site" / "scosim" / "shipped_scenarios"
    folder.mkdir(parents=True)
    for name in ("small_base.yaml", "small_cu.yaml"):  # small_cu extends small_base.yaml
        shutil.copy(model_fixture(name), folder)
    monkeypatch.setattr(shipped, "PACKAGED", folder)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # no scenarios/ here, as for a user of the wheel
    return folder


def test_compare_takes_shipped_names_on_both_sides(
        small_shipped: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "scosim:small_cu", "scosim:small_base", "--replications", "3",
                 "--out", "results", *COMPARE]) == 0
    said = capsys.readouterr().out
    pol = next(Path("results/small_cu").glob("2*"))
    base = next(Path("results/small_base").glob("2*"))
    assert f"policy:   {pol} (scosim:small_cu)" in said
    assert f"baseline: {base} (scosim:small_base)" in said
    for run_dir, name in ((pol, "scosim:small_cu"), (base, "scosim:small_base")):
        m = json.loads((run_dir / "manifest.json").read_text())
        assert m["scenario_file"] == name and m["replications"] == 3
    # A name is its file: the same comparison of the files reuses both runs (the same
    # resolved scenario, seed, replications and versions), nothing is run again.
    assert main(["compare", str(small_shipped / "small_cu.yaml"),
                 str(small_shipped / "small_base.yaml"), "--replications", "3",
                 "--out", "results", *COMPARE]) == 0
    err = capsys.readouterr().err
    assert f"reusing the finished run {pol}" in err and f"reusing the finished run {base}" in err
    assert len(list(Path("results/small_cu").glob("2*"))) == 1
    # A shipped name beside a finished run's name: the baseline run is found by name.
    assert main(["compare", "scosim:small_cu", "small_base", "--replications", "3",
                 "--out", "results", *COMPARE]) == 0
    assert f"baseline: {base} (scosim:small_base)" in capsys.readouterr().out


@pytest.mark.parametrize("sides", [("scosim:custom_union", "scosim:baseline"),
                                   ("scosim:customs_union", "scosim:basline.yaml")])
def test_a_misspelt_shipped_name_in_compare_is_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        sides: tuple[str, str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["compare", *sides, "--rerun", *COMPARE]) == 2
    err = capsys.readouterr().err.strip()
    bad = next(s for s in sides if s not in ("scosim:baseline", "scosim:customs_union"))
    assert "\n" not in err and "Traceback" not in err
    # The loader's line, as `scosim run` and `scosim validate` give it.
    assert err.startswith(f"scosim: error: {bad}: <root>: no shipped scenario {bad!r}; "
                          "closest: scosim:")
    assert "no finished run" not in err and "not found" not in err
    assert not Path("results").exists()  # nothing was run or written


@pytest.mark.parametrize("baseline", ["scosim:small_cu.yaml", "FILE"])
def test_one_file_named_two_ways_is_refused(
        small_shipped: Path, capsys: pytest.CaptureFixture[str], baseline: str) -> None:
    """The baseline found (or made) the policy's run: one ensemble against itself."""
    file = small_shipped / "small_cu.yaml"
    baseline = str(file) if baseline == "FILE" else baseline
    assert main(["compare", "scosim:small_cu", baseline, "--replications", "3",
                 "--out", "results", *COMPARE]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"scosim: error: policy and baseline are the same scenario file "
                   f"('scosim:small_cu' and {baseline!r} are both {file.resolve()}): every "
                   "difference would be zero. Compare two different runs")
    assert not Path("results").exists()


def test_sweep_takes_a_shipped_name(small_shipped: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sweep", "scosim:small_cu", "--method", "grid", "--n", "2",
                 "--param", "parameters.trade.sigma=4:8", "--output", "welfare_change_pct:KAZ",
                 "--out", "results", "--quiet"]) == 0
    (done,) = Path("results/small_cu/sweeps").iterdir()
    meta = json.loads((done / "manifest.json").read_text())
    assert meta["scenario_file"] == "scosim:small_cu"
    assert meta["points"] == 2


def test_explore_lists_the_shipped_scenarios_without_a_scenarios_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scosim.explore.folder import (
        LOCAL,
        SHIPPED,
        default_scenarios_dir,
        folder_caption,
        list_folder,
    )

    monkeypatch.chdir(tmp_path)
    assert shipped.shipped_dir() is not None
    assert default_scenarios_dir() == SHIPPED
    # By the names `scosim run` takes: each the shipped file of that name, every top-level
    # file once (their site-packages paths were listed, and copied into commands).
    listed = list_folder(SHIPPED)
    files = sorted(shipped.shipped_dir().glob("*.yaml"))
    assert listed == [f"scosim:{f.stem}" for f in files]
    assert [shipped.shipped_path(n) for n in listed] == files
    caption = folder_caption(SHIPPED)
    assert caption.startswith("The scenarios shipped with scosim, named as `scosim run`")
    assert f"their files: {shipped.shipped_dir()}" in caption
    (tmp_path / LOCAL).mkdir()
    # An empty folder of that name lists nothing: still the shipped ones.
    assert default_scenarios_dir() == SHIPPED
    (tmp_path / LOCAL / "mine.yaml").write_text("name: mine\n")
    assert default_scenarios_dir() == LOCAL  # a project's own scenarios come first
    assert list_folder(LOCAL) == [str(Path(LOCAL) / "mine.yaml")]
    assert folder_caption(LOCAL).startswith("Scenario files in scenarios; ")
    assert "shipped" not in folder_caption(LOCAL)
    # The shipped folder given by path is listed by path, and named as the shipped one.
    assert folder_caption(shipped.shipped_dir()).startswith(
        f"Scenario files in {shipped.shipped_dir()} (the scenarios shipped with scosim); ")


def test_explore_starts_outside_a_checkout(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from scosim.cli import build_parser
    from scosim.explore.folder import SHIPPED
    from scosim.explore.server import explore_config

    monkeypatch.chdir(tmp_path)
    cfg = explore_config(build_parser().parse_args(["explore"]))
    assert cfg["scenarios_dir"] == SHIPPED
    # A shipped name stays a name, listed with the other shipped ones (it was made its
    # file, and its folder listed by path).
    cfg = explore_config(build_parser().parse_args(["explore", "scosim:customs_union"]))
    assert cfg["scenario"] == "scosim:customs_union"
    assert cfg["scenarios_dir"] == SHIPPED
    assert main(["explore", "scosim:custom_union"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "closest: scosim:customs_union" in err


def test_the_page_lists_runs_and_reproduces_the_shipped_scenarios_by_name(
        small_shipped: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a user of the wheel sees, copies and gets back: ``scosim:small_cu``."""
    testing = pytest.importorskip("streamlit.testing.v1")
    monkeypatch.setenv("SCOSIM_EXPLORE", json.dumps({"out": "results"}))
    app = Path(__file__).resolve().parents[1] / "src" / "scosim" / "explore" / "app.py"
    at = testing.AppTest.from_file(str(app), default_timeout=300).run()
    assert not at.exception
    assert at.selectbox(key="scenario").options == ["scosim:small_base", "scosim:small_cu"]
    captions = [c.value for c in at.sidebar.caption]
    assert ("The scenarios shipped with scosim, named as `scosim run`, `validate` and "
            f"`compare` take them (scosim:<name>; their files: {small_shipped}); "
            "`scosim explore --scenarios DIR` lists another folder.") in captions
    at.selectbox(key="scenario").set_value("scosim:small_cu").run()
    # The boxes are keyed by the file's stem, as for a file listed by path.
    at.number_input(key="small_cu--replications").set_value(3).run()
    at.button(key="run").click().run()
    assert not at.exception and not at.error
    (command,) = [c.value for c in at.code if c.value.startswith("scosim run")]
    assert command.startswith("scosim run scosim:small_cu --seed ")
    assert str(small_shipped) not in command
    (run_dir,) = Path("results/small_cu").glob("2*")
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["scenario_file"] == "scosim:small_cu"
    # The command on the page makes the same numbers (the same run: found, not rerun).
    from scosim.api import finished_run

    assert finished_run("scosim:small_cu", "results", {"replications": 3}) == run_dir
    # A new session opens on that run, found by the name (and by its file: one scenario).
    again = testing.AppTest.from_file(str(app), default_timeout=300).run()
    assert again.selectbox(key="scenario").value == "scosim:small_cu"
    assert again.session_state["last_run"]["path"] == str(run_dir)
    from scosim.explore.session import latest_run

    found = latest_run("results", [str(small_shipped / "small_cu.yaml")])
    assert found is not None and found.path == run_dir
