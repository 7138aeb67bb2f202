"""Informed baselines and intervals clustered by decision for the hindcast.

p = 0 and p = 1 are weak yardsticks where most items are repeats of the same
decision. Two informed naive forecasts (an outside review, 2026-12-07):

* **base rate**: each kind of item's share of outcomes 1 in the training years
  (adoptions, votes, applications, exits apart), for every item of that kind;
* **persistence**: the last recorded outcome of the same decision (same
  cluster, kind, record stem and member; an earlier year), p = 1 where there is
  none (a first tabling, a first observer-year).

The Brier skill score against a reference is ``1 - Brier(Council) / Brier(ref)``
(1 perfect, 0 no better, negative worse; undefined where the reference scores 0).
Items of one decision cluster (the FTZ year after year, a member's EAEU exits,
one state's applications) are not independent, so the intervals resample whole
clusters (a percentile bootstrap with a fixed seed): they measure how much the
score depends on which decisions happened to be in the record, which the interval
over replications (simulation noise) does not.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

__all__ = [
    "base_rate_forecast",
    "cluster_bootstrap",
    "clusters_of",
    "effective_clusters",
    "item_losses",
    "persistence_forecast",
]


def clusters_of(df: pd.DataFrame) -> np.ndarray:
    """Each item's decision cluster: ``cluster``, else ``record``, else the item itself."""
    for col in ("cluster", "record", "item"):
        if col in df:
            return df[col].astype(str).to_numpy()
    return np.arange(len(df)).astype(str)


def base_rate_forecast(df: pd.DataFrame, rates_from: pd.DataFrame | None = None) -> np.ndarray:
    """Each item's forecast: its kind's share of outcomes 1 among the training items.

    The training items are those of ``rates_from`` (default ``df``) with sample
    ``train``. A kind with no training item takes the share over every training item.
    """
    src = df if rates_from is None else rates_from
    train = src[src["sample"] == "train"]
    if train.empty:
        raise ValueError("the base-rate forecast needs training items (sample 'train')")
    rates = train.groupby("kind")["observed"].mean()
    overall = float(train["observed"].mean())
    return np.array([float(rates.get(k, overall)) for k in df["kind"]])


def _persistence_key(row: pd.Series, cluster: str) -> tuple[str, str, str, str]:
    """(cluster, kind, record stem, member) of an item: what "the same decision" is."""
    item = str(row["item"])
    record = str(row["record"]) if "record" in row and isinstance(row["record"], str) else item
    stem = re.sub(r"_(19|20)\d\d(?=_|$)", "", record)
    rest = item[len(record):].lstrip(":").split(":") if item.startswith(record) else []
    member = rest[0] if rest and rest[0] else ""
    return cluster, str(row["kind"]), stem, member


def persistence_forecast(df: pd.DataFrame) -> np.ndarray:
    """Each item's forecast: the last earlier outcome of the same decision, else 1.

    The same decision: same cluster, kind, record stem (the name without its year:
    ``ftz_2021`` -> ``ftz``, ``bri_2022_consensus`` -> ``bri_consensus``) and member
    (a vote's voter, an exit's member). "Earlier" is a strictly earlier year, so two
    items of one summit do not forecast each other.
    """
    clusters = clusters_of(df)
    keys = [_persistence_key(row, c) for (_, row), c in zip(df.iterrows(), clusters,
                                                              strict=True)]
    years = df["year"].to_numpy(int)
    observed = df["observed"].to_numpy(float)
    out = np.ones(len(df))
    for i, key in enumerate(keys):
        best = -math.inf
        for j, other in enumerate(keys):
            if other == key and best < years[j] < years[i]:
                best, out[i] = years[j], observed[j]
    return out


def item_losses(df: pd.DataFrame) -> np.ndarray:
    """The Council's squared error on each item, less its runs' sampling variance.

    Their mean is the Council's Brier score as :func:`scosim.hindcast.scoring.brier_unbiased`
    computes it; without ``draws`` the plain ``(p - y)^2``.
    """
    p, y = df["p"].to_numpy(float), df["observed"].to_numpy(float)
    if "draws" not in df:
        return (p - y) ** 2
    n = np.array([np.isfinite(np.asarray(d, float)).sum() for d in df["draws"]], float)
    var = np.where(n > 1, p * (1.0 - p) / np.maximum(n - 1.0, 1.0), 0.0)
    return (p - y) ** 2 - var


def effective_clusters(clusters: np.ndarray) -> tuple[int, float]:
    """Number of clusters and Kish's effective number, ``N^2 / sum(n_c^2)`` (Kish 1965).

    With N items in clusters of sizes n_c, the effective number is what a sample
    of equally weighted independent decisions would have to number to carry the
    same weight: a cluster of 6 repeats counts 6 times in the mean but as one
    decision in the resampling.
    """
    _, sizes = np.unique(clusters, return_counts=True)
    n = float(sizes.sum())
    return int(sizes.size), n * n / float(np.sum(sizes.astype(float) ** 2))


def cluster_bootstrap(losses: dict[str, np.ndarray], clusters: np.ndarray,
                      n_boot: int = 5000, seed: int = 0) -> dict[str, np.ndarray]:
    """Brier scores of resampled sets of whole clusters, one per forecast.

    Args:
        losses: Forecast name to its per-item squared errors (same item order).
        clusters: Each item's cluster.
        n_boot: Resamples.
        seed: Seed of the resampling (fixed: the same intervals on any machine).

    Returns:
        Forecast name to its ``n_boot`` Brier scores: each resample draws as many
        clusters as there are, with replacement, and takes the mean loss over the
        items of the clusters drawn.
    """
    names = list(losses)
    labels, idx = np.unique(clusters, return_inverse=True)
    k = labels.size
    sums = np.zeros((k, len(names)))
    for f, name in enumerate(names):
        np.add.at(sums[:, f], idx, np.asarray(losses[name], float))
    sizes = np.bincount(idx, minlength=k).astype(float)
    rng = np.random.default_rng(seed)
    counts = np.stack([np.bincount(rng.integers(0, k, k), minlength=k) for _ in range(n_boot)]
                      ).astype(float)
    # Elementwise products summed by numpy (not a BLAS matrix product), so the sums do
    # not depend on the machine's BLAS.
    totals = (counts[:, :, None] * sums[None, :, :]).sum(axis=1)
    n_items = (counts * sizes[None, :]).sum(axis=1)
    return {name: totals[:, f] / n_items for f, name in enumerate(names)}
