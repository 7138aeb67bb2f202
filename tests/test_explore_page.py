"""The explorer's page, driven in process by Streamlit's AppTest (no browser).

Split from tests/test_explore.py (655 lines, over the project's 600): that file keeps the
schema-driven forms, the overrides, the commands and the session's logic; this one the
page itself (a run, its provenance and figures, opening the latest run, compare).
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pandas as pd
import pytest
import yaml

from scosim.cli import main
from scosim.explore.session import View, run_view
from scosim.results import read_batches

REPO = Path(__file__).resolve().parents[1]
CU = "scenarios/customs_union.yaml"


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


# The RATS type's indicator exists in the policy run only: compare says so, as it should.
@pytest.mark.filterwarnings("ignore:(.*rows have keys|not compared, as expected):UserWarning")
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


@pytest.mark.filterwarnings("ignore:(.*rows have keys|not compared, as expected):UserWarning")
def _printed_grid(printed: list[str]) -> list[list[str]]:
    """The cells of the table ``scosim compare`` printed, header first, as one flat table.

    Piped, a table wider than 100 columns is printed one indicator at a time, each group
    headed ``"<indicator>: <unit>"`` (``scosim.compare_terminal.indicator_groups``): the
    indicator and unit go back into each row, after the country, as the explorer shows.
    Headings and cells rich folded onto more lines are joined back.
    """
    def cells(line: str) -> list[str]:
        # Blanks inside a cell (an interval's ends lined up on the decimal point, since
        # 2026-12-07) are the terminal's layout, not its text: one space, as the page has.
        return [" ".join(c.split())
                for c in line.strip().strip("│┃").split("│" if "│" in line else "┃")]

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


def test_opening_a_finished_run_sets_no_widget_twice(workdir: Path, monkeypatch) -> None:
    """Opening a finished run logged, with a full stack trace, 'The widget with key
    "customs_union--seed" was created with a default value but also had its value set via
    the Session State API' (Streamlit 1.67, a new user, 2026-12-07): the page put the run's
    seed into session state and then created the box with `value=`. Every widget the page
    fills from the run gets its value from session state alone (Streamlit's Session State
    caveats), so no widget, the form's fields included, warns."""
    testing = pytest.importorskip("streamlit.testing.v1")
    from streamlit.elements.lib import policies

    made = run_view(View(CU, {"parameters.trade.sigma": 4.5}, seed=7, replications=3,
                         out="results"))
    monkeypatch.setenv("SCOSIM_EXPLORE", json.dumps(
        {"scenario": None, "scenarios_dir": "scenarios", "out": "results"}))  # fmt: skip
    said: list[str] = []

    def record(msg: str, *args: object, **_: object) -> None:
        said.append(msg % args)
        policies._shown_default_value_warning = False  # Streamlit says it once a process

    monkeypatch.setattr(policies, "_shown_default_value_warning", False)
    monkeypatch.setattr(policies._LOGGER, "warning", record)
    app = REPO / "src" / "scosim" / "explore" / "app.py"
    at = testing.AppTest.from_file(str(app), default_timeout=120).run()
    assert not at.exception
    assert Path(at.session_state["last_run"]["path"]) == made.path
    assert at.number_input(key="customs_union--seed").value == 7
    assert at.number_input(key="customs_union--replications").value == 3
    assert not at.warning  # the form is the run's: sigma 4.5 in its box
    assert said == []
    # A rerun, and another file chosen, keep the boxes working (their defaults the file's).
    at.number_input(key="customs_union--seed").set_value(8).run()
    assert at.number_input(key="customs_union--seed").value == 8
    at.selectbox(key="scenario").set_value("scenarios/baseline.yaml").run()
    assert not at.exception
    base = yaml.safe_load((workdir / "scenarios" / "baseline.yaml").read_text())
    assert at.number_input(key="baseline--seed").value == base["seed"]
    assert said == []
