"""A run's answer and figures do not pass a scenario's shocks off as its proposal's effect.

The welfare table of ``finance_crisis_union.yaml`` is the sanctions' effect (the same as in
``finance_crisis.yaml``, which has no union), and that of ``corridor_trans_afghan_high.yaml``
mixes the railway with Afghan instability: the heading and titles say so, and the proposal's
own effect is the paired difference against the same scenario without it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from scosim.attribution import scenario_scope, scenario_shocks
from scosim.compare import compare_results
from scosim.result_tables import read_batches
from scosim.runner import run
from scosim.scenario import load_scenario

SCEN = Path(__file__).resolve().parents[1] / "scenarios"


def _resolved(name: str) -> dict:
    """A shipped scenario as its run's ``scenario.yaml`` holds it (extends resolved)."""
    return yaml.safe_load(yaml.safe_dump(load_scenario(SCEN / f"{name}.yaml").model_dump(
        mode="json", by_alias=True)))


@pytest.mark.parametrize(("name", "shocks"), [
    ("finance_crisis_union", ["GDP shock", "sanctions"]),
    ("finance_crisis_settlement", ["GDP shock", "sanctions"]),
    ("corridor_trans_afghan_high", ["route instability AFG 0.8"]),
    ("afghan_instability_rats", ["the security mechanism's instability"]),
    ("customs_union_shocks", ["sanctions", "border clash", "trust shock"]),
    # Proposals only: the answer is their effect. The network and finance mechanisms
    # change nothing without a project or an event.
    ("customs_union", []),
    ("corridor_instc", []),
])
def test_what_a_shipped_scenario_adds_to_its_proposals(name: str, shocks: list[str]) -> None:
    sc = _resolved(name)
    assert scenario_shocks(sc) == shocks
    scope = scenario_scope(scenario_shocks(sc), bool(sc["proposals"]))
    assert (scope is not None) == bool(shocks)
    if scope:
        assert "not the proposals' own effect" in scope and all(s in scope for s in shocks)


def test_without_proposals_there_is_nothing_to_mistake() -> None:
    """finance_crisis.yaml's table is its shocks' effect and has no proposal to credit."""
    sc = _resolved("finance_crisis")
    assert scenario_shocks(sc) and scenario_scope(scenario_shocks(sc), False) is None


@pytest.fixture(scope="module")
def union_runs(tmp_path_factory) -> tuple[Path, Path]:
    """finance_crisis_union and its twin without the union, 2025-2027, same seed."""
    out = tmp_path_factory.mktemp("fin")
    over = {"replications": 3, "years.end": 2027}
    pol = run(load_scenario(SCEN / "finance_crisis_union.yaml", over), out=out, progress=False)
    base = run(load_scenario(SCEN / "finance_crisis.yaml", over), out=out, progress=False,
               plots=False)
    return Path(pol.path), Path(base.path)


def test_the_answer_says_shocks_and_proposal_are_together(union_runs, kept_figures) -> None:
    """Heading, welfare figure titles and the command for the proposal's own effect."""
    pol, _ = union_runs
    text = (pol / "summary.txt").read_text()
    head = " ".join(text[text.index("Who gains, who loses"):].split("\n")[:4])
    assert ("the scenario against the baseline: its shocks (GDP shock, sanctions) and "
            "proposals together, not the proposals' own effect") in head
    assert "the median over all 3 runs" in " ".join(text.split("\n"))
    # The command names the run's final directory, not the hidden one it was written in.
    flat = " ".join(text.split())
    assert f"scosim compare {pol} <that run's directory>" in flat
    assert "--set 'proposals=[]' --seed 20250101 --replications 3" in flat
    assert ".partial" not in text
    # The figures, drawn again from the run: titles carry the same scope.
    from scosim.plots import plot_run

    (pol / "again").mkdir()
    plot_run(pol, pol / "again")
    titles = {f.axes[0].get_title().replace("\n", " ") for f in kept_figures}
    mixed = [t for t in titles if "shocks (GDP shock, sanctions) and proposals" in t]
    assert any("who gains, who loses" in t for t in mixed)
    assert any("eight most affected" in t for t in mixed)


def _welfare(run_dir: Path) -> pd.DataFrame:
    ind = read_batches(run_dir / "indicators")
    w = ind[ind["indicator"] == "welfare_change_pct"]
    return w.pivot_table(index=["run", "year"], columns="country", values="value",
                         observed=True)


def test_a_proposal_that_leaves_trade_alone_has_zero_paired_welfare_effect(union_runs) -> None:
    """The banking union changes no tariff or trade cost: paired with the same crisis
    without it, every run's welfare difference is exactly zero, although the union's own
    table shows Russia's loss to the sanctions."""
    pol, base = union_runs
    comp = compare_results(pol, base, indicators=["welfare_change_pct"])
    assert len(comp.diffs) and (comp.diffs["diff"] == 0.0).all()
    assert (_welfare(pol).loc[(slice(None), 2027), "RUS"] < -0.1).all()


