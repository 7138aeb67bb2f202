"""The pydantic-free check of `scosim validate` accepts only what the schema accepts.

:func:`scosim.scenario.quick.quick_dump` may only say "valid, and this is the
scenario": every scenario it accepts must validate with the pydantic schema (what
``scosim run`` uses) to the same data and hash; every scenario the schema refuses
must be left to the schema, so messages and exit codes stay the schema's.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest

from scosim.cli import main
from scosim.scenario import ScenarioError, check_scenario, load_scenario, scenario_hash
from scosim.scenario.loader import _hash_data, _load_chain, validate_data
from scosim.scenario.quick import quick_dump

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(
    [*ROOT.glob("scenarios/*.yaml"), *ROOT.glob("scenarios/hindcasts/*.yaml"),
     *ROOT.glob("tests/fixtures/scenarios/*/*.yaml")]
)


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _schema_dump(data: Any) -> dict[str, Any] | str:
    """The schema's verdict on plain data: its dump, or its error message."""
    try:
        sc = validate_data(copy.deepcopy(data))
    except ScenarioError as exc:
        return str(exc)
    return sc.model_dump(mode="json", exclude={"source"})


def _agree(data: Any) -> bool:
    """Assert quick_dump is silent or right about ``data``; return whether it accepted."""
    quick = quick_dump(copy.deepcopy(data))
    if quick is None:
        return False
    full = _schema_dump(data)
    assert isinstance(full, dict), f"quick check accepted what the schema refuses: {full}"
    assert _hash_data(quick) == _hash_data(full)
    assert quick == full
    return True


def test_defaults_are_the_schemas():
    """Blocks left out default to what the schema fills in (the hash depends on them)."""
    minimal = {"name": "x"}
    cu = {"name": "x", "proposals": [
        {"type": "customs_union", "id": "cu", "year": 2026, "proposer": "CHN"}]}
    assert _agree(minimal)
    assert _agree(cu)


@pytest.mark.parametrize("path", FILES, ids=_rel)
def test_validate_accepts_and_refuses_what_run_does(path, monkeypatch):
    """Over every shipped scenario and fixture: same verdict, data, hash and message."""
    monkeypatch.chdir(ROOT)
    file = _rel(path)
    try:
        sc = load_scenario(file)  # what `scosim run` loads
    except ScenarioError as exc:
        with pytest.raises(ScenarioError) as quick_err:
            check_scenario(file)
        with pytest.raises(ScenarioError) as slow_err:
            check_scenario(file, quick=False)
        assert str(quick_err.value) == str(slow_err.value) == str(exc)
        return
    quick, slow = check_scenario(file), check_scenario(file, quick=False)
    assert quick == slow
    assert quick["hash"] == scenario_hash(sc)
    doc, _ = _load_chain(path, file, [], None)
    _agree(doc.data)


@pytest.mark.parametrize("path", FILES[:1] + [p for p in FILES if "bad" in p.parts][:6],
                         ids=_rel)
