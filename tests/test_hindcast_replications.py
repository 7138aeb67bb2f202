"""One resampling of the runs feeds the Brier's and the log-loss's interval over replications.

Until 2026-12-07 ``score_table`` resampled the runs twice per sample, once for each
interval, with different draws. The check here is worked out by hand, in plain Python:
the documented draws (``default_rng(seed)``, resample by resample, record by record,
``integers(0, R, R)``), each item's share of its drawn runs, both statistics, numpy's
default (linear) quantile and the basic bootstrap interval.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from scosim.hindcast.replications import resample_shares
from scosim.hindcast.scoring import log_loss, replication_intervals, score_table

NAN = float("nan")


def _table(c_runs: tuple[int, ...] = (3, 12)) -> pd.DataFrame:
    """Three records: one of 3 items sharing 20 runs (an exit-like item ``c`` scored in
    ``c_runs`` only, 1 in the first and 0 in the others: in runs 3 and 12, some resamples
    draw neither), one of 1 item, one of 2 items of 16 runs."""
    rng = np.random.default_rng(2026)
    c = np.full(20, NAN)
    c[list(c_runs)] = 0.0
    c[c_runs[0]] = 1.0
    draws = [rng.binomial(1, 0.6, 20), rng.binomial(1, 0.3, 20), c,
             rng.binomial(1, 0.8, 20),
             rng.binomial(1, 0.2, 16), rng.binomial(1, 0.7, 16)]
    df = pd.DataFrame({"item": list("abcdef"), "kind": "application", "year": 2022,
                       "observed": [1.0, 1.0, 0.0, 1.0, 0.0, 1.0],
                       "draws": [np.asarray(d, float) for d in draws],
                       "record": ["r1", "r1", "r1", "r2", "r3", "r3"],
                       "sample": "held_out", "coding": "observed"})
    df["p"] = [float(np.nanmean(d)) for d in df["draws"]]
    return df


def _quantile(xs: list[float], q: float) -> float:
    """numpy's default quantile: linear between order statistics at (N - 1) q."""
    xs = sorted(xs)
    h = (len(xs) - 1) * q
    lo = math.floor(h)
    return xs[lo] if lo + 1 == len(xs) else xs[lo] + (h - lo) * (xs[lo + 1] - xs[lo])


def _by_hand(df: pd.DataFrame, n_boot: int, seed: int) -> dict[str, float]:
    draws = [list(map(float, d)) for d in df["draws"]]
    y = df["observed"].tolist()
    p = [sum(v for v in d if v == v) / sum(v == v for v in d) for d in draws]
    n = [sum(v == v for v in d) for d in draws]
    records: dict[str, list[int]] = {}
    for k, rec in enumerate(df["record"]):
        records.setdefault(rec, []).append(k)

    def unbiased(ps: list[float], ns: list[int]) -> float:
        return sum((a - b) ** 2 - (a * (1 - a) / (c - 1) if c > 1 else 0.0)
                   for a, b, c in zip(ps, y, ns, strict=True)) / len(ps)

    def ll(ps: list[float]) -> float:
        ps = [min(max(a, 0.01), 0.99) for a in ps]
        return -sum(b * math.log(a) + (1 - b) * math.log(1 - a)
                    for a, b in zip(ps, y, strict=True)) / len(ps)

    rng = np.random.default_rng(seed)
    boot_b, boot_l = [], []
    for _ in range(n_boot):
        ps, ns = list(p), list(n)
        for ks in records.values():
            runs = len(draws[ks[0]])
            idx = [int(i) for i in rng.integers(0, runs, runs)]
            for k in ks:
                got = [draws[k][i] for i in idx if draws[k][i] == draws[k][i]]
                if got:  # else the item keeps its own p and n
                    ps[k], ns[k] = sum(got) / len(got), len(got)
        boot_b.append(unbiased(ps, ns))
        boot_l.append(ll(ps))
    plain_b = sum((a - b) ** 2 for a, b in zip(p, y, strict=True)) / len(p)
    est_b, est_l = unbiased(p, n), ll(p)
    return {"brier_lo": max(0.0, est_b - (_quantile(boot_b, 0.95) - plain_b)),
            "brier_hi": max(0.0, est_b - (_quantile(boot_b, 0.05) - plain_b)),
            "log_loss_lo": max(0.0, 2 * est_l - _quantile(boot_l, 0.95)),
            "log_loss_hi": max(0.0, 2 * est_l - _quantile(boot_l, 0.05))}