def test_the_railway_s_own_effect_is_the_difference_of_the_paired_runs(tmp_path) -> None:
    """corridor_trans_afghan_high minus its twin without the railway, run by run: the mean
    paired difference is the difference of the two runs' means (an identity), the twin is
    the same scenario with ``proposals=[]``, and the railway gains Afghanistan what the
    mixed table shows as a loss."""
    over = {"replications": 2, "years.end": 2033}
    runs = {}
    for name, extra in (("corridor_trans_afghan_high", {}),
                        ("corridor_trans_afghan_high_no_rail", {}),
                        ("corridor_trans_afghan_high", {"proposals": []})):
        sc = load_scenario(SCEN / f"{name}.yaml", {**over, **extra})
        runs[(name, bool(extra))] = Path(run(sc, out=tmp_path / str(len(runs)), progress=False,
                                             plots=False).path)
    pol, twin = runs[("corridor_trans_afghan_high", False)], runs[
        ("corridor_trans_afghan_high_no_rail", False)]
    pd.testing.assert_frame_equal(_welfare(twin), _welfare(runs[("corridor_trans_afghan_high",
                                                                  True)]))
    comp = compare_results(pol, twin, indicators=["welfare_change_pct"])
    d = comp.diffs
    d = d[(d["year"] == 2033) & (d["indicator"] == "welfare_change_pct")]
    own = d.groupby("country", observed=True)["diff"].mean()
    p, b = _welfare(pol).xs(2033, level="year"), _welfare(twin).xs(2033, level="year")
    np.testing.assert_allclose(own.reindex(p.columns).to_numpy(),
                               (p.mean() - b.mean()).to_numpy(), rtol=0, atol=1e-12)
    assert own["AFG"] > 0 > p["AFG"].mean()


def _with_mechanism(name: str) -> dict:
    """customs_union.yaml (proposals only) with its network slot filled by ``name``."""
    sc = _resolved("customs_union")
    sc["parameters"]["mechanisms"]["network"] = name
    return sc


def test_a_plugin_mechanism_that_declares_itself_passive_is_not_a_shock() -> None:
    """A power pool that books only what a proposal saves moves nothing by itself: filling
    its slot is not a shock (docs/scenarios.md). Until 2026-12-06 every plug-in was one."""
    from scosim.model.slots import Mechanism, register_mechanism

    @register_mechanism
    class AttrPassivePool(Mechanism):
        name = "attr_passive_pool"
        slot = "network"
        passive = True

    @register_mechanism
    class AttrActivePool(Mechanism):
        name = "attr_active_pool"
        slot = "network"

    assert scenario_shocks(_with_mechanism("attr_passive_pool")) == []
    assert scenario_shocks(_with_mechanism("attr_active_pool")) == [
        "the network mechanism attr_active_pool"]


def test_a_run_whose_plugin_is_not_installed_reads_passive_from_its_manifest(
    tmp_path: Path
) -> None:
    """The run's record decides where the plug-in cannot be imported; without a record it
    is counted as a shock (what it does alone cannot be known)."""
    import json

    from scosim.attribution import run_scope

    sc = _with_mechanism("gone_pool")
    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump(sc))
    assert "the network mechanism gone_pool" in (run_scope(tmp_path) or "")
    rec = {"name": "gone_pool", "indicators": {}, "headline": [], "passive": True}
    (tmp_path / "manifest.json").write_text(json.dumps(
        {"plugins": {"declared": {"mechanisms": {"network": rec}}}}))
    assert run_scope(tmp_path) is None
    rec["passive"] = "yes"  # damaged: the registry decides, and does not know it
    (tmp_path / "manifest.json").write_text(json.dumps(
        {"plugins": {"declared": {"mechanisms": {"network": rec}}}}))
    assert "gone_pool" in (run_scope(tmp_path) or "")


def test_passive_must_be_a_bool() -> None:
    from scosim.model.slots import Mechanism, register_mechanism
    from scosim.plugins import PluginError

    class Vague(Mechanism):
        name = "attr_vague_pool"
        slot = "network"
        passive = "yes"  # type: ignore[assignment]

    with pytest.raises(PluginError, match="`passive` must be True or False"):
        register_mechanism(Vague)


def test_the_docs_visa_mobility_declares_itself_passive_and_is(visa_plugin, tmp_path) -> None:
    """docs/mechanisms.md says a plug-in that only books what a proposal creates should
    declare ``passive = True``, but its own worked example did not, so the answer of
    ca_visa_free_all (docs/proposals.md) called visa_mobility a shock mixed with the
    proposal (an outside review, 2026-12-07). Checked against what it does: without a
    proposal, filling the slot with it leaves every welfare change as it was."""
    assert scenario_shocks(_with_mechanism("visa_mobility")) == []
    welfare = []
    for slot in (None, "visa_mobility"):
        sc = load_scenario(SCEN / "baseline.yaml", {
            "years.end": 2027, "replications": 2, "parameters.mechanisms.network": slot})
        out = run(sc, out=tmp_path / str(slot), progress=False, plots=False).path
        welfare.append(_welfare(Path(out)))
    pd.testing.assert_frame_equal(welfare[0], welfare[1])
