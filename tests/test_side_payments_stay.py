"""A voter in favour paid to stay in favour (scosim transfers, 2026-12-07).

When the leading economy votes no and is bought, its receipt widens its lead over every
voter in favour (their relative-gains term); past a ceiling one of them would turn to no.
The programme used to let a voter in favour only pay, so such a vote had no plan even with
money from outside the voters (the RATS upgrade: 20 of 40 runs). A budget-balanced
side-payment scheme needs every voter's participation constraint and lets anyone
receive: a voter in favour may now be paid what keeps it at its bar.

Each plan is checked outside the solver: every voter's score after the transfers is
recomputed from the Council's terms (the score moves by the transfer, less the weight on
the relative-gains term times the change of the gap ``max(0, g_L - g_i)``, plus the
shock ``z vote_noise`` times the change of the size of the terms: the module docstring of
scosim.side_payments_lp), the transfers must balance, and a brute-force grid over the
transfers finds no cheaper plan meeting every bar.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.cli import main
from scosim.side_payments_lp import Responding, price_vote
from scosim.side_payments_text import dollars

ROOT = Path(__file__).resolve().parents[1]
# Voters: L the leader (E 1e13) votes no; Y in favour with a small surplus (E 1e11);
# P in favour with a large one (E 1e12). k = w_dom / w_econ (the leader has no gap).
NAMES = ["L", "Y", "P"]
E = np.array([1e13, 1e11, 1e12])
K = np.array([0.0, 0.5, 0.5])
SLACK = np.array([-2e9, 5e6, 5e9])  # US$ against the bar at the logged scores
YES = np.array([False, True, True])
LEAD = np.array([0.0, 1e6, -1e8])  # (g_L - g_i) E_i: Y behind L, P ahead of it
GAP = np.maximum(LEAD, 0.0)
GE = np.array([-1e9, 2e8, 3e9])  # logged econ term g_i E_i, US$


def _respond(shock: np.ndarray | None = None) -> Responding:
    return Responding(K, GAP, LEAD, 0, E / E[0], shock, GE)


def _scores(x: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Each voter's score after transfers ``x`` (US$ of the voter, against its bar).

    From the terms, not the programme's rows: the econ term rises by ``x_i``; the gap to
    the leader becomes ``max(0, lead_i + x_L E_i / E_L - x_i)``; the shock, ``c`` times
    the size of the terms, keeps ``c`` and takes the new sizes of the two terms.
    """
    x = np.atleast_2d(x)
    gap_after = np.maximum(LEAD + x[:, :1] * (E / E[0]) - x, 0.0)
    gap_after[:, 0] = 0.0
    held = SLACK - c * (np.abs(GE) + K * GAP)  # the score without the shock's two parts
    return held + x - K * (gap_after - GAP) + c * (np.abs(GE + x) + K * gap_after)


def _grid_least(c: np.ndarray, ok_y: float = -np.inf) -> tuple[float, float]:
    """The least total received over a grid of budget-balanced transfers meeting every bar.

    Unknowns x_L and x_Y on a grid, x_P = -(x_L + x_Y) (budget balance). Returns the least
    total and the largest x_Y of a feasible point with x_Y <= ``ok_y`` (-inf: none).
    """
    xl = np.union1d(np.linspace(0.0, 4e9, 41), np.linspace(1.9e9, 2.2e9, 61))
    xy = np.union1d(np.linspace(-1e9, 1e9, 41), np.linspace(-2e7, 2e7, 161))
    a, b = np.meshgrid(xl, xy, indexing="ij")
    x = np.stack([a.ravel(), b.ravel(), -(a.ravel() + b.ravel())], axis=1)
    feasible = (_scores(x, c) >= -1e-6).all(axis=1)
    total = np.where(x > 0, x, 0.0).sum(axis=1)
    low = x[feasible & (x[:, 1] <= ok_y), 1]
    return float(total[feasible].min()), float(low.max()) if low.size else -np.inf


