"""The built-in proposal types other than the customs union, in small scenarios."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.scenario import load_scenario

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"

FTA = {"type": "free_trade_area", "id": "fta", "year": 2026, "proposer": "CHN"}
BANK = {"type": "development_bank", "id": "bank", "year": 2026, "proposer": "CHN"}
JOIN = {"type": "accession", "id": "mng_join", "year": 2029, "proposer": "RUS",
        "applicant": "MNG"}


def _accession_econ_terms(*arrangements: dict) -> dict[str, float]:
    """Each member's econ term on Mongolia's accession (run 0), both arrangements in force."""
    from scosim.model.model import SCOModel

    sc = load_scenario(BASELINE, overrides={
        "replications": 1, "years": {"start": 2025, "end": 2029},
        "parameters.rules.vote": "always_yes", "proposals": [*arrangements, JOIN]})
    model = SCOModel(sc)
    model.run_model()
    return {ev["country"]: float(ev["term_econ"]) for ev in model.log.records()
            if ev["type"] == "vote" and ev["proposal"] == "mng_join"}


def test_accession_gain_counts_every_arrangement_whatever_their_order() -> None:
    # Before: only the first arrangement open to all members counted, so the members'
    # expected gain from an accession changed with the order of the scenario's list.
    a = _accession_econ_terms(FTA, BANK)
    b = _accession_econ_terms(BANK, FTA)
    assert a.keys() == b.keys() and len(a) == 10
    np.testing.assert_allclose([a[c] for c in a], [b[c] for c in a], rtol=1e-9, atol=1e-15)
    # Both count, as the sum of each one's gain (membership_gain): "some term differs from
    # the FTA's alone" let a wrong combination of the two through (e.g. the larger one).
    fta_only, bank_only = _accession_econ_terms(FTA), _accession_econ_terms(BANK)
    assert any(a[c] != pytest.approx(fta_only[c], rel=1e-6, abs=1e-12) for c in a)
    assert max(abs(bank_only[c]) for c in a) > 1e-3 and max(abs(fta_only[c]) for c in a) > 1e-5
    np.testing.assert_allclose([a[c] for c in a], [fta_only[c] + bank_only[c] for c in a],
                               rtol=1e-9, atol=1e-15)


def test_accession_to_a_bank_in_force_counts_the_change_not_the_whole_bank() -> None:
    from scosim.data import load_calibration
    from scosim.proposals.development_bank import bank_gain

    terms = _accession_econ_terms(BANK)
    cal = load_calibration()
    codes = list(cal.countries.index)
    members = [c for c in codes if cal.countries.loc[c, "sco_status"] == "member"]
    part = np.array([[c in members for c in codes]])
    joined = part | np.array([[c == "MNG" for c in codes]])
    kw = {"capital": 10e9, "rule": "gdp", "paid_in_share": 0.2, "leverage": 1.0,
          "lending_rate": 0.04, "market_rate": 0.07, "tenor": 20}  # the spec's defaults
    gdp = cal.vector("gdp_usd")
    change = bank_gain(joined, gdp, **kw)[0] - bank_gain(part, gdp, **kw)[0]
    for c in members:
        assert terms[c] == pytest.approx(change[codes.index(c)], rel=1e-9, abs=1e-15)
    # Mongolia takes a share of the loans from the members that borrow most: they lose
    # (the whole bank's gain, several % of GDP for them, was counted before).
    assert terms["KGZ"] < 0 and terms["TJK"] < 0


def test_a_bank_lending_above_the_market_rate_costs_only_the_paid_in_capital() -> None:
    from scosim.proposals.development_bank import bank_gain

    gdp = np.array([4.0, 1.0])
    part = np.array([[True, True]])
    kw = {"capital": 10.0, "rule": "gdp", "paid_in_share": 0.2, "leverage": 1.0, "tenor": 10}
    at_market = bank_gain(part, gdp, lending_rate=0.05, market_rate=0.05, **kw)
    dear = bank_gain(part, gdp, lending_rate=0.10, market_rate=0.05, **kw)
    # Nobody borrows at 10 % with 5 % on offer elsewhere: the borrowers lose no interest
    # (they lost 5 points a year on the bank's loans before), only the paid-in capital.
    np.testing.assert_allclose(dear, at_market, rtol=1e-12)
    assert np.all(dear < 0)


def _econ_terms(base: Path, vote_on: str, **overrides: object) -> dict[str, float]:
    """Each voter's econ term on proposal ``vote_on`` in run 0, every vote yes."""
    from scosim.model.model import SCOModel

    sc = load_scenario(base, overrides={"replications": 1, "parameters.rules.vote": "always_yes",
                                        **overrides})
    model = SCOModel(sc)
    model.run_model()
    return {ev["country"]: float(ev["term_econ"]) for ev in model.log.records()
            if ev["type"] == "vote" and ev["proposal"] == vote_on}


def test_accession_during_a_phase_in_counts_the_joining_not_the_rest_of_the_phase_in() -> None:
    # Before: the enlarged area was previewed fully in force against this year's phase, so
    # each member's term on Mongolia's accession carried the area's own remaining phase-in
    # (Kyrgyzstan -0.22 % of real expenditure, against about 0.0001 % for the joining).
    join = {**JOIN, "year": 2028}
    years = {"start": 2025, "end": 2028}
    phased = _econ_terms(BASELINE, "mng_join", years=years, proposals=[
        {**FTA, "phase_in": {2027: 0.3333, 2028: 0.6667}}, join])
    at_once = _econ_terms(BASELINE, "mng_join", years=years, proposals=[FTA, join])
    assert phased.keys() == at_once.keys() and len(phased) == 10
    assert max(abs(phased[c] - at_once[c]) for c in phased) < 2e-5
    assert max(abs(at_once[c]) for c in at_once) > 1e-6  # the joining does move welfare


def test_accession_to_a_banking_union_counts_the_change_not_the_whole_union() -> None:
    # A second Russian crisis in the year of Mongolia's accession: the union in force saves
    # Russia's treasury several % of GDP that year, with or without Mongolia; before, the
    # accession's econ term counted that saving as the gain from Mongolia joining.
    crisis = [{"type": "gdp_shock", "year": y, "countries": ["RUS"], "size": -0.34}
              for y in (2026, 2027)] + [
        {"type": "sanctions", "year": y, "target": "RUS", "by": "ROW", "trade_cost": 0.0,
         "severity": 1.0} for y in (2026, 2027)]
    union = {"type": "banking_union", "id": "bu", "year": 2025, "proposer": "KAZ",
             "participants": "members", "supervision": {}, "deposit_insurance": {},
             "resolution": {}, "information": {}}
    scenario = BASELINE.parent / "finance_crisis.yaml"
    terms = _econ_terms(scenario, "mng_join", years={"start": 2025, "end": 2027},
                        events=crisis, proposals=[union, {**JOIN, "year": 2027}])
    whole = _econ_terms(scenario, "bu", years={"start": 2025, "end": 2027}, events=crisis,
                        proposals=[{**union, "year": 2027}])
    assert whole["RUS"] > 0.01  # what the union is worth to Russia in 2027
    assert abs(terms["RUS"]) < 1e-4
