"""The explorer without a browser: schema-driven forms, overrides, commands, the session's logic
(the page itself, driven by Streamlit's AppTest: tests/test_explore_page.py)."""

from __future__ import annotations

import json
import os
import shlex
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


def test_who_gains_figure_keys_both_bar_colours(workdir: Path) -> None:
    """As in the PNG: a green "gain" and a red "loss" key, and the bars in those colours."""
    pytest.importorskip("plotly")
    from scosim.explore.figures import GAIN, LOSS, who_gains_figure

    fig = who_gains_figure(run_view(View(CU, replications=3, out="results")))
    bar = fig.data[0]
    keys = {t.name: t.marker.color for t in fig.data if t.showlegend is not False}
    assert keys["median of runs: gain"] == GAIN and keys["median of runs: loss"] == LOSS
    assert set(bar.marker.color) == {GAIN, LOSS} and bar.showlegend is False
