"""Decision rules read a swept proposal field per run: ``ctx.value(field)``.

A sweep of ``proposals.<id>.<field>`` gives each run of a batch its own value, but a
rule's ``ctx.proposal`` is the scenario's object, which holds one. Before, a rule that
read ``ctx.proposal.cet`` during a sweep of the CET saw the scenario's value in every
run and nothing said so. Now ``ctx.value(field)`` gives each run's value, and during
such a sweep ``ctx.proposal`` refuses the swept fields (``SweptFieldError``), in the
process and through ``scosim sweep``; without a sweep it is the scenario's object.
The rules are in ``tests/plugin_pkgs/swept_rules.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from scosim.api import sweep
from scosim.api_sweep import parse_output
from scosim.cli import main
from scosim.model.model import SCOModel
from scosim.rules.context import ProposeContext, RuleFailed, VoteContext
from scosim.rules.swept import SweptFieldError, SweptProposal
from scosim.runner import run_model
from scosim.scenario import load_scenario

TESTS = Path(__file__).resolve().parent
SCEN = TESTS.parent / "scenarios"
CET, DEPTH = "proposals.sco_cu.cet", "proposals.sco_cu.depth"
OUT = "welfare_change_pct:KAZ"


@pytest.fixture
def rules(monkeypatch) -> Any:
    """The module of recording rules, importable by the scenarios' dotted paths."""
    monkeypatch.syspath_prepend(str(TESTS / "plugin_pkgs"))
    import swept_rules

    swept_rules.SEEN.clear()
    yield swept_rules
    swept_rules.SEEN.clear()
    sys.modules.pop("swept_rules", None)


def _scenario(tmp_path: Path, vote: str, defect: str | None = None) -> Path:
    """The customs union to 2029 (its phase-in) with KAZ's vote rule (and a defect rule)."""
    path = tmp_path / f"cu_{vote}.yaml"
    defect_rule = (f"parameters: {{rules: {{defect: 'swept_rules:{defect}'}}}}\n"
                   if defect else "")
    path.write_text(f"extends: {SCEN / 'customs_union.yaml'}\nname: cu_rules\n"
                    "years: {start: 2025, end: 2029}\nreplications: 2\n" + defect_rule
                    + f"countries: {{KAZ: {{rules: {{vote: 'swept_rules:{vote}'}}}}}}\n")
    return path


def _kaz_votes(seen: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in seen if s.get("hook") == "vote" and s["iso3"] == "KAZ"
            and s["year"] == 2026]


