"""The explorer without a browser: schema-driven forms, overrides, commands, the page's logic."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
from pathlib import Path
from typing import Annotated, Literal, Union

import pandas as pd
import pytest
from pydantic import BaseModel, ConfigDict, Field

from scosim.cli import main
from scosim.explore.forms import (
    changed_overrides,
    format_set,
    proposal_types,
    scenario_schema,
    schema_fields,
)
from scosim.explore.session import View, explorer_batch_size, run_command, run_view
from scosim.proposals.customs_union import CustomsUnionProposal
from scosim.results import read_batches
from scosim.scenario import ScenarioError, load_scenario, parse_overrides
from scosim.scenario.schema import CouncilParams, Scenario

REPO = Path(__file__).resolve().parents[1]
CU = "scenarios/customs_union.yaml"


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the scenarios, used with relative paths like a user's checkout."""
    shutil.copytree(REPO / "scenarios", tmp_path / "scenarios")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _data(sc: Scenario) -> dict:
    return sc.model_dump(mode="python", exclude={"source", "extends"})


def test_fields_come_from_the_schema(workdir: Path) -> None:
    sc = load_scenario(CU)
    fields = {f.path: f for f in schema_fields(scenario_schema(), _data(sc))}
    # Every field of the council block, with the choices its Literal allows.
    council = [p for p in fields if p.startswith("parameters.council.")]
    assert sorted(p.rsplit(".", 1)[1] for p in council) == sorted(CouncilParams.model_fields)
    rule = fields["parameters.council.decision_rule"]
    assert rule.kind == "choice"
    # The installed decision rules (built in or plug-ins', since they became plug-ins on
    # 2026-12-06: no longer a Literal), and None for each type's default.
    from scosim.model.decision_rules import available_decision_rules

    assert set(rule.choices) == {*available_decision_rules(), None}
    assert {"consensus", "qualified_majority", "variable_geometry",
            "interested_members"} <= set(rule.choices)
    # The proposal's fields follow its type's model (minus the fixed discriminator).
    mine = {p.split(".", 1)[1] for p in fields if p.startswith("proposals[0].")}
    assert mine == set(CustomsUnionProposal.model_fields) - {"type"}
    assert fields["proposals[0].revenue_sharing"].value == sc.proposals[0].revenue_sharing
    assert fields["parameters.trade.sigma"].kind == "float"
    assert fields["parameters.trade.sigma"].value == sc.parameters.trade.sigma
    assert fields["years.start"].kind == "int"
    assert fields["proposals[0].phase_in"].kind == "yaml"  # number or {year: number}


