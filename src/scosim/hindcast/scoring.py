"""Brier score, log-loss and their intervals over replications."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["EPS", "brier", "brier_unbiased", "log_loss", "score_table"]

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


def brier_unbiased(p: np.ndarray, y: np.ndarray, n: np.ndarray) -> float:
    """Brier score of the model's probabilities, estimated from ``n`` runs an item.

    ``p`` is a share of ``n`` runs, so ``(p - y)^2`` overstates the squared error of the
    probability it estimates by the sampling variance ``p(1 - p)/n`` on average;
    ``(p - y)^2 - p(1 - p)/(n - 1)`` is unbiased for it (items of one run keep the
    plain term).
    """
    p, y, n = (np.asarray(a, float) for a in (p, y, n))
    var = np.where(n > 1, p * (1.0 - p) / np.maximum(n - 1.0, 1.0), 0.0)
    return math.fsum(((p - y) ** 2 - var).tolist()) / p.size


def _boot(sub: pd.DataFrame, y: np.ndarray, n_boot: int, rng: np.random.Generator
          ) -> tuple[list[float], list[float]]:
    """Brier and log-loss of ``n_boot`` resamples of the runs.

    A record's items come from the same runs (a member's exits in every year, the votes
    of one summit), so each resample draws one set of run indices per record and every
    item of it takes the same runs.
    """
    records = sub["record"].to_numpy() if "record" in sub else np.arange(len(sub))
    groups: dict[object, list[int]] = {}
    for k, rec in enumerate(records):
        groups.setdefault(rec, []).append(k)
    # each record's items x runs, in the order the records first appear
    stacks = [(np.array(ks), np.stack([np.asarray(sub["draws"].iloc[k], float) for k in ks]))
              for ks in groups.values()]
    boot_b, boot_l = [], []
    p = np.empty(len(sub))
    for _ in range(n_boot):
        for ks, m in stacks:
            got = m[:, rng.integers(0, m.shape[1], m.shape[1])]
            seen = np.isfinite(got).any(axis=1)
            # a resample with no run scoring an item keeps the item's own p
            p[ks] = np.where(seen, np.nanmean(np.where(seen[:, None], got, 0.0), axis=1),
                             np.nanmean(np.where(seen[:, None], 0.0, m), axis=1))
        boot_b.append(brier(p, y))
        boot_l.append(log_loss(p, y))
    return boot_b, boot_l


def score_table(df: pd.DataFrame, n_boot: int = 200, seed: int = 0) -> pd.DataFrame:
    """Brier and log-loss per sample for the Council and the two baselines, with 90 % intervals.

    Samples: ``train`` (years <= TRAIN_END), ``held_out``, ``all``, and the same
    per kind of item (``adoption``, ``vote``, ``application``, ``exit``) as
    ``<sample>:<kind>``. ``brier`` is :func:`brier_unbiased` (the score of the
    model's probabilities, which the runs estimate); ``brier_plain`` the score of the
    shares of runs themselves, and ``log_loss`` that of the shares. Intervals: basic
    bootstrap over replications (a record's runs resampled together, ``n_boot``
    times); they measure the simulation noise of the Council's probabilities, not
    the sampling uncertainty of the historical record (which is fixed).
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
        n = np.array([np.isfinite(np.asarray(d, float)).sum() for d in sub["draws"]])
        plain_b, plain_l = brier(p, y), log_loss(p, y)
        # Basic bootstrap (2 x estimate - quantiles): a resample's shares add their
        # sampling variance again, so percentile intervals sat above the estimate and
        # missed the model's score a third of the time (a review, 2026-12-05).
        row = {"sample": name, "forecast": "council", "n_items": len(y),
               "brier": brier_unbiased(p, y, n), "brier_plain": plain_b,
               "log_loss": plain_l,
               "brier_lo": max(0.0, 2 * plain_b - float(np.quantile(boot_b, 0.95))),
               "brier_hi": max(0.0, 2 * plain_b - float(np.quantile(boot_b, 0.05))),
               "log_loss_lo": max(0.0, 2 * plain_l - float(np.quantile(boot_l, 0.95))),
               "log_loss_hi": max(0.0, 2 * plain_l - float(np.quantile(boot_l, 0.05)))}
        out.append(row)
        for naive, value in NAIVE.items():
            pp = np.full_like(y, value)
            out.append({"sample": name, "forecast": naive, "n_items": len(y),
                        "brier": brier(pp, y), "log_loss": log_loss(pp, y)})
    return pd.DataFrame(out)
