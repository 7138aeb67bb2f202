"""Brier score, log-loss, the reference forecasts and the intervals (runs; decision clusters)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scosim.hindcast.baselines import (
    base_rate_forecast,
    cluster_bootstrap,
    clusters_of,
    effective_clusters,
    item_losses,
    persistence_forecast,
)
from scosim.hindcast.replications import basic_interval, resample_shares, run_counts

__all__ = ["EPS", "EPS_LOW", "REFERENCES", "brier", "brier_unbiased",
           "brier_unbiased_interval", "headline", "log_loss",
           "replication_intervals", "score_table"]

#: Probabilities are clipped to [EPS, 1 - EPS] in the log-loss (a naive p = 0 or 1
#: forecast that is wrong would otherwise score infinity).
EPS = 0.01

#: The second clip at which the log-loss is shown: every forecast of the Council is 0
#: or 1 but for the exits, so the clip, not the model, sets the loss of each miss
#: (-ln 0.01 = 4.6 nats at EPS, -ln 0.001 = 6.9 at this).
EPS_LOW = 0.001

#: The naive forecasts scored beside the Council.
NAIVE = {"consensus_always_fails": 0.0, "always_adopted": 1.0}

#: Every reference forecast, in the order of the table: p = 0, p = 1, the training
#: base rate of each kind, persistence (:mod:`scosim.hindcast.baselines`).
REFERENCES: tuple[str, ...] = (*NAIVE, "base_rate", "persistence")


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


def replication_intervals(sub: pd.DataFrame, n_boot: int = 200, seed: int = 0,
                          level: float = 0.9) -> dict[str, float]:
    """Basic bootstrap intervals over replications of the Brier and the log-loss of ``sub``.

    One resampling of the runs (:func:`scosim.hindcast.replications.resample_shares`:
    one set of runs per record, drawn from ``seed``) feeds both intervals. Simulation
    noise only: nothing about skill.

    The Brier's is that of :func:`brier_unbiased`: each resample recomputes it from the
    resampled shares with their own run counts. In the bootstrap world the score being
    estimated is the plain Brier of the observed shares (each item's probability is its
    share of runs), and the resampled statistic is unbiased for it, so the spread
    ``U* - plain`` stands for ``U - true`` (the basic bootstrap,
    :func:`scosim.hindcast.replications.basic_interval`): the interval is
    ``[U - (q_hi - plain), U - (q_lo - plain)]``, its lower end floored at 0. It contains
    ``U`` exactly when ``plain`` lies between the resamples' quantiles ``q_lo`` and
    ``q_hi``; the resamples' mean is ``plain``, so only a very skewed resampling
    distribution can put it outside (the re-fit tool flags that).

    The log-loss's is that of the plain :func:`log_loss` of the shares (clipped at
    :data:`EPS`), ``2 x estimate - quantiles`` of the same resamples' log-loss.

    Args:
        sub: Items with ``observed``, ``draws`` (one value per run, NaN where not
            scored), ``p`` and, optionally, ``record`` (items of a record share runs).
        n_boot: Resamples.
        seed: Seed of the resampling (the same intervals on any machine).
        level: Coverage, e.g. 0.9 for the 5 % and 95 % quantiles.

    Returns:
        ``brier_lo``, ``brier_hi``, ``log_loss_lo``, ``log_loss_hi``.
    """
    y = sub["observed"].to_numpy(float)
    p = sub["p"].to_numpy(float)
    p_b, n_b = resample_shares(sub, n_boot, seed)
    plain_b, plain_l = brier(p, y), log_loss(p, y)
    boot_b = [brier_unbiased(pb, y, nb) for pb, nb in zip(p_b, n_b, strict=True)]
    b_lo, b_hi = basic_interval(brier_unbiased(p, y, run_counts(sub)), plain_b, boot_b, level)
    l_lo, l_hi = basic_interval(plain_l, plain_l, [log_loss(pb, y) for pb in p_b], level)
    return {"brier_lo": b_lo, "brier_hi": b_hi, "log_loss_lo": l_lo, "log_loss_hi": l_hi}


def brier_unbiased_interval(sub: pd.DataFrame, n_boot: int = 200, seed: int = 0,
                            level: float = 0.9) -> tuple[float, float]:
    """Basic bootstrap interval over replications for :func:`brier_unbiased` of ``sub``.

    The Brier's part of :func:`replication_intervals` (same arguments, same draws).

    Returns:
        ``(lo, hi)``.
    """
    got = replication_intervals(sub, n_boot=n_boot, seed=seed, level=level)
    return got["brier_lo"], got["brier_hi"]


def headline(df: pd.DataFrame) -> pd.Series:
    """Which items enter the headline score: those coded ``observed`` (all without ``coding``)."""
    if "coding" not in df:
        return pd.Series(True, index=df.index)
    return df["coding"].fillna("observed") == "observed"


def _reference_rows(name: str, sub: pd.DataFrame, y: np.ndarray, council: np.ndarray,
                    n_cluster_boot: int, seed: int) -> tuple[dict, list[dict]]:
    """Cluster-bootstrap columns of the Council's row and one row per reference forecast."""
    refs = {f: sub[f"p_{f}"].to_numpy(float) for f in REFERENCES if f"p_{f}" in sub}
    losses = {"council": council, **{f: (pp - y) ** 2 for f, pp in refs.items()}}
    clusters = clusters_of(sub)
    boot = cluster_bootstrap(losses, clusters, n_cluster_boot, seed)
    n_cl, n_eff = effective_clusters(clusters)
    c_lo, c_hi = np.quantile(boot["council"], [0.05, 0.95])
    extra = {"n_clusters": n_cl, "n_eff": n_eff, "brier_cl_lo": max(0.0, float(c_lo)),
             "brier_cl_hi": max(0.0, float(c_hi))}
    bc = math.fsum(council.tolist()) / council.size
    rows = []
    for f, pp in refs.items():
        br = brier(pp, y)
        diff = boot["council"] - boot[f]
        with np.errstate(divide="ignore", invalid="ignore"):
            bss_draws = np.where(boot[f] > 0, 1.0 - boot["council"] / boot[f], np.nan)
        finite = np.isfinite(bss_draws)
        b_lo, b_hi = (np.quantile(bss_draws[finite], [0.05, 0.95]) if finite.any()
                      else (np.nan, np.nan))
        d_lo, d_hi = np.quantile(diff, [0.05, 0.95])
        rows.append({"sample": name, "forecast": f, "n_items": len(y), "brier": br,
                     "log_loss": log_loss(pp, y), "log_loss_001": log_loss(pp, y, EPS_LOW),
                     "n_clusters": n_cl, "n_eff": n_eff,
                     "bss": 1.0 - bc / br if br > 0 else np.nan,
                     "bss_lo": float(b_lo), "bss_hi": float(b_hi),
                     "diff": bc - br, "diff_lo": float(d_lo), "diff_hi": float(d_hi),
                     "p_not_better": float(np.mean(diff >= 0))})
    return extra, rows


