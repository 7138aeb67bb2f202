"""Corridor failures are drawn in each run; the money follows what happened.

Until 2026-12-07 a failure was never drawn: payments and losses were expected values,
identical in every run, while the benefits were booked every year as if the project stood
(the outside referee's defect 3). Now each run draws its failure from the hazard the vote
priced (scosim.network.failure_draw); after it the project's link is gone, and the run's
payments, losses and recovery are what happened, or the expected values given that it
stands. Checked against the expected values of the vote: exactly (the outcomes weighted
by their probabilities) and over seeded runs (within a CLT tolerance).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.model.model import SCOModel
from scosim.network.corridor import Corridor
from scosim.network.failure_draw import (
    draw_failure,
    extend,
    known_table,
    written_off,
)
from scosim.network.finance import capital_shares, finance_project
from scosim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
HIGH = SCENARIOS / "corridor_trans_afghan_high.yaml"
#: The Trans-Afghan railway at Afghan instability 0.8: 0.01 + 0.1 x 0.8 a year.
HAZARD = 0.09


def _finance(pf: np.ndarray, financing: str) -> dict[str, np.ndarray]:
    """The money of a US$5 bn project, two hosts and three bank owners, at ``pf``."""
    runs = pf.shape[0]
    cap = capital_shares(np.ones(4, bool), "gdp", gdp=[1.0, 2.0, 3.0, 4.0])
    out = finance_project(np.full(runs, 5e9), [0.6, 0.4, 0.0, 0.0], financing,  # type: ignore[arg-type]
                          capital=cap, rate=0.04, tenor=20, grace=5, recovery=0.4,
                          failure_prob=pf, discount_rate=0.07, funding_rate=0.05)
    return {"paid": out.paid, "risk": out.risk, "recovered": out.recovered,
            "owners_risk": out.owners_risk}


@pytest.mark.parametrize("financing", ["budget", "bank_guaranteed", "bank_project"])
@pytest.mark.parametrize("k", [-1, 0, 3, 8, 25])
def test_what_is_known_in_a_year_averages_to_the_vote_s_expected_values(financing: str,
                                                                        k: int) -> None:
    # The law of total expectation, exactly: the outcomes known at the end of year k (failed
    # in year f <= k, or standing) weighted by their probabilities give the expected values
    # the Council voted on. A rising hazard, so the years are not interchangeable.
    length = 40
    pf = extend(np.linspace(0.02, 0.12, 20)[None, :], length)
    expected = _finance(pf, financing)
    standing = np.cumprod(1.0 - pf[0])
    alive = np.concatenate([[1.0], standing[:-1]])
    total = {name: np.zeros_like(v) for name, v in expected.items()}
    for f in range(max(k + 1, 0)):
        got = _finance(known_table(pf, [f], [k]), financing)
        for name in total:
            total[name] += alive[f] * pf[0, f] * got[name]
    still = standing[k] if k >= 0 else 1.0
    got = _finance(known_table(pf, [-1], [k]), financing)
    for name in total:
        total[name] += still * got[name]
        np.testing.assert_allclose(total[name], expected[name], rtol=1e-11, atol=1e-3)


def test_the_drawn_failure_year_has_the_hazard_s_distribution() -> None:
    # P(failed by year t) = 1 - S_t, the vote's. 20,000 draws: binomial standard error
    # at most 0.0036, so 4 of them (0.014) leaves no room for a wrong year's convention
    # (one year more or less moves 1 - 0.91^9 by 0.04).
    rng = np.random.default_rng(7)
    runs = 20_000
    pf = extend(np.full((runs, 20), HAZARD), 30)
    fail = draw_failure(rng.random(runs), pf)
    for years in (1, 9, 30):
        share = np.mean((fail >= 0) & (fail < years))
        assert share == pytest.approx(1.0 - (1.0 - HAZARD) ** years, abs=0.014)
    # A riskier route with the same number fails no later (the draw is one number a run).
    u = rng.random(runs)
    low, high = draw_failure(u, np.full((runs, 30), 0.03)), draw_failure(u, pf)
    assert np.all((high >= 0) | (low < 0))
    assert np.all(np.where((low >= 0) & (high >= 0), high <= low, True))


def test_a_written_off_loan_frees_the_bank_s_book_after_the_failure_year() -> None:
    sched = np.tile(np.linspace(10.0, 1.0, 10), (3, 1))
    out = written_off(sched, np.array([2030, -1, 2027]), np.array([2027, 2027, 2027]))
    np.testing.assert_array_equal(out[0], np.r_[sched[0, :4], np.zeros(6)])
    np.testing.assert_array_equal(out[1], sched[1])
    np.testing.assert_array_equal(out[2], np.r_[sched[2, :1], np.zeros(9)])


def _entered(runs: int | list[int], path: Path = HIGH) -> tuple[SCOModel, Corridor]:
    """``path`` stepped to 2027, when the railway enters into force (years to 2035)."""
    sc = load_scenario(path, overrides={"replications": runs if isinstance(runs, int)
                                        else max(runs) + 1})
    m = SCOModel(sc, runs=None if isinstance(runs, int) else runs)
    while m.year <= 2027:
        m.step()
    arr = next(a for a in m.arrangements if isinstance(a, Corridor))
    assert arr.in_force.all()
    return m, arr


def test_seeded_runs_fail_as_often_as_the_hazard_and_pay_the_expected_values() -> None:
    # 200 runs of the Trans-Afghan railway at 0.8 (non-recourse loan): the share standing
    # in 2035 is 0.91^9 (construction from 2027, failures counted from its start, as the
    # expected values count them), and the mean of the payments, losses and recovery known
    # in 2035 over the runs is the expected value the vote priced (arr.paid: fixed at
    # entry, the finance before 2026-12-07). Tolerance: 4 standard errors of the mean
    # over the runs (CLT; each run's value is bounded), plus 1e-9 of the level.
    m, arr = _entered(200)
    failed = (arr.fail_year >= 0) & (arr.fail_year <= 2035)
    p = 1.0 - (1.0 - HAZARD) ** 9
    assert failed.mean() == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / m.R))
    known = dict(zip(("paid", "risk", "recovered", "owners_risk"), arr.known.at(2035),
                     strict=True))
    expected = {"paid": arr.paid, "risk": arr.risk, "recovered": arr.recovered,
                "owners_risk": arr.owners_risk}
    for name, values in known.items():
        mean, se = values.mean(axis=0), values.std(axis=0, ddof=1) / np.sqrt(m.R)
        exp = expected[name][0]
        assert np.all(np.abs(mean - exp) <= 4 * se + 1e-9 * np.abs(exp).max()), name
    # They vary across runs now: Afghanistan's payments and China's share of the loss.
    afg, chn = m.codes.index("AFG"), m.codes.index("CHN")
    assert known["paid"][:, afg].std() > 0.1 * known["paid"][:, afg].mean()
    assert known["owners_risk"][:, chn][failed].min() > known["owners_risk"][:, chn][
        ~failed].max()


def test_a_run_draws_the_same_failure_alone_or_in_a_batch() -> None:
    _, batch = _entered(6)
    _, alone = _entered([4])
    assert alone.fail_year[0] == batch.fail_year[4]
    np.testing.assert_array_equal(alone.known.paid[0], batch.known.paid[4])


def test_after_its_failure_the_railway_s_link_is_gone() -> None:
    # 8 runs to 2035: where the railway failed its trade costs are the twin's without it
    # (the same instability), to the bit; where it stands they are lower; it no longer
    # operates, its hosts pay no O&M, the run's loss is booked and the failure logged.
    over = {"replications": 8}
    runs = {}
    for name in ("corridor_trans_afghan_high.yaml", "corridor_trans_afghan_high_no_rail.yaml"):
        m = SCOModel(load_scenario(SCENARIOS / name, overrides=over))
        m.run_model()
        runs[name] = m
    m = runs["corridor_trans_afghan_high.yaml"]
    twin = runs["corridor_trans_afghan_high_no_rail.yaml"]
    arr = next(a for a in m.arrangements if isinstance(a, Corridor))
    afg = m.codes.index("AFG")
    cost = np.array(m.records["network_trade_cost_change_pct"])[:, :, afg]  # (Y, R)
    cost0 = np.array(twin.records["network_trade_cost_change_pct"])[:, :, afg]
    operating = np.array(m.records["corridor_operating"])[:, :, afg]
    failed_rec = np.array(m.records["corridor_failed"])[:, :, afg]
    years = np.array(m.years)
    gone = (arr.fail_year >= 0)[None, :] & (years[:, None] >= arr.fail_year[None, :])
    opened = years[:, None] >= 2033
    assert gone[-1].any() and (~gone[-1]).any()  # this seed has both
    np.testing.assert_array_equal(cost[gone], cost0[gone])
    assert np.all(cost[opened & ~gone] < cost0[opened & ~gone])
    assert not operating[gone].any() and operating[opened & ~gone].all()
    np.testing.assert_array_equal(failed_rec, gone.astype(float))
    risk = np.array(m.records["corridor_risk_usd"])[-1, :, afg]
    assert len(np.unique(risk)) > 1  # no longer the same in every run
    # The events log says which runs lost the line, and when (until 2026-12-07 it did
    # not): one corridor_failed row per host, dated the first year the run recorded the
    # host's corridor_failed indicator as 1, and none in the runs where it stands.
    ev = m.log.to_frame()
    ev = ev[ev["type"] == "corridor_failed"]
    hosts = sorted(np.asarray(m.codes)[arr.hosts])
    assert len(hosts) >= 2 and set(ev["proposal"]) == {arr.pid}
    assert set(ev["project"]) == {"TRANS_AFGHAN_RAIL"}
    for r in range(m.R):
        down = np.flatnonzero(failed_rec[:, r] == 1.0)
        rows = ev[ev["run"] == m.run_ids[r]]
        if down.size == 0:
            assert rows.empty
            continue
        assert sorted(rows["country"]) == hosts
        assert set(rows["year"]) == {int(years[down[0]])}


def test_no_run_fails_before_the_corridor_enters_into_force() -> None:
    # start_year equal to the proposal's year (2026) is valid, but the ratification lag
    # puts entry in 2027: until 2026-12-07 the draw counted from 2026, so a run could fail
    # in 2026, before anything was built (an outside review, 2026-12-07; at hazard 0.5 two
    # of four runs did). Construction now starts at the later of the two, so the failure,
    # the loan and the first operating year count from entry.
    over = {"replications": 8, "proposals.0.start_year": 2026,
            "parameters.network.failure_base": 0.5}
    m = SCOModel(load_scenario(SCENARIOS / "corridor_trans_afghan_low.yaml", overrides=over))
    m.run_model()
    arr = next(a for a in m.arrangements if isinstance(a, Corridor))
    assert (arr.entry_year == 2027).all()
    failed = arr.fail_year >= 0
    # At 0.5 a year, eight runs all fail by 2035 and some fail after the first year, both
    # with probability above 0.99 (1 - 0.5^8 each); the seed fixes which.
    assert failed.all()
    assert (arr.fail_year >= arr.entry_year).all()
    assert (arr.fail_year == 2027).any() and (arr.fail_year > 2027).any()
    ev = m.log.to_frame()
    start = ev[ev["type"] == "construction_start"]
    assert set(start["year"]) == {2027}
