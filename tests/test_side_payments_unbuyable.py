"""A vote no money carries, even from outside the voters (scosim transfers, audit 2026-12-07).

Outside money can pay any bought voter's shortfall, but the programme never pays a voter
in favour: it only gives up its surplus. When the leading economy votes no, a payment to
it widens its lead over every voter in favour (their relative-gains term), and past a
ceiling one of them turns to no: no transfer carries the vote. The ceiling is checked
against the Council's score worked by hand, ``slack - k max(0, lead + ratio r)``, and
the RATS scenario, where ``scosim transfers`` used to end in a traceback, against the CLI.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.cli import main
from scosim.side_payments_lp import Responding, price_vote

ROOT = Path(__file__).resolve().parents[1]
# Voters: C0 the leader (E 1e13), C1 in favour and C2 against (E 1e11 each).
E = np.array([1e13, 1e11, 1e11])
K = np.array([0.0, 0.5, 0.5])  # w_dom / w_econ; the leader has no gap to itself
SURPLUS = 1e7  # C1's slack, US$
NAMES = ["C0", "C1", "C2"]


def _respond() -> Responding:
    lead = np.array([0.0, 0.0, -1e6])  # C1 level with C0, C2 ahead of it: gaps closed
    return Responding(K, np.zeros(3), lead, 0, E / E[0])


def _ceiling() -> float:
    """What C0 may receive before C1 turns: 1e7 - 0.5 * 0.01 r >= 0, by hand."""
    return SURPLUS / (K[1] * E[1] / E[0])


@pytest.mark.parametrize("consensus", [True, False])
def test_a_vote_the_leaders_receipt_would_turn_has_no_plan_even_with_outside_money(
        consensus):
    assert _ceiling() == pytest.approx(2e9)
    short_c2 = 1e6
    for short, buyable in ((0.95 * _ceiling(), True), (1.05 * _ceiling(), False)):
        slack = np.array([-short, SURPLUS, -short_c2])
        yes = np.array([False, True, False])
        if consensus:
            got = price_vote(slack, yes, 3, names=NAMES, respond=_respond())
        else:
            # The leader a non-member whose no keeps its bloc out: every set of the others
            # (two of them, one vote missing) buys it too.
            got = price_vote(np.append(slack, -2e6), np.append(yes, False), 2,
                             names=[*NAMES, "C3"], must=np.array([True, False, False, False]),
                             respond=Responding(np.append(K, 0.5), np.zeros(4),
                                                np.array([0.0, 0.0, -1e6, -1e6]), 0,
                                                np.append(E, 1e11) / E[0]))
        assert got.status == "no_plan"
        if buyable:
            # Below the ceiling outside money completes it: C0's and C2's shortfalls, less
            # nothing from C1 (each dollar it pays lowers its own score).
            assert math.isfinite(got.outside_usd) and got.outside_usd > 0.9 * _ceiling()
            assert "cannot be bought" not in got.reason
        else:
            assert math.isnan(got.outside_usd) and math.isnan(got.required_usd)
            assert got.reason.startswith("cannot be bought with money, even from outside")
            assert "C0, the leading economy, votes no" in got.reason
            assert "lead over C1, in favour" in got.reason
            assert "(US$2 bn)" in got.reason  # the ceiling, 2e9
            assert not got.transfer_usd.any()


def test_without_the_relative_gains_term_outside_money_always_completes_it():
    slack = np.array([-1.05 * _ceiling(), SURPLUS, -1e6])
    got = price_vote(slack, np.array([False, True, False]), 3, names=NAMES)
    assert got.status == "no_plan"
    # Closed form: the shortfalls less what C1 can give up.
    assert got.outside_usd == pytest.approx(1.05 * _ceiling() + 1e6 - SURPLUS, rel=1e-6)


def test_transfers_on_a_rats_run_says_why_no_money_carries_it(tmp_path, capsys):
    # Run 0 of seed 1: China votes no on the RATS centre and Kazakhstan, in favour, would
    # turn past about US$0.49 bn to China (it needs 1.28): a traceback before.
    from scosim.runner import run

    done = run(ROOT / "scenarios" / "afghan_instability_rats.yaml", replications=2, seed=1,
               out=tmp_path, progress=False, plots=False)
    assert main(["transfers", str(done.path)]) == 0
    text = capsys.readouterr().out
    assert "no money would carry the vote" in text
    assert "cannot be bought with money, even from outside the voters: CHN" in text
    table = pd.read_csv(Path(done.path) / "transfers.csv")
    first = table.drop_duplicates("run").set_index("run")
    assert first.loc[0, "status"] == "no_plan"
    assert np.isnan(first.loc[0, "outside_usd"])
    assert "lead over KAZ, in favour" in first.loc[0, "reason"]
    # The answer's counts are the table's: runs no money carries, and the others.
    none = first[(first["status"] == "no_plan") & first["outside_usd"].isna()]
    priced = first["status"].isin(["plan", "no_plan"])
    some = int((priced & first["required_usd"].notna()).sum())
    flat = " ".join(text.split())
    assert f"in {len(none)} of them no money would carry the vote" in flat
    if some:
        assert f"need, over the {some} that money could carry," in flat
