"""What `scosim compare` reports when no --indicator is given.

The trade and welfare indicators, then what the runs' mechanisms and proposal types
name for a comparison (``Mechanism.compared``, else their ``headline``): a RATS upgrade
compared with the same instability without it is about incidents, seizures and
spending, which the default comparison left out.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from scosim.api import REPORT_INDICATORS, compare_runs
from scosim.cli import main
from scosim.indicator_display import display
from scosim.mechanism_answer import run_compared_indicators
from scosim.model.slots import Mechanism, register_mechanism
from scosim.plugins import PluginError, read_declarations
from scosim.results import read_batches
from scosim.runner import run
from scosim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SECURITY = ("incidents", "seizures_t", "spending_usd")


@pytest.fixture(scope="module")
def rats_pair(tmp_path_factory) -> tuple[Path, Path]:
    """The RATS upgrade (voted through in 2026: at face value the shipped vote rejects it)
    and the same instability without it, 3 runs each."""
    out = tmp_path_factory.mktemp("rats")
    dirs = []
    for name, extra in (("afghan_instability_rats.yaml", {"parameters.rules.vote": "always_yes"}),
                        ("afghan_instability.yaml", {})):
        sc = load_scenario(SCENARIOS / name, overrides={"replications": 3, **extra})
        dirs.append(Path(run(sc, out=out, progress=False, plots=False).path))
    return dirs[0], dirs[1]


@pytest.mark.filterwarnings("ignore:(.*rows have keys|not compared, as expected)")
def test_security_runs_are_compared_on_incidents_seizures_and_spending(rats_pair, tmp_path,
                                                                        capsys, monkeypatch):
    pol, base = rats_pair
    assert read_declarations(pol)["mechanisms"]["security"]["compared"] == list(SECURITY)
    comp, report = compare_runs(str(pol), str(base), out=tmp_path, progress=False,
                                plot_workers=1)
    assert comp.report_indicators == (*REPORT_INDICATORS, *SECURITY)
    md = (report / "report.md").read_text()
    for name in SECURITY:
        assert f"plots/{name}_final_year.png" in md
    # The paired difference of India's incidents in the report year, from the raw runs.
    year = comp.report_year

    def incidents(run_dir: Path) -> pd.Series:
        ind = read_batches(run_dir / "indicators")
        ind = ind[(ind["indicator"].astype(str) == "incidents") & (ind["year"] == year)
                  & (ind["country"].astype(str) == "IND")]
        return ind.set_index("run")["value"]

    diff = (incidents(pol) - incidents(base)).mean()
    assert diff < 0  # the upgrade prevents attacks (docs/security.md)
    row = comp.summary[(comp.summary["indicator"] == "incidents")
                       & (comp.summary["country"] == "IND") & (comp.summary["year"] == year)]
    assert float(row["mean"].iloc[0]) == pytest.approx(diff, rel=1e-12)
    # The terminal table shows welfare, then these (the report is the one just made:
    # drawing its 20 figures again would say nothing more).
    monkeypatch.setattr("scosim.api.compare_runs", lambda *a, **k: (comp, report))
    capsys.readouterr()
    assert main(["compare", str(pol), str(base), "--out", str(tmp_path), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "incidents" in out and "spending_usd" in out and "welfare_change_pct" in out
    assert "terms_of_trade_change_pct" not in out  # the report's other trade figures
    # Asked for one indicator: only that one.
    assert main(["compare", str(pol), str(base), "--out", str(tmp_path), "--quiet",
                 "--indicator", "welfare_change_pct"]) == 0
    assert "incidents" not in capsys.readouterr().out


def test_a_run_recorded_before_compared_falls_back_to_the_headline(rats_pair, tmp_path):
    """An older manifest has no ``compared``: the mechanism's headline is used (the
    security mechanism has none), and what the class says is not read instead."""
    pol, _ = rats_pair
    old = tmp_path / "old"
    old.mkdir()
    manifest = json.loads((pol / "manifest.json").read_text())
    del manifest["plugins"]["declared"]["mechanisms"]["security"]["compared"]
    (old / "manifest.json").write_text(json.dumps(manifest))
    (old / "scenario.yaml").write_text((pol / "scenario.yaml").read_text())
    assert run_compared_indicators(pol)[:3] == list(SECURITY)
    assert not set(SECURITY) & set(run_compared_indicators(old))
    # A malformed record names the field.
    manifest["plugins"]["declared"]["mechanisms"]["security"]["compared"] = ["nope"]
    (old / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(PluginError, match=r"mechanisms\.security\.compared must list"):
        read_declarations(old)


def test_compared_must_name_the_mechanisms_own_indicators():
    class Bad(Mechanism):
        name, slot = "bad_compared", "network"
        indicators = {"x": "US$"}
        compared = ("y",)

    with pytest.raises(PluginError, match=r"`compared` names \['y'\], which are not"):
        register_mechanism(Bad)

    class Listed(Bad):
        name = "bad_compared_list"
        compared = ["x"]  # type: ignore[assignment]

    with pytest.raises(PluginError, match="must be a tuple of indicator names"):
        register_mechanism(Listed)


def _union_pair(tmp_path: Path, bloc: bool) -> tuple[Path, Path]:
    """A policy and a baseline without trade policy (its EV 0, no bloc: members' NaN).

    With ``bloc`` the policy had a union in every run; without, its members' and outsiders'
    totals are NaN too while its world total moves (a sanctions scenario, say)."""
    import numpy as np

    from test_compare import synthetic_pair, write_run  # tests/ is on sys.path (rootdir)

    pol, base = synthetic_pair(10, seed=3, effect=2e9)
    nan = dict(value=np.nan)
    # A total is one value a run and year, in every economy's column (as recorded).
    total = pol.assign(value=pol.groupby(["run", "year"])["value"].transform("first"))
    p = pd.concat([pol.assign(indicator="welfare_change_pct"), pol.assign(indicator="ev_usd"),
                   total.assign(indicator="ev_members_usd", **({} if bloc else nan)),
                   total.assign(indicator="ev_outsiders_usd",
                                **({"value": -total["value"] / 2} if bloc else nan)),
                   total.assign(indicator="ev_world_usd", value=total["value"] / 2)])
    b = pd.concat([base.assign(indicator="welfare_change_pct"),
                   *(base.assign(indicator=i, value=0.0)
                     for i in ("ev_usd", "ev_world_usd")),
                   *(base.assign(indicator=i, **nan)
                     for i in ("ev_members_usd", "ev_outsiders_usd"))])
    tag = "u" if bloc else "s"
    return (write_run(tmp_path / f"p{tag}", p, scenario="union"),
            write_run(tmp_path / f"b{tag}", b, scenario="baseline"))


def test_a_union_is_compared_on_its_bloc_totals(tmp_path: Path, capsys,
                                               monkeypatch) -> None:
    """The members', outsiders' and world EV the run's answer states (scosim.bloc_answer)
    are in the report and on the terminal when a paired run had a bloc; not otherwise."""
    from scosim.api import report_indicators
    from scosim.bloc_answer import BLOC_TOTALS
    from scosim.compare import compare_results
    from scosim.report import write_report

    pol, base = _union_pair(tmp_path, bloc=True)
    comp = compare_results(pol, base)
    shown = report_indicators(comp, [pol, base])
    assert shown == [*REPORT_INDICATORS, *BLOC_TOTALS]
    members = comp.summary[comp.summary["indicator"] == "ev_members_usd"]
    assert (members["n_runs"] == 10).all()  # against the baseline's zero by construction
    # Each once, under its group's name, in report.md and on the terminal.
    year = int(comp.summary["year"].max())
    md = write_report(comp, tmp_path / "r", title="T", indicators=shown, year=year,
                      plot_workers=1).read_text()
    for label, name in (("bloc members", "ev_members_usd"), ("outsiders", "ev_outsiders_usd"),
                        ("world", "ev_world_usd")):
        # The report's table names the indicator in words, the code in brackets.
        assert md.count(f"| {label} | {display(name, None)[0]} |") == 1
        assert f"({name})" in display(name, None)[0]
    comp.report_indicators, comp.report_year, comp.report_year_note = tuple(shown), year, "t"
    monkeypatch.setattr("scosim.api.compare_runs", lambda *a, **k: (comp, tmp_path / "r"))
    assert main(["compare", str(pol), str(base), "--out", str(tmp_path), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert all(n in out for n in BLOC_TOTALS) and "bloc members" in out
    # No bloc in any run: the world's EV moved, but there is no union's total to report.
    pol, base = _union_pair(tmp_path, bloc=False)
    comp = compare_results(pol, base)
    assert "ev_world_usd" in set(comp.summary["indicator"])
    assert report_indicators(comp, [pol, base]) == list(REPORT_INDICATORS)


def test_the_terminal_says_the_baselines_ev_is_zero_by_construction(
        tmp_path: Path, capsys, monkeypatch) -> None:
    """EV rows printed as "union minus baseline" against a baseline without trade policy
    are the union run's own EV: the console says so under the table, in report.md's words
    (a reader took the bloc totals for differences of two recorded EVs)."""
    from scosim.api import report_indicators
    from scosim.compare import compare_results
    from scosim.report import write_report

    pol, base = _union_pair(tmp_path, bloc=True)
    comp = compare_results(pol, base)
    assert "ev_members_usd" in comp.own_baseline  # the premise: the baseline's EV is zero
    shown = report_indicators(comp, [pol, base])
    year = int(comp.summary["year"].max())
    md = " ".join(write_report(comp, tmp_path / "r", title="T", indicators=shown, year=year,
                               plot_workers=1).read_text().split())
    comp.report_indicators, comp.report_year, comp.report_year_note = tuple(shown), year, "t"
    monkeypatch.setattr("scosim.api.compare_runs", lambda *a, **k: (comp, tmp_path / "r"))
    assert main(["compare", str(pol), str(base), "--out", str(tmp_path), "--quiet"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    said = "its EV is zero by construction"
    assert said in out and "the changes shown are the policy run's own EV" in out
    # The same sentence as the report's method section, not a second wording.
    start = md.index("Equivalent variation** (")
    sentence = md[start:].split(") is measured", 1)[1].split(said)[0]
    assert f"ev_world_usd) is measured{sentence}{said}" in out
    # With --indicator welfare_change_pct only, no EV row is printed and nothing is said.
    assert main(["compare", str(pol), str(base), "--out", str(tmp_path), "--quiet",
                 "--indicator", "welfare_change_pct"]) == 0
    assert said not in capsys.readouterr().out
