"""Schema pieces: YearValue, convenience methods, validation outside the loader."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from scosim.scenario import ECONOMIES, MEMBERS, Scenario, ScenarioError, YearValue, validate_data
from scosim.scenario.schema import DEFAULT_STATUSES


def test_economies_constant() -> None:
    assert len(ECONOMIES) == 28 and ECONOMIES[-1] == "ROW" and ECONOMIES[:2] == ("CHN", "RUS")
    assert len(MEMBERS) == 10 and "BLR" in MEMBERS
    counts = {s: list(DEFAULT_STATUSES.values()).count(s) for s in set(DEFAULT_STATUSES.values())}
    assert counts == {"member": 10, "observer": 2, "partner": 14, "other": 1, "row": 1}


# ---------------------------------------------------------------- YearValue


def test_year_value_step_function() -> None:
    yv = YearValue({2028: 1.0, 2027: 0.5})  # order written does not matter
    assert [yv.at(y) for y in (2025, 2026, 2027, 2028, 2040)] == [0.0, 0.0, 0.5, 1.0, 1.0]
    assert yv.values(range(2025, 2030)).tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]
    assert yv.to_data() == {2027: 0.5, 2028: 1.0}


def test_year_value_constant() -> None:
    yv = YearValue(0.03)
    assert yv.is_constant and yv.at(1900) == 0.03
    assert yv.values(np.array([2025, 2026])).tolist() == [0.03, 0.03]
    assert yv == 0.03 and yv == YearValue(0.03) and yv != YearValue({2025: 0.03})


@pytest.mark.parametrize(("bad", "said"), [
    ({}, "empty mapping"), ({"x": 1.0}, "not an integer year"),
    ({2027: "a"}, "must be a finite number"), ("0.5", "got str"), (True, "got True"),
    ([1, 2], "got list"), (float("nan"), "expected a finite number")])
def test_year_value_rejects(bad: object, said: str) -> None:
    with pytest.raises(ValueError, match=said):
        YearValue(bad)  # type: ignore[arg-type]


@given(st.dictionaries(st.integers(2000, 2100), st.floats(-1e6, 1e6), min_size=1),
       st.lists(st.integers(1990, 2110), max_size=30))
def test_year_value_vectorised_matches_scalar(points: dict[int, float], years: list[int]) -> None:
    yv = YearValue(points)
    assert yv.values(years).tolist() == [yv.at(y) for y in years]


# ---------------------------------------------------------------- convenience methods


def _scenario(**kw: object) -> Scenario:
    return validate_data({"name": "t", **kw})


def test_statuses_follow_overrides_and_row() -> None:
    s = _scenario(countries={"TKM": {"status": "member"}, "BLR": {"status": "observer"}})
    st_ = s.statuses()
    assert list(st_) == list(ECONOMIES)
    assert st_["TKM"] == "member" and st_["BLR"] == "observer" and st_["ROW"] == "row"
    assert "TKM" in s.members() and "BLR" not in s.members()


def test_participants_keywords_expand_after_overrides() -> None:
    s = _scenario(
        countries={"AFG": {"status": "partner"}},
        proposals=[
            {"type": "customs_union", "id": "a", "year": 2026, "proposer": "CHN"},
            {"type": "customs_union", "id": "b", "year": 2026, "proposer": "CHN",
             "participants": "members_and_observers"},
            {"type": "customs_union", "id": "c", "year": 2026, "proposer": "CHN",
             "participants": ["KAZ", "CHN"]},
        ],
    )
    assert s.participants_of("a") == list(MEMBERS)
    assert s.participants_of("b") == [*MEMBERS, "MNG"]  # AFG is now a partner
    assert s.participants_of(s.proposals[2]) == ["CHN", "KAZ"]  # canonical order
    with pytest.raises(KeyError, match="no proposal with id 'zz'"):
        s.participants_of("zz")


def test_unknown_iso3_in_helpers() -> None:
    s = _scenario()
    with pytest.raises(KeyError, match="unknown country code 'XXX'"):
        s.weights_for("XXX")


def test_accession_checks_status_after_overrides() -> None:
    acc = {"type": "accession", "id": "j", "year": 2027, "applicant": "TKM"}
    _scenario(proposals=[acc])  # TKM is "other" by default: fine
    with pytest.raises(ScenarioError, match="TKM is already a member"):
        _scenario(countries={"TKM": {"status": "member"}}, proposals=[acc])


def test_customs_union_needs_two_participants() -> None:
    with pytest.raises(ScenarioError, match="at least 2 participants"):
        _scenario(proposals=[{"type": "customs_union", "id": "a", "year": 2026,
                              "proposer": "CHN", "participants": ["CHN"]}])


def test_sigma_spread_keeps_sigma_above_one() -> None:
    _scenario(parameters={"trade": {"sigma": 5.0, "sigma_spread": 3.9}})
    with pytest.raises(ScenarioError, match="must stay > 1"):
        _scenario(parameters={"trade": {"sigma": 5.0, "sigma_spread": 4.0}})


@pytest.mark.parametrize(("years", "needle"), [
    ({"start": 2030, "end": 2029}, "end must be >= start"),
    ({"start": 2025, "end": 2125}, "at most 100"),
])
def test_years_checks(years: dict[str, int], needle: str) -> None:
    with pytest.raises(ScenarioError, match=needle):
        _scenario(years=years)


def test_chair_order_must_list_members_once() -> None:
    order = sorted(MEMBERS)
    _scenario(parameters={"council": {"chair_order": order}})
    with pytest.raises(ScenarioError, match="duplicate entries CHN"):
        _scenario(parameters={"council": {"chair_order": [*order, "CHN"]}})
    with pytest.raises(ScenarioError, match="missing BLR"):
        _scenario(parameters={"council": {"chair_order": order[1:]}})


def test_outputs_list_each_indicator_once() -> None:
    _scenario(outputs={"indicators": ["gdp_usd", "welfare_change_pct"]})
    with pytest.raises(ScenarioError, match=r"'gdp_usd' is listed twice \(items 0 and 2\)"):
        _scenario(outputs={"indicators": ["gdp_usd", "welfare_change_pct", "gdp_usd"]})


def test_fixed_shares_only_with_fixed_sharing() -> None:
    with pytest.raises(ScenarioError, match="only used when revenue_sharing is 'fixed'"):
        _scenario(proposals=[{"type": "customs_union", "id": "a", "year": 2026,
                              "proposer": "CHN", "fixed_shares": {"CHN": 1.0}}])


def test_direct_construction_validates_too() -> None:
    with pytest.raises(ValidationError):
        Scenario(name="BAD NAME")
    s = Scenario(name="ok", seed=5)
    assert s.rules_for("IND") == {
        "vote": "utility_vote", "defect": "threshold_defect", "propose": "never_retable",
        "consent": "consent_unless_harmed"}


def test_events_reject_self_sanction_and_row_clash() -> None:
    with pytest.raises(ScenarioError, match="cannot sanction itself"):
        _scenario(events=[{"type": "sanctions", "year": 2027, "target": "RUS", "by": "RUS"}])
    with pytest.raises(ScenarioError, match="ROW .* not allowed"):
        _scenario(events=[{"type": "border_clash", "year": 2027, "countries": ["KGZ", "ROW"]}])


@pytest.mark.parametrize(("shares", "hint"), [
    ({"RUS": 60, "KAZ": 40}, True),
    ({"RUS": 0.6, "KAZ": 0.3}, False),
])
def test_fixed_shares_in_percent_get_the_fractions_hint(shares: dict, hint: bool) -> None:
    """The model's own check said "give fractions, not percent"; validation did not."""
    data = {"name": "x", "years": {"start": 2025, "end": 2027}, "proposals": [{
        "type": "customs_union", "id": "cu", "year": 2025, "proposer": "RUS",
        "participants": ["RUS", "KAZ"], "revenue_sharing": "fixed", "fixed_shares": shares}]}
    with pytest.raises(ScenarioError) as info:
        validate_data(data)
    said = [e.message for e in info.value.errors if str(e.path).endswith(".fixed_shares")]
    assert len(said) == 1 and said[0].startswith("shares sum to ")
    assert said[0].endswith("(give fractions, not percent)") is hint
