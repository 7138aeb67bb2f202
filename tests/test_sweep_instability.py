"""Sweeping one economy's instability on the corridor network (``scosim sweep``).

``parameters.network.instability.<ISO3>`` varies across the runs of a batch: each point
must equal a run of the scenario with that value written in it (the shipped Trans-Afghan
scenarios hold Afghan instability at 0.2 and 0.8).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from scosim.cli import main
from scosim.results import read_batches

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
OUTPUTS = ("corridor_paid_usd:AFG", "corridor_risk_usd:CHN", "welfare_change_pct:UZB")


def _scenario_means(tmp_path: Path, capsys, scenario: str, reps: int) -> dict[str, float]:
    assert main(["run", str(SCENARIOS / scenario), "--out", str(tmp_path), "--quiet",
                 "--no-plots", "--replications", str(reps)]) == 0
    out = capsys.readouterr().out
    run_dir = Path(out.split("results: ")[1].splitlines()[0].strip())
    ind = read_batches(run_dir / "indicators")
    ind = ind[ind["year"] == 2035]
    means = {}
    for spec in OUTPUTS:
        name, code = spec.split(":")
        rows = ind[(ind["indicator"].astype(str) == name) & (ind["country"].astype(str) == code)]
        means[spec] = float(rows["value"].mean())
    return means


def test_each_point_equals_the_scenario_with_that_instability(tmp_path, capsys):
    args = ["sweep", str(SCENARIOS / "corridor_trans_afghan_low.yaml"),
            "--param", "parameters.network.instability.AFG=0.2,0.8", "--method", "grid",
            "--replications", "2", "--out", str(tmp_path / "sw"), "--quiet"]
    for spec in OUTPUTS:
        args += ["--output", spec]
    assert main(args) == 0
    capsys.readouterr()
    sweep = next((tmp_path / "sw").rglob("design_outputs.parquet"))
    table = pd.read_parquet(sweep).set_index("parameters.network.instability.AFG")
    low = _scenario_means(tmp_path / "low", capsys, "corridor_trans_afghan_low.yaml", 2)
    high = _scenario_means(tmp_path / "high", capsys, "corridor_trans_afghan_high.yaml", 2)
    for spec in OUTPUTS:
        assert table.loc[0.2, spec] == pytest.approx(low[spec], rel=1e-12, abs=1e-15)
        assert table.loc[0.8, spec] == pytest.approx(high[spec], rel=1e-12, abs=1e-15)
    # Instability moves the outcomes (else the test above would hold for a value ignored).
    assert high["corridor_risk_usd:CHN"] > 1.5 * low["corridor_risk_usd:CHN"]
    manifest = json.loads((sweep.parent / "manifest.json").read_text())
    assert "parameters.network.instability.AFG" in json.dumps(manifest)


@pytest.mark.parametrize(("scenario", "param", "said"), [
    ("afghan_corridor.yaml", "parameters.network.instability.AFG=0.2:0.8",
     "the security slot sets the network's instability"),
    ("customs_union.yaml", "parameters.network.instability.AFG=0.2:0.8",
     "the network slot does not hold corridor_network"),
    ("corridor_trans_afghan_low.yaml", "parameters.network.instability.AFF=0.2:0.8",
     "'AFF' is not an economy of the model (did you mean 'AFG'?)"),
    ("corridor_trans_afghan_low.yaml", "parameters.network.instability.KZA=0.2:0.8",
     "'KZA' is not an economy of the model (did you mean 'KAZ'?)"),  # was 'LKA'
    ("corridor_trans_afghan_low.yaml", "parameters.network.instability.AFG=0.2:1.5",
     "must stay in [0, 1]"),
])
def test_a_sweep_nothing_would_read_is_refused(tmp_path, capsys, scenario, param, said):
    out = tmp_path / "sw"
    assert main(["sweep", str(SCENARIOS / scenario), "--param", param, "--output",
                 "welfare_change_pct:UZB", "--replications", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert said in err and "--param:1" in err and "Traceback" not in err
    assert not out.exists()


def test_the_figure_names_swept_instability_and_mechanism_settings():
    """The sweep figure's x axis: a mechanism setting's description was never found (the
    prefix was tested with one dot too many), so its axis read the bare name."""
    from scosim.api_sweep import param_label
    from scosim.scenario import load_scenario

    sc = load_scenario(SCENARIOS / "afghan_instability.yaml")
    assert param_label("parameters.network.instability.AFG", sc) == (
        "network instability of Afghanistan (0-1, every year)")
    label = param_label("parameters.mechanism_settings.security.instability_change_scale", sc)
    assert label.startswith("instability_change_scale of mechanism security: multiplies")


def test_the_figure_title_names_what_was_swept_in_words():
    """The title reads the label's head ("network instability of Afghanistan"), not the
    dotted parameter name, and the axis keeps the whole description."""
    import pandas as pd

    from scosim.experiments.sweep import plot_sweep

    p = "parameters.network.instability.AFG"
    table = pd.DataFrame({p: [0.0, 0.5, 1.0], "out": [1.0, 2.0, 3.0]})
    fig = plot_sweep(table, [p], ["out"], param_labels={
        p: "network instability of Afghanistan (0-1, every year): held every year"})
    title = fig._suptitle.get_text()
    assert title.startswith("Sweep of network instability of Afghanistan (0-1, every year)")
    assert "network.instability.AFG" not in title and "held every year" not in title
    assert "held every year" in fig.axes[0].get_xlabel().replace("\n", " ")
