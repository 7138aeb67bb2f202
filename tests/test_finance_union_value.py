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
    member: China, whose banks pay most of the contributions and seldom draw, expects a
    loss of exactly minus its contributions when nothing fails; Russia, whose system is
    the most fragile, expects a gain of more than two standard errors."""
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
    assert (arr.expected_gain[:, chn] < 0).all()
    ev = m.log.to_frame()
    vote = ev[(ev["type"] == "vote") & (ev["country"] == "RUS")]
    assert (vote["term_econ"] > 0).all()
    # The same in every run (one set of participants, one ensemble), and two se above 0.
    assert arr.expected_gain[0, rus] == arr.expected_gain[1, rus] > 0
    (uv,) = arr._union_values.values()
    assert uv.value[rus] > 2 * uv.value_se[rus]