@pytest.mark.parametrize("seed", [0, 3, 11])
@pytest.mark.parametrize("c_runs", [(3, 12), (1, 4, 7, 9, 13, 15, 18)])
def test_both_intervals_are_the_basic_bootstrap_of_one_set_of_draws(
        seed: int, c_runs: tuple[int, ...]) -> None:
    """Item c in 2 runs: resamples that draw neither; in 7: no end of either interval
    floored at 0, so every end tests the quantiles."""
    df = _table(c_runs)
    want = _by_hand(df, n_boot=40, seed=seed)
    got = replication_intervals(df, n_boot=40, seed=seed)
    assert got == pytest.approx(want, rel=1e-12, abs=1e-15)
    if len(c_runs) > 2:
        assert 0 < want["brier_lo"] < want["brier_hi"]
        assert 0 < want["log_loss_lo"] < want["log_loss_hi"]
    # score_table reports the same for the sample (its items, its seed)
    row = score_table(df, n_boot=40, seed=seed, n_cluster_boot=10).query(
        "sample == 'held_out' and forecast == 'council'").iloc[0]
    assert {k: row[k] for k in want} == got


def test_an_item_no_drawn_run_scores_keeps_its_own_share() -> None:
    """Item c is scored in runs 3 and 12 of its record's 20 only (p 0.5 of 2 runs)."""
    df = _table()
    p_b, n_b = resample_shares(df, n_boot=200, seed=1)
    rng = np.random.default_rng(1)
    drawn = []
    for _ in range(200):  # r1 draws first in each resample, then r2 and r3
        drawn.append([i for i in rng.integers(0, 20, 20).tolist() if i in (3, 12)])
        rng.integers(0, 20, 20), rng.integers(0, 16, 16)
    none = np.array([not d for d in drawn])
    assert (p_b[none, 2] == 0.5).all() and (n_b[none, 2] == 2).all()
    assert n_b[~none, 2].tolist() == [len(d) for d in drawn if d]
    assert p_b[~none, 2].tolist() == [d.count(3) / len(d) for d in drawn if d]
    # P(neither of 2 runs among 20 draws) = (18/20)^20 = 0.12: 24 of 200 on average
    assert 10 <= none.sum() <= 40


def test_the_intervals_are_fixed_by_the_seed() -> None:
    df = _table()
    first = score_table(df, n_boot=50, seed=4, n_cluster_boot=20)
    assert first.equals(score_table(df, n_boot=50, seed=4, n_cluster_boot=20))
    a, b = (replication_intervals(df, n_boot=50, seed=s) for s in (4, 5))
    assert a == replication_intervals(df, n_boot=50, seed=4)
    assert a != b


def test_the_log_loss_interval_covers_the_log_loss_of_the_true_probabilities() -> None:
    """Synthetic items with known probabilities, 10 runs each, as the Brier's coverage
    test in tests/test_hindcast.py: 55 of 60 fixed seeds covered (90 % nominal); 48
    required, and every interval contains its own estimate."""
    rng = np.random.default_rng(7)
    true_p = np.r_[np.full(20, 0.02), np.full(6, 0.3), np.full(4, 0.9)]
    y = np.r_[np.zeros(26), np.ones(4)]
    truth = log_loss(true_p, y)
    covered = 0
    for k in range(60):
        df = pd.DataFrame({"item": [f"i{j}" for j in range(30)], "kind": "exit",
                           "year": 2022, "observed": y,
                           "draws": [rng.binomial(1, q, 10).astype(float) for q in true_p],
                           "record": [f"r{j // 5}" for j in range(30)], "sample": "held_out"})
        df["p"] = [d.mean() for d in df["draws"]]
        got = replication_intervals(df, n_boot=60, seed=k)
        assert got["log_loss_lo"] <= log_loss(df["p"].to_numpy(), y) <= got["log_loss_hi"]
        covered += got["log_loss_lo"] <= truth <= got["log_loss_hi"]
    assert covered >= 48


def test_blocks_of_resamples_change_no_digit(monkeypatch):
    # Held a block of resamples at a time (memory flat in the runs): every share and
    # count the same bits as with all resamples at once, whatever the block.
    import scosim.hindcast.replications as rep

    rng = np.random.default_rng(3)
    rows = []
    for i in range(12):
        d = rng.random(300)
        d[rng.random(300) < 0.3] = np.nan
        rows.append({"draws": d, "p": float(np.nanmean(d)), "record": f"r{i % 3}"})
    sub = pd.DataFrame(rows)
    monkeypatch.setattr(rep, "_BLOCK_CELLS", 10**12)
    whole = rep.resample_shares(sub, 200, 0)
    for cells in (1, 3_601, 50_000):
        monkeypatch.setattr(rep, "_BLOCK_CELLS", cells)
        got = rep.resample_shares(sub, 200, 0)
        for a, b in zip(whole, got, strict=True):
            np.testing.assert_array_equal(a, b)