class _Toy(BaseModel):
    """A proposal type the explorer has never heard of."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["toy_treaty"]
    id: str
    year: int
    intensity: float = Field(0.5, ge=0, le=1, description="how binding the treaty is")
    mode: Literal["soft", "hard"] = "soft"


class _Doc(BaseModel):
    proposals: list[
        Annotated[Union[CustomsUnionProposal, _Toy], Field(discriminator="type")]  # noqa: UP007
    ] = []


def test_a_new_proposal_type_gets_a_form_without_code_changes() -> None:
    schema = _Doc.model_json_schema()
    types = proposal_types(schema)
    assert set(types) == {"customs_union", "toy_treaty"}
    desc, params = types["toy_treaty"]
    assert "never heard of" in desc
    by_name = {p.name: p for p in params}
    assert by_name["intensity"].constraints == ">= 0, <= 1"
    assert by_name["intensity"].description == "how binding the treaty is"
    assert by_name["year"].required and not by_name["intensity"].required
    data = {"proposals": [{"type": "toy_treaty", "id": "t", "year": 2030, "intensity": 0.2,
                           "mode": "hard"}]}  # fmt: skip
    fields = {f.path: f for f in schema_fields(schema, data, roots=("proposals",))}
    assert set(fields) == {"proposals[0].id", "proposals[0].year", "proposals[0].intensity",
                           "proposals[0].mode"}  # fmt: skip
    assert fields["proposals[0].intensity"].kind == "float"
    assert fields["proposals[0].intensity"].value == 0.2
    assert fields["proposals[0].mode"].choices == ("soft", "hard")


@pytest.mark.parametrize(
    "value", [4.5, 3, "max", [1, 2], {2027: 0.5, 2029: 1.0}, True, 1e-5, "members"]
)
def test_override_text_parses_back_as_the_cli_reads_it(value: object) -> None:
    assert parse_overrides([format_set("a.b", value)]) == {"a.b": value}


def test_only_changed_values_become_overrides(workdir: Path) -> None:
    sc = load_scenario(CU)
    fields = schema_fields(scenario_schema(), _data(sc))
    values = {f.path: f.value for f in fields}
    assert changed_overrides(fields, values) == {}
    values["parameters.trade.sigma"] = 4.0
    values["proposals[0].revenue_sharing"] = "gdp"
    over = changed_overrides(fields, values)
    assert over == {"parameters.trade.sigma": 4.0, "proposals[0].revenue_sharing": "gdp"}
    loaded = View(CU, over).load()
    assert loaded.parameters.trade.sigma == 4.0
    assert loaded.proposals[0].revenue_sharing == "gdp"


def test_validation_message_is_the_clis(workdir: Path, capsys: pytest.CaptureFixture) -> None:
    view = View(CU, {"parameters.trade.sigma": 0.5, "proposals[0].cet": "median"})
    with pytest.raises(ScenarioError) as err:
        view.load()
    args = ["validate", CU]
    for path, value in view.overrides.items():
        args += ["--set", format_set(path, value)]
    assert main(args) == 2
    assert capsys.readouterr().err.strip() == f"scosim: error: {err.value}"
    assert "parameters.trade.sigma" in str(err.value) and "proposals[0].cet" in str(err.value)


def test_run_reports_progress_batch_by_batch(workdir: Path) -> None:
    from scosim.runner import run

    calls: list[tuple[int, int]] = []
    res = run(CU, replications=5, batch_size=2, out="results", progress=False, plots=False,
              on_batch=lambda done, total: calls.append((done, total)))  # fmt: skip
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert res.manifest["batches"] == [0, 1, 2]


def test_explorer_batches_are_few_and_never_above_the_default() -> None:
    from scosim.runner import DEFAULT_BATCH_SIZE

    for r in (1, 7, 50, 51, 120, 250, 1000, 5000):
        bs = explorer_batch_size(r)
        assert 1 <= bs <= min(r, DEFAULT_BATCH_SIZE)
        assert bs == r or bs >= 50
        assert -(-r // bs) <= max(5, -(-r // DEFAULT_BATCH_SIZE))


def test_reproduce_command_gives_identical_numbers(workdir: Path, capsys) -> None:
    view = View(CU, {"parameters.council.vote_noise": 0.01, "proposals[0].cet": "max"},
                seed=7, replications=12, out="results")  # fmt: skip
    res = run_view(view)
    argv = shlex.split(run_command(view, view.load()))
    assert argv[:3] == ["scosim", "run", CU]
    assert main(argv[1:] + ["--quiet", "--no-plots"]) == 0
    cli_dir = Path(capsys.readouterr().out.split("results: ", 1)[1].split()[0])
    assert cli_dir != res.path
    cli_manifest = json.loads((cli_dir / "manifest.json").read_text())
    assert cli_manifest["scenario_hash"] == res.manifest["scenario_hash"]
    for table in ("indicators", "events"):
        pd.testing.assert_frame_equal(read_batches(res.path / table), read_batches(cli_dir / table))


def test_page_runs_and_shows_provenance_and_command(workdir: Path, monkeypatch) -> None:
    """The Streamlit script itself, driven in process (no browser)."""
    testing = pytest.importorskip("streamlit.testing.v1")
    monkeypatch.setenv("SCOSIM_EXPLORE", json.dumps(
        {"scenario": CU, "scenarios_dir": "scenarios", "out": "results"}))  # fmt: skip
    app = REPO / "src" / "scosim" / "explore" / "app.py"
    at = testing.AppTest.from_file(str(app), default_timeout=120).run()
    assert not at.exception
    at.number_input(key="customs_union--replications").set_value(5).run()
    at.selectbox(key="customs_union--parameters.council.decision_rule").set_value(
        "qualified_majority").run()  # fmt: skip
    at.button(key="run").click().run()
    assert not at.exception
    command = next(c.value for c in at.code if c.value.startswith("scosim run"))
    assert "--set parameters.council.decision_rule=qualified_majority" in command
    assert "--replications 5" in command
    text = " ".join(m.value for m in at.markdown)
    assert "5 replications" in text and "hash " in text
    run_id = text.split("· run ", 1)[1].split("`", 1)[0]
    manifest = json.loads((workdir / "results" / "customs_union" / run_id / "manifest.json")
                          .read_text())  # fmt: skip
    assert manifest["replications"] == 5
    # The answer `scosim run` prints (worked out from the run's tables: no plots here),
    # but for its last line: "(it was made without plots)" was false above the page's
    # figures, which the page now says are below it.
    from scosim.run_headline import FROM_TABLES, headline_of_run

    # As the page names it (relative to the working directory): the answer's commands name
    # the run's resolved scenario.yaml by that path when the page's edits changed it.
    run_dir = Path("results") / "customs_union" / run_id
    assert (workdir / run_dir).is_dir()
    answer = headline_of_run(run_dir).rstrip().splitlines()
    shown = [c.value.rstrip().splitlines() for c in at.code if c.value.startswith("Who ")]
    assert len(shown) == 1 and shown[0][:-2] == answer[:-1] and answer[-1] == FROM_TABLES
    assert "Who gains, who loses: customs_union (seed " in shown[0][0]
    assert not any("without plots" in line for line in shown[0])
    assert shown[0][-2].startswith("Figures: below on this page")
    assert f"{Path('results') / 'customs_union' / run_id / 'indicators'}/" in shown[0][-1]
    assert len(shown[0][-2]) <= 100  # as wide as the answer; the run's path on a line of its own
    assert at.get("plotly_chart")  # and the figures are there
    # An invalid value: the run button is disabled and the CLI's message is shown.
    at.number_input(key="customs_union--parameters.trade.sigma").set_value(0.5).run()
    assert at.button(key="run").disabled
    assert any("parameters.trade.sigma: 0.5 is out of range" in c.value for c in at.code)


def test_page_names_the_events_as_the_membership_figure_does(workdir: Path, monkeypatch) -> None:
    """The events table's headings were the log's codes (bloc_invited, in_force): internal
    names beside a membership figure that says "invited with its bloc". Now each heading
    is the figure's name of the event, and its tooltip gives the code to look up."""
    testing = pytest.importorskip("streamlit.testing.v1")
    from scosim.explore.figures import membership_figures

    monkeypatch.setenv("SCOSIM_EXPLORE", json.dumps(
        {"scenario": CU, "scenarios_dir": "scenarios", "out": "results"}))  # fmt: skip
    app = REPO / "src" / "scosim" / "explore" / "app.py"
    at = testing.AppTest.from_file(str(app), default_timeout=120).run()
    at.number_input(key="customs_union--replications").set_value(5).run()
    at.button(key="run").click().run()
    assert not at.exception
    events = [d for d in at.dataframe if d.value.index.name == "year"]
    assert len(events) == 1
    headings = list(events[0].value.columns)
    from scosim.results import open_result

    res = open_result(at.session_state["last_run"]["path"])
    codes = sorted(res.events["type"].astype(str).unique())
    assert len(headings) == len(codes) and {"bloc_invited", "in_force"} <= set(codes)
    assert not set(headings) & set(codes) - {"adopted", "defection"}  # one word: no code
    assert all("_" not in h for h in headings)
    # The names the membership figure's events panel gives the same events.
    _, panel = membership_figures(res)
    named = {t.name for t in panel.data}
    assert {"invited with its bloc", "left on its own"} <= named and named <= set(headings)
    # Each heading's tooltip names its code in the run's event log.
    config = json.loads(events[0].proto.columns)
    helps = {k: v.get("help", "") for k, v in config.items()}
    assert sorted(c for c in codes if any(f"`{c}`" in h for h in helps.values())) == codes


