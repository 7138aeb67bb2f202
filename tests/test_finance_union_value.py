"""The banking union's vote term: each member's expected value, priced as insurance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.finance.system import FinanceSystem, Levers
from scosim.finance.union_value import preview_seed, union_value
from scosim.runner import run_model
from scosim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
UNION = ROOT / "scenarios" / "finance_crisis_union.yaml"
MEMBERS = ["CHN", "RUS", "IND", "PAK", "IRN", "KAZ", "KGZ", "TJK", "UZB", "BLR"]


def _members(fs: FinanceSystem) -> np.ndarray:
    return np.array([c in MEMBERS for c in fs.codes])


def _value(fs: FinanceSystem, **kw):
    mask = _members(fs)

    def with_(R: int) -> Levers:
        return Levers.union(np.broadcast_to(mask, (R, fs.N)), fs.data.settlement,
                            contribution_bp=10.0, mutualisation=1.0, supervision_effect=0.3,
                            bail_in_share=0.5, trigger_info=0.03)

    return union_value(fs, fs.levers, with_, **kw)


def test_money_is_conserved():
    """Summed over members, paid in less received is the fund's own change; the
    compartments' transfers to one another sum to zero."""
    fs = FinanceSystem()
    v = _value(fs, seed=7, draws=60, horizon=3)
    scale = v.contribution.sum()
    assert scale > 0
    assert v.net_paid_in.sum() == pytest.approx(v.fund_change.sum(), rel=1e-9)
    assert abs(v.fund_transfer.sum()) < 1e-9 * scale
    # Outsiders pay nothing in and draw nothing.
    out = ~_members(fs)
    assert not v.contribution[out].any() and not v.fund_paid[out].any()
    # The value is the treasury saving less the contributions, draw-mean by draw-mean.
    assert np.allclose(v.value, v.fiscal_saving - v.contribution, rtol=0, atol=1e-9 * scale)


def test_no_crisis_costs_the_contributions():
    """With no credit losses from shocks (sensitivity 0) no system fails: each member's
    value is minus its contributions, 10 bp of its insured deposits a year (the tables')."""
    fs = FinanceSystem().with_params(npl_sensitivity=0.0)
    v = _value(fs, seed=3, draws=20)
    assert not v.fiscal_saving.any() and not v.fund_paid.any()
    mask = _members(fs)
    expected = np.where(mask, 10e-4 * np.asarray(fs.data.insured, float), 0.0)
    assert np.allclose(v.value, -expected, rtol=1e-12, atol=0)


def test_discounting_and_seed():
    """One year in force: the value is that year's mean flows, whatever the rate; the
    same seed gives the same numbers, another seed other draws."""
    fs = FinanceSystem()
    a = _value(fs, seed=11, draws=40, horizon=1, rate=0.07)
    b = _value(fs, seed=11, draws=40, horizon=1, rate=0.2)
    assert np.allclose(a.value, b.value, rtol=1e-12, atol=0)
    c = _value(fs, seed=12, draws=40, horizon=1, rate=0.07)
    assert not np.array_equal(a.value, c.value)
    assert preview_seed(5, "u") == preview_seed(5, "u") != preview_seed(6, "u")
    with pytest.raises(ValueError, match="horizon >= 1"):
        _value(fs, seed=1, horizon=0)


def test_vote_prices_the_union_as_insurance():
    """Tabled in a calm year (2025), the vote's economic term is no longer 0 for every
    member: China, whose banks pay most of the contributions, expects a loss of exactly
    minus its contributions when nothing fails, and more than that (a saving on top) when
    its system can fail; Russia, whose system is among the most fragile, expects a gain of
    more than two standard errors. (Until 2026-12-06, with an own shock of 0.01, China's
    system almost never failed and its term stayed below zero.)"""
    calm = load_scenario(UNION, overrides={
        "replications": 2, "years.end": 2025, "events": [],
        "parameters.finance.npl_sensitivity": 0.0})
    m = run_model(calm)
    arr = m.arrangements[0]
    mech = next(x for s, x in m.mechanisms if s == "finance")
    chn = m.codes.index("CHN")
    paid = 10e-4 * float(mech.fs.data.insured[chn]) / float(mech.base_gdp[chn])
    assert arr.expected_gain[:, chn] == pytest.approx(-paid, rel=1e-12)

    m = run_model(load_scenario(UNION, overrides={"replications": 2, "years.end": 2026}))
    arr = m.arrangements[0]
    rus = m.codes.index("RUS")
    assert (arr.expected_gain[:, chn] > -paid).all()
    ev = m.log.to_frame()
    vote = ev[(ev["type"] == "vote") & (ev["country"] == "RUS")]
    assert (vote["term_econ"] > 0).all()
    # The same in every run (one set of participants, one ensemble), and two se above 0.
    assert arr.expected_gain[0, rus] == arr.expected_gain[1, rus] > 0
    (uv,) = arr._union_values["values"].values()
    assert uv.value[rus] > 2 * uv.value_se[rus]


# --------------------------------------------------------------- a staged crisis
RUS_2026 = [
    {"type": "gdp_shock", "year": 2026, "countries": ["RUS"], "size": -0.34},
    {"type": "sanctions", "year": 2026, "target": "RUS", "by": "ROW", "severity": 1.0},
]


def _events():
    from types import SimpleNamespace
    return [SimpleNamespace(**e) for e in RUS_2026]