@pytest.mark.parametrize("shock", [None, [0.0, -0.2, 0.1], [0.0, 0.3, -0.1]])
def test_a_voter_in_favour_is_paid_to_stay_where_the_leaders_receipt_would_turn_it(shock):
    c = np.zeros(3) if shock is None else np.array(shock)
    # Without a receipt for Y (as before: a voter in favour only paid) nothing carries
    # the vote: L needs its US$2 bn, which takes Y below its bar unless Y is paid.
    assert _grid_least(c, ok_y=0.0)[1] == -np.inf
    got = price_vote(SLACK, YES, 3, names=NAMES, respond=_respond(
        None if shock is None else c))
    assert got.status == "plan"
    t = got.transfer_usd
    assert t[0] > 0 and t[1] > 0 and t[2] < 0  # L bought, Y paid to stay, P pays
    # Budget balance, and every bar recomputed from the terms, to US$1,000: HiGHS's
    # feasibility tolerance for a mixed-integer programme (1e-6 of its unit, US$ bn).
    assert abs(t.sum()) <= 1e3
    assert (_scores(t, c) >= -1e3).all()
    assert got.stay_usd == pytest.approx(t[1]) and got.required_usd == pytest.approx(
        t[0] + t[1])
    # By voter: Y's own receipt, nothing for L (bought) nor P (pays).
    np.testing.assert_array_equal(got.stay_each_usd, [0.0, t[1], 0.0])
    grid, _ = _grid_least(c)
    # No cheaper plan on the grid, and the grid is not empty near the optimum.
    assert got.total_usd <= grid * (1 + 1e-9)
    assert grid - got.total_usd < 1.5e7
    if shock is None:
        # By hand: L needs 2e9; Y's gap after is 1e6 + 0.01 * 2e9 - y, so
        # 5e6 + y - 0.5 (1e6 + 2e7 - y - 1e6) >= 0: y = 1e7 / 1.5 - 5e6 / 1.5.
        assert t[0] == pytest.approx(2e9, rel=1e-9)
        assert t[1] == pytest.approx((1e7 - 5e6) / 1.5, rel=1e-6)


def test_no_voter_in_favour_is_paid_where_none_needs_it():
    # L short of less than Y's ceiling: Y stays in favour unpaid and, as before, pays; L
    # receives its shortfall, and Y and P pay it giving up the same share of their
    # surpluses (the sharing convention).
    slack = SLACK.copy()
    slack[0] = -2e8
    got = price_vote(slack, YES, 3, names=NAMES, respond=_respond())
    t = got.transfer_usd
    assert got.status == "plan" and got.stay_usd == 0.0
    assert not got.stay_each_usd.any()
    assert t[0] == pytest.approx(2e8, rel=1e-9) and t[1] < 0 and t[2] < 0
    assert t.sum() == pytest.approx(0.0, abs=1e-3)
    assert -t[1] / slack[1] == pytest.approx(-t[2] / slack[2], rel=1e-6)
    assert (_scores(t, np.zeros(3)) + (slack - SLACK) >= -1e-3).all()


def test_without_enough_surplus_outside_money_now_completes_it():
    # P can give up too little: no plan, but outside money pays L's shortfall and what
    # keeps Y at its bar (before: "cannot be bought with money, even from outside").
    slack = SLACK.copy()
    slack[2] = 1e8
    got = price_vote(slack, YES, 3, names=NAMES, respond=_respond())
    assert got.status == "no_plan" and not got.transfer_usd.any()
    assert got.stay_usd == pytest.approx((1e7 - 5e6) / 1.5, rel=1e-6)
    # Without a plan, each voter's receipt to stay in the least plan outside money would
    # complete: Y's alone.
    assert got.stay_each_usd[1] == got.stay_usd and not got.stay_each_usd[[0, 2]].any()
    assert "and what would keep Y in favour" in got.reason
    # P pays what leaves it at its bar: 1e8 - p - 0.5 max(0, -1e8 + 0.1 x_L + p) = 0.
    p = (1e8 - 0.5 * (-1e8 + 0.1 * 2e9)) / 1.5
    assert got.outside_usd == pytest.approx(2e9 + got.stay_usd - p, rel=1e-6)


