"""Hindcasts: scoring functions, a small hindcast, the declaration and bank types."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from scosim.hindcast import RECORDS, Record, brier, log_loss, run_hindcast, score_table
from scosim.proposals.contract import check_batch_consistency, check_policy_contract
from scosim.proposals.development_bank import bank_gain
from scosim.scenario import load_scenario

HC = Path(__file__).resolve().parents[1] / "scenarios" / "hindcasts"


def test_brier_and_log_loss_by_hand() -> None:
    p, y = np.array([0.2, 0.9]), np.array([0, 1])
    assert brier(p, y) == pytest.approx((0.2**2 + 0.1**2) / 2)
    assert log_loss(p, y) == pytest.approx(-(math.log(0.8) + math.log(0.9)) / 2)
    # A confident wrong forecast is clipped at 1 %, not infinite.
    assert log_loss(np.array([0.0]), np.array([1])) == pytest.approx(-math.log(0.01))
    assert brier(np.array([1.0, 0.0]), np.array([1, 0])) == 0.0


def test_every_record_has_a_scenario() -> None:
    for rec in RECORDS:
        sc = load_scenario(HC / f"{rec.name}.yaml")
        assert sc.years.start == rec.year
        assert [p.id for p in sc.proposals] == [rec.name]


def test_small_hindcast_scores() -> None:
    recs = (Record("partners_2022", 2022, 1), Record("ftz_2004", 2004, 0),
            Record("bri_2018_consensus", 2018, 0, {"IND": 0}))
    df = run_hindcast(2, HC, recs)
    assert len(df) == 4 and df["p"].between(0, 1).all()
    assert all(len(d) == 2 for d in df["draws"])
    scores = score_table(df, n_boot=20)
    allrows = scores[scores["sample"] == "all"].set_index("forecast")
    y = df["observed"].to_numpy(float)
    # Naive baselines: Brier of p = 0 is the share of 1s, of p = 1 the share of 0s.
    assert allrows.loc["consensus_always_fails", "brier"] == pytest.approx(y.mean())
    assert allrows.loc["always_adopted", "brier"] == pytest.approx(1 - y.mean())
    c = allrows.loc["council"]
    assert c["brier_lo"] <= c["brier"] + 1e-12 and c["brier"] <= c["brier_hi"] + 1e-12


def test_declaration_passes_contract() -> None:
    sc = load_scenario(HC / "partners_2022.yaml", overrides={"replications": 3})
    check_policy_contract(sc)
    check_batch_consistency(sc, runs=[0, 1, 2])


def test_bank_gain_identity() -> None:
    gdp = np.array([4.0, 1.0, 5.0])
    part = np.array([[True, True, False]])
    # No interest saving: every participant loses exactly its paid-in capital.
    g = bank_gain(part, gdp, capital=10.0, rule="gdp", paid_in_share=0.2, leverage=1.0,
                  lending_rate=0.05, market_rate=0.05, tenor=10)
    paid = -g[0, :2] * gdp[:2]
    assert paid.sum() == pytest.approx(10.0 * 0.2)
    assert paid == pytest.approx([1.6, 0.4])
    assert g[0, 2] == 0.0
    # A cheaper loan helps the small economy most (it borrows more relative to size).
    g2 = bank_gain(part, gdp, capital=10.0, rule="gdp", paid_in_share=0.2, leverage=1.0,
                   lending_rate=0.02, market_rate=0.07, tenor=10)
    assert g2[0, 1] > g[0, 1] and g2[0, 1] > g2[0, 0]
