"""Loading, extends merging, overrides, hashing and the shipped scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scosim.scenario import (
    MEMBERS,
    Scenario,
    ScenarioError,
    load_scenario,
    parse_overrides,
    scenario_hash,
    validate_data,
)

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
GOOD = Path(__file__).parent / "fixtures" / "scenarios" / "good"


# ---------------------------------------------------------------- shipped scenarios


def test_baseline_validates() -> None:
    s = load_scenario(SCENARIOS / "baseline.yaml")
    assert s.name == "baseline"
    assert (s.years.start, s.years.end) == (2025, 2035)
    assert s.replications == 20 and s.seed > 0
    assert s.proposals == [] and s.events == []
    assert s.source == SCENARIOS / "baseline.yaml"


def test_customs_union_validates_and_inherits_baseline() -> None:
    base = load_scenario(SCENARIOS / "baseline.yaml")
    cu = load_scenario(SCENARIOS / "customs_union.yaml")
    assert cu.name == "customs_union" and cu.extends == "baseline.yaml"
    # Everything but name, description, proposals and the vote rule (members are
    # committed at the vote) comes from the baseline.
    assert cu.seed == base.seed and cu.years == base.years
    assert cu.parameters.trade == base.parameters.trade
    assert cu.parameters.council == base.parameters.council
    assert cu.parameters.rules == {**base.parameters.rules, "vote": "always_yes"}
    assert cu.replications == base.replications
    (p,) = cu.proposals
    assert p.type == "customs_union" and p.proposer == "CHN" and p.year == 2026
    assert p.cet == "weighted_mean" and p.revenue_sharing == "collected"
    assert cu.participants_of(p) == list(MEMBERS)
    assert p.phase_in is not None and p.phase_in.years == (2027, 2028, 2029)
    assert p.phase_in.at(2026) == 0.0 and p.phase_in.at(2035) == 1.0
    assert scenario_hash(cu) != scenario_hash(base)


# ---------------------------------------------------------------- good fixtures


def test_minimal_gets_defaults() -> None:
    s = load_scenario(GOOD / "minimal.yaml")
    assert s.seed == 0 and s.replications == 1
    assert s.parameters.trade.sigma == 5.0
    assert s.parameters.council.qualified_majority == 2 / 3
    assert s.parameters.rules == {
        "vote": "utility_vote", "defect": "threshold_defect", "propose": "never_retable",
        "consent": "consent_unless_harmed"}
    assert s.outputs.indicators == "all"


def test_full_fixture_uses_every_block() -> None:
    s = load_scenario(GOOD / "full.yaml")
    assert s.statuses()["TKM"] == "observer"
    assert s.participants_of("cu_core") == ["RUS", "KAZ", "KGZ", "BLR"]
    assert s.proposals[0].cet == 0.05
    assert s.proposals[1].type == "accession"
    assert [e.type for e in s.events] == ["border_clash", "sanctions", "gdp_shock", "trust_shock"]
    assert s.parameters.growth.rate.at(2029) == 0.03
    assert s.parameters.growth.rate.at(2030) == 0.02
    # Partial rules mapping keeps the defaults for the other hooks.
    assert s.rules_for("CHN") == {
        "vote": "utility_vote", "defect": "threshold_defect", "propose": "never_retable",
        "consent": "consent_unless_harmed", "cooperate": "scosim.rules.builtin:utility_vote"}
    assert s.weights_for("KAZ").sovereignty == 2.0
    assert s.weights_for("KAZ").trust == 0.002  # falls back to parameters.weights
    assert s.weights_for("CHN").security == 0.5
    assert s.exit_threshold_for("KAZ") == -0.001
    assert s.exit_threshold_for("CHN") == 0.0


def test_extends_chain_merges_mappings_and_keeps_child_values() -> None:
    s = load_scenario(GOOD / "child.yaml")
    assert s.name == "child" and s.extends == "parent.yaml"
    assert s.seed == 99  # from parent
    assert s.parameters.council.decision_rule == "variable_geometry"  # from parent
    assert s.parameters.trade.sigma == 6.0  # from child
    assert s.parameters.trade.deficits == "level"  # from baseline, sibling key kept
    assert s.replications == 20  # from baseline


def test_lists_replace_not_append(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "name: a\nevents:\n  - {type: gdp_shock, year: 2030, countries: [RUS], size: -0.1}\n"
        "  - {type: gdp_shock, year: 2031, countries: [CHN], size: -0.1}\n")
    (tmp_path / "b.yaml").write_text(
        "extends: a.yaml\nname: b\nevents:\n"
        "  - {type: trust_shock, year: 2029, countries: [IND, CHN], size: 0.1}\n")
    s = load_scenario(tmp_path / "b.yaml")
    assert [e.type for e in s.events] == ["trust_shock"]


def test_null_in_a_child_removes_the_parent_s_key(tmp_path: Path) -> None:
    """JSON Merge Patch: a child could not take back a parent's value, null was refused."""
    (tmp_path / "a.yaml").write_text(
        "name: a\nseed: 7\nparameters:\n  trade: {sigma: 4.0, sigma_spread: 0.5}\n"
        "  growth: {volatility_scale: 2.0}\n  mechanisms: {growth: calibrated_growth}\n"
        "events:\n  - {type: gdp_shock, year: 2030, countries: [RUS], size: -0.1}\n")
    (tmp_path / "b.yaml").write_text(
        "extends: a.yaml\nname: b\nseed: null\nparameters:\n  trade: {sigma: null}\n"
        "  growth: null\n  mechanisms: {growth: null}\nevents: null\n")
    s = load_scenario(tmp_path / "b.yaml")
    assert s.seed == 0  # removed: the default
    assert s.parameters.trade.sigma == 5.0 and s.parameters.trade.sigma_spread == 0.5
    assert s.parameters.growth.volatility_scale.at(2030) == 1.0  # the whole block
    assert s.events == []
    # Under parameters.mechanisms null still empties the slot (not: its default).
    assert s.parameters.mechanisms["growth"] is None


