"""What `scosim sweep` prints for a grid or a Latin hypercube (it printed only the path)."""

from pathlib import Path

import numpy as np
import pandas as pd

from scosim.cli import main
from scosim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SIGMA, SOV = "parameters.trade.sigma", "parameters.weights.sovereignty"


def _grid(values: dict[str, list[float]], outputs: dict[str, float]) -> pd.DataFrame:
    """A design table as a grid sweep writes it: outputs = scale * (1 + sum of the values)."""
    axes = np.meshgrid(*values.values(), indexing="ij")
    table = pd.DataFrame({p: a.ravel() for p, a in zip(values, axes, strict=True)})
    total = 1 + table.sum(axis=1)
    for spec, scale in outputs.items():
        table[spec] = scale * total
    return table


def design_text(table: pd.DataFrame, meta: dict) -> str:
    from scosim.sweep_text import design_text  # here: the command's test runs without it

    return design_text(table, meta)


def _meta(method: str, params: list[str], outputs: list[str]) -> dict:
    return {"method": method, "params": dict.fromkeys(params, [0, 1]), "outputs": outputs,
            "replications_per_point": 2, "n": 5}


def test_a_grid_of_one_parameter_prints_the_outputs_by_its_values():
    outputs = {"gdp_usd:KAZ": 2e11, "welfare_change_pct:KAZ": 0.5}
    table = _grid({SIGMA: [3.0, 5.5, 8.0]}, outputs)
    text = design_text(table, _meta("grid", [SIGMA], list(outputs)))
    lines = text.splitlines()
    assert lines[0] == ("grid of 3 points x 2 replications = 6 model runs; each output over "
                        "the points (a point: the mean of its runs):")
    # The units under the table, an output's a line: in a column, a unit's prose made a
    # row 98 columns wide (an outside review, 2026-12-07).
    assert lines[1].split() == ["output", "min", "median", "max"]
    # US$ in billions, as a run's tables give them (the file holds US$)
    # and, as compare says since 2026-12-06, current dollars of the year on the GDP path
    assert lines[2].split() == ["gdp_usd:KAZ", "800", "1300", "1800"]
    assert lines[3].split() == ["welfare_change_pct:KAZ", "2", "3.25", "4.5"]
    assert lines[4] == "units:"
    assert lines[5].startswith("  gdp_usd:KAZ: US$ bn (current") and "GDP path" in lines[5]
    assert lines[6] == "  welfare_change_pct:KAZ: percent of the year's baseline real expenditure"
    assert lines[7] == f"by {SIGMA} (units as above):"
    assert lines[8].split() == [SIGMA, "gdp_usd:KAZ", "welfare_change_pct:KAZ"]
    assert [x.split() for x in lines[9:]] == [["3", "800", "2"], ["5.5", "1300", "3.25"],
                                             ["8", "1800", "4.5"]]


def test_a_grid_of_two_parameters_prints_a_table_of_each_output():
    outputs = {"welfare_change_pct:KAZ": 1.0}
    table = _grid({SIGMA: [3.0, 4.0], SOV: [0.0, 0.5, 1.0]}, outputs)
    table.loc[5, "welfare_change_pct:KAZ"] = np.nan
    lines = design_text(table, _meta("grid", [SIGMA, SOV], list(outputs))).splitlines()
    assert lines[3] == "unit: percent of the year's baseline real expenditure"
    assert lines[4] == (f"welfare_change_pct:KAZ (percent of the year's baseline real "
                        f"expenditure) by {SIGMA} (rows) and {SOV} (columns):")
    assert [x.split() for x in lines[5:]] == [["0", "0.5", "1"], ["3", "4", "4.5", "5"],
                                             ["4", "5", "5.5", "no", "value"]]


def test_a_large_grid_is_cut_to_a_few_lines_with_a_note():
    outputs = [f"gdp_usd:{c}" for c in ("KAZ", "CHN", "RUS")]
    table = _grid({SIGMA: list(np.linspace(2, 9, 40)), SOV: list(np.linspace(0, 1, 30))},
                  dict.fromkeys(outputs, 1e9))
    text = design_text(table, _meta("grid", [SIGMA, SOV], outputs))
    assert len(text.splitlines()) <= 23  # 22 before the unit's line under the summary
    assert "; 6 x 6 of 40 x 30 values, evenly spaced, every point: design_outputs.parquet" in text
    assert "(tables of the first 2 outputs; every point: design_outputs.parquet)" in text
    assert "gdp_usd:RUS (US$" not in text  # summarised only
    rows = [x.split()[0] for x in text.splitlines()[8:14]]
    assert rows[0] == "2" and rows[-1] == "9"  # the first and last values are kept
    one = _grid({SIGMA: list(np.linspace(2, 9, 50))}, {"gdp_usd:KAZ": 1e9})
    text = design_text(one, _meta("grid", [SIGMA], ["gdp_usd:KAZ"]))
    assert len(text.splitlines()) <= 16  # 15 before the unit's line
    assert "10 of 50 values, evenly spaced; every point: design_outputs.parquet" in text


