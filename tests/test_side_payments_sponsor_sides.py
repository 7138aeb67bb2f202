"""The sponsor's second side is solved only where it could be cheaper (2026-12-07).

A sponsor pays keeping its bar or out of its economic gain, whichever is cheaper
(scosim.side_payments_sides, ``_least``). The side paying out of the gain is left unsolved
where the sponsor's bar holds paying anything up to its gain, or up to the first side's
total (``_bar_holds``): these tests check the bound by hand, and that the plans are those
of solving every side, to the bit, on random votes with gaps and shocks responding.
"""

from __future__ import annotations

import numpy as np
import pytest

import scosim.side_payments_lp as lp
import scosim.side_payments_programme as pg
import scosim.side_payments_sides as sd
from scosim.side_payments_lp import Responding, price_vote


def _one(slack: float, gain: float, *, shock: float = 0.0, k: float = 0.0,
         lead_usd: float = 0.0) -> tuple[np.ndarray, Responding]:
    """Voter 0 against (the leader), voter 1 the sponsor: one row each."""
    rs = Responding(np.array([0.0, k]), np.array([0.0, max(lead_usd, 0.0)]),
                    np.array([0.0, lead_usd]), 0, np.array([1.0, 0.5]),
                    np.array([0.0, shock]), np.array([-1e8, gain]))
    return np.array([-1e8, slack]), rs


@pytest.mark.parametrize(("slack", "gain", "shock", "upto", "holds"), [
    (1e8, 5e7, 0.0, np.inf, True),     # its surplus covers its whole gain
    (1e8, 2e8, 0.0, np.inf, False),    # paying 2e8 takes it 1e8 below its bar
    (1e8, 2e8, 0.0, 1e8, True),        # ... but not paying up to 1e8
    # With a shock c, paying p <= gE lowers the score by (1 + c) p: 1e8 - 1.5 x 7e7 < 0.
    (1e8, 7e7, 0.5, np.inf, False),
    (1e8, 6e7, 0.5, np.inf, True),
    (1e8, 1.2e8, -0.2, np.inf, True),  # 1e8 - 0.8 x 1.2e8 = 4e6
])
def test_the_bar_bound_by_hand(slack, gain, shock, upto, holds):
    s, rs = _one(slack, gain, shock=shock)
    strict = np.zeros(2, dtype=bool)
    assert sd._bar_holds(1, s, strict, rs, False, upto) is holds


def test_the_bar_bound_with_the_gap_responding():
    # k = 0.5: each US$ paid widens its gap by 1 US$ past the lead of -4e7, so paying p
    # lowers the score by p + 0.5 max(0, p - 4e7): at p = 8e7, 1e8 - 8e7 - 2e7 = 0.
    s, rs = _one(1e8, 8e7, k=0.5, lead_usd=-4e7)
    strict = np.zeros(2, dtype=bool)
    assert sd._bar_holds(1, s, strict, rs, False)
    s, rs = _one(1e8, 8.1e7, k=0.5, lead_usd=-4e7)
    assert not sd._bar_holds(1, s, strict, rs, False)
    # Where the leader may receive its gap has no bound: never held.
    s, rs = _one(1e8, 1e6, k=0.5, lead_usd=-4e7)
    assert not sd._bar_holds(1, s, strict, rs, True)


def _vote(rng: np.random.Generator, sponsor: int) -> tuple[np.ndarray, np.ndarray,
                                                              Responding, np.ndarray]:
    """Six voters, the largest (0) first; three against; gaps and shocks respond."""
    n = 6
    e = np.concatenate([[1e13], rng.uniform(2e11, 3e12, n - 1)])
    econ = rng.uniform(-0.004, 0.004, n)
    econ[sponsor] = rng.uniform(0.0, 0.006)  # the sponsor gains
    lead = (econ[0] - econ) * e
    gap = np.maximum(lead, 0.0)
    k = np.concatenate([[0.0], rng.uniform(0.2, 1.0, n - 1)])
    yes = np.array([True, True, True, False, False, False])
    slack = np.where(yes, rng.uniform(1e7, 3e10, n), -rng.uniform(0.1e9, 5e9, n))
    shock = rng.uniform(-0.25, 0.25, n)
    spons = np.arange(n) == sponsor
    return slack, yes, Responding(k, gap, lead, 0, e / e[0], shock, econ * e), spons


def _solves(*args: object, **kw: object) -> tuple[lp.Plan, int]:
    """:func:`price_vote` and the number of programmes HiGHS solved for it."""
    count = [0]
    orig = pg._milp

    def counted(*a: object, **k: object) -> object:
        count[0] += 1
        return orig(*a, **k)

    # The programmes call it from both modules.
    lp._milp = pg._milp = counted
    try:
        return price_vote(*args, **kw), count[0]
    finally:
        lp._milp = pg._milp = orig


@pytest.mark.parametrize("needed", [6, 4])
def test_the_plans_are_those_of_solving_every_side(monkeypatch, needed):
    # The sponsor is the leader (its gap does not respond) or another voter in favour;
    # consensus, then 4 of 6 (a set of no voters to choose).
    rng = np.random.default_rng(20261207 + needed)
    saved = gain_side = 0
    for trial in range(24):
        slack, yes, rs, spons = _vote(rng, trial % 2)
        got, fewer = _solves(slack, yes, needed, respond=rs, sponsor=spons)
        with monkeypatch.context() as m:
            m.setattr(sd, "_bar_holds", lambda *a, **kw: False)
            every, more = _solves(slack, yes, needed, respond=rs, sponsor=spons)
        assert got.status == every.status and got.reason == every.reason
        np.testing.assert_array_equal(got.transfer_usd, every.transfer_usd)
        for f in ("total_usd", "required_usd", "capacity_usd", "outside_usd", "stay_usd"):
            assert np.array_equal(getattr(got, f), getattr(every, f), equal_nan=True), f
        assert fewer <= more
        saved += fewer < more
        # The sponsor paid past what its bar allows: the gain side taken.
        i = int(np.flatnonzero(spons)[0])
        gain_side += got.status == "plan" and not sd._bar_holds(
            i, slack, np.zeros(6, dtype=bool), rs, False, -got.transfer_usd[i])
    # Both branches occur: programmes left out, and plans on the gain side kept.
    assert saved >= 5 and gain_side >= 1
