"""Brier score, log-loss and their intervals over replications."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["EPS", "brier", "log_loss", "score_table"]

#: Probabilities are clipped to [EPS, 1 - EPS] in the log-loss (a naive p = 0 or 1
#: forecast that is wrong would otherwise score infinity).
EPS = 0.01

#: The naive forecasts scored beside the Council.
NAIVE = {"consensus_always_fails": 0.0, "always_adopted": 1.0}


def brier(p: np.ndarray, y: np.ndarray) -> float:
    """Mean squared difference between forecast probabilities and 0/1 outcomes."""
    p, y = np.asarray(p, float), np.asarray(y, float)
    return math.fsum(((p - y) ** 2).tolist()) / p.size


def log_loss(p: np.ndarray, y: np.ndarray, eps: float = EPS) -> float:
    """Mean negative log-likelihood of 0/1 outcomes, probabilities clipped to [eps, 1-eps]."""
    p = np.clip(np.asarray(p, float), eps, 1 - eps)
    y = np.asarray(y, float)
    ll = y * np.log(p) + (1 - y) * np.log(1 - p)
    return -math.fsum(ll.tolist()) / p.size


def _boot(sub: pd.DataFrame, y: np.ndarray, n_boot: int, rng: np.random.Generator
          ) -> tuple[list[float], list[float]]:
    """Scores of ``n_boot`` bootstrap resamples of each item's runs."""
    boot_b, boot_l = [], []
    for _ in range(n_boot):
        p = np.array([np.mean(rng.choice(d, size=len(d))) for d in sub["draws"]])
        boot_b.append(brier(p, y))
        boot_l.append(log_loss(p, y))
    return boot_b, boot_l


def score_table(df: pd.DataFrame, n_boot: int = 200, seed: int = 0) -> pd.DataFrame:
    """Brier and log-loss per sample for the Council and the two baselines, with 90 % intervals.

    Samples: ``train`` (years <= TRAIN_END), ``held_out``, ``all``, and the same
    per kind of item (``adoption``, ``vote``, ``application``, ``exit``) as
    ``<sample>:<kind>``. Intervals: bootstrap over replications (each item's
    runs resampled with replacement, ``n_boot`` times); they measure the
    simulation noise of the Council's probabilities, not the sampling
    uncertainty of the historical record (which is fixed).
    """
    rng = np.random.default_rng(seed)
    out = []
    groups: list[tuple[str, pd.DataFrame]] = []
    for sample in ("train", "held_out", "all"):
        sub = df if sample == "all" else df[df["sample"] == sample]
        groups.append((sample, sub))
        for kind in sorted(df["kind"].unique()):
            groups.append((f"{sample}:{kind}", sub[sub["kind"] == kind]))
    for name, sub in groups:
        sub = sub[sub["p"].notna()]
        if sub.empty:
            continue
        y = sub["observed"].to_numpy(float)
        boot_b, boot_l = _boot(sub, y, n_boot, rng)
        p = sub["p"].to_numpy(float)
        row = {"sample": name, "forecast": "council", "n_items": len(y),
               "brier": brier(p, y), "log_loss": log_loss(p, y),
               "brier_lo": float(np.quantile(boot_b, 0.05)),
               "brier_hi": float(np.quantile(boot_b, 0.95)),
               "log_loss_lo": float(np.quantile(boot_l, 0.05)),
               "log_loss_hi": float(np.quantile(boot_l, 0.95))}
        out.append(row)
        for naive, value in NAIVE.items():
            pp = np.full_like(y, value)
            out.append({"sample": name, "forecast": naive, "n_items": len(y),
                        "brier": brier(pp, y), "log_loss": log_loss(pp, y)})
    return pd.DataFrame(out)