def test_transfers_on_a_rats_run_never_pays_the_proposer_to_stay(tmp_path, capsys):
    # Runs 0 and 1 of seed 1: China votes no on the RATS centre. Kazakhstan, in favour,
    # proposes it: under utility_vote it votes yes whatever China receives, so it is not
    # paid to stay (a review found it paid US$3.6 million in run 0, nothing in a run just
    # below its bar). No money carried run 0 before voters in favour could be paid.
    from scosim.runner import run

    done = run(ROOT / "scenarios" / "afghan_instability_rats.yaml", replications=2, seed=1,
               out=tmp_path, progress=False, plots=False)
    assert main(["transfers", str(done.path)]) == 0
    text = capsys.readouterr().out
    assert "no money would carry the vote" not in text
    table = pd.read_csv(Path(done.path) / "transfers.csv")
    assert list(table.columns[-4:]) == ["priced_at", "paid_to_stay_usd", "capacity_gain_usd",
                                        "sponsor_side"]
    # Kazakhstan, the proposer, loses: no sponsor's gain is what it can give up, so the
    # answer says nothing of one (tests/test_transfers_units.py: the other side).
    assert (table["capacity_gain_usd"] == 0).all()
    assert "economic gain instead" not in text
    first = table.drop_duplicates("run").set_index("run")
    assert first.loc[0, "status"] == "no_plan"
    assert math.isfinite(first.loc[0, "outside_usd"])
    assert "Kazakhstan" not in " ".join(first["reason"]) and "KAZ" in set(table["country"])
    # Nobody else in favour (Tajikistan) needs it in these two runs: nothing is paid to stay.
    assert (first["paid_to_stay_usd"] == 0).all() and "paid to stay at their bars" not in text
    # The reasons: their runs, names not codes, wrapped at 80 columns.
    assert "in 2 runs: the shortfalls of China, Russian Federation" in text
    assert max(len(line) for line in text.splitlines() if line.startswith("    in ")) <= 80
    # Why no run has a plan (2026-12-07 review): the voters in favour must keep their
    # bars, and what they could give up is a sliver of the need: the largest over the
    # runs of the table's capacity_usd / required_usd.
    from scosim.cli_transfers import _pct

    reach = (first["capacity_usd"] / first["required_usd"]).max()
    assert 0 <= reach < 0.05
    assert ("No run has a plan among the voters because those in favour must keep their "
            "bars: at their logged scores they could give up at most "
            f"{_pct(reach)} % of what the bought voters need in any run.") in " ".join(
                text.split())


def test_paid_to_stay_is_each_voter_s_own_receipt_summing_to_the_vote_s(tmp_path, capsys):
    # Runs 4 and 6 of seed 1 pay Tajikistan to stay (without a plan: in the least plan
    # outside money would complete). A review found the vote's total on every row of
    # transfers.csv (China, Russia, India: 533,551 in run 4). Now each row holds what its
    # voter receives to stay: only Tajikistan's is nonzero, never Kazakhstan's (the
    # proposer), and a vote's rows add up to the total its reason states.
    from scosim.runner import run

    done = run(ROOT / "scenarios" / "afghan_instability_rats.yaml", replications=7, seed=1,
               out=tmp_path, progress=False, plots=False)
    assert main(["transfers", str(done.path)]) == 0
    text = " ".join(capsys.readouterr().out.split())
    table = pd.read_csv(Path(done.path) / "transfers.csv")
    priced = table[table["status"].isin(["plan", "no_plan"])]
    assert priced["paid_to_stay_usd"].notna().all()
    paid = table[table["paid_to_stay_usd"] > 0]
    assert set(paid["run"]) == {4, 6} and set(paid["country"]) == {"TJK"}
    assert paid["voted_yes"].all()  # only voters in favour
    assert (table.loc[table["country"] == "KAZ", "paid_to_stay_usd"].fillna(0.0) == 0).all()
    total = priced.groupby("run")["paid_to_stay_usd"].sum()
    for r in (4, 6):
        # The vote's total, as the reason states it: the table's own figures to 3
        # significant figures in their unit, naming the column (at 3 significant figures
        # of US$ bn they read "US$0.00313 bn"; to the whole US$, "US$2,038,253,157").
        row = priced.loc[priced["run"] == r].iloc[0]
        assert (f"keep Tajikistan in favour ({dollars(total[r], 'paid_to_stay_usd, summed')})"
                in row["reason"])
        assert (f"at their logged scores ({dollars(row['capacity_usd'], 'capacity_usd')})"
                in row["reason"])
        # Under consensus every no vote is bought: the shortfalls are the row's short_usd.
        assert (f"Uzbekistan, Belarus ({dollars(row['short_usd'], 'short_usd')})"
                in row["reason"])
        assert total[r] < priced.loc[priced["run"] == r, "required_usd"].iloc[0]
    # The answer's median over the 2 runs paying to stay is that of the rows' sums.
    from scosim.cli_transfers import _range

    v = total[total > 0].to_numpy() / 1e9
    stay = (np.median(v), np.percentile(v, 5), np.percentile(v, 95))
    assert (f"of that need, voters in favour are paid to stay at their bars in 2 of the 7 "
            f"runs (paying China widens its lead over them), a median {_range(stay)} over "
            "those 2.") in text