def test_page_opens_on_the_most_recent_run(workdir: Path, monkeypatch) -> None:
    """The page opened on the first file of the list (afghan_corridor.yaml) with no result,
    whatever had been run. Now on the most recent finished run, its file, seed and
    replications in the form, as if just made (no "form has changed" warning)."""
    testing = pytest.importorskip("streamlit.testing.v1")
    first = run_view(View(CU, replications=3, out="results"))
    latest = run_view(View(CU, seed=7, replications=4, out="results"))
    run_view(View("scenarios/baseline.yaml", replications=3, out="results"))
    # The baseline finished last by the clock; the manifests say customs_union did.
    for res, when in ((first, "2999-01-01T00:00:00+00:00"), (latest, "2999-01-02T00:00:00+00:00")):
        m = json.loads((res.path / "manifest.json").read_text())
        (res.path / "manifest.json").write_text(json.dumps({**m, "finished": when}))
    monkeypatch.setenv("SCOSIM_EXPLORE", json.dumps(
        {"scenario": None, "scenarios_dir": "scenarios", "out": "results"}))  # fmt: skip
    app = REPO / "src" / "scosim" / "explore" / "app.py"
    at = testing.AppTest.from_file(str(app), default_timeout=120).run()
    assert not at.exception
    assert at.selectbox(key="scenario").value == CU
    assert at.number_input(key="customs_union--seed").value == 7
    assert at.number_input(key="customs_union--replications").value == 4
    assert Path(at.session_state["last_run"]["path"]) == latest.path
    text = " ".join(m.value for m in at.markdown)
    assert f"· run {latest.manifest['run_id']}" in text
    assert any("most recent finished run" in i.value for i in at.info)
    assert not at.warning  # the form is the run's
    assert any(c.value.startswith("Who gains, who loses: customs_union (seed 7)")
               for c in at.code)
    command = next(c.value for c in at.code if c.value.startswith("scosim run"))
    assert "--seed 7 --replications 4" in command
    # A rerun of the page keeps what the reader chose.
    at.selectbox(key="scenario").set_value("scenarios/baseline.yaml").run()
    assert at.selectbox(key="scenario").value == "scenarios/baseline.yaml"


