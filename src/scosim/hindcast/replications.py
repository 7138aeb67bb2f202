"""Resampling over replications: one draw of runs per record, shared by every interval.

An item's probability is the share of its runs in which it happened. Resampling the runs
shows the simulation noise of a score built from those shares, nothing about its skill.
A record's items come from the same runs (a member's exits in every year, the votes of
one summit), so a resample draws one set of run indices per record and every item of it
takes the same runs. :func:`resample_shares` draws them once; the Brier's and the
log-loss's intervals (:func:`scosim.hindcast.scoring.replication_intervals`) are both
computed from its resampled shares, so the two intervals describe the same resamples and
the draws are paid for once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["basic_interval", "record_stacks", "resample_shares", "run_counts"]

#: Values of a block of resamples held at once (items x resamples x runs): 2 M, 16 MB.
_BLOCK_CELLS = 2_000_000


def run_counts(sub: pd.DataFrame) -> np.ndarray:
    """How many runs score each item (its finite draws)."""
    return np.array([np.isfinite(np.asarray(d, float)).sum() for d in sub["draws"]], float)


def record_stacks(sub: pd.DataFrame) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each record's item positions and its items x runs draws, records in first-seen order.

    Items without a ``record`` column are records of their own.
    """
    records = sub["record"].to_numpy() if "record" in sub else np.arange(len(sub))
    groups: dict[object, list[int]] = {}
    for k, rec in enumerate(records):
        groups.setdefault(rec, []).append(k)
    return [(np.array(ks), np.stack([np.asarray(sub["draws"].iloc[k], float) for k in ks]))
            for ks in groups.values()]


def resample_shares(sub: pd.DataFrame, n_boot: int, seed: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Resampled shares of runs and run counts of the items of ``sub``.

    The draws: ``rng = numpy.random.default_rng(seed)``; for each resample ``b`` in turn
    and, within it, each record in first-seen order (:func:`record_stacks`), the record's
    ``R`` runs are drawn with replacement as ``rng.integers(0, R, R)``. An item's
    resampled share is the mean of its drawn runs that score it (NaN draws do not) and
    its count their number; a resample in which no drawn run scores the item keeps the
    item's own ``p`` and count.

    Args:
        sub: Items with ``draws`` (one value per run, NaN where not scored), ``p`` and,
            optionally, ``record``.
        n_boot: Resamples.
        seed: Seed of the draws (the same resamples on any machine).

    Returns:
        ``(p_b, n_b)``, each ``n_boot`` x items, in the order of ``sub``'s rows.
    """
    rng = np.random.default_rng(seed)
    stacks = record_stacks(sub)
    p = sub["p"].to_numpy(float)
    n = run_counts(sub)
    # Drawn resample by resample, record by record: the order of the loop this replaced,
    # so the Brier's interval keeps the draws (and digits) it has had.
    idx = [np.empty((n_boot, m.shape[1]), np.int64) for _, m in stacks]
    for b in range(n_boot):
        for j, (_, m) in enumerate(stacks):
            idx[j][b] = rng.integers(0, m.shape[1], m.shape[1])
    p_b = np.tile(p, (n_boot, 1))
    n_b = np.tile(n, (n_boot, 1))
    for (ks, m), ix in zip(stacks, idx, strict=True):
        # A block of resamples at a time: items x resamples x runs held whole grew with
        # runs x 200 (663 MB at 5,000 runs, a review); each sum is over one resample's
        # runs, so the block changes no digit.
        step = max(1, _BLOCK_CELLS // max(1, m.shape[0] * m.shape[1]))
        for lo in range(0, n_boot, step):
            got = m[:, ix[lo:lo + step]]  # items x resamples x runs
            scored = np.isfinite(got)
            cnt = scored.sum(axis=2)
            tot = np.where(scored, got, 0.0).sum(axis=2)
            seen = cnt > 0
            p_b[lo:lo + step, ks] = np.where(seen, tot / np.maximum(cnt, 1), p[ks, None]).T
            n_b[lo:lo + step, ks] = np.where(seen, cnt, n[ks, None]).T
    return p_b, n_b


def basic_interval(estimate: float, centre: float, stats: np.ndarray | list[float],
                   level: float = 0.9) -> tuple[float, float]:
    """Basic bootstrap interval, its lower end floored at 0.

    ``stats`` are the statistic of the resamples and ``centre`` the value it estimates in
    the bootstrap world, so ``stat* - centre`` stands for ``estimate - truth`` (Davison
    and Hinkley 1997, *Bootstrap Methods and their Application*, eq. 5.6): the interval
    is ``[estimate - (q_hi - centre), estimate - (q_lo - centre)]`` with ``q_lo``,
    ``q_hi`` the ``(1 - level)/2`` and ``(1 + level)/2`` quantiles of ``stats`` (numpy's
    default, linear interpolation). ``centre`` is ``estimate`` for a statistic that is its
    own estimand in the bootstrap world (the plain log-loss).
    """
    tail = (1.0 - level) / 2.0
    q_lo, q_hi = (float(q) for q in np.quantile(stats, [tail, 1.0 - tail]))
    return max(0.0, estimate - (q_hi - centre)), max(0.0, estimate - (q_lo - centre))
