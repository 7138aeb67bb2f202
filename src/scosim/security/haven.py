"""Safe havens: enforcement displaces transnational groups to less-protected neighbours.

When a state's counter-terrorism enforcement rises above its 2018-2022 level, some of the
transnational attacks it stops are not stopped for good: the groups behind them move
across the border to where enforcement is weaker and operate from there. Armed groups
organise across borders to escape repression, and weak neighbours are where they find
sanctuary (Salehyan 2007, "Transnational rebels: neighboring states as sanctuary for rebel
groups", *World Politics* 59(2); Bapat 2007, "The internationalization of terrorist
campaigns", *Conflict Management and Peace Science* 24(4)); failed and failing states host
more of the groups behind transnational attacks (Piazza 2008, "Incubators of terror",
*International Studies Quarterly* 52(3)). None of them measures the share displaced.
Afghanistan after 2021 is the region's example: groups pressed in Pakistan and Central Asia
regroup there and threaten its neighbours again (seed 000: RATS's measures "to counter
threats posed by terror groups operating from Afghanistan", 2022).

One step, conserving the displaced threat (a test):

1. ``moved[i] = haven_share * stopped[i]``, ``stopped`` the transnational incidents that
   ``i``'s protection above 2018-2022 removes (:func:`scosim.security.threat.expected_incidents`
   computes it; 0 at baseline, and 0 where protection fell: groups are not pulled back).
2. ``moved[i]`` is shared among ``i``'s land neighbours less protected than ``i``
   (``S[h] < S[i]``), in proportion to ``(B[h] + b0) * exp(-gamma * S[h])``
   (:func:`haven_targets`): ``B`` the 2018-2022 incident rate (groups go where groups
   already operate: terrorism clusters in contiguous hot spots, Braithwaite and Li 2007,
   *Conflict Management and Peace Science* 24(4); the transnational rate is
   ``transnational_share * B``, one share for every state, so weighting by ``B + b0`` is
   weighting by the transnational rate plus ``transnational_share * b0``), ``b0`` a floor
   (``haven_floor``, 1 incident a year, the order of the smallest recorded rates,
   Uzbekistan's 0.4 and Tajikistan's 1.0) so a neighbour with none recorded gets a
   little, and ``gamma``
   (``haven_gamma``) how strongly weakness attracts. ``gamma -> inf`` is the
   least-protected neighbour alone (the model before 2026-12-06); ``gamma = 0`` spreads by
   ``B + b0`` alone. With no neighbour less protected nothing moves (``moved`` is removed).
   The literature says weak neighbours attract groups, not how strongly, so **gamma = 2 is
   an assumption**: the model's own ``beta``, so a haven draws in proportion to the share
   of attacks launched there that its protection lets through (docs/security.md section 4
   prints gamma 0, 2, 10 and the limit).
3. Of what reaches a haven ``h``, the share ``spill`` goes on to ``h``'s land neighbours,
   split by ``onward[h]`` (rows summing to 1; Afghanistan's by border length), the rest
   stays in ``h``: ``spill`` is the Afghan spillover share the model estimates from GTI data
   (``params.afghan_spill``), a haven's extra incidents crossing back as Afghanistan's do.

What arrives then meets the receiver's protection like its other transnational attacks.
One round (an assumption): attacks reaching a haven are not displaced again, even where
the receiver's own protection is above 2018-2022 (what ``i`` stops is computed on its own
pressure, before arrivals).
Sums are elementwise (no matrix product), so results do not depend on BLAS order.
"""

from __future__ import annotations

import math
import sys

import numpy as np

__all__ = ["HAVEN_FLOOR", "HAVEN_GAMMA", "HAVEN_GAMMAS", "HAVEN_SHARES", "haven_arrivals",
           "haven_targets", "main", "onward_weights", "upgrade_rows"]

#: Default ``gamma`` of the havens' weights, an assumption: the default ``beta`` (module
#: docstring, step 2).
HAVEN_GAMMA: float = 2.0
#: Default ``b0``, incidents a year added to every candidate haven's 2018-2022 rate, an
#: assumption: the order of the smallest recorded rates (Uzbekistan 0.4, Tajikistan 1.0).
HAVEN_FLOOR: float = 1.0

#: The ``haven_share`` values :func:`upgrade_rows` compares (0 = the channel off).
HAVEN_SHARES: tuple[float, ...] = (0.0, 0.25, 0.5)
#: The ``haven_gamma`` values ``upgrade_rows(by="haven_gamma")`` compares (inf = the single
#: least-protected neighbour, the model before 2026-12-06).
HAVEN_GAMMAS: tuple[float, ...] = (0.0, 2.0, 10.0, math.inf)