def test_page_opens_a_run_made_with_an_output_setting_as_it_was_run(
        workdir: Path, monkeypatch) -> None:
    """A run's `--set outputs...` is recorded apart from its overrides (it changes no
    number): the page still opens the run with it, so the run is not taken for stale (its
    scenario hash counts the outputs) and the page's command makes the same run."""
    testing = pytest.importorskip("streamlit.testing.v1")
    made = run_view(View(CU, {"outputs.summary": "all"}, replications=3, out="results"))
    assert made.manifest["overrides"] == {}
    assert made.manifest["output_settings"] == {"outputs.summary": "all"}
    monkeypatch.setenv("SCOSIM_EXPLORE", json.dumps(
        {"scenario": None, "scenarios_dir": "scenarios", "out": "results"}))  # fmt: skip
    app = REPO / "src" / "scosim" / "explore" / "app.py"
    at = testing.AppTest.from_file(str(app), default_timeout=120).run()
    assert not at.exception
    assert Path(at.session_state["last_run"]["path"]) == made.path
    assert not at.session_state["last_run"]["stale"]
    assert "--set outputs.summary=all" in at.session_state["last_run"]["command"]


def test_latest_run_is_by_the_manifests_time_else_the_files(workdir: Path) -> None:
    from scosim.explore.session import latest_run, list_scenarios

    listed = list_scenarios("scenarios")
    assert latest_run("results", listed) is None  # nothing run yet: the first file
    a = run_view(View(CU, replications=2, out="results"))
    b = run_view(View("scenarios/baseline.yaml", replications=2, out="results"))
    assert latest_run("results", listed).path == b.path
    ma = json.loads((a.path / "manifest.json").read_text())
    (a.path / "manifest.json").write_text(json.dumps({**ma, "finished": "2999-01-01T00:00:00Z"}))
    found = latest_run("results", listed)
    assert found.path == a.path and found.scenario == CU
    assert latest_run("results", listed, only="scenarios/baseline.yaml").path == b.path
    # Two runs that finished within the same second: the later manifest file is the later.
    for res, t in ((a, 2_000_000), (b, 1_000_000)):
        m = json.loads((res.path / "manifest.json").read_text())
        same_second = {**m, "finished": "2999-01-01T00:00:00Z"}
        (res.path / "manifest.json").write_text(json.dumps(same_second))
        os.utime(res.path / "manifest.json", (t, t))
    assert latest_run("results", listed).path == a.path
    os.utime(a.path / "manifest.json", (500_000, 500_000))
    assert latest_run("results", listed).path == b.path
    # Without a time in the manifest, the manifest file's time decides.
    for res, t in ((a, 1_000_000), (b, 2_000_000)):
        m = json.loads((res.path / "manifest.json").read_text())
        m.pop("finished")
        (res.path / "manifest.json").write_text(json.dumps(m))
        os.utime(res.path / "manifest.json", (t, t))
    assert latest_run("results", listed).path == b.path
    # A run of a file the page does not list is not opened.
    assert latest_run("results", ["scenarios/afghan_corridor.yaml"]) is None


