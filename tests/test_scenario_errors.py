"""One broken fixture per error kind: file, line, dotted path and message substrings."""

from __future__ import annotations

from pathlib import Path

import pytest

from scosim.scenario import ScenarioError, load_scenario

BAD = Path(__file__).parent / "fixtures" / "scenarios" / "bad"

# fixture name -> (file the error is reported in, line, path, substrings of the message)
CASES: dict[str, tuple[str, int | None, str, tuple[str, ...]]] = {
    "syntax": ("syntax", 3, "<syntax>", ("YAML syntax error", "flow mapping", "line 2")),
    "empty": ("empty", 1, "<root>", ("file is empty",)),
    "comment_only": ("comment_only", 1, "<root>", ("file is empty",)),
    "not_mapping": ("not_mapping", 1, "<root>", ("must be a mapping", "got a list")),
    "missing_extends": ("missing_extends", 2, "extends", ("file not found", "does_not_exist.yaml")),
    "cycle_a": ("cycle_b", 2, "extends", ("extends cycle", "cycle_a.yaml -> ", "cycle_b.yaml")),
    "unknown_key": ("unknown_key", 4, "parameters.trade.sigmaa", (
        "unknown key 'sigmaa'", "did you mean 'sigma'", "sigma_spread, deficits, baseline")),
    "wrong_type": ("wrong_type", 2, "seed", ("expected an integer", "string '12'")),
    "out_of_range": ("out_of_range", 4, "parameters.trade.sigma", ("0.8", "must be > 1")),
    "unknown_country": ("unknown_country", 4, "countries.XKZ", (
        "unknown country code 'XKZ'", "CHN, RUS", "TKM, ROW")),
    "bad_enum": ("bad_enum", 4, "parameters.council.decision_rule", (
        "unknown decision rule 'majority'",
        "available: consensus, interested_members, qualified_majority, variable_geometry",)),
    "cet": ("cet", 7, "proposals[0].cet", (
        "'avg' is not one of mean, weighted_mean, min, max, art_xxiv or a number",)),
    "fixed_shares_sum": ("fixed_shares_sum", 9, "proposals[0].fixed_shares", (
        "sum to 0.95", "must sum to 1")),
    "fixed_shares_outsider": ("fixed_shares_outsider", 11, "proposals[0].fixed_shares.IND", (
        "IND is not a participant", "CHN, PAK")),
    # Before: accepted, and the run stopped at set-up ("no share for ARM").
    "fixed_shares_bloc": ("fixed_shares_bloc", 10, "proposals[0].fixed_shares", (
        "no share for ARM", "bloc RUS KAZ KGZ BLR ARM", "give ARM a share")),
    "fixed_shares_missing": ("fixed_shares_missing", 3, "proposals[0].fixed_shares", (
        "revenue_sharing is 'fixed'", "required")),
    "duplicate_ids": ("duplicate_ids", 4, "proposals[1].id", (
        "duplicate proposal id 'cu'", "proposals[0].id")),
    "year_range": ("year_range", 4, "events[0].year", ("2031", "outside", "2025-2030")),
    # Before: accepted, and the shock changed nothing (trust among one state).
    "lone_trust_shock": ("lone_trust_shock", 4, "events[0].countries", (
        "IND alone would change nothing", "list at least two states")),
    "phase_in": ("phase_in", 9, "proposals[0].phase_in[2028]", (
        "non-decreasing", "0.3 in 2028", "0.5 in 2027")),
    "unknown_rule": ("unknown_rule", 4, "parameters.rules.vote", (
        "unknown vote rule 'utility_vot'", "did you mean 'utility_vote'", "utility_vote")),
    "unknown_hook": ("unknown_hook", 4, "parameters.rules.fly", (
        "unknown hook 'fly'", "vote, defect, propose, consent, apply, cooperate")),
    "rule_module": ("rule_module", 4, "countries.IND.rules.vote", (
        "module 'no_such_package_xyz.rules' not found",)),
    "rule_attribute": ("rule_attribute", 4, "countries.IND.rules.vote", (
        "'scosim.rules.builtin' has no attribute 'no_such_rule'", "utility_vote")),
    "rule_not_callable": ("rule_not_callable", 4, "countries.IND.rules.vote", (
        "'HOOKS' is not callable", "tuple")),
    "duplicate_key": ("duplicate_key", 4, "seed", (
        "duplicate key 'seed'", "first written at line 2")),
    # Expanded aliases are counted as they are read: the cap trips at line 8, long
    # before the 387 million values the file describes are built.
    "alias_bomb": ("alias_bomb", 8, "<syntax>", ("more than 100,000 values", "alias")),
    "deep_nesting": ("deep_nesting", 2, "<syntax>", ("nesting deeper than 64 levels",)),
    "rule_builtin": ("rule_builtin", 4, "parameters.rules.vote", (
        "'math:sqrt' is a built-in function", "one context argument")),
    "rule_signature": ("rule_signature", 4, "countries.KAZ.rules.vote", (
        "'shutil:copyfile' takes (src, dst", "one context argument")),
    "unknown_indicator": ("unknown_indicator", 4, "outputs.indicators[1]", (
        "unknown indicator 'welfare_chnage_pct'", "did you mean 'welfare_change_pct'",
        "trade_creation_usd")),
    # The error is in the parent file, so it is reported there, not in the child.
    "extends_child": ("extends_parent", 5, "parameters.growth.volatility_scale",
                      ("in [0, 10]", "-1")),
    # A problem between two fields is reported where the child wrote one of them (before:
    # years_start_child was reported at the parent's `end`, a line the user did not touch).
    "years_start_child": ("years_start_child", 5, "years.start", (
        "start 2032 is after end 2030", "start must be <= end")),
    "years_end_child": ("years_end_child", 4, "years.end", (
        "end 2020 is before start 2025", "end must be >= start")),
}