def test_cli_exit_codes_and_messages_unchanged(path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    file = _rel(path)
    try:
        load_scenario(file)
        want_rc, want_err = 0, ""
    except ScenarioError as exc:
        want_rc, want_err = 2, f"scosim: error: {exc}\n"
    assert main(["validate", file]) == want_rc
    assert capsys.readouterr().err == want_err


def _accepted_documents() -> list[tuple[str, Any]]:
    docs = []
    for path in FILES:
        doc, _ = _load_chain(path, _rel(path), [], None)
        if doc is not None and quick_dump(copy.deepcopy(doc.data)) is not None:
            docs.append((path.name, doc.data))
    return docs


ACCEPTED = _accepted_documents()
ODD_VALUES = [None, True, False, 0, -1, 1, 2, 0.5, 1.5, -0.5, 1e300, math.inf, math.nan,
              2**70, 2024, 2026, 2050, "", "x", "abc\n", "members", "members_and_observers",
              "CHN", "ROW", "all", "fixed", "consensus", "always_yes", [], {}, ["CHN"],
              ["CHN", "RUS"], ["CHN", "CHN"], {2027: 0.5}, {2030: 0.5, 2029: 0.6}]


def _leaves(data: Any, loc: tuple = ()) -> list[tuple]:
    out = [loc]
    if isinstance(data, dict):
        for k, v in data.items():
            out += _leaves(v, (*loc, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _leaves(v, (*loc, i))
    return out


def _set(data: Any, loc: tuple, value: Any) -> Any:
    data = copy.deepcopy(data)
    node = data
    for part in loc[:-1]:
        node = node[part]
    node[loc[-1]] = value
    return data


def test_accepted_documents_exist():
    """The check covers the shipped customs-union scenarios (else it would be dead code)."""
    names = {name for name, _ in ACCEPTED}
    assert {"customs_union.yaml", "baseline.yaml", "customs_union_consensus.yaml"} <= names


@pytest.mark.parametrize(("name", "data"), ACCEPTED, ids=[n for n, _ in ACCEPTED])
def test_mutations_agree_with_the_schema(name, data):
    """Every value replaced by odd ones, keys added and removed: never accepts wrongly."""
    accepted = refused = 0
    for loc in _leaves(data)[1:]:
        for value in ODD_VALUES:
            if _agree(_set(data, loc, value)):
                accepted += 1
            else:
                refused += 1
        parent = data
        for part in loc[:-1]:
            parent = parent[part]
        if isinstance(parent, dict):
            removed = copy.deepcopy(data)
            node = removed
            for part in loc[:-1]:
                node = node[part]
            del node[loc[-1]]
            _agree(removed)
            _agree(_set(data, (*loc[:-1], f"{loc[-1]}_x"), 1))
    # Both branches ran: some mutations stay valid, most are refused.
    assert accepted > 0 and refused > accepted


@pytest.mark.parametrize("changes", [
    {("name",): "abc\n"},
    {("years", "end"): 2024},
    {("years", "end"): 2125},
    {("parameters", "trade", "sigma_spread"): 4.0},
    {("parameters", "trade", "sigma"): 1},
    {("parameters", "rules"): {"vote": "threshold_defect"}},
    {("parameters", "rules"): {"vote2": "always_yes"}},
    {("parameters", "rules"): {"apply": "always_yes"}},
    {("parameters", "growth", "rate"): -1},
    {("parameters", "council", "qualified_majority"): 0.5},
    {("proposals", 0, "year"): 2040},
    {("proposals", 0, "participants"): ["CHN"]},
    {("proposals", 0, "participants"): ["CHN", "IND"]},
    {("proposals", 0, "phase_in"): {2027: 0.5, 2028: 0.4}},
    {("proposals", 0, "phase_in"): {2020: 0.5}},
    {("proposals", 0, "phase_in"): {2040: 0.5}},
    {("proposals", 0, "phase_in"): 0.5},
    {("proposals", 0, "revenue_sharing"): "fixed"},
    {("proposals", 0, "cet"): 1},
    {("proposals", 0, "cet"): "median"},
    {("proposals", 0, "proposer"): "ROW"},
    {("proposals", 0, "co_sponsors"): ["RUS", "RUS"]},
    {("outputs", "indicators"): ["gdp_usd"]},
    {("outputs", "summary"): "all"},
    {("outputs", "summary"): "everything"},
    {("countries",): {"CHN": {"status": "observer"}}},
    {("events",): [{"type": "gdp_shock", "year": 2030, "countries": ["CHN"], "size": -0.1}]},
])
def test_edge_cases_agree_with_the_schema(changes):
    base = dict(ACCEPTED)["customs_union.yaml"]
    data = copy.deepcopy(base)
    for loc, value in changes.items():
        data = _set(data, loc, value)
    _agree(data)


def test_a_second_proposal_with_the_same_id_is_left_to_the_schema():
    data = copy.deepcopy(dict(ACCEPTED)["customs_union.yaml"])
    data["proposals"].append(copy.deepcopy(data["proposals"][0]))
    assert quick_dump(copy.deepcopy(data)) is None
    assert "duplicate proposal id" in _schema_dump(data)


def _bounds(field: Any) -> tuple[Any, bool, Any, bool]:
    lo = hi = None
    lo_open = hi_open = False
    for m in field.metadata:
        for attr, is_lo, is_open in (("gt", True, True), ("ge", True, False),
                                     ("lt", False, True), ("le", False, False)):
            if getattr(m, attr, None) is not None:
                if is_lo:
                    lo, lo_open = getattr(m, attr), is_open
                else:
                    hi, hi_open = getattr(m, attr), is_open
    return lo, lo_open, hi, hi_open


def _literals(tp: Any) -> set[Any]:
    """Values a type allows as literals (Optional, Annotated and unions looked into)."""
    from typing import Literal, get_args, get_origin

    if tp is type(None):
        return {None}
    if get_origin(tp) is Literal:
        return set(get_args(tp))
    out: set[Any] = set()
    for arg in get_args(tp):
        out |= _literals(arg)
    return out


def test_field_tables_mirror_the_schema():
    """Same fields, bounds and literal choices (narrower is safe), same custom validators.

    A new field or validator in the schema fails here until quick.py is updated.
    """
    from scosim.proposals.specs import CustomsUnionProposal
    from scosim.scenario import blocks, quick
    from scosim.scenario.schema import Scenario

    tables = [
        (quick._YEARS, blocks.Years, {"_order"}),
        (quick._WEIGHTS, blocks.Weights, set()),
        (quick._TRADE, blocks.TradeParams, {"_spread"}),
        (quick._GROWTH, blocks.GrowthParams, {"_ranges"}),
        (quick._COUNCIL, blocks.CouncilParams, set()),
        (quick._SECURITY, blocks.SecurityScenarioParams, {"_ranges"}),
        (quick._OUTPUTS, blocks.Outputs, set()),
        (quick._CU, CustomsUnionProposal, {"_consistency"}),
    ]
    for table, model, validators in tables:
        decorators = model.__pydantic_decorators__
        assert set(decorators.model_validators) == validators, model.__name__
        assert not decorators.field_validators, model.__name__
        if model is not CustomsUnionProposal:
            assert set(table) == set(model.model_fields), model.__name__
        for name, spec in table.items():
            field = model.model_fields[name]
            if spec[0] in (quick._I, quick._F) and field.annotation in (int, float):
                assert spec[0] == field.annotation.__name__, (model.__name__, name)
                assert tuple(spec[2:]) == _bounds(field), (model.__name__, name)
            elif name == "decision_rule":
                # Decision rules are plug-ins: both ask the rules' registry
                # (tests/test_decision_rule_names.py).
                assert spec[0] == quick._R, (model.__name__, name)
            elif spec[0] == quick._L:
                assert set(spec[2]) <= _literals(field.annotation), (model.__name__, name)
    # ntb_cost_cut: written, the schema decides; not written, left out of both dumps.
    assert set(quick._CU) | {"type", "id", "proposer", "co_sponsors", "participants", "cet",
                             "phase_in", "fixed_shares", "ntb_cost_cut"} == set(
        CustomsUnionProposal.model_fields)
    assert set(Scenario.__pydantic_decorators__.model_validators) == {"_cross_checks"}
    assert set(blocks.Parameters.__pydantic_decorators__.field_validators) == {
        "_network", "_finance", "_mechanisms", "_default_rules"}


@pytest.mark.parametrize("overrides", [
    {"seed": 3, "proposals[0].cet": 0.05},
    {"parameters.trade.sigma": 0.5},
    {"proposals[0].phase_in": {2027: 0.5, 2028: 0.2}},
    {"proposals[3].year": 2030},
    {"proposals[0].ntb_cost_cut": 0.05},
    {"proposals[0].ntb_cost_cut": 0},
])
def test_overrides_validate_as_run_loads_them(overrides, monkeypatch):
    monkeypatch.chdir(ROOT)
    file = "scenarios/customs_union.yaml"
    try:
        want = scenario_hash(load_scenario(file, overrides=overrides))
    except ScenarioError as exc:
        with pytest.raises(ScenarioError) as got:
            check_scenario(file, overrides=overrides)
        assert str(got.value) == str(exc)
    else:
        assert check_scenario(file, overrides=overrides)["hash"] == want
