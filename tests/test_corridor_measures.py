"""A corridor's bundled reforms are a separable part of it, and who pays says its rule.

The INSTC + Chabahar project brings 14 customs reforms (``project_measures.csv``,
``costed: no``) that its US$5.3 bn does not pay for. ``parameters.network.measures``
switches them off (``costed`` keeps the terminal equipment the cost pays for), the twin
``corridor_instc_rail_only.yaml`` does so, and the run's answer says how much of each
economy's trade-cost fall they make and how to pair the two runs. The hosts' cost shares
are published ones where ``projects.csv`` has them (TAPI, the CKU railway), else by length
of territory, and the answer names the rule.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from scosim.data.constants import ECONOMIES
from scosim.network.params import NetworkParams
from scosim.network.step import CorridorNetwork
from scosim.network.tables import load_network
from scosim.runner import run_model
from scosim.scenario import ScenarioError
from scosim.scenario.loader import load_scenario

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
IRN, AZE, ARM = (ECONOMIES.index(c) for c in ("IRN", "AZE", "ARM"))


def _without_reforms():
    t = load_network()
    return dataclasses.replace(t, measures=t.measures[t.measures["costed"]])


def test_rail_only_twin_steps_the_network_without_the_reforms():
    """The twin's mechanism routes on the network with only M01, not the full one's."""
    sc = load_scenario(SCEN / "corridor_instc_rail_only.yaml", {"years.end": 2032})
    assert sc.parameters.network.measures == "costed"
    model = run_model(sc, runs=[0])
    trade = model.trade_cif0
    # 2032's step routed the trade the model solved in 2031 (network.loads).
    solved = dict(model.mechanisms)["network"].inputs["trade"]
    # at run 0's own value of time (scosim.network.vot; 0.0135 until 2026-12-07)
    over = {"vot_per_day": float(model._corridor_network.vot[0])}
    rail = CorridorNetwork(tables=_without_reforms(), trade=trade, params=over).step(
        active_projects=["INSTC_CHABAHAR"], trade=solved)
    full = CorridorNetwork(trade=trade, params=over).step(active_projects=["INSTC_CHABAHAR"])
    assert np.array_equal(model.network_step.t_hat[0], rail.t_hat[0])
    assert not np.array_equal(rail.t_hat, full.t_hat)
    # The reforms lower costs (a measure never raises one): without them each economy's
    # trade-weighted fall is smaller, and Armenia's, which they alone make, is gone.
    a, b = (s.indicators["trade_cost_change"][0] for s in (full, rail))
    assert np.all(b >= a - 1e-15)
    assert a[IRN] < 5 * b[IRN] < 0 and a[ARM] < -1e-3 and abs(b[ARM]) < 1e-4
    # So Armenia is no longer invited: the interested are those whose costs fall.
    (corridor,) = model.arrangements
    assert not corridor.invitees(model)[0, ARM] and corridor.invitees(model)[0, AZE]


@pytest.mark.parametrize(("value", "needle"), [
    ("[M02,M99]", "unknown measure id(s) ['M99']; allowed: ids of project_measures.csv"),
    ("some", "unknown choice 'some'; allowed: all, costed, none or a list of measure ids"),
    ("[M02,M02]", "duplicate measure ids"),
])
def test_measures_setting_refuses_what_the_table_does_not_have(value, needle):
    from scosim.scenario import parse_overrides

    with pytest.raises(ScenarioError) as err:
        load_scenario(SCEN / "corridor_instc.yaml",
                      parse_overrides([f"parameters.network.measures={value}"]))
    assert "parameters.network.measures" in str(err.value) and needle in str(err.value)


def test_a_list_keeps_exactly_those_measures():
    from scosim.network.mechanism import scenario_tables

    kept = scenario_tables(NetworkParams(measures=["M05", "M01"])).measures
    assert list(kept.index) == ["M01", "M05"]  # table order
    assert scenario_tables(NetworkParams(measures="none")).measures.empty
    assert scenario_tables(NetworkParams()).measures is load_network().measures


def test_bundled_share_is_the_fall_the_reforms_make():
    """The answer's shares are (full - without reforms) / full of the trade-cost change."""
    from scosim.network.answer_notes import bundled_measures

    (b,) = bundled_measures(load_scenario(SCEN / "corridor_instc.yaml"))
    assert b.project == "INSTC_CHABAHAR" and b.ids == tuple(f"M{k:02d}" for k in
                                                            range(2, 16))
    assert b.economies == ("RUS", "IRN", "KAZ", "AZE", "TKM")
    a = CorridorNetwork().step(active_projects=["INSTC_CHABAHAR"]).indicators[
        "trade_cost_change"][0]
    c = CorridorNetwork(tables=_without_reforms()).step(
        active_projects=["INSTC_CHABAHAR"]).indicators["trade_cost_change"][0]
    assert b.share["IRN"] == pytest.approx(((a[IRN] - c[IRN]) / a[IRN], a[IRN]), rel=1e-12)
    assert 0.8 < b.share["IRN"][0] < 0.95 and b.share["ARM"][0] > 0.99
    # The twin keeps none of them: nothing to say.
    assert bundled_measures(load_scenario(SCEN / "corridor_instc_rail_only.yaml")) == []