def test_staged_events_known_to_the_vote():
    """The vote year's events come before the summit, so they are known; later ones are
    not. The realised value keeps them all. A GDP shock enters as log(1 + size), as the
    events phase adds it to the run's shocks."""
    from scosim.finance.union_value import staged_events

    after = staged_events(_events(), 2025, known_only=True)
    assert after.empty
    for vote in (2026, 2027):
        known = staged_events(_events(), vote, known_only=True)
        assert known.first_year == 2026
        assert known.gdp_shocks == {2026: {"RUS": pytest.approx(np.log(0.66))}}
        assert known.sanctions == {2026: [("RUS", "ROW", 1.0)]}
    assert staged_events(_events(), 2025, known_only=False).gdp_shocks == known.gdp_shocks


def test_crisis_after_the_vote_is_in_the_realised_value_only():
    """Voted in 2025, in force from 2026, the year of Russia's staged crisis: the vote's
    value is the calm ensemble's to the last digit (the crisis is not foreseeable), the
    realised value has the crisis in the union's first year: Russia's is higher by more
    than three standard errors of the two values together."""
    from scosim.finance.union_value import realised_union_value, staged_events

    fs = FinanceSystem()
    rus = fs.codes.index("RUS")
    calm = _value(fs, seed=5, draws=200)
    vote = _value(fs, seed=5, draws=200,
                  events=staged_events(_events(), 2025, known_only=True))
    assert np.array_equal(vote.value, calm.value)
    mask = _members(fs)

    def with_(R: int) -> Levers:
        return Levers.union(np.broadcast_to(mask, (R, fs.N)), fs.data.settlement,
                            contribution_bp=10.0, mutualisation=1.0, supervision_effect=0.3,
                            bail_in_share=0.5, trigger_info=0.03)

    real = realised_union_value(fs, fs.levers, with_, _events(), 2025, seed=5, draws=200)
    se = np.hypot(real.value_se[rus], calm.value_se[rus])
    assert real.value[rus] - calm.value[rus] > 3 * se


def test_crisis_before_the_vote_enters_the_vote():
    """Voted in the crisis year (2026), the crisis is known (the year's events come before
    the summit). With no ratification lag the union is in force that year and covers it:
    Russia's value rises by more than three standard errors of the paired difference (the
    same draws with and without the crisis). With the usual one-year lag it is in force
    from 2027 and the crisis is in the record through the balance sheets it left (Russia's
    system failed and was recapitalised to 4.5 % of assets, below its calibrated capital):
    still worth more to Russia, on the same draws (paired z > 3; measured 5.7, and 3.3 with
    seed 5). Outsiders' contributions stay nil."""
    from scosim.finance.union_value import staged_events

    fs = FinanceSystem()
    rus = fs.codes.index("RUS")
    known = staged_events(_events(), 2026, known_only=True)

    def paired_z(a, b) -> float:
        d = a.value_draws[:, rus] - b.value_draws[:, rus]
        return float(d.mean() / (d.std(ddof=1) / np.sqrt(len(d))))

    calm = _value(fs, seed=5, draws=200, lag=0)
    crisis = _value(fs, seed=5, draws=200, lag=0, events=known)
    assert paired_z(crisis, calm) > 3
    calm = _value(fs, seed=6, draws=2000)
    crisis = _value(fs, seed=6, draws=2000, events=known)
    assert paired_z(crisis, calm) > 3
    assert not crisis.contribution[~_members(fs)].any()


def test_vote_reads_the_known_crisis():
    """In the model, the union tabled in the crisis year is voted on with the crisis in
    the record (the preview's value is union_value's with the known events, replayed from
    the run's balance sheets); tabled the year before, without it."""
    from scosim.finance.union_value import preview_seed, staged_events

    for year, lag in ((2026, 0), (2025, 1)):
        sc = load_scenario(UNION, overrides={
            "replications": 2, "years.end": 2026, "proposals.0.year": year,
            "parameters.council.ratification_lag": lag})
        m = run_model(sc)
        arr = m.arrangements[0]
        mech = next(x for s, x in m.mechanisms if s == "finance")
        mask = arr.participants[0]

        def with_(R: int, mask=mask, mech=mech, arr=arr) -> Levers:
            from types import SimpleNamespace
            pol = SimpleNamespace(levers={})
            arr.apply(pol, np.broadcast_to(mask, (R, len(mask))).copy(), np.ones(R),
                      np.ones(R, dtype=bool))
            return mech.levers(pol, R)

        def without(R: int, mech=mech) -> Levers:
            from types import SimpleNamespace
            return mech.levers(SimpleNamespace(levers={}), R)

        known = staged_events(sc.events, year, known_only=True)
        assert known.empty == (year == 2025)
        state = None
        if year == 2026:
            # Run 0's balance sheets as 2025 left them (the same runs stopped then, without
            # the 2026 events and the proposal), which the crisis is replayed from
            # (since 2026-12-07; tests/test_finance_preview_state.py).
            pre = run_model(load_scenario(UNION, overrides={
                "replications": 2, "years.end": 2025, "proposals": [], "events": []}))
            st = next(x for s, x in pre.mechanisms if s == "finance").state
            state = type(st)(**{k: None if a is None else a[:1] for k, a in vars(st).items()})
        v = union_value(mech.fs, without, with_, seed=preview_seed(sc.seed, arr.pid),
                        lag=lag, events=known, state=state)
        expected = v.value / np.asarray(mech.base_gdp, float)
        # Members' terms (the Council keeps a gain only for those who vote).
        assert np.allclose(arr.expected_gain[0, mask], expected[mask], rtol=1e-12, atol=0)