def test_explore_cli_errors_exit_2(workdir: Path, capsys: pytest.CaptureFixture) -> None:
    (workdir / "bad.yaml").write_text("name: bad\nreplications: 0\n")
    assert main(["explore", "bad.yaml"]) == 2
    assert "bad.yaml:2: replications" in capsys.readouterr().err
    assert main(["explore", "--scenarios", "nowhere"]) == 2
    # said as what it is (was "no scenario files (*.yaml) in nowhere/")
    assert "--scenarios nowhere: no such directory" in capsys.readouterr().err
    (workdir / "empty").mkdir()
    assert main(["explore", "--scenarios", "empty"]) == 2
    assert "no scenario files" in capsys.readouterr().err


def test_explore_without_its_extra_says_what_to_install(monkeypatch, capsys) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "streamlit" else real(name)
    )
    assert main(["explore", CU]) == 2
    err = capsys.readouterr().err
    assert "needs streamlit" in err and "pip install 'scosim[explore]'" in err


def test_page_compare_uses_common_random_numbers_and_its_commands_reproduce(
    workdir: Path, monkeypatch, capsys
) -> None:
    testing = pytest.importorskip("streamlit.testing.v1")
    monkeypatch.setenv("SCOSIM_EXPLORE", json.dumps(
        {"scenario": CU, "scenarios_dir": "scenarios", "out": "results"}))  # fmt: skip
    app = REPO / "src" / "scosim" / "explore" / "app.py"
    at = testing.AppTest.from_file(str(app), default_timeout=180).run()
    at.number_input(key="customs_union--replications").set_value(4).run()
    at.number_input(key="customs_union--parameters.trade.sigma").set_value(4.0).run()
    assert at.selectbox(key="baseline").value == "scenarios/baseline.yaml"
    at.button(key="compare").click().run()
    assert not at.exception
    lines = next(c.value for c in at.code if c.value.count("\n") == 2).splitlines()
    assert lines[0].startswith("scosim run scenarios/customs_union.yaml --seed 20250101")
    assert "--set parameters.trade.sigma=4.0" in lines[0]
    base = "scosim run scenarios/baseline.yaml --seed 20250101 --replications 4"
    assert lines[1].startswith(base)
    # Each side's scenario hash in the folder's name (tests/test_explore_reproduce_folder.py).
    own = lines[2].removeprefix("scosim compare customs_union baseline --out ")
    assert re.fullmatch(r"results/reproduce/customs_union-[0-9a-f]{8}_vs_baseline-[0-9a-f]{8}",
                        own), lines[2]
    reports = sorted((workdir / "results" / "compare").iterdir())
    assert len(reports) == 1
    page = pd.read_parquet(reports[0] / "summary.parquet")
    # The page's runs record no override for the seed and replications, as the CLI's.
    manifests = [json.loads(p.read_text()) for p in (workdir / "results").glob("*/*/manifest.json")]
    assert [m["overrides"] for m in manifests if m["scenario"] == "baseline"] == [{}]
    # Compared again: both runs are reused, as `scosim compare` reuses them, and said.
    at.button(key="compare").click().run()
    assert not at.exception
    said = [i.value for i in at.info if "was not run again" in i.value]
    assert [s.split()[1] for s in said] == ["policy", "baseline"], said
    assert len(list((workdir / "results").glob("*/*/manifest.json"))) == len(manifests)
    # An unedited run of the policy in the shared root (the README's first command) was
    # what `scosim compare customs_union ...` picked; the commands' own folder avoids it.
    assert main(["run", CU, "--replications", "4", "--out", "results", "--quiet",
                 "--no-plots"]) == 0
    for line in lines:
        argv = shlex.split(line)
        quiet = ["--quiet"] if argv[1] == "compare" else ["--quiet", "--no-plots"]
        assert main(argv[1:] + quiet) == 0
    capsys.readouterr()
    (again,) = sorted((workdir / own / "compare").iterdir())
    pd.testing.assert_frame_equal(page, pd.read_parquet(again / "summary.parquet"))
    # The comparison stays on the page when the form changes: it says it is out of date.
    stale = "The form has changed since this comparison"
    assert not any(stale in w.value for w in at.warning)
    at.number_input(key="customs_union--replications").set_value(5).run()
    assert any(stale in w.value for w in at.warning)