def test_an_error_after_a_removal_names_the_null_s_line(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("name: a\nyears: {start: 2025, end: 2040}\n"
                                     "events:\n  - {type: gdp_shock, year: 2038, "
                                     "countries: [RUS], size: -0.1}\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n\nname: null\nyears: null\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "b.yaml")
    said = {e.path: (e.file, e.line, e.message) for e in info.value.errors}
    b = str(tmp_path / "b.yaml")
    assert said["name"] == (b, 3, "required key 'name' is missing")
    # The years the removal left (2025-2035) cut off the parent's event: said at the null.
    assert said["years.end"][:2] == (b, 4), said
    assert said["years.end"][2].startswith("end 2035 leaves out events[0] (gdp_shock)")


def test_error_in_child_points_at_child_line(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("name: a\nparameters:\n  trade:\n    sigma: 4.0\n")
    (tmp_path / "b.yaml").write_text(
        "extends: a.yaml\nname: b\n\nparameters:\n  trade: {sigma_spread: 3.5}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "b.yaml")
    (item,) = info.value.errors
    assert item.file.endswith("b.yaml") and item.line == 5
    assert item.path == "parameters.trade.sigma_spread"
    assert "must stay > 1" in item.message


@pytest.mark.parametrize(("body", "line", "path", "allowed"), [
    ("null: 3\n", 3, "None", "allowed keys: name, description, extends, years"),
    ("parameters:\n  trade:\n    ~: 3\n", 5, "parameters.trade.None",
     "allowed keys: sigma, sigma_spread"),
    ("countries:\n  null: {}\n", 4, "countries.None", ""),
])
def test_a_null_key_is_reported_at_its_own_file_and_line(tmp_path: Path, body: str, line: int,
                                                         path: str, allowed: str) -> None:
    """Pydantic names a ``null:`` key 'None', which was not found among the written keys:
    the error was placed at the enclosing mapping's line, or for a top-level key at the
    top of the file extended, and said only "Keys should be strings"."""
    (tmp_path / "a.yaml").write_text("name: a\nparameters:\n  trade:\n    sigma: 4.0\n")
    (tmp_path / "b.yaml").write_text(f"extends: a.yaml\nname: b\n{body}")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "b.yaml")
    (item,) = info.value.errors
    assert (Path(item.file).name, item.line, item.path) == ("b.yaml", line, path), str(item)
    assert item.message.startswith("a key must be a name (text), got null (YAML reads a bare "
                                   "null: or ~: key as null"), item.message
    assert allowed in item.message


def test_same_resolution_same_hash() -> None:
    base = load_scenario(SCENARIOS / "baseline.yaml")
    copy = load_scenario(GOOD / "baseline_copy.yaml")
    assert copy.source != base.source and copy.extends is not None
    assert scenario_hash(copy) == scenario_hash(base)
    assert len(scenario_hash(base)) == 64


def test_resolved_yaml_round_trips(tmp_path: Path) -> None:
    for f in (SCENARIOS / "customs_union.yaml", GOOD / "full.yaml"):
        s = load_scenario(f)
        text = s.resolved_yaml()
        assert "extends" not in yaml.safe_load(text) and "source" not in text
        out = tmp_path / "resolved.yaml"
        out.write_text(text)
        again = load_scenario(out)
        assert scenario_hash(again) == scenario_hash(s)
        assert again.model_dump(exclude={"extends"}) == s.model_dump(exclude={"extends"})


def test_hash_changes_with_any_value() -> None:
    base = load_scenario(SCENARIOS / "baseline.yaml")
    other = load_scenario(SCENARIOS / "baseline.yaml", {"parameters.council.vote_noise": 0.003})
    assert scenario_hash(base) != scenario_hash(other)


# ---------------------------------------------------------------- overrides


def test_overrides_apply_after_extends() -> None:
    s = load_scenario(
        SCENARIOS / "customs_union.yaml",
        {"seed": 3, "parameters.trade.sigma": 4, "proposals[0].cet": "max",
         "proposals.0.phase_in": {2027: 1.0}, "countries.KAZ.weights.sovereignty": 1.5},
    )
    assert s.seed == 3 and s.parameters.trade.sigma == 4.0
    assert s.proposals[0].cet == "max"
    assert s.proposals[0].phase_in.to_data() == {2027: 1.0}
    assert s.weights_for("KAZ").sovereignty == 1.5
    # The file's own value is not mutated between loads.
    assert load_scenario(SCENARIOS / "customs_union.yaml").seed != 3


def test_override_errors_use_override_file() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(SCENARIOS / "baseline.yaml",
                      {"seed": 3, "parameters.trade.sigma": 0.5, "parameters.trade.sigmx": 2})
    text = str(info.value)
    assert "<override>:2: parameters.trade.sigma: 0.5 is out of range: must be > 1" in text
    assert "<override>:3: parameters.trade.sigmx: unknown key 'sigmx'" in text


@pytest.mark.parametrize(("key", "where"), [
    ("trade.sigma", "trade: unknown key 'trade'"),
    ("parameters.tarde.sigma", "parameters.tarde: unknown key 'tarde'"),
    ("proposals.sco_cu.foo.bar", "proposals[0].foo: unknown key 'foo'"),
    ("parameters.mechanism_settings.security.instability_change_scale",
     "parameters.mechanism_settings.security: no mechanism named 'security'"),
])
def test_an_unknown_key_an_override_creates_points_at_the_override(key, where) -> None:
    """Before: the key the override misspelt was blamed on the file (``baseline.yaml:8``,
    ``customs_union.yaml:26``), because only the leaf it set was recorded as its own."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(SCENARIOS / "customs_union.yaml", {"seed": 3, key: 2})
    assert str(info.value).startswith(f"<override>:2: {where}"), str(info.value)


@pytest.mark.parametrize(("key", "needle"), [
    ("proposals[3].cet", "out of range"),
    ("seed.x", "cannot"),
    ("extends", "cannot be overridden"),
    ("a..b", "bad override path"),
])
def test_bad_override_paths(key: str, needle: str) -> None:
    with pytest.raises(ScenarioError, match="<override>:1") as info:
        load_scenario(SCENARIOS / "customs_union.yaml", {key: 1})
    assert needle in str(info.value)


def test_a_list_item_is_named_by_its_id_as_by_its_index() -> None:
    """Before: ``proposals.sco_cu.cet`` was "cannot go into a list"; only the index worked."""
    by_id = load_scenario(SCENARIOS / "customs_union.yaml",
                          {"proposals.sco_cu.cet": "max", "proposals.sco_cu.year": 2027})
    by_index = load_scenario(SCENARIOS / "customs_union.yaml",
                             {"proposals[0].cet": "max", "proposals.0.year": 2027})
    assert by_id.proposals[0].cet == "max" and by_id.proposals[0].year == 2027
    assert scenario_hash(by_id) == scenario_hash(by_index)
    # An error in a value set by id points at the override and names the field by index.
    with pytest.raises(ScenarioError) as info:
        load_scenario(SCENARIOS / "customs_union.yaml", {"proposals.sco_cu.cet": "fortress"})
    assert str(info.value).startswith("<override>:1: proposals[0].cet: 'fortress' is not one")


@pytest.mark.parametrize(("overrides", "said"), [
    ({"proposals.sco_xx.cet": "max"},
     "<override>:1: proposals.sco_xx: no item has id 'sco_xx'; ids: sco_cu (or give the "
     "index 0)"),
    ({"proposals.sco_cu.cet": "max", "proposals[0].cet": "min"},
     "<override>:2: proposals[0].cet: sets proposals[0].cet again (first as override 1); "
     "give each path once"),
    # A mapping set after a path inside it would discard that value: the order of --set
    # decided (sigma 5 one way round, 4 the other).
    ({"parameters.trade.sigma": 4, "parameters.trade": {"sigma": 5}},
     "<override>:2: parameters.trade: would discard override 1 (parameters.trade.sigma), "
     "which is inside parameters.trade; set parameters.trade first, or put the value in it"),
    ({"proposals.0.cet": "min", "proposals[0]": {"id": "x"}},
     "<override>:2: proposals[0]: would discard override 1 (proposals[0].cet), which is "
     "inside proposals[0]; set proposals[0] first, or put the value in it"),
])
def test_ids_that_name_no_item_or_an_item_twice_are_errors(overrides: dict, said: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(SCENARIOS / "customs_union.yaml", overrides)
    assert str(info.value) == said


@pytest.mark.parametrize("check", ["load", "validate"])
def test_a_failed_override_does_not_hide_the_others_errors(check: str) -> None:
    """Before: only the unknown id was reported; the unknown country only once it was fixed
    (docs/scenarios.md promises every problem at once)."""
    from scosim.scenario.loader import check_scenario

    overrides = {"proposals.nope.cet": 0.1, "countries.XYZ.status": "member", "seed": 4}
    with pytest.raises(ScenarioError) as info:
        if check == "load":
            load_scenario(SCENARIOS / "customs_union.yaml", overrides)
        else:
            check_scenario(SCENARIOS / "customs_union.yaml", overrides)
    lines = str(info.value).splitlines()
    assert lines[0].startswith("<override>:1: proposals.nope: no item has id 'nope'")
    assert any(line.startswith("<override>:2: countries.XYZ") for line in lines), lines
    assert not any(line.startswith("<override>:3") for line in lines)


def test_a_part_set_after_its_whole_refines_it() -> None:
    # what the explorer writes: the proposals, then a field of one of them
    sc = load_scenario(SCENARIOS / "customs_union.yaml", {
        "parameters.trade": {"sigma": 5.0, "sigma_spread": 0.0}, "parameters.trade.sigma": 4.0})
    assert sc.parameters.trade.sigma == 4.0 and sc.parameters.trade.sigma_spread == 0.0


def test_parse_overrides_reads_yaml_values() -> None:
    assert parse_overrides(["seed=3", "parameters.trade.sigma=4.5", "x=[CHN, RUS]", "y=on"]) == {
        "seed": 3, "parameters.trade.sigma": 4.5, "x": ["CHN", "RUS"], "y": True}
    with pytest.raises(ScenarioError, match="dotted.path=value"):
        parse_overrides(["novalue"])


# ---------------------------------------------------------------- safety and data input


def test_only_safe_yaml(tmp_path: Path) -> None:
    f = tmp_path / "evil.yaml"
    f.write_text("name: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(ScenarioError, match="<syntax>"):
        load_scenario(f)
    f.write_text("name: s\nseed: !!python/object/apply:os.getpid []\n")
    with pytest.raises(ScenarioError, match="<syntax>"):
        load_scenario(f)
    f.write_text("name: s\nseed: !!python/name:os.getpid\n")
    with pytest.raises(ScenarioError, match="<syntax>"):
        load_scenario(f)


def test_source_key_is_reserved(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text("name: s\nsource: elsewhere.yaml\n")
    with pytest.raises(ScenarioError, match="set by the loader"):
        load_scenario(f)


def test_yaml_anchors_and_merge_keys_work(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(
        "name: s\ncountries:\n  KAZ: &cautious {weights: {sovereignty: 2.0}}\n"
        "  KGZ: *cautious\n  UZB:\n    <<: *cautious\n    exit_threshold: -0.01\n")
    s = load_scenario(f)
    assert s.weights_for("KGZ").sovereignty == 2.0
    assert s.weights_for("UZB").sovereignty == 2.0 and s.exit_threshold_for("UZB") == -0.01


def test_validate_data_from_python_dict() -> None:
    s = validate_data({"name": "py", "seed": 4})
    assert isinstance(s, Scenario) and s.seed == 4
    with pytest.raises(ScenarioError, match="<data>: seed: expected an integer"):
        validate_data({"name": "py", "seed": "4"})