# A sponsor (S, the proposer) in favour beside the leader L against: S's gap to L
# responds (k 0.5, E_S / E_L 0.01), so L's receipt widens it; nobody else can pay.
SP_K, SP_GAP = np.array([0.0, 0.5]), np.array([0.0, 1e6])
SP_RATIO = np.array([1.0, 0.01])


def _sponsor_score(slack_s: float, x_l: float, paid: float) -> float:
    """S's score (US$ against its bar) after L receives ``x_l`` and S pays, from the terms."""
    gap_after = max(0.0, SP_GAP[1] + SP_RATIO[1] * x_l + paid)
    return slack_s - paid - SP_K[1] * (gap_after - SP_GAP[1])


def test_a_sponsor_is_never_paid_to_stay_and_the_vote_still_carries():
    # Y of the first case as the proposer: under utility_vote it votes yes whatever its
    # score, so where it was paid to stay it now receives nothing. Its bar fails once L is
    # paid, so it pays out of its economic gain (GE[1], 2e8; since 2026-12-07, before which
    # P paid L's 2e9 alone), and Y, just above or just below its bar at the logged scores,
    # gets the same plan (a review found it paid in one case and not the other). The
    # sharing convention: each payer gives up the same share of what it could give up,
    # Y's gain and P's surplus, so Y pays 2e9 x 2e8 / 5.2e9.
    sponsor = np.array([False, True, False])
    for y in (1e3, -1e3):
        slack = SLACK.copy()
        slack[1] = y
        got = price_vote(slack, YES, 3, names=NAMES, respond=_respond(), sponsor=sponsor)
        t = got.transfer_usd
        assert got.status == "plan" and got.stay_usd == 0.0
        assert not got.stay_each_usd.any()
        y_pays = 2e9 * GE[1] / (GE[1] + SLACK[2])
        np.testing.assert_allclose(t, [2e9, -y_pays, y_pays - 2e9], rtol=1e-6, atol=1e-3)
        assert GE[1] + t[1] > 0  # Y still gains economically
        # The Council's rule after the transfers: sponsor | score >= 0. Y falls below its
        # bar (L's lead widens) but, sponsoring, still votes yes: carried.
        score = _scores(t, np.zeros(3))[0] + (slack - SLACK)
        assert score[1] < 0 and (score[[0, 2]] >= -1e-3).all()
        assert (sponsor | (score >= -1e-3)).all()
    # Not a sponsor, Y is paid to stay (the first case), dearer by that receipt.
    assert price_vote(SLACK, YES, 3, names=NAMES, respond=_respond()).total_usd > 2e9 + 1e6


