"""Safe havens: enforcement displaces transnational groups across weakly policed borders.

When a state's counter-terrorism enforcement rises above its 2018-2022 level, some of the
transnational attacks it stops are not stopped for good: the groups behind them move
across a border to where the state cannot police its territory and operate from there.
Armed groups organise across borders to escape repression, and neighbours that cannot
police their territory are where they find sanctuary (Salehyan 2007, "Transnational
rebels: neighboring states as sanctuary for rebel groups", *World Politics* 59(2); Bapat
2007, "The internationalization of terrorist campaigns", *Conflict Management and Peace
Science* 24(4)); failed and failing states host more of the groups behind transnational
attacks (Piazza 2008, "Incubators of terror", *International Studies Quarterly* 52(3)).
None of them measures the share displaced. Afghanistan after 2021 is the region's
example: groups pressed in Pakistan and Central Asia regroup there and threaten its
neighbours again (seed 000: RATS's measures "to counter threats posed by terror groups
operating from Afghanistan", 2022).

One step, conserving the displaced threat (a test):

1. ``moved[i] = haven_share * stopped[i]``, ``stopped`` the transnational incidents that
   ``i``'s protection above 2018-2022 removes (:func:`scosim.security.threat.expected_incidents`
   computes it; 0 at baseline, and 0 where protection fell: groups are not pulled back).
2. The part that crosses into land neighbour ``h`` is ``moved[i] * L[i, h] * g(c[i] - c[h])``
   (:func:`haven_targets`): ``L`` the border's share of ``i``'s land borders (Afghanistan's by
   length, CIA World Factbook; the tables have no other lengths, so equal shares elsewhere,
   an assumption), ``c`` enforcement capacity on the one cross-country measure the model has,
   the Heritage 2019 Rule of Law score over 100 (``cal.enforcement``,
   :mod:`scosim.security.weakest_link`), and ``g(x) = 1 / (1 + exp(-k x))`` a logistic in the
   capacity gap with slope ``k`` (``haven_slope``): a neighbour far less capable than the
   state draws the border's whole share, one as capable half of it, one far more capable
   almost none. The rest of ``moved[i]`` (the borders facing stronger states) is stopped for
   good: a state whose neighbours all police better displaces little. The security index
   ``S`` is not used: it is built from military spending for changes ``S - S0`` within a
   state, not for ranking states (China's 0.737 is below Afghanistan's 0.748 once a member).
   The 2018-2022 incident rate ``B`` is not used either: it is mostly domestic incidents,
   and with it Tajikistan's 1 a year against China's and Turkmenistan's none decided the
   split. ``k = 7.5`` per unit of capacity is **an assumption**: about one over the
   cross-country standard deviation of the score (0.13 over the model's 27 economies), so a
   neighbour one standard deviation weaker draws 0.73 of the border's share; ``k = 0`` is
   border length alone at half, ``k -> inf`` only the less capable neighbours, each its
   whole share (docs/security.md section 4 prints 0, 7.5, 30 and the limit).
3. Of what crosses from ``i`` into ``h``, the share ``blowback`` (``haven_blowback``) is
   aimed back at ``i``: the sanctuary literature's groups use the neighbour as a base against
   the government they fled (Salehyan 2007), and hosts that tolerate them are spared in
   return ("paid riding", Lee 1988, *American Economic Review* 78(2); Bapat 2007). Default
   0.5, **an assumption** (no study measures the share; the groups of the region also strike
   their hosts, as in Afghanistan); varied over 0, 0.5 and 1 in docs/security.md.
4. Of the rest, the share ``spill`` goes on to ``h``'s land neighbours, split by
   ``onward[h]`` (rows summing to 1; Afghanistan's by border length), the rest stays in ``h``:
   ``spill`` is the Afghan spillover share the model estimates from GTI data
   (``params.afghan_spill``), a haven's extra incidents crossing on as Afghanistan's do.

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

# The defaults live with the block's parameters, which `scosim validate` reads without numpy.
from scosim.security.params import HAVEN_BLOWBACK, HAVEN_SLOPE

__all__ = ["HAVEN_BLOWBACK", "HAVEN_BLOWBACKS", "HAVEN_SHARES", "HAVEN_SLOPE", "HAVEN_SLOPES",
           "capacity_pull", "haven_arrivals", "haven_targets", "main", "onward_weights", "per_run",
           "upgrade_rows"]


#: The ``haven_share`` values :func:`upgrade_rows` compares (0 = the channel off).
HAVEN_SHARES: tuple[float, ...] = (0.0, 0.25, 0.5)
#: The ``haven_slope`` values ``upgrade_rows(by="haven_slope")`` compares (inf = only the
#: less capable neighbours, each its border's whole share).
HAVEN_SLOPES: tuple[float, ...] = (0.0, 7.5, 30.0, math.inf)
#: The ``haven_blowback`` values ``upgrade_rows(by="haven_blowback")`` compares.
HAVEN_BLOWBACKS: tuple[float, ...] = (0.0, 0.5, 1.0)


def capacity_pull(gap: np.ndarray, slope: float | np.ndarray) -> np.ndarray:
    """``g = 1 / (1 + exp(-slope * gap))``, in [0, 1]; 0.5 at ``gap = 0`` whatever the slope.

    Written as ``(1 + tanh(slope * gap / 2)) / 2``, which does not overflow; ``slope = inf``
    is the step (1 above 0, 0 below, 0.5 at 0).
    """
    gap = np.asarray(gap, dtype=float)
    with np.errstate(invalid="ignore"):  # inf * 0 at a tie with slope inf: 0.5 below
        x = np.asarray(slope, dtype=float) * gap
    return np.where(gap == 0, 0.5, 0.5 * (1.0 + np.tanh(0.5 * x)))


def haven_targets(capacity: np.ndarray, border: np.ndarray, *, r: int = 1,
                  slope: float | np.ndarray = HAVEN_SLOPE) -> np.ndarray:
    """Share of each state's displaced groups crossing into each neighbour, ``(R, N, N)``.

    ``[r, i, h] = border[i, h] * g(capacity[i] - capacity[h])`` (:func:`capacity_pull`,
    module docstring step 2); a row sums to at most 1 (what it lacks is stopped for good).

    Args:
        capacity: ``(N,)`` enforcement capacity (Rule of Law over 100).
        border: ``(N, N)`` each land border's share of the state's borders, rows summing to
            1 or 0 (:func:`onward_weights`); the diagonal is ignored.
        r: Number of runs ``R``.
        slope: ``k`` (>= 0; ``inf`` allowed): a number, or ``(R,)`` one per run (a sweep;
            each row as the batch at its value, the operations being elementwise).
    """
    c = np.asarray(capacity, dtype=float)
    n = c.size
    L = np.where(np.eye(n, dtype=bool), 0.0, np.asarray(border, dtype=float))
    k = per_run(slope, r, "haven_slope")
    pull = capacity_pull(c[:, None] - c[None, :], k)  # (N, N) or (R, N, N)
    return np.broadcast_to(L * pull, (r, n, n)).copy()


def per_run(value: float | np.ndarray, r: int, name: str,
            ndim: int = 3) -> float | np.ndarray:
    """A batch setting as is (a float), or one value per run shaped ``(R, 1, ...)``.

    A number stays a number, so a batch computes exactly what it did before settings could
    vary by run; an array of one value per run gets ``ndim`` dimensions, ``(R, 1, 1)``
    against ``[r, i, h]`` by default, ``(R, 1)`` against ``(R, N)`` with ``ndim=2``.

    Raises:
        ValueError: An array that does not hold one value per run (naming ``name``).
    """
    if np.ndim(value) == 0:
        return float(value)
    a = np.asarray(value, dtype=float)
    if a.size != r:
        raise ValueError(f"{name} must be a number or one value per run ({r}), got shape "
                         f"{a.shape}")
    return a.reshape((r,) + (1,) * (ndim - 1))


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


def haven_arrivals(stopped: np.ndarray, capacity: np.ndarray, border: np.ndarray,
                   onward: np.ndarray, *, share: float | np.ndarray, spill: float,
                   slope: float | np.ndarray = HAVEN_SLOPE,
                   blowback: float | np.ndarray = HAVEN_BLOWBACK) -> np.ndarray:
    """Displaced transnational threat arriving in each state, ``(R, N)`` (module docstring).

    ``arrivals.sum(axis=1) == (moved * haven_targets(...).sum(axis=2)).sum(axis=1)`` with
    ``moved = share * stopped`` (conservation: what crosses a border arrives somewhere,
    nothing is created).

    Args:
        stopped: ``(R, N)`` transnational incidents removed by protection above 2018-2022
            (>= 0).
        capacity: ``(N,)`` enforcement capacity (Rule of Law over 100).
        border: ``(N, N)`` border shares (:func:`onward_weights`; Afghanistan's by length).
        onward: ``(N, N)`` onward shares from a haven (:func:`onward_weights`).
        share: ``haven_share``, in [0, 1]: a number, or ``(R, 1)`` one per run.
        spill: Share of a haven's arrivals (after blowback) going on to its neighbours.
        slope: ``haven_slope`` of :func:`haven_targets` (a number or ``(R,)``).
        blowback: ``haven_blowback``, in [0, 1], share of what crosses into a haven aimed
            back at the state it came from (a number or ``(R,)``).
    """
    moved = share * np.maximum(np.asarray(stopped, dtype=float), 0.0)
    r = moved.shape[0]
    cross = haven_targets(capacity, border, r=r, slope=slope) * moved[:, :, None]
    b = per_run(blowback, r, "haven_blowback", ndim=2)
    back = b * cross.sum(axis=2)  # [r, i]: aimed back at the origin
    to_haven = (1.0 - b) * cross.sum(axis=1)  # [r, h]: based in the haven, aimed there or on
    w = np.asarray(onward, dtype=float)
    # A haven with no neighbour to pass threat on to keeps it all (never the case on land).
    keep = np.where(w.sum(axis=1) > 0, spill, 0.0)
    onward_in = (w[None, :, :] * (to_haven * keep[None, :])[:, :, None]).sum(axis=1)
    return back + to_haven * (1.0 - keep[None, :]) + onward_in


def upgrade_rows(values: tuple[float, ...] = HAVEN_SHARES,
                 by: str = "haven_share") -> list[dict[str, str]]:
    """The shipped members' RATS upgrade at 2035 instability, by one haven setting.

    Change of expected incidents a year (upgrade minus today's RATS, today's customary
    efforts, no draws; :data:`scosim.security.upgrade_size.UPGRADE_LEVELS` at
    :data:`~scosim.security.upgrade_size.SCENARIO_INSTABILITY`), for every economy whose
    change exceeds 0.05 in absolute value at some value, and the members' and all
    economies' totals. Every other parameter at its default.

    Args:
        values: The values of ``by`` compared.
        by: ``"haven_share"``, ``"haven_slope"`` or ``"haven_blowback"`` (the
            :class:`SecurityParams` field varied).
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

    By ``haven_share`` (0, 0.25, 0.5); with ``--slope``, by ``haven_slope`` (0, 7.5, 30, inf);
    with ``--blowback``, by ``haven_blowback`` (0, 0.5, 1); the others at their defaults.
    """
    import argparse

    from scosim.security.validation import markdown

    ap = argparse.ArgumentParser(prog="python -m scosim.security.haven")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--slope", action="store_true",
                   help="compare haven_slope 0, 7.5, 30 and inf instead of haven_share")
    g.add_argument("--blowback", action="store_true",
                   help="compare haven_blowback 0, 0.5 and 1 instead of haven_share")
    # Kept so the command of before (CHANGELOG) says what replaced it rather than "unknown".
    ap.add_argument("--gamma", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.gamma:
        ap.error("--gamma was replaced on 2026-12-06 by --slope (haven_gamma by haven_slope: "
                 "havens are weighted by border length and the gap in enforcement capacity)")
    rows = (upgrade_rows(HAVEN_SLOPES, "haven_slope") if args.slope
            else upgrade_rows(HAVEN_BLOWBACKS, "haven_blowback") if args.blowback
            else upgrade_rows())
    print(markdown(rows, list(rows[0])))
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main, sys.argv[1:]))
