"""Who pays for the deposit insurance fund, and for whom (review of 2026-12-06).

The fund's payments were recorded only at the economy whose system they paid for
(``fund_payout``): with full pooling, Russia's resolution in the shipped crisis is paid
mostly out of China's compartment, and nothing showed it. ``fund_contribution`` records
each economy's banks' contributions and ``fund_net_transfer`` what its compartment paid
for other participants' systems less what theirs paid for its own.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from scosim.data.constants import MEMBERS
from scosim.finance.levers import fund_payout
from scosim.finance.shocks import sanctions_matrix
from scosim.finance.system import FinanceSystem, Levers


def test_payout_records_what_each_compartment_gave_and_received():
    """A needs 7 and holds 2; B holds 10, C 30 (full pooling): A's own 2, then 5 from the
    others in proportion to what they hold, 1.25 from B and 3.75 from C."""
    out = fund_payout([[2.0, 10.0, 30.0]], [[7.0, 0.0, 0.0]], [[True] * 3], mutualisation=1.0)
    np.testing.assert_allclose(out.given, [[0.0, 1.25, 3.75]], atol=1e-12)
    np.testing.assert_allclose(out.received, [[5.0, 0.0, 0.0]], atol=1e-12)
    np.testing.assert_allclose(out.paid, [[7.0, 0.0, 0.0]], atol=1e-12)
    # National compartments only: nothing moves between them.
    none = fund_payout([[2.0, 10.0, 30.0]], [[7.0, 0.0, 0.0]], [[True] * 3], mutualisation=0.0)
    assert not none.given.any() and not none.received.any()


def test_contributions_and_transfers_in_a_pooled_crisis():
    """Russia's crisis on the packaged tables, members in a full union with a fund of 2 %
    of insured deposits: each compartment's change over the year is its contribution less
    what it paid, for its own system and, net, for others'; the transfers sum to zero,
    and China's compartment pays for Russia's resolutions where Russia's own runs dry."""
    fs = FinanceSystem()
    R, N = 12, fs.N
    rus, chn = fs.codes.index("RUS"), fs.codes.index("CHN")
    member = np.isin(fs.codes, MEMBERS)
    part = np.broadcast_to(member, (R, N))
    levers = Levers.union(part, fs.data.settlement, mutualisation=1.0)
    st = fs.initial_state(R)
    st = replace(st, fund=np.where(part, 0.02 * fs.data.insured, 0.0))
    g = np.zeros((R, N))
    g[:, rus] = np.linspace(-0.6, -0.3, R)
    S = sanctions_matrix([("RUS", "ROW", 1.0)], fs.codes, R)
    new, ind = fs.step(st, g, S, levers, [np.random.default_rng(r) for r in range(R)])
    np.testing.assert_allclose(ind["fund_contribution"],
                               np.where(part, 10e-4 * fs.data.insured, 0.0), rtol=1e-12)
    change = new.fund - st.fund
    np.testing.assert_allclose(
        change, ind["fund_contribution"] - ind["fund_payout"] - ind["fund_net_transfer"],
        atol=1e-3)
    np.testing.assert_allclose(ind["fund_net_transfer"].sum(axis=1), 0.0, atol=1e-3)
    paid = ind["fund_payout"][:, rus] > st.fund[:, rus] + ind["fund_contribution"][:, rus]
    assert paid.any()
    assert (ind["fund_net_transfer"][paid, rus] < 0).all()
    assert (ind["fund_net_transfer"][paid, chn] > 0).all()
    assert not ind["fund_net_transfer"][:, ~member].any()