@pytest.mark.parametrize("slack_s", [3.1e8, 3e8])
def test_a_sponsor_that_pays_still_ends_at_or_above_its_bar(slack_s):
    # L short 2e8; S alone can pay. With 3.1e8 S pays it all and stays above its bar
    # (9e6 by hand); with 3e8, paying 2e8 would leave it 1e6 below: it pays only what
    # leaves it at the bar, (3e8 - 1e6) / 1.5, and outside money adds the rest.
    rs = Responding(SP_K, SP_GAP, SP_GAP, 0, SP_RATIO)
    got = price_vote([-2e8, slack_s], [False, True], 2, names=["L", "S"], respond=rs,
                     sponsor=[False, True])
    if slack_s > 3e8:
        assert got.status == "plan"
        np.testing.assert_allclose(got.transfer_usd, [2e8, -2e8], rtol=1e-9)
        assert _sponsor_score(slack_s, 2e8, 2e8) == pytest.approx(9e6, rel=1e-9)
    else:
        assert got.status == "no_plan" and got.stay_usd == 0.0
        paid = (slack_s - SP_K[1] * SP_RATIO[1] * 2e8) / (1 + SP_K[1])
        assert got.outside_usd == pytest.approx(2e8 - paid, rel=1e-6)
        assert _sponsor_score(slack_s, 2e8, paid) == pytest.approx(0.0, abs=1e3)
        assert _sponsor_score(slack_s, 2e8, 2e8) < 0  # paying it all would take it below


def _leader_against(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, Responding]:
    """Seven voters: the leader and three others against, three in favour; gaps, shocks."""
    n = 7
    e = np.concatenate([[1e13], rng.uniform(2e11, 3e12, n - 1)])
    econ = rng.uniform(-0.002, 0.002, n)
    lead = (econ[0] - econ) * e
    gap = np.maximum(lead, 0.0)
    gap[0] = 0.0
    k = np.concatenate([[0.0], rng.uniform(0.2, 1.0, n - 1)])
    yes = np.array([False, True, True, True, False, False, False])
    slack = np.where(yes, rng.uniform(1e7, 2e9, n), -rng.uniform(0.1e9, 2e9, n))
    shock = rng.uniform(-0.25, 0.25, n)
    return slack, yes, Responding(k, gap, lead, 0, e / e[0], shock, econ * e)


def test_under_a_majority_the_search_with_voters_paid_to_stay_equals_every_set():
    # 5 of 7: two of the four against to buy, the leader among them or not. Each set is
    # priced on its own (its voters forced in with ``must``, nobody else missing); the
    # search, whose pruning bounds hold with voters in favour paid, must match the least.
    rng = np.random.default_rng(20261207)
    stays = 0
    for _ in range(10):
        slack, yes, rs = _leader_against(rng)
        plan = price_vote(slack, yes, 5, respond=rs)
        alone = {}
        for s in itertools.combinations([0, 4, 5, 6], 2):
            forced = np.isin(np.arange(7), s)
            alone[s] = price_vote(slack, yes, 3, must=forced, respond=rs)
        costs = {s: p.total_usd if p.status == "plan" else np.inf for s, p in alone.items()}
        best = min(costs.values())
        if np.isfinite(best):
            assert plan.status == "plan"
            assert plan.total_usd == pytest.approx(best, rel=1e-6, abs=1e4)
            stays += plan.stay_usd > 0
        else:
            assert plan.status == "no_plan"
            assert plan.outside_usd == pytest.approx(
                min(p.outside_usd for p in alone.values()), rel=1e-6, abs=1e4)
    assert stays >= 1  # some plan pays a voter in favour to stay


def test_the_answer_writes_small_and_negative_amounts_as_a_reader_would():
    from scosim.cli_transfers import _range, _usd

    # A review found "US$0.00415 bn" and "US$-1.44 bn" in the answer.
    assert _usd(0.00415) == "US$4.2 million" and _usd(-1.44) == "-US$1.44 bn"
    assert _usd(36.1) == "US$36.1 bn" and _usd(0.0) == "US$0"  # not "US$0.0 bn"
    # The range in the median's unit.
    assert _range((0.0125, 0.0, 0.0366)) == "US$12.5 million (5-95 %: 0 to 36.6)"
    assert _range((-1.44, -1.56, -1.32)) == "-US$1.44 bn (5-95 %: -1.56 to -1.32)"
