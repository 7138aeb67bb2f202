"""A sweep says what its points are after: exits, the spread of runs, and --set overrides.

The reviewer's case: Kazakhstan's welfare against the CET of customs_union.yaml was not
monotone because India and Iran left at some points and not others, and neither the
printed table nor sweep.png said so; nor could a sweep hold the members in.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.cli import main
from scosim.experiments.sweep import BAND_SUFFIXES, EXIT_COLUMN
from scosim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
CU = str(SCENARIOS / "customs_union.yaml")
CET, KAZ = "proposals.sco_cu.cet", "welfare_change_pct:KAZ"


def _sweep(tmp_path: Path, *extra: str) -> tuple[pd.DataFrame, str]:
    out = tmp_path / "r"
    code = main(["sweep", CU, "--method", "grid", "--param", f"{CET}=0,0.05", "--output", KAZ,
                 "--replications", "4", "--out", str(out), "--quiet", *extra])
    assert code == 0
    found = sorted(out.rglob("design_outputs.parquet"))[-1]
    return pd.read_parquet(found), str(found.parent)


def test_each_point_s_exits_and_band_are_those_of_scosim_run_at_that_point(tmp_path, capsys):
    from scosim.exit_stats import EXIT_EVENTS
    from scosim.runner import run

    table, _ = _sweep(tmp_path)
    printed = capsys.readouterr().out
    for cet, row in table.set_index(CET).iterrows():
        # The same point as scosim run --set: the same runs (seed, runs 0-3).
        sc = load_scenario(CU, overrides={CET: float(cet)})
        res = run(sc, replications=4, out=tmp_path / f"run{cet}", progress=False, plots=False)
        ev = res.events
        exited = ev[ev["type"].isin(EXIT_EVENTS)]["run"].nunique()
        assert row[EXIT_COLUMN] == exited / 4
        ind = res.indicators
        kaz = ind[(ind["indicator"] == "welfare_change_pct") & (ind["country"] == "KAZ")
                  & (ind["year"] == sc.years.end)].set_index("run")["value"]
        assert row[KAZ] == pytest.approx(kaz.mean(), rel=1e-9)
        lo, hi = np.quantile(kaz.to_numpy(), [0.05, 0.95])
        assert row[KAZ + BAND_SUFFIXES[0]] == pytest.approx(lo, rel=1e-9)
        assert row[KAZ + BAND_SUFFIXES[1]] == pytest.approx(hi, rel=1e-9)
    # Exits differ between the points (the reviewer: at CET 0.05 Iran left in 3 of 4)...
    assert table[EXIT_COLUMN].nunique() > 1
    # ... and the printed table says so, with the rule the exits follow.
    assert "after exits under the scenario's defect rule (threshold_defect)" in printed
    assert "--set parameters.rules.defect=never_defect" in printed
    by = printed[printed.index(f"by {CET}"):].splitlines()
    # Headed for what it counts: "exit" read as an exit rate.
    assert by[1].split()[-3:] == ["any", "state", "left"]
    assert [line.split()[-1] for line in by[2:4]] == [f"{v:.0%}" for v in table[EXIT_COLUMN]]
    assert by[3].split()[:2] == ["0.05", "(5%)"]  # the CET, a fraction, also in percent


def test_set_holds_the_members_in_at_every_point(tmp_path, capsys):
    import json

    table, where = _sweep(tmp_path, "--set", "parameters.rules.defect=never_defect")
    assert (table[EXIT_COLUMN] == 0).all()
    meta = json.loads(Path(where, "manifest.json").read_text())
    assert meta["overrides"] == {"parameters.rules.defect": "never_defect"}
    assert meta["defect_rule"] == "never_defect"
    assert "after exits" not in capsys.readouterr().out


@pytest.mark.parametrize(("swept", "given"), [
    (f"{CET}=0,0.05", f"{CET}=0.1"),
    (f"{CET}=0,0.05", "proposals.0.cet=0.1"),  # the same field, by position
    ("parameters.trade.sigma=3,5", "parameters.trade={sigma: 4}"),  # a mapping holding it
])
def test_a_set_of_a_swept_parameter_is_refused(tmp_path, capsys, swept, given):
    code = main(["sweep", CU, "--method", "grid", "--param", swept, "--output", KAZ,
                 "--out", str(tmp_path / "r"), "--quiet", "--set", given])
    assert code != 0
    err = capsys.readouterr().err
    assert f"--set:1: {given.split('=')[0]}: sets " in err
    assert f"{swept.split('=')[0]}, which --param sweeps" in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()


def test_a_bad_set_reads_as_scosim_run_s(tmp_path, capsys):
    bad = ["--set", "parameters.rules.defect=nevr"]
    assert main(["run", CU, "--out", str(tmp_path / "a"), *bad]) != 0
    said_by_run = capsys.readouterr().err
    assert main(["sweep", CU, "--param", f"{CET}=0:0.1", "--output", KAZ,
                 "--out", str(tmp_path / "b"), *bad]) != 0
    said = capsys.readouterr().err
    assert "unknown defect rule 'nevr'" in said and said == said_by_run


def test_the_figure_says_what_its_band_is_and_writes_a_tariff_in_percent():
    from matplotlib.ticker import PercentFormatter

    from scosim.experiments.sweep import plot_sweep
    from scosim.sweep_text import percent_params

    sc = load_scenario(CU)
    assert percent_params([CET, "parameters.trade.sigma"], sc) == [CET]
    table = pd.DataFrame({CET: [0.0, 0.1], KAZ: [1.0, 2.0], KAZ + " p05": [0.5, 1.0],
                          KAZ + " p95": [1.5, 3.0], EXIT_COLUMN: [1.0, 0.25]})
    fig = plot_sweep(table, [CET], [KAZ], replications=4, percent_params=[CET])
    foot = fig.get_supxlabel()
    assert "mean of 4 runs" in foot.replace("\n", " ") and "5-95 %" in foot
    ax = fig.axes[0]
    assert isinstance(ax.xaxis.get_major_formatter(), PercentFormatter)
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() == 0.5 and band.max() == 3.0
    exits = fig.axes[1]  # the exits, in percent of the point's runs
    assert list(exits.collections[0].get_offsets()[:, 1]) == [100.0, 25.0]
    # On a thin panel of its own under the output's, not a right-hand axis over its data
    # (where the markers at 0 % sat among the output's points).
    fig.canvas.draw()
    top, low = ax.get_position(), exits.get_position()
    assert low.y1 < top.y0 and low.height < top.height / 2
    assert exits.get_xlim() == ax.get_xlim()
    assert isinstance(exits.xaxis.get_major_formatter(), PercentFormatter)
    # No run left at any point: no panel of zeros, and the footnote says so.
    none = plot_sweep(table.assign(**{EXIT_COLUMN: 0.0}), [CET], [KAZ], replications=4)
    assert len(none.axes) == 1 and len(none.axes[0].collections) == 2  # band and points
    assert "No state left in any run at any point." in none.get_supxlabel().replace("\n", " ")
    one = plot_sweep(table[[CET, KAZ]], [CET], [KAZ], replications=1)
    assert "One run a point: no band" in one.get_supxlabel()