def test_page_adds_a_proposal_of_any_type_and_the_command_reproduces_it(
    workdir: Path, monkeypatch, capsys
) -> None:
    testing = pytest.importorskip("streamlit.testing.v1")
    monkeypatch.setenv("SCOSIM_EXPLORE", json.dumps(
        {"scenario": "scenarios/baseline.yaml", "scenarios_dir": "scenarios", "out": "results"}))
    app = REPO / "src" / "scosim" / "explore" / "app.py"
    at = testing.AppTest.from_file(str(app), default_timeout=180).run()
    assert not at.exception
    at.number_input(key="baseline--replications").set_value(3).run()
    at.button(key="add-baseline-accession").click().run()
    assert not at.exception
    # The template lacks the applicant: the page says so, in the CLI's words, and blocks the run.
    shown = "\n".join(c.value for c in at.code)
    template = "proposals=[{type: accession, id: new_accession_0, year: 2026}]"
    capsys.readouterr()
    assert main(["validate", "scenarios/baseline.yaml", "--set", template]) == 2
    cli = capsys.readouterr().err.split("scosim: error: ", 1)[1].strip()
    assert "proposals[0].applicant: required key 'applicant' is missing" in cli
    assert cli in shown
    assert at.button(key="run").disabled
    at.text_input(key="baseline--proposals[0].applicant").set_value("TUR").run()
    assert at.button(key="run").disabled is False
    at.button(key="run").click().run()
    assert not at.exception
    command = next(c.value for c in at.code if c.value.startswith("scosim run"))
    argv = shlex.split(command)
    assert "proposals[0].applicant=TUR" in argv
    page_dir = sorted((workdir / "results" / "baseline").iterdir())[-1]
    events = read_batches(page_dir / "events")
    assert (events["proposal"] == "new_accession_0").any()  # the added proposal was voted on
    assert main(argv[1:] + ["--quiet", "--no-plots"]) == 0
    cli_dir = Path(capsys.readouterr().out.split("results: ", 1)[1].split()[0])
    for table in ("indicators", "events"):
        pd.testing.assert_frame_equal(read_batches(page_dir / table), read_batches(cli_dir / table))


def test_scheduler_goes_to_dask_like_the_cli(workdir: Path, monkeypatch) -> None:
    from scosim.cli import build_parser
    from scosim.explore import session
    from scosim.explore.server import explore_config, streamlit_command

    args = build_parser().parse_args(["explore", CU, "--port", "8777"])
    cfg = explore_config(args)
    assert cfg["executor"] == "local" and cfg["scheduler"] is None
    assert cfg["scenarios_dir"] == "scenarios"
    cmd = streamlit_command(args)
    assert cmd[cmd.index("--server.port") + 1] == "8777"
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--browser.gatherUsageStats") + 1] == "false"
    args = build_parser().parse_args(["explore", CU, "--scheduler", "tcp://10.0.0.1:8786"])
    cfg = explore_config(args)
    assert cfg["executor"] == "dask" and cfg["scheduler"] == "tcp://10.0.0.1:8786"
    # The page hands executor and scheduler to scosim.run, and the command repeats them.
    seen: dict = {}
    monkeypatch.setattr("scosim.runner.run", lambda *a, **kw: seen.update(kw))
    view = View(CU, executor=cfg["executor"], scheduler=cfg["scheduler"], replications=2)
    session.run_view(view)
    assert seen["executor"] == "dask" and seen["scheduler"] == "tcp://10.0.0.1:8786"
    command = run_command(view, view.load())
    assert command.endswith("--executor dask --scheduler tcp://10.0.0.1:8786")


def test_who_gains_figure_shows_medians_and_percentiles_of_the_runs(workdir: Path) -> None:
    """The bars are the medians of the runs with whiskers at their 5th and 95th percentiles:
    the run's answer's statistic and the PNG's (means until 2026-12-06)."""
    pytest.importorskip("plotly")
    from scosim.explore.figures import who_gains_figure

    res = run_view(View(CU, replications=9, out="results"))
    bar = who_gains_figure(res).data[0]
    ind = res.indicators
    w = ind[ind["indicator"] == "welfare_change_pct"]
    last = w[w["year"] == w["year"].max()].pivot(index="run", columns="country", values="value")
    for k, country in enumerate(bar.y):
        runs = pd.Series(last[country].to_numpy())
        runs = runs * (runs.abs() > 1e-9)
        assert bar.x[k] == pytest.approx(runs.median(), abs=1e-12)
        assert bar.x[k] + bar.error_x.array[k] == pytest.approx(runs.quantile(0.95))
        assert bar.x[k] - bar.error_x.arrayminus[k] == pytest.approx(runs.quantile(0.05))
    assert list(bar.x) == sorted(bar.x)  # losers at the bottom, winners at the top
    title = who_gains_figure(res).layout.title.text
    assert "9 runs" in title and "5th-95th percentile of runs" in title
    assert "bar: median of runs" in title