def haven_targets(S: np.ndarray, reach: np.ndarray, base: np.ndarray | None = None, *,
                  gamma: float | np.ndarray = HAVEN_GAMMA,
                  floor: float | np.ndarray = HAVEN_FLOOR) -> np.ndarray:
    """Where each state's displaced groups go, ``(R, N, N)``: row ``[r, i]`` sums to 1 or 0.

    ``[r, i, h]`` is proportional to ``(base[h] + floor) * exp(-gamma * S[r, h])`` over
    ``i``'s land neighbours ``h`` with ``S[r, h] < S[r, i]`` (module docstring, step 2); a
    row with no such neighbour (or only neighbours of weight 0) is 0. Computed as
    ``exp(-gamma * (S[h] - min S))`` over the candidates, so a large ``gamma`` does not
    underflow; ``gamma = inf`` is the least-protected neighbour alone, ties shared in
    proportion to ``base + floor``.

    Args:
        S: ``(R, N)`` security index of each state this year.
        reach: ``(N, N)`` land contiguity (any positive entry marks a neighbour).
        base: ``(N,)`` 2018-2022 incident rates ``B`` (>= 0); default 0 everywhere, so
            the weights are ``floor * exp(-gamma S)``.
        gamma: How strongly a weaker neighbour attracts (>= 0; ``inf`` allowed): a
            number, or ``(R,)`` one per run (a sweep; each row as the batch at its value,
            the operations being elementwise).
        floor: ``b0`` added to every neighbour's rate (>= 0): a number or ``(R,)``.
    """
    S = np.asarray(S, dtype=float)
    r, n = S.shape
    gamma, floor = _per_run(gamma, r, "haven_gamma"), _per_run(floor, r, "haven_floor")
    b = np.zeros(n) if base is None else np.asarray(base, dtype=float)
    nb = (np.asarray(reach) > 0) & ~np.eye(n, dtype=bool)
    cand = nb[None] & (S[:, None, :] < S[:, :, None])  # [r, i, h]: h less protected than i
    sh = np.broadcast_to(S[:, None, :], cand.shape)
    low = np.where(cand, sh, np.inf).min(axis=2, keepdims=True)
    gap = np.where(cand, sh - low, 0.0)  # >= 0; 0 at the least protected
    with np.errstate(invalid="ignore"):  # inf * 0 where gamma is inf: the argmin, weight 1
        pull = np.where(gap > 0, np.exp(-gamma * gap), 1.0)
    weight = ((b + floor)[None, None, :] if np.ndim(floor) == 0
              else b[None, None, :] + floor)  # (R, 1, 1) + (1, 1, N): b[h] + floor[r]
    raw = np.where(cand, weight * pull, 0.0)
    tot = raw.sum(axis=2, keepdims=True)
    return np.divide(raw, tot, out=np.zeros(raw.shape), where=tot > 0)


def _per_run(value: float | np.ndarray, r: int, name: str) -> float | np.ndarray:
    """A number as is, or one value per run as ``(R, 1, 1)`` against ``[r, i, h]``."""
    if np.ndim(value) == 0:
        return float(value)
    a = np.asarray(value, dtype=float)
    if a.size != r:
        raise ValueError(f"{name} must be a number or one value per run ({r}), got shape "
                         f"{a.shape}")
    return a.reshape(r, 1, 1)


def onward_weights(contiguity: np.ndarray, overrides: dict[int, np.ndarray] | None = None,
                   ) -> np.ndarray:
    """``(N, N)`` shares of a haven's extra threat going to each land neighbour (rows sum to 1).

    Equal shares over land neighbours, except the rows given in ``overrides`` (the model
    passes Afghanistan's border-length shares). A state without neighbours keeps a zero row.
    """
    adj = (np.asarray(contiguity) > 0) & ~np.eye(len(contiguity), dtype=bool)
    s = adj.sum(axis=1, keepdims=True)
    w = np.divide(adj.astype(float), s, out=np.zeros(adj.shape), where=s > 0)
    for k, row in (overrides or {}).items():
        w[k] = np.asarray(row, dtype=float)
    return w


