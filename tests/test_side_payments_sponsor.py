"""A sponsor pays out of its economic gain, even below its vote bar (2026-12-07).

Under ``utility_vote`` the proposer votes yes whatever its score, so its bar does not
decide its vote. It used to pay only what left it at or above that bar, and nothing
where it sat below it, however much it gained from the proposal: the state that wants
the proposal was never asked to pay for it. It now pays either keeping its bar or out of
its economic gain (``p <= g E``), whichever lets it give more; it is still never paid.

Each case is checked by hand (two or three voters, nothing responding: the closed form
of scosim.side_payments_lp, the least total is the shortfall and a plan exists iff what
the payers may give covers it).
"""

from __future__ import annotations

import numpy as np
import pytest

from scosim.side_payments_lp import Responding, price_vote

NAMES = ["L", "S"]


def _held(econ_usd: list[float]) -> Responding:
    """Nothing responds (no gap, no shock); the econ term in US$ is known."""
    n = len(econ_usd)
    z = np.zeros(n)
    return Responding(z, z, z, -1, np.ones(n), None, np.asarray(econ_usd, dtype=float))


@pytest.mark.parametrize(("gain", "status", "paid", "outside"), [
    (3e8, "plan", 1e8, 0.0),       # its gain covers L's shortfall
    (6e7, "no_plan", 6e7, 4e7),    # it gives all its gain; outside money adds the rest
    (-2e8, "no_plan", 0.0, 1e8),   # a sponsor that loses pays nothing (as before)
])
def test_a_sponsor_below_its_bar_pays_out_of_its_gain(gain, status, paid, outside):
    # S proposes and sits 5e7 below its bar (a sovereignty cost above its gain, say); L
    # votes no, short 1e8.
    got = price_vote([-1e8, -5e7], [False, True], 2, names=NAMES,
                     respond=_held([-1e8, gain]), sponsor=[False, True])
    assert got.status == status
    assert got.capacity_usd == pytest.approx(max(gain, 0.0))
    assert got.capacity_gain_usd == pytest.approx(max(gain, 0.0))  # no surplus below its bar
    if status == "plan":
        np.testing.assert_allclose(got.transfer_usd, [1e8, -1e8], rtol=1e-9)
        assert gain + got.transfer_usd[1] >= 0  # it still gains
        assert got.stay_usd == 0.0  # a sponsor is never paid
    else:
        assert got.outside_usd == pytest.approx(outside, rel=1e-6, abs=1e3)
        # The least plan outside money completes: S gives its gain, no more.
        assert got.required_usd == pytest.approx(1e8, rel=1e-6)
        assert got.required_usd - got.outside_usd == pytest.approx(paid, rel=1e-6, abs=1e3)


def test_before_the_change_the_same_vote_had_no_plan():
    # Not a sponsor, S (in favour, below its bar: a vote shock could put it there) may
    # not pay at all: the vote needs all of L's shortfall from outside.
    got = price_vote([-1e8, -5e7], [False, True], 2, names=NAMES,
                     respond=_held([-1e8, 3e8]), sponsor=[False, False])
    assert got.status == "no_plan" and got.outside_usd == pytest.approx(1e8, rel=1e-6)
    assert got.capacity_usd == 0.0 and got.capacity_gain_usd == 0.0


@pytest.mark.parametrize(("slack_s", "gain", "paid"), [
    (5e7, 3e8, 1e8),   # its gain lets it give more than its surplus
    (4e8, 5e7, 1e8),   # its surplus lets it give more than its gain (its bar kept)
])
def test_a_sponsor_above_its_bar_gives_the_larger_of_surplus_and_gain(slack_s, gain, paid):
    got = price_vote([-1e8, slack_s], [False, True], 2, names=NAMES,
                     respond=_held([-1e8, gain]), sponsor=[False, True])
    assert got.status == "plan"
    np.testing.assert_allclose(got.transfer_usd, [paid, -paid], rtol=1e-9)
    assert got.capacity_usd == pytest.approx(max(slack_s, gain))
    # What its gain adds beyond its surplus (the answer's note applies only above 0).
    assert got.capacity_gain_usd == pytest.approx(max(gain - slack_s, 0.0))


def test_the_sponsor_shares_the_bill_by_what_it_could_give():
    # Three voters: L short 1e8; P in favour with a surplus of 3e8; S, the sponsor, below
    # its bar with a gain of 1e8. The sharing convention: each payer gives the same share
    # of what it could give, so S pays 1e8 x 1e8 / 4e8 and P the rest.
    got = price_vote([-1e8, -5e7, 3e8], [False, True, True], 3, names=["L", "S", "P"],
                     respond=_held([-1e8, 1e8, 2e8]), sponsor=[False, True, False])
    assert got.status == "plan" and got.total_usd == pytest.approx(1e8, rel=1e-9)
    np.testing.assert_allclose(got.transfer_usd, [1e8, -2.5e7, -7.5e7], rtol=1e-6)
