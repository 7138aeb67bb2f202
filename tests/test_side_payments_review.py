"""An outside economist's review of `scosim transfers`' sponsor rule (2026-12-07).

- A sponsor pays keeping its bar or out of its economic gain, whichever gives more: on
  the bar side it may pay beyond its gain (as before 2026-12-07), so "it still gains"
  held on one side only. Each sponsor's plan now says which side it used
  (``Plan.sponsor_side``, transfers.csv's ``sponsor_side``); the plans are unchanged.
- A sponsor whose gain is not known (NaN) had a capacity of NaN and no plan though its
  bar's surplus sufficed: it now has no gain side and pays keeping its bar.
- A sponsor that pays nothing was labelled with the side it could have paid on (on the
  RATS centre Kazakhstan, which loses, read ``gain`` in 19 runs): it now reads ``none``,
  the label only.
- The reason without a plan named the voters in favour's surplus only, though the
  figure took in a sponsor's gain; amounts printed to the whole US$.
- The bound on a share seen in no run was the rule of three, "below 300.0 %" at one run.

Each case is two voters with nothing responding, checked by hand (the closed form of
scosim.side_payments_lp: the least total is the shortfall).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from scosim.cli_transfers import _error, upper_95
from scosim.side_payments_lp import Responding, price_vote
from scosim.side_payments_text import dollars, sig3

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "model"


def _held(econ_usd: list[float]) -> Responding:
    """Nothing responds (no gap, no shock); the econ term in US$ is known."""
    n = len(econ_usd)
    z = np.zeros(n)
    return Responding(z, z, z, -1, np.ones(n), None, np.asarray(econ_usd, dtype=float))


@pytest.mark.parametrize(("slack_s", "gain", "side", "beyond"), [
    # The reviewer's case: a surplus of 4e8 over its bar, a loss of 2e8. It pays L's
    # 1e8 shortfall keeping its bar: 1e8 more than it gains (it loses 3e8 in all).
    (4e8, -2e8, "bar", True),
    (4e8, 5e7, "bar", True),     # the repo's own case: pays 1e8, gains 5e7
    (5e7, 3e8, "gain", False),   # its gain gives more: it keeps a gain >= 0
    (-5e7, 3e8, "gain", False),  # below its bar: its gain alone
])
def test_the_plan_says_which_side_the_sponsor_paid_on(slack_s, gain, side, beyond):
    got = price_vote([-1e8, slack_s], [False, True], 2, names=["L", "S"],
                     respond=_held([-1e8, gain]), sponsor=[False, True])
    assert got.status == "plan"
    np.testing.assert_allclose(got.transfer_usd, [1e8, -1e8], rtol=1e-9)
    assert list(got.sponsor_side) == ["", side]
    # On the gain side it keeps a gain >= 0; on the bar side it may pay beyond its gain
    # but stays at or above its bar.
    paid = -got.transfer_usd[1]
    assert bool(paid > gain) is beyond
    if side == "gain":
        assert gain - paid >= 0
    else:
        assert slack_s - paid >= 0


def test_a_sponsor_that_can_pay_on_neither_side_says_none():
    got = price_vote([-1e8, -5e7], [False, True], 2, names=["L", "S"],
                     respond=_held([-1e8, -2e8]), sponsor=[False, True])
    assert got.status == "no_plan" and list(got.sponsor_side) == ["", "none"]


@pytest.mark.parametrize(("gain_s", "k_s", "paid_s", "side"), [
    # The RATS centre's case: S loses (gain -1e7) and L's receipt of 1e8 would widen
    # S's gap by 1e8 (k 1), past its 5e7 over its bar: the plan drops S's bar (a sponsor
    # votes yes whatever its score) and S pays at most its gain, nothing. M pays all.
    # Before 2026-12-07 this read "gain"; it used no side.
    (-1e7, 1.0, 0.0, "none"),
    # S gains 3e7: on the gain side it pays its share by the sharing rule, p = lam x
    # base with M's base its 1e9 surplus: 3e7 x 1e8 / 1.03e9.
    (3e7, 1.0, 3e7 * 1e8 / 1.03e9, "gain"),
    # Nothing responds (k 0): S keeps its bar and pays 5e7 x 1e8 / 1.05e9.
    (-1e7, 0.0, 5e7 * 1e8 / 1.05e9, "bar"),
])
def test_a_sponsor_that_pays_nothing_says_none(gain_s, k_s, paid_s, side):
    # L, the leader, votes no, short 1e8; M, in favour, 1e9 over its bar; S, the
    # sponsor, 5e7 over its bar. The least total is L's shortfall, 1e8.
    z = np.zeros(3)
    rs = Responding(np.array([0.0, 0.0, k_s]), z, z, 0, np.ones(3), None,
                    np.array([-1e8, 1e9, gain_s]))
    got = price_vote([-1e8, 1e9, 5e7], [False, True, True], 3, names=["L", "M", "S"],
                     respond=rs, sponsor=[False, False, True])
    assert got.status == "plan"
    np.testing.assert_allclose(got.transfer_usd, [1e8, -(1e8 - paid_s), -paid_s],
                               rtol=1e-6, atol=1e-3)
    assert list(got.sponsor_side) == ["", "", side]


@pytest.mark.parametrize(("slack_s", "status"), [(4e8, "plan"), (5e7, "no_plan")])
def test_a_sponsor_whose_gain_is_not_known_pays_keeping_its_bar(slack_s, status):
    # Before, capacity NaN and no plan even with a surplus of 4e8 over its bar.
    got = price_vote([-1e8, slack_s], [False, True], 2, names=["L", "S"],
                     respond=_held([-1e8, math.nan]), sponsor=[False, True])
    assert got.status == status
    assert got.capacity_usd == pytest.approx(slack_s) and got.capacity_gain_usd == 0.0
    assert list(got.sponsor_side) == ["", "bar"]
    if status == "plan":
        np.testing.assert_allclose(got.transfer_usd, [1e8, -1e8], rtol=1e-9)
    else:
        assert got.outside_usd == pytest.approx(1e8 - slack_s, rel=1e-6)


def test_the_reason_says_the_sponsor_s_gain_and_names_the_columns():
    # S, the sponsor, below its bar, gains 6e7: L's shortfall of 1e8 exceeds it.
    got = price_vote([-1e8, -5e7], [False, True], 2, names=["L", "S"],
                     respond=_held([-1e8, 6e7]), sponsor=[False, True])
    assert got.status == "no_plan"
    assert got.reason == (
        "the shortfalls of L (US$100 million in short_usd) exceed what the voters in "
        "favour could give up and still vote yes at their logged scores, a sponsor its "
        "economic gain instead where that is more (US$60.0 million in capacity_usd)")
    # Where no sponsor's gain is more, the surplus alone, and no word of a gain.
    got = price_vote([-3e9, 2.0382e9], [False, True], 2, names=["L", "S"],
                     respond=_held([-3e9, 1e8]), sponsor=[False, True])
    assert got.status == "no_plan" and "economic gain" not in got.reason
    assert got.reason.endswith("at their logged scores (US$2.04 bn in capacity_usd)")


def test_a_majority_s_shortfalls_name_no_column():
    # Two of three needed: only L is bought, so its shortfall is not the row's short_usd
    # (the shortfalls of every no voter).
    got = price_vote([-3e8, -4e8, 1e8], [False, False, True], 2, names=["L", "M", "S"],
                     respond=_held([-3e8, -4e8, 0.0]))
    assert got.status == "no_plan"
    assert "the shortfalls of L (US$300 million) exceed" in got.reason


@pytest.mark.parametrize(("v", "column", "text"), [
    (2_038_253_157.0, "capacity_usd", "US$2.04 bn in capacity_usd"),
    (3_134_793.35, "", "US$3.13 million"),
    (0.0, "short_usd", "US$0 in short_usd"),
    (533_551.0, "", "US$534,000"),
    (-1.44e9, "", "-US$1.44 bn"),
    (999.6e9, "", "US$1,000 bn"),
])
def test_a_reason_s_amount_has_three_significant_figures(v, column, text):
    assert dollars(v, column) == text


def test_sig3_rounds_before_it_chooses_its_decimals():
    assert [sig3(x) for x in (18479.2, 22344.7, 999.6, 9.996, 0.003134)] == [
        "18,500", "22,300", "1,000", "10.0", "0.00313"]


@pytest.mark.parametrize("n", [1, 3, 200])
def test_the_bound_on_a_share_seen_in_no_run_is_the_exact_one(n):
    # Clopper-Pearson with no success: the share p at which n runs all miss it with
    # probability 5 %, (1 - p) ** n = 0.05. The rule of three, 3 / n, gave 300 % at one.
    p = upper_95(n)
    assert (1 - p) ** n == pytest.approx(0.05, rel=1e-12)
    assert 0 < p < 1
    if n == 1:
        assert p == pytest.approx(0.95)
    if n == 200:
        assert p == pytest.approx(3 / n, rel=0.01)  # the rule of three, for many runs
    s = {"plan_share": 1.0, "runs": n, "plan_share_se": 0.0}
    assert _error(s) == (f"no run without one; the share without one is below "
                         f"{100 * p:.1f} % at 95 % confidence")
    assert {1: "95.0 %", 3: "63.2 %", 200: "1.5 %"}[n] in _error(s)


def test_transfers_csv_records_each_sponsor_s_side(tmp_path):
    # China proposes the union in the small fixture: its row says which side it paid on,
    # and the others' rows nothing. Checked against the row's own figures: on the gain
    # side it pays at most its gain; a payment beyond its gain is on the bar side.
    from scosim.runner import run
    from scosim.side_payments import price_run

    res = run(FIXTURES / "small_cu.yaml", replications=6, out=tmp_path, progress=False,
              plots=False)
    table = price_run(res.path)
    assert table.columns[-1] == "sponsor_side"
    priced = table[table["status"].isin(["plan", "no_plan"])]
    chn = priced[priced["country"] == "CHN"]
    assert len(chn) and set(chn["sponsor_side"]) <= {"bar", "gain", "none"}
    assert (priced.loc[priced["country"] != "CHN", "sponsor_side"] == "").all()
    plans = chn[chn["status"] == "plan"]
    paid = -plans["transfer_usd"].to_numpy()
    gain = plans["gain_usd"].clip(lower=0.0).to_numpy()
    side = plans["sponsor_side"].to_numpy()
    assert (paid[side == "gain"] <= gain[side == "gain"] + 1e3).all()
    assert (side[paid > gain + 1e3] == "bar").all()
    # One that pays nothing used no side; one that pays used one.
    assert (side[paid == 0] == "none").all() and (side[paid > 0] != "none").all()