def _events(model: SCOModel, position: int) -> list[dict[str, Any]]:
    """Every event of the run at batch ``position``, NaN written as None (comparable)."""
    return [{k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
            for r in model.log.records(position)]


def test_a_vote_rule_reads_each_run_s_swept_cet_and_depth(rules, tmp_path):
    path = _scenario(tmp_path, "record_vote", defect="record_defect")
    reps = 2
    target = sweep(str(path), {CET: [0.02, 0.1], DEPTH: [0.2, 0.7]}, [OUT], method="grid",
                   replications=reps, out=tmp_path / "results", progress=False)
    table = pd.read_parquet(target / "design_outputs.parquet")
    assert len(table) == 4  # every (cet, depth) pair
    # The sweep runs its points' replications one after the other in a batch (one here).
    want_cet = np.repeat(table[CET].to_numpy(), reps)
    want_depth = np.repeat(table[DEPTH].to_numpy(), reps)
    [kaz] = _kaz_votes(rules.SEEN)
    assert kaz["cet"].shape == (len(table) * reps,)
    np.testing.assert_array_equal(kaz["cet"], want_cet)
    np.testing.assert_array_equal(kaz["depth"], want_depth)
    assert isinstance(kaz["proposal"], SweptProposal)
    # The members' yearly stay-or-leave decisions read the same depth.
    defects = [s for s in rules.SEEN if s["hook"] == "defect"]
    assert {s["year"] for s in defects} >= {2027, 2029}
    for s in defects:
        np.testing.assert_array_equal(s["depth"], want_depth)


def test_unswept_value_is_the_scenario_s_number_and_proposal_the_scenario_s_object(
        rules, tmp_path):
    sc = load_scenario(_scenario(tmp_path, "record_vote", "record_defect"),
                       overrides={CET: 0.07})
    model = run_model(sc, runs=[0, 1])
    [kaz] = _kaz_votes(rules.SEEN)
    proposal = model.arrangements[0].proposal
    assert kaz["proposal"] is proposal  # not a view: nothing is swept
    assert proposal.cet == 0.07
    np.testing.assert_array_equal(kaz["cet"], np.full(2, proposal.cet))
    np.testing.assert_array_equal(kaz["depth"], np.full(2, proposal.depth))
    defects = [s for s in rules.SEEN if s["hook"] == "defect"]
    assert defects and all(s["proposal"] is proposal for s in defects)


def _context(proposal: Any, swept: dict[str, np.ndarray] | None = None, runs: int = 3) -> Any:
    n = 2
    return VoteContext(iso3="KAZ", index=0, year=2026, proposal=proposal, codes=("KAZ", "CHN"),
                       terms={}, weights={}, utility=np.zeros(runs), noise=np.zeros(runs),
                       gains=np.zeros((runs, n)), participants=np.ones((runs, n), bool),
                       trust=np.ones((runs, n)), swept=swept or {})


def test_value_of_a_field_that_is_no_number_names_the_number_fields():
    cu = load_scenario(SCEN / "customs_union.yaml").proposals[0]
    ctx = _context(cu)
    with pytest.raises(KeyError) as err:
        ctx.value("phase_in")
    assert str(err.value) == ("\"'phase_in' is not a number field of proposal 'sco_cu' "
                              "(customs_union); its number fields: year, cet, depth, "
                              "ntb_cost_cut\"")
    # The scenario names a CET rule: no number to give unless the batch sweeps it.
    assert cu.cet == "weighted_mean"
    with pytest.raises(ValueError, match=r"^proposals\.sco_cu\.cet has the name "
                       r"'weighted_mean' in the scenario, not a number"):
        ctx.value("cet")
    swept = np.array([0.01, 0.02, 0.03])
    np.testing.assert_array_equal(_context(cu, {"cet": swept}).value("cet"), swept)


def test_the_propose_context_reads_swept_values_too():
    cu = load_scenario(SCEN / "customs_union.yaml").proposals[0]
    depth = np.array([0.1, 0.9])
    ctx = ProposeContext(iso3="CHN", index=1, year=2027, proposal=SweptProposal(cu, ["depth"]),
                         codes=("KAZ", "CHN"), eligible=np.ones(2, bool),
                         years_since_vote=np.ones(2, int), last_yes_share=np.zeros(2),
                         trust=np.ones((2, 2)), swept={"depth": depth})
    np.testing.assert_array_equal(ctx.value("depth"), depth)
    np.testing.assert_array_equal(ctx.value("year"), np.full(2, float(cu.year)))
    out = ctx.value("depth")
    out[:] = 5.0  # the rule's copy, not the context's values
    np.testing.assert_array_equal(ctx.value("depth"), depth)


@pytest.mark.parametrize(("rule", "key", "values"), [
    ("reads_proposal_cet", CET, [0.02, 0.1]),
    ("reads_proposal_depth", DEPTH, [0.2, 0.9]),
])
def test_reading_a_swept_field_of_ctx_proposal_raises(rules, tmp_path, rule, key, values):
    field = key.rsplit(".", 1)[1]
    # A number in the scenario (its CET is a rule's name): unswept, the rule reads it
    # (0.07 > 0.05 and 0.6 > 0.5: KAZ says no, and the union is not adopted).
    path = _scenario(tmp_path, rule)
    set_ = {CET: 0.07}
    unswept = run_model(load_scenario(path, overrides=set_), runs=[0])
    assert [r["yes"] for r in unswept.log.records(0)
            if r["type"] == "vote" and r["country"] == "KAZ"] == [False]
    assert not unswept.arrangements[0].adopted.any()
    with pytest.raises(RuleFailed) as err:
        run_model(load_scenario(path, overrides=set_), runs=[0, 0],
                  params={key: np.array(values)})
    assert str(err.value) == (
        f"vote rule 'swept_rules:{rule}' of KAZ in 2026 raised SweptFieldError: "
        f"{key} is swept: each run has its own value; read ctx.value({field!r}), "
        "an (R,) array (in a per_run rule, the run's number)")
    assert isinstance(err.value.__cause__, SweptFieldError)


def test_unswept_fields_of_ctx_proposal_pass_through_during_the_sweep(rules, tmp_path):
    sc = load_scenario(_scenario(tmp_path, "record_unswept_fields"))
    run_model(sc, runs=[0, 1], params={CET: np.array([0.02, 0.1])})
    cu = sc.proposals[0]
    assert rules.SEEN
    for s in rules.SEEN:
        assert s == {"id": cu.id, "type": cu.type, "year": cu.year, "proposer": cu.proposer,
                     "participants": cu.participants, "depth": cu.depth,
                     "revenue_sharing": cu.revenue_sharing}


def test_the_view_refuses_what_would_hand_out_a_swept_value():
    cu = load_scenario(SCEN / "customs_union.yaml").proposals[0]
    view = SweptProposal(cu, ["cet"])
    # A default or hasattr must not turn the refusal into a wrong number.
    with pytest.raises(SweptFieldError):
        getattr(view, "cet", 0.05)
    with pytest.raises(SweptFieldError):
        hasattr(view, "cet")
    for read in (lambda: view.model_dump(), lambda: dict(view), lambda: vars(view),
                 lambda: view.model_copy()):
        with pytest.raises(SweptFieldError, match=r"^proposals\.sco_cu\.cet is swept: "):
            read()
    with pytest.raises(AttributeError, match="read-only"):
        view.depth = 0.1
    assert view.depth == cu.depth and view.phase_in is cu.phase_in
    assert "weighted_mean" not in repr(view)
    # A rule that checks the proposal's type takes the same branch with and without a
    # sweep; the view stays a view.
    assert isinstance(view, type(cu)) and isinstance(view, SweptProposal)
    assert type(view) is SweptProposal and not isinstance(view, dict)


def test_a_per_run_rule_gets_each_run_s_value_as_a_number(rules, tmp_path):
    sc = load_scenario(_scenario(tmp_path, "record_one_run"))
    cets = np.array([0.02, 0.1, 0.05])
    run_model(sc, runs=[0, 0, 1], params={CET: cets})
    kaz = _kaz_votes(rules.SEEN)
    assert [s["cet"] for s in kaz] == cets.tolist()
    for s in kaz:
        assert np.ndim(s["cet"]) == 0 and np.ndim(s["depth"]) == 0
        assert s["depth"] == sc.proposals[0].depth


def test_a_swept_point_gives_the_votes_of_a_run_with_its_set(rules, tmp_path):
    path = _scenario(tmp_path, "kaz_cet_cap")
    cets = np.array([0.02, 0.1])  # one either side of the rule's cap
    swept = run_model(load_scenario(path), runs=[0, 0], params={CET: cets})
    for row, cet in enumerate(cets):
        alone = run_model(load_scenario(path, overrides={CET: float(cet)}), runs=[0])
        assert _events(swept, row) == _events(alone, 0)
        np.testing.assert_array_equal(np.asarray(swept.welfare)[row],
                                      np.asarray(alone.welfare)[0])
    # The rule saw each run's CET: KAZ said yes at the low one only, which decided.
    kaz = [[r["yes"] for r in swept.log.records(row)
            if r["type"] == "vote" and r["country"] == "KAZ"] for row in (0, 1)]
    assert kaz == [[cets[0] <= rules.CAP], [cets[1] <= rules.CAP]]
    assert swept.arrangements[0].adopted.tolist() == [True, False]


def test_a_sweep_s_outputs_are_those_of_runs_with_its_set(rules, tmp_path):
    path = _scenario(tmp_path, "kaz_cet_cap")
    target = sweep(str(path), {CET: [0.02, 0.1]}, [OUT], method="grid", replications=2,
                   out=tmp_path / "results", progress=False)
    table = pd.read_parquet(target / "design_outputs.parquet")
    for cet, got in zip(table[CET], table[OUT], strict=True):
        sc = load_scenario(path, overrides={CET: float(cet)})
        assert got == parse_output(OUT).from_model(run_model(sc, runs=[0, 1])).mean()
    assert table[OUT].iloc[0] != table[OUT].iloc[1]


def _sweep_cli(path: Path, out: Path, capsys: Any) -> tuple[int, str]:
    code = main(["sweep", str(path), "--method", "grid", "--param", f"{DEPTH}=0.2,0.9",
                 "--output", OUT, "--replications", "1", "--out", str(out), "--quiet"])
    return code, capsys.readouterr().err


def test_the_cli_sweep_stops_with_one_line_and_keeps_nothing(rules, tmp_path, capsys,
                                                             monkeypatch):
    monkeypatch.delenv("SCOSIM_DEBUG", raising=False)
    out = tmp_path / "results"
    # The scenario's depth is a number (0.6): before, every run silently read it.
    code, err = _sweep_cli(_scenario(tmp_path, "reads_proposal_depth"), out, capsys)
    assert code != 0
    assert ("scosim: error: batch 0 failed: RuleFailed: vote rule "
            "'swept_rules:reads_proposal_depth' of KAZ in 2026 raised SweptFieldError: "
            "proposals.sco_cu.depth is swept: each run has its own value; read "
            "ctx.value('depth'), an (R,) array (in a per_run rule, the run's number)\n"
            ) in err
    assert "Traceback" not in err
    assert not out.exists()  # no partial sweep directory, nor the empty ones above it
    # As any other rule that raises: the same exit status, said the same way.
    import broken_rules  # noqa: F401  (tests/plugin_pkgs, on the path through `rules`)

    path = tmp_path / "broken.yaml"
    path.write_text(f"extends: {SCEN / 'customs_union.yaml'}\nname: cu_rules\n"
                    "years: {start: 2025, end: 2029}\n"
                    "countries: {KAZ: {rules: {vote: 'broken_rules:vote_with_a_bug'}}}\n")
    other, other_err = _sweep_cli(path, out, capsys)
    sys.modules.pop("broken_rules", None)
    assert other == code
    assert other_err.startswith("scosim: error: batch 0 failed: RuleFailed: vote rule ")
    assert not out.exists()