def test_answer_gives_the_reforms_share_and_the_paired_commands(tmp_path, capsys):
    from scosim.cli import main

    assert main(["run", str(SCEN / "corridor_instc.yaml"), "--out", str(tmp_path),
                 "--quiet", "--replications", "2"]) == 0
    out = capsys.readouterr().out
    run_dir = Path(out.split("results: ")[1].splitlines()[0].strip())
    flat = " ".join((run_dir / "summary.txt").read_text().split())
    assert ("INSTC_CHABAHAR brings 14 reforms of customs procedures that its build cost "
            "does not pay for and no state is charged for") in flat
    assert "Iran 87 % (of -0.77 %)" in flat
    assert ("--set parameters.network.measures=costed --seed 20250101 --replications 2"
            in flat)
    assert "the shipped twin is scosim:corridor_instc_rail_only" in flat
    assert "Who pays for instc (INSTC_CHABAHAR): its only host, IRN, pays it all." in flat


def test_published_shares_replace_the_length_split():
    """TAPI: Turkmengaz 85 %, the three buyers' companies 5 % each; CASA-1000, with no
    published split, by length."""
    from scosim.network.projects import default_host_shares, project_km_by_economy

    t = load_network()
    tapi, rule = default_host_shares(t, "TAPI")
    assert rule == "published"
    assert dict(zip(ECONOMIES, tapi, strict=True)) == pytest.approx(
        {**dict.fromkeys(ECONOMIES, 0.0), "TKM": 0.85, "AFG": 0.05, "PAK": 0.05, "IND": 0.05})
    casa, rule = default_host_shares(t, "CASA1000")
    km = project_km_by_economy(t, "CASA1000")
    assert rule == "length" and np.allclose(casa, km / km.sum())


def test_cku_shares_are_partly_published_in_the_answer_and_the_figure():
    """The CKU's split publishes only the Kyrgyz section's joint-venture capital (51/24.5/
    24.5, sources.csv cku_jv_2024); the China and Uzbek sections by length (213 and 50 of
    523 km) are an assumption. Until 2026-12-07 both said "published shares"."""
    from scosim.network.answer_notes import SHORT_RULES
    from scosim.network.projects import default_host_shares, share_rule_text

    t = load_network()
    shares, rule = default_host_shares(t, "CKU_RAIL")
    assert rule == "partly_published"
    # The published part, by the agreement's capital shares, and the assumed part by km.
    kgz = 260 / 523
    assert dict(zip(ECONOMIES, shares, strict=True))["KGZ"] == pytest.approx(0.245 * kgz,
                                                                             abs=1e-4)
    words = share_rule_text(t, "CKU_RAIL", rule)
    assert "Kyrgyz section's joint-venture capital (51/24.5/24.5) is published" in words
    assert "are an assumption" in words and "cku_jv_2024" in words
    assert "assumption" in SHORT_RULES[rule] and SHORT_RULES[rule] != SHORT_RULES["published"]


def test_bundled_note_reuses_the_runs_network_and_keeps_its_shares(monkeypatch):
    """After a run on the packaged calibration, the note builds only the network without
    the reforms (the full one is the run's, from the calibration's memo), and its shares
    are those of two networks built afresh, to the bit."""
    from scosim.network import answer_notes
    from scosim.network.mechanism import scenario_tables

    sc = load_scenario(SCEN / "corridor_instc.yaml", {"years.end": 2032})
    run_model(sc, runs=[0])  # builds the full network into the calibration's memo
    tables = scenario_tables(sc.parameters.network)
    a = CorridorNetwork(tables=tables).step(active_projects=["INSTC_CHABAHAR"]).indicators[
        "trade_cost_change"][0]
    rows = tables.measures[~tables.measures["costed"].astype(bool)
                           & (tables.measures["project"] == "INSTC_CHABAHAR")]
    less = dataclasses.replace(tables, measures=tables.measures.drop(index=rows.index))
    c = CorridorNetwork(tables=less).step(active_projects=["INSTC_CHABAHAR"]).indicators[
        "trade_cost_change"][0]
    built: list[int] = []
    init = CorridorNetwork.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        init(self, *args, **kwargs)

    monkeypatch.setattr(CorridorNetwork, "__init__", counting)
    answer_notes._bundled.cache_clear()
    (b,) = answer_notes.bundled_measures(sc)
    answer_notes._bundled.cache_clear()
    assert len(built) == 1
    assert b.share == {ECONOMIES[k]: (float((a[k] - c[k]) / a[k]), float(a[k]))
                       for k in sorted(range(len(a)), key=lambda k: a[k]) if a[k] < -1e-4}


def test_the_gains_figure_names_the_project_not_its_id() -> None:
    """network_gains.png's line on the bundled reforms read "INSTC_CHABAHAR includes ..."."""
    from scosim.network.plot import project_name
    from scosim.network.runplots import _bundled_note
    from scosim.network.tables import load_network

    tables = load_network()
    note = _bundled_note(load_scenario(SCEN / "corridor_instc.yaml"), tables)
    assert f"{project_name(tables, 'INSTC_CHABAHAR')} includes 14 customs reforms" in note
    assert "INSTC_CHABAHAR" not in note