def test_page_shows_the_figures_of_the_mechanisms_a_run_uses(workdir: Path, monkeypatch) -> None:
    """A scenario with the security slot filled: its incidents figure is on the page."""
    testing = pytest.importorskip("streamlit.testing.v1")
    sec = "scenarios/afghan_instability.yaml"
    monkeypatch.setenv("SCOSIM_EXPLORE", json.dumps(
        {"scenario": sec, "scenarios_dir": "scenarios", "out": "results"}))  # fmt: skip
    app = REPO / "src" / "scosim" / "explore" / "app.py"
    at = testing.AppTest.from_file(str(app), default_timeout=180).run()
    assert not at.exception
    at.number_input(key="afghan_instability--replications").set_value(2).run()
    at.button(key="run").click().run()
    assert not at.exception
    (run_dir,) = sorted((workdir / "results" / "afghan_instability").iterdir())
    images = sorted((run_dir / "plots").glob("*.png"))
    assert [p.name for p in images] == ["security_incidents_routes.png"]
    assert len(at.get("image")) == len(images)
    # Shrunk to the page's column, the PNG's labels are a few pixels high: the caption
    # names the full-size file, which is there.
    (caption,) = [img.caption for el in at.get("image") for img in el.proto.imgs]
    named = Path(caption.split("full size: ", 1)[1].split(",", 1)[0])
    assert named.resolve() == images[0].resolve() and named.is_file()


def test_who_gains_figure_keys_both_bar_colours(workdir: Path) -> None:
    """As in the PNG: a green "gain" and a red "loss" key, and the bars in those colours."""
    pytest.importorskip("plotly")
    from scosim.explore.figures import GAIN, LOSS, who_gains_figure

    fig = who_gains_figure(run_view(View(CU, replications=3, out="results")))
    bar = fig.data[0]
    keys = {t.name: t.marker.color for t in fig.data if t.showlegend is not False}
    assert keys["median of runs: gain"] == GAIN and keys["median of runs: loss"] == LOSS
    assert set(bar.marker.color) == {GAIN, LOSS} and bar.showlegend is False


# The RATS type's indicator exists in the policy run only: compare says so, as it should.
@pytest.mark.filterwarnings("ignore:.*rows have keys present in only one:UserWarning")
def test_page_compare_shows_what_scosim_compare_prints_not_welfare_alone(
    workdir: Path, monkeypatch
) -> None:
    """afghan_corridor_rats vs afghan_corridor: the page's table was welfare only, while
    `scosim compare` prints the security mechanism's incidents, seizures and spending too
    (browser review)."""
    testing = pytest.importorskip("streamlit.testing.v1")
    monkeypatch.setenv("SCOSIM_EXPLORE", json.dumps(
        {"scenario": "scenarios/afghan_corridor_rats.yaml", "scenarios_dir": "scenarios",
         "out": "results"}))  # fmt: skip
    app = REPO / "src" / "scosim" / "explore" / "app.py"
    at = testing.AppTest.from_file(str(app), default_timeout=240).run()
    at.number_input(key="afghan_corridor_rats--replications").set_value(3).run()
    at.selectbox(key="baseline").set_value("scenarios/afghan_corridor.yaml").run()
    at.button(key="compare").click().run()
    assert not at.exception
    table = at.dataframe[0].value
    assert {"welfare_change_pct", "incidents"} <= set(table["indicator"])
    pak = table[(table["indicator"] == "incidents") & (table["country"] == "PAK")]
    assert len(pak) == 1 and float(pak["mean"].iloc[0]) < 0  # the upgrade's fewer incidents


