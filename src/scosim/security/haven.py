"""Safe havens: enforcement displaces transnational groups to the least-protected neighbour.

When a state's counter-terrorism enforcement rises above its 2018-2022 level, some of the
transnational attacks it stops are not stopped for good: the groups behind them move
across the border to where enforcement is weakest and operate from there. Armed groups
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
2. The haven of ``i`` is its least-protected land neighbour (lowest security index ``S``),
   if that neighbour is less protected than ``i``; ties share equally. With no such
   neighbour nothing moves (``moved`` is removed).
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

import sys

import numpy as np

__all__ = ["HAVEN_SHARES", "haven_arrivals", "haven_targets", "main", "onward_weights",
           "upgrade_rows"]

#: The ``haven_share`` values :func:`upgrade_rows` compares (0 = the channel off).
HAVEN_SHARES: tuple[float, ...] = (0.0, 0.25, 0.5)


def haven_targets(S: np.ndarray, reach: np.ndarray) -> np.ndarray:
    """Where each state's displaced groups go, ``(R, N, N)``: row ``[r, i]`` sums to 1 or 0.

    Args:
        S: ``(R, N)`` security index of each state this year.
        reach: ``(N, N)`` land contiguity (any positive entry marks a neighbour).
    """
    S = np.asarray(S, dtype=float)
    nb = (np.asarray(reach) > 0) & ~np.eye(S.shape[1], dtype=bool)
    cand = np.where(nb[None, :, :], S[:, None, :], np.inf)  # [r, i, h] = S of neighbour h
    low = cand.min(axis=2, keepdims=True)
    pick = nb[None] & (cand <= low) & (low < S[:, :, None])
    cnt = pick.sum(axis=2, keepdims=True)
    return np.divide(pick.astype(float), cnt, out=np.zeros(pick.shape), where=cnt > 0)


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
                   spill: float) -> np.ndarray:
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
    """
    moved = share * np.maximum(np.asarray(stopped, dtype=float), 0.0)
    to_haven = (haven_targets(S, reach) * moved[:, :, None]).sum(axis=1)
    w = np.asarray(onward, dtype=float)
    # A haven with no neighbour to pass threat on to keeps it all (never the case on land).
    keep = np.where(w.sum(axis=1) > 0, spill, 0.0)
    onward_in = (w[None, :, :] * (to_haven * keep[None, :])[:, :, None]).sum(axis=1)
    return to_haven * (1.0 - keep[None, :]) + onward_in


def upgrade_rows(shares: tuple[float, ...] = HAVEN_SHARES) -> list[dict[str, str]]:
    """The shipped members' RATS upgrade at 2035 instability, by ``haven_share``.

    Change of expected incidents a year (upgrade minus today's RATS, today's customary
    efforts, no draws; :data:`scosim.security.upgrade_size.UPGRADE_LEVELS` at
    :data:`~scosim.security.upgrade_size.SCENARIO_INSTABILITY`), for every economy whose
    change exceeds 0.05 in absolute value at some share, and the members' and all economies'
    totals. Every other parameter at its default.
    """
    from dataclasses import replace

    from scosim.security.model import SecuritySystem
    from scosim.security.params import SecurityParams
    from scosim.security.upgrade_size import SCENARIO_INSTABILITY, UPGRADE_LEVELS

    diffs = []
    for share in shares:
        system = SecuritySystem(params=replace(SecurityParams(), haven_share=share))
        st = system.baseline_state(1)
        up = system.with_rats(st, UPGRADE_LEVELS)
        diffs.append(system.expected_incidents(up, up.efforts, SCENARIO_INSTABILITY)[0]
                     - system.expected_incidents(st, st.efforts, SCENARIO_INSTABILITY)[0])
    d = np.array(diffs)
    members = system.cal.members
    rows = []
    for i in np.flatnonzero((np.abs(d) > 0.05).any(axis=0)):
        rows.append({"economy": system.codes[i], **{f"haven_share {s:g}": f"{d[k, i]:+.2f}"
                                                    for k, s in enumerate(shares)}})
    for label, mask in (("members", members), ("all", np.ones_like(members))):
        rows.append({"economy": label, **{f"haven_share {s:g}": f"{d[k, mask].sum():+.2f}"
                                          for k, s in enumerate(shares)}})
    return rows


def main(argv: list[str] | None = None) -> int:
    """Print :func:`upgrade_rows` as a Markdown table (docs/security.md section 4)."""
    del argv
    rows = upgrade_rows()
    from scosim.security.validation import markdown

    print(markdown(rows, list(rows[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