def haven_arrivals(stopped: np.ndarray, S: np.ndarray, reach: np.ndarray,
                   onward: np.ndarray, *, share: float | np.ndarray,
                   spill: float, base: np.ndarray | None = None,
                   gamma: float | np.ndarray = HAVEN_GAMMA,
                   floor: float | np.ndarray = HAVEN_FLOOR) -> np.ndarray:
    """Displaced transnational threat arriving in each state, ``(R, N)`` (module docstring).

    ``arrivals.sum(axis=1) == share * (stopped of the states that have a haven).sum(axis=1)``
    (conservation: nothing is created or lost in the move).

    Args:
        stopped: ``(R, N)`` transnational incidents removed by protection above 2018-2022
            (>= 0).
        S: ``(R, N)`` security index.
        reach: ``(N, N)`` land contiguity.
        onward: ``(N, N)`` :func:`onward_weights`.
        share: ``haven_share``, in [0, 1]: a number, or ``(R, 1)`` one per run.
        spill: Share of a haven's arrivals going on to its neighbours, in [0, 1].
        base: ``(N,)`` 2018-2022 incident rates ``B`` of the havens' weights
            (:func:`haven_targets`).
        gamma: ``gamma`` of those weights (a number or ``(R,)``).
        floor: ``b0`` of those weights (a number or ``(R,)``).
    """
    moved = share * np.maximum(np.asarray(stopped, dtype=float), 0.0)
    where = haven_targets(S, reach, base, gamma=gamma, floor=floor)
    to_haven = (where * moved[:, :, None]).sum(axis=1)
    w = np.asarray(onward, dtype=float)
    # A haven with no neighbour to pass threat on to keeps it all (never the case on land).
    keep = np.where(w.sum(axis=1) > 0, spill, 0.0)
    onward_in = (w[None, :, :] * (to_haven * keep[None, :])[:, :, None]).sum(axis=1)
    return to_haven * (1.0 - keep[None, :]) + onward_in


def upgrade_rows(values: tuple[float, ...] = HAVEN_SHARES,
                 by: str = "haven_share") -> list[dict[str, str]]:
    """The shipped members' RATS upgrade at 2035 instability, by ``haven_share`` or ``haven_gamma``.

    Change of expected incidents a year (upgrade minus today's RATS, today's customary
    efforts, no draws; :data:`scosim.security.upgrade_size.UPGRADE_LEVELS` at
    :data:`~scosim.security.upgrade_size.SCENARIO_INSTABILITY`), for every economy whose
    change exceeds 0.05 in absolute value at some value, and the members' and all
    economies' totals. Every other parameter at its default.

    Args:
        values: The values of ``by`` compared.
        by: ``"haven_share"`` or ``"haven_gamma"`` (the :class:`SecurityParams` field varied).
    """
    from dataclasses import replace

    from scosim.security.model import SecuritySystem
    from scosim.security.params import SecurityParams
    from scosim.security.upgrade_size import SCENARIO_INSTABILITY, UPGRADE_LEVELS

    diffs = []
    for v in values:
        system = SecuritySystem(params=replace(SecurityParams(), **{by: v}))
        st = system.baseline_state(1)
        up = system.with_rats(st, UPGRADE_LEVELS)
        diffs.append(system.expected_incidents(up, up.efforts, SCENARIO_INSTABILITY)[0]
                     - system.expected_incidents(st, st.efforts, SCENARIO_INSTABILITY)[0])
    d = np.array(diffs)
    members = system.cal.members
    heads = [f"{by} {v:g}" for v in values]
    rows = []
    for i in np.flatnonzero((np.abs(d) > 0.05).any(axis=0)):
        rows.append({"economy": system.codes[i],
                     **{h: f"{d[k, i]:+.2f}" for k, h in enumerate(heads)}})
    for label, mask in (("members", members), ("all", np.ones_like(members))):
        rows.append({"economy": label,
                     **{h: f"{d[k, mask].sum():+.2f}" for k, h in enumerate(heads)}})
    return rows


def main(argv: list[str] | None = None) -> int:
    """Print :func:`upgrade_rows` as a Markdown table (docs/security.md section 4).

    By ``haven_share`` (0, 0.25, 0.5); with ``--gamma``, by ``haven_gamma`` (0, 2, 10, inf)
    at the default share.
    """
    import argparse

    from scosim.security.validation import markdown

    ap = argparse.ArgumentParser(prog="python -m scosim.security.haven")
    ap.add_argument("--gamma", action="store_true",
                    help="compare haven_gamma 0, 2, 10 and inf instead of haven_share")
    args = ap.parse_args(argv)
    rows = (upgrade_rows(HAVEN_GAMMAS, "haven_gamma") if args.gamma else upgrade_rows())
    print(markdown(rows, list(rows[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