@pytest.mark.filterwarnings("ignore:.*rows have keys present in only one:UserWarning")
def _printed_grid(printed: list[str]) -> list[list[str]]:
    """The cells of the table ``scosim compare`` printed, header first, as one flat table.

    Piped, a table wider than 100 columns is printed one indicator at a time, each group
    headed ``"<indicator>: <unit>"`` (``scosim.compare_terminal.indicator_groups``): the
    indicator and unit go back into each row, after the country, as the explorer shows.
    Headings and cells rich folded onto more lines are joined back.
    """
    def cells(line: str) -> list[str]:
        return [c.strip() for c in line.strip().strip("│┃").split("│" if "│" in line else "┃")]

    grid: list[list[str]] = []
    group: list[str] = []
    for k, line in enumerate(printed):
        if line.startswith("┃") and printed[k - 1].startswith("┃"):
            # A heading folded onto more lines (the median column made the table wider):
            # the first one's words joined back, column by column.
            if len(grid) == 1:
                more = cells(line)
                more = more[:1] + (["", ""] if group else []) + more[1:]
                grid[0] = [" ".join(x for x in (a, b) if x)
                           for a, b in zip(grid[0], more, strict=True)]
            continue
        if line.startswith("┏"):
            # The group's heading: the line before the table (and its folded lines).
            j = k - 1
            while j > 0 and printed[j].startswith("  "):
                j -= 1
            head = " ".join(x.strip() for x in printed[j:k])
            ind, _, unit = head.partition(": ")
            group = [ind, unit] if ind and " " not in ind else []
        elif line.startswith(("│", "┃")):
            row = cells(line)
            if line.startswith("┃"):
                row = row[:1] + (["indicator", "unit"] if group else []) + row[1:]
                if grid:
                    continue  # each group repeats the header
            elif not row[0]:
                # A row whose cells rich folded onto more lines (an interval too wide
                # beside the median column): joined back, column by column.
                more = row[:1] + [""] * len(group) + row[1:]
                grid[-1] = [" ".join(x for x in (a, b) if x)
                            for a, b in zip(grid[-1], more, strict=True)]
                continue
            else:
                row = row[:1] + group + row[1:]
            grid.append(row)
    return grid


def test_page_compare_table_is_the_one_scosim_compare_prints(
    workdir: Path, monkeypatch, capsys
) -> None:
    """The page said "as `scosim compare` prints them" over raw rows: spending_usd in US$
    (2.579279e+09 where the CLI prints 2.58, US$ bn), shares as fractions, no unit column,
    and every row without a change (outside review). Now cell for cell the CLI's table of
    the same two runs, with its title and its count of the rows left out."""
    testing = pytest.importorskip("streamlit.testing.v1")
    # The RATS upgrade voted through: at face value the shipped vote rejects it (since
    # 2026-12-06), and the pair would have no row that moves.
    (workdir / "scenarios" / "rats_voted.yaml").write_text(
        "extends: afghan_instability_rats.yaml\nname: rats_voted\n"
        "parameters: {rules: {vote: always_yes}}\n")
    monkeypatch.setenv("SCOSIM_EXPLORE", json.dumps(
        {"scenario": "scenarios/rats_voted.yaml", "scenarios_dir": "scenarios",
         "out": "results"}))  # fmt: skip
    app = REPO / "src" / "scosim" / "explore" / "app.py"
    at = testing.AppTest.from_file(str(app), default_timeout=240).run()
    at.number_input(key="rats_voted--replications").set_value(3).run()
    at.selectbox(key="baseline").set_value("scenarios/afghan_instability.yaml").run()
    at.button(key="compare").click().run()
    assert not at.exception
    page = at.dataframe[0].value
    info = at.session_state["last_compare"]
    capsys.readouterr()
    assert main(["compare", info["policy"], info["baseline"], "--out", "results"]) == 0
    printed = capsys.readouterr().out.splitlines()
    grid = _printed_grid(printed)
    assert len(grid) > 10 and list(page.columns) == grid[0]
    assert [list(r) for r in page.astype(str).itertuples(index=False)] == grid[1:]
    spend = page[page["indicator"] == "spending_usd"]
    assert len(spend) and set(spend["unit"]) == {
        "US$ bn a year (efforts and the cost of a RATS upgrade)"}
    # Literally "e+" (a regex "e+" matched any "e", as in -1.68e-05 for a tiny change).
    assert not page["mean"].str.contains("e+", regex=False).any()
    assert page["share > 0"].str.endswith("%").all()
    # The title and the notes (rows without a change left out, and how many) are the CLI's.
    said = [t.value for t in at.text]
    words = " ".join(" ".join(printed).split())
    assert said and all(" ".join(s.split()) in words for s in said)
    assert any(s.endswith("rows without a change in any paired run not shown") for s in said)