@pytest.mark.parametrize("fixture", sorted(CASES))
def test_fixture_error(fixture: str) -> None:
    file_stem, line, path, substrings = CASES[fixture]
    given = str(BAD / f"{fixture}.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenario(given)
    err = info.value
    assert isinstance(err, ValueError)
    matches = [e for e in err.errors if e.path == path]
    assert matches, f"no error at {path}; got:\n{err}"
    item = matches[0]
    assert item.file == str(BAD / f"{file_stem}.yaml")
    assert item.line == line, str(err)
    for s in substrings:
        assert s in item.message, f"{s!r} not in {item.message!r}"
    # str(err) carries the standard "file:line: path: message" form.
    assert f"{item.file}:{line}: {path}: " in str(err)


def test_every_bad_fixture_is_covered() -> None:
    stems = {p.stem for p in BAD.glob("*.yaml")}
    helpers = {"cycle_b", "extends_parent", "many"}
    assert stems - helpers == set(CASES)


def test_all_errors_are_collected_one_per_line() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(BAD / "many.yaml")
    err = info.value
    assert [(e.line, e.path) for e in err.errors] == [
        (2, "seed"), (3, "replications"), (5, "parameters.trade.deficits")]
    assert len(str(err).splitlines()) == 3
    assert "'surplus' is not one of level, ratio" in str(err)


def test_file_shown_as_given_relative(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD.parent)
    with pytest.raises(ScenarioError) as info:
        load_scenario("bad/cet.yaml")
    assert str(info.value).startswith("bad/cet.yaml:7: proposals[0].cet: ")


def test_top_level_file_not_found() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario("no/such/file.yaml")
    (item,) = info.value.errors
    assert item.file == "no/such/file.yaml" and item.line is None
    assert "file not found" in item.message
    assert str(item).startswith("no/such/file.yaml: <root>: file not found")


def test_a_cross_field_error_points_at_the_override_that_caused_it() -> None:
    """Written in the parent (start and end both there), the problem is the parent's; set
    by an override, it is the override's, whichever of the two fields it sets."""
    parent = BAD.parent / "years_parent.yaml"  # valid: not among the broken fixtures
    for field, value, said in (("years.start", 2031, "start 2031 is after end 2030"),
                               ("years.end", 2024, "end 2024 is before start 2025")):
        with pytest.raises(ScenarioError) as info:
            load_scenario(parent, overrides={field: value})
        (item,) = info.value.errors
        assert (item.file, item.line, item.path) == ("<override>", 1, field), str(info.value)
        assert said in item.message
    with pytest.raises(ScenarioError) as info:
        load_scenario(BAD / "years_start_child.yaml", overrides={"years.end": 2031})
    # the child's start (2032) against the override's end: the override is the later word
    (item,) = info.value.errors
    assert (item.file, item.path) == ("<override>", "years.end"), str(info.value)


def test_years_cut_short_by_an_override_point_at_it_not_at_what_they_leave_out() -> None:
    """A proposal's phase-in years and dated events outside the years an override sets are
    reported at the override (said from the years' side), one line per entry left out."""
    shipped = Path(__file__).parents[1] / "scenarios" / "customs_union_shocks.yaml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(shipped, overrides={"years.end": 2027})
    errs = info.value.errors
    assert errs and all((e.file, e.line, e.path) == ("<override>", 1, "years.end")
                        for e in errs), str(info.value)
    text = str(info.value)
    assert "leaves out the phase-in year 2028 of proposal 'sco_cu'" in text
    assert "leaves out events[1] (border_clash) in 2028" in text
    # the same entries written outside the years in one file are reported where they are
    with pytest.raises(ScenarioError) as info:
        load_scenario(BAD / "year_range.yaml", overrides={"seed": 3})
    (item,) = info.value.errors
    assert item.path == "events[0].year" and item.file.endswith("year_range.yaml")


BASELINE = Path(__file__).parents[1] / "scenarios" / "baseline.yaml"


def _override_error(field: str, value: object):
    """The one error ``baseline.yaml`` with ``{field: value}`` gives, reported at the --set."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASELINE, overrides={field: value})
    (item,) = info.value.errors
    assert (item.file, item.path) == ("<override>", field), str(info.value)
    return item


@pytest.mark.parametrize(("field", "value", "said"), [
    ("name", "abc\n", "not a valid name"),  # was a results directory named 'abc\n'
    ("name", "a" * 65, "at most 64 characters"),  # was 'File name too long' mid-run
    ("seed", 2**64, "must be < 18446744073709551616"),
    ("parameters.council.ratification_lag", 10**20, "must be <= 100"),
    ("parameters.growth.volatility_scale", 1e6, "in [0, 10]"),  # was a mid-run failure
])
def test_values_a_run_cannot_use_are_refused_at_validation(field, value, said) -> None:
    item = _override_error(field, value)
    assert said in item.message, item.message
    load_scenario(BASELINE, overrides={field: {"name": "a" * 64, "seed": 2**64 - 1,
                                               "parameters.council.ratification_lag": 100,
                                               "parameters.growth.volatility_scale": 10.0,
                                               }.get(field, "abc")})


@pytest.mark.parametrize(("field", "value", "said"), [
    # was reported at the parent's sigma_spread line, which the user had not touched
    ("parameters.trade.sigma", 1.5, "(sigma_spread is 1); use sigma > 2"),
    ("parameters.trade.sigma_spread", 4.5, "(sigma is 5); use sigma_spread < 4"),
])
def test_sigma_and_its_spread_are_reported_where_the_user_set_one(field, value, said) -> None:
    assert said in _override_error(field, value).message


def test_a_file_not_in_utf8_is_reported_at_its_line(tmp_path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b'name: x\ndescription: "caf\xe9"\n')  # Latin-1, as some editors save
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (item,) = info.value.errors
    assert item.line == 2  # was a byte offset only
    assert "byte 0xe9 at column 18" in item.message and "UTF-8" in item.message


CUSTOMS_UNION = Path(__file__).parents[1] / "scenarios" / "customs_union.yaml"


def test_a_year_outside_the_years_is_reported_beside_a_proposal_that_failed() -> None:
    """Tabling the union in 2046 broke its phase-in (2027 is before it) and put it
    outside 2025-2035; only the phase-in was reported, at the file, because the
    schema checks dates against the years only once every field is valid."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(CUSTOMS_UNION, overrides={"proposals.0.year": 2046})
    got = {(e.file, e.line, e.path, e.message) for e in info.value.errors}
    assert got == {
        ("<override>", 1, "proposals[0].year",
         "year 2046 is outside the simulated years 2025-2035"),
        (str(CUSTOMS_UNION), 50, "proposals[0].phase_in[2027]",
         "phase-in year 2027 is before the proposal is tabled (2046)"),
    }, str(info.value)


def test_an_event_outside_the_years_is_reported_beside_another_field_once() -> None:
    """The same check beside an unrelated bad field; alone, it is said once, not twice."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(BAD / "year_range.yaml", overrides={"seed": -1})
    assert {(e.file, e.path) for e in info.value.errors} == {
        ("<override>", "seed"), (str(BAD / "year_range.yaml"), "events[0].year")}
    assert "year 2031 is outside the simulated years 2025-2030" in str(info.value)
    with pytest.raises(ScenarioError) as info:
        load_scenario(BAD / "year_range.yaml", overrides={"years.end": 2029})
    # cut short by the override: said once, at it (as the schema itself places it)
    (item,) = info.value.errors
    assert (item.file, item.path) == ("<override>", "years.end"), str(info.value)


def test_validate_says_both_problems_one_line_each(capsys: pytest.CaptureFixture[str]) -> None:
    from scosim.cli import main

    code = main(["validate", str(CUSTOMS_UNION), "--set", "proposals.0.year=2046"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    lines = err.removeprefix("scosim: error: ").splitlines()
    assert sorted(lines) == sorted([
        "<override>:1: proposals[0].year: year 2046 is outside the simulated years 2025-2035",
        f"{CUSTOMS_UNION}:50: proposals[0].phase_in[2027]: phase-in year 2027 is before the "
        "proposal is tabled (2046)"]), err