def test_a_latin_hypercube_and_a_grid_of_three_parameters_print_the_summary_alone():
    table = _grid({SIGMA: [3.0, 4.0], SOV: [0.0, 1.0], "x": [0.0, 1.0]}, {"gdp_usd:KAZ": 1e9})
    for method in ("grid", "lhs"):
        lines = design_text(table, _meta(method, [SIGMA, SOV, "x"],
                                         ["gdp_usd:KAZ"])).splitlines()
        assert len(lines) == 4
        assert lines[3] == "unit: US$ bn (current, of the year on the model's GDP path)"
        assert lines[0].startswith("grid of 8 points" if method == "grid"
                                   else "Latin hypercube of 8 points")


def test_scosim_sweep_prints_a_grid_s_and_an_lhs_s_outputs(tmp_path, capsys, model_fixture):
    """The reviewer's case: a grid printed only where it was written."""
    out = tmp_path / "r"
    code = main(["sweep", str(SCENARIOS / "corridor_trans_afghan_low.yaml"), "--method",
                 "grid", "--n", "3", "--param", "parameters.network.instability.AFG=0.2:0.8",
                 "--output", "corridor_risk_usd:CHN", "--out", str(out), "--quiet"])
    assert code == 0
    printed = capsys.readouterr().out.splitlines()
    table = pd.read_parquet(next(out.rglob("design_outputs.parquet")))
    risk = table["corridor_risk_usd:CHN"] / 1e9
    assert printed[0].startswith("grid of 3 points x 1 replication = 3 model runs")
    # Which year the values are of: the scenario's last (the summary never said it).
    assert printed[1] == "values in 2035"
    # Each point's share of runs with an exit (none here: a corridor has no exits); a share of
    # 3 runs has a decimal, of each point's 1 run none.
    # The same share at every point said once ("0.0% over all points (0% to 0% by point").
    assert printed[2].startswith("runs with an exit: 0% at every point (each point's in ")
    assert printed[4].split() == ["corridor_risk_usd:CHN", f"{risk.min():.4g}",
                                  f"{risk.median():.4g}", f"{risk.max():.4g}"]
    assert printed[5].startswith("unit: US$ bn, ")
    assert printed[6] == "by parameters.network.instability.AFG (units as above):"
    assert [x.split() for x in printed[8:11]] == [
        [f"{v:g}", f"{r:.4g}", "0%"] for v, r in zip([0.2, 0.5, 0.8], risk, strict=True)]
    assert printed[11].startswith("sweep: ")
    code = main(["sweep", str(model_fixture("small_cu.yaml")), "--n", "3", "--param",
                 f"{SIGMA}=3:8", "--output", "gdp_usd:KAZ", "--output", "gdp_usd:KAZ:2025",
                 "--out", str(out), "--quiet"])
    assert code == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("Latin hypercube of 3 points x 1 replication")
    end = load_scenario(model_fixture("small_cu.yaml")).years.end
    assert printed[1] == f"values in: gdp_usd:KAZ {end}, gdp_usd:KAZ:2025 2025"
    assert printed[2].startswith("runs with an exit: ")
    assert printed[4].split()[0] == "gdp_usd:KAZ" and printed[7].startswith("sweep: ")


def test_exit_shares_keep_the_decimal_their_run_count_needs() -> None:
    """A point's exit share of 8 runs is 12.5 %, not "12%"; of all 16, 6.2 % (the answer's rule)."""
    from scosim.experiments.sweep import EXIT_COLUMN
    from scosim.sweep_text import exits_lines

    table = pd.DataFrame({"x": [0.0, 1.0], EXIT_COLUMN: [0.0, 0.125]})
    line = exits_lines(table, reps=8)[0]
    # 1 exit in 16 runs: 6.25 % rounds to 6.2 (round half to even) at one decimal; a share
    # of no run is whole, "0%" (indicator_display.percent_of_runs).
    assert line.startswith("runs with an exit: 6.2% over all points (0% to 12.5% by point")