def score_table(df: pd.DataFrame, n_boot: int = 200, seed: int = 0,
                n_cluster_boot: int = 5000) -> pd.DataFrame:
    """Brier and log-loss per sample for the Council and the reference forecasts.

    Samples: ``train`` (years <= TRAIN_END), ``held_out``, ``all``, and the same
    per kind of item (``adoption``, ``vote``, ``application``, ``exit``) as
    ``<sample>:<kind>``: the headline items only (``coding`` ``observed``); the others
    (constructed or outcome-dependent adoption items) are scored apart as
    ``not_headline``, beside p = 0 and p = 1 only. ``brier`` is
    :func:`brier_unbiased` (the score of the model's probabilities, which the runs
    estimate); ``brier_plain`` the score of the shares of runs themselves, and
    ``log_loss`` that of the shares clipped to [0.01, 0.99], ``log_loss_001`` to
    [0.001, 0.999].

    Two intervals. ``brier_lo``/``brier_hi`` (and the log-loss's): basic bootstrap
    over replications (a record's runs resampled together, ``n_boot`` times, one
    resampling with seed ``seed`` for both; :func:`replication_intervals`): the
    simulation noise of the Council's probabilities, nothing about its skill; the
    Brier's of the statistic in ``brier``, the log-loss's of the plain log-loss.
    ``brier_cl_lo``/``brier_cl_hi``: percentile bootstrap over decision clusters
    (``n_cluster_boot`` resamples, seed ``seed``;
    :func:`scosim.hindcast.baselines.cluster_bootstrap`): how much the score depends
    on which decisions are in the record, with ``n_clusters`` and Kish's effective
    number ``n_eff``. Reference rows (p = 0, p = 1, the training base rate of each
    kind, persistence; :mod:`scosim.hindcast.baselines`) carry the Council's Brier
    skill score against them (``bss``, with its cluster interval), the difference
    Council - reference (``diff``, interval) and the share of resamples in which the
    Council is no better (``p_not_better``).
    """
    df = df[df["p"].notna()].copy()
    head = headline(df)
    if head.any() and (df.loc[head, "sample"] == "train").any():
        df["p_base_rate"] = base_rate_forecast(df, rates_from=df[head])
        df["p_persistence"] = persistence_forecast(df)
    for f, value in NAIVE.items():
        df[f"p_{f}"] = value
    out = []
    groups: list[tuple[str, pd.DataFrame]] = []
    main = df[head]
    for sample in ("train", "held_out", "all"):
        sub = main if sample == "all" else main[main["sample"] == sample]
        groups.append((sample, sub))
        for kind in sorted(main["kind"].unique()):
            groups.append((f"{sample}:{kind}", sub[sub["kind"] == kind]))
    groups.append(("not_headline", df[~head].drop(
        columns=["p_base_rate", "p_persistence"], errors="ignore")))
    for name, sub in groups:
        if sub.empty:
            continue
        y = sub["observed"].to_numpy(float)
        p = sub["p"].to_numpy(float)
        # Basic bootstrap (2 x estimate - quantiles): a resample's shares add their
        # sampling variance again, so percentile intervals sat above the estimate and
        # missed the model's score a third of the time (a review, 2026-12-05). The
        # Brier's is that of the corrected score it reports; until 2026-12-07 it was the
        # plain Brier's, centred on the plain score, which can exclude ``brier``. One
        # resampling (seed ``seed``) feeds both intervals; until 2026-12-07 the log-loss
        # drew its own, from one generator run on through the samples.
        row = {"sample": name, "forecast": "council", "n_items": len(y),
               "brier": brier_unbiased(p, y, run_counts(sub)), "brier_plain": brier(p, y),
               "log_loss": log_loss(p, y), "log_loss_001": log_loss(p, y, EPS_LOW),
               **replication_intervals(sub, n_boot=n_boot, seed=seed)}
        extra, refs = _reference_rows(name, sub, y, item_losses(sub), n_cluster_boot, seed)
        out.append({**row, **extra})
        out.extend(refs)
    return pd.DataFrame(out)
