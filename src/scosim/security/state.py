"""The security block's yearly state and the pure functions of one year's numbers.

Split from :mod:`scosim.security.model` (size), which re-exports these names:
:class:`SecurityState`, what is carried from year to year; :func:`insecurity_index` and
:func:`edge_cost_multiplier`, how incidents become insecurity and a transport cost; and
:func:`trust_effect`, the yearly change of trust from joint work.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["SecurityState", "edge_cost_multiplier", "insecurity_index", "trust_effect"]


def insecurity_index(incidents: np.ndarray, half: float) -> np.ndarray:
    """Insecurity in [0, 1): ``x / (x + half)`` of incidents a year ``x`` ``(R, N)``."""
    lam = np.maximum(np.asarray(incidents, dtype=float), 0.0)
    return lam / (lam + half)


def edge_cost_multiplier(insecurity: np.ndarray, markup: float = 1.0) -> np.ndarray:
    """Cost multiplier ``1 + markup * insecurity`` ``(R, N)`` for edges inside each economy.

    Trade costs are priced on the *rise* of expected insecurity above its 2018-2022 level
    (the base-year data already carry 2018-2022 risk), so that is what this takes: the
    rise itself, which may be negative (the security slot without a network prices falls,
    giving a multiplier below 1), or the rise clipped to [0, 1] (what the network is fed,
    docs/security.md section 11). A level of insecurity would give the multiplier of no
    path of the model (Afghanistan's 2018-2022 level alone reads 1.67).

    Args:
        insecurity: ``(R, N)`` insecurity priced, in [-1, 1].
        markup: Mark-up at full insecurity (an assumption, docs/security.md; the
            network's ``insecurity_cost_factor``, 1).

    Returns:
        ``(R, N)`` multipliers in ``[1 - markup, 1 + markup]``, 1 at 2018-2022 risk: the
        factor on the cost of a transport edge inside the economy (an edge on a border
        takes the larger of its two economies').

    Raises:
        ValueError: If ``insecurity`` is outside [-1, 1].
    """
    x = np.asarray(insecurity, dtype=float)
    if np.any(x < -1) or np.any(x > 1):
        raise ValueError("insecurity priced must lie in [-1, 1] (a rise of an index in "
                         "[0, 1])")
    return 1.0 + markup * x


def trust_effect(efforts: np.ndarray, partners: np.ndarray, up: float, down: float,
                 customary: np.ndarray | None = None) -> np.ndarray:
    """Yearly change of trust ``(R, N, N)`` (row: who trusts, column: whom).

    Joint work raises trust by ``up * min(e_i, e_j)``; a partner's shortfall against one's
    own effort lowers it by ``down * max(e_i - e_j, 0)`` (free riding is noticed). ``e`` is
    the mean effort over channels; only pairs with ``partners > 0`` change.

    With ``customary`` ``(R, N)`` (each state's customary effort), efforts are read relative
    to it, as the effort rules read them: ``r = e / customary``, joint work above the
    customary levels raises trust by ``up * (min(r_i, r_j) - 1)`` and a shortfall lowers it
    by ``down * max(r_i - r_j, 0)``, so states at their customary levels leave trust as it
    is. (On absolute levels a member's trust in an observer fell every year with no policy,
    its customary 0.2 read as free riding against the member's 0.5.)
    """
    e = np.asarray(efforts, dtype=float).mean(axis=2)
    link = (np.asarray(partners) > 0)[None, :, :]
    if customary is None:
        ei, ej = e[:, :, None], e[:, None, :]
        return np.where(link, up * np.minimum(ei, ej) - down * np.maximum(ei - ej, 0.0), 0.0)
    c = np.broadcast_to(np.asarray(customary, dtype=float), e.shape)
    r = np.divide(e, c, out=np.ones_like(e), where=c > 0)
    ri, rj = r[:, :, None], r[:, None, :]
    return np.where(link, up * (np.minimum(ri, rj) - 1.0) - down * np.maximum(ri - rj, 0.0),
                    0.0)


@dataclass(frozen=True)
class SecurityState:
    """State carried from year to year.

    Attributes:
        year: The last year stepped (or the base year).
        efforts: ``(R, N, C)`` efforts of that year.
        rats: ``(R, N, C)`` RATS pooling level of each state per channel (0 = not pooling).
        contribution: ``(R, N)`` yearly contribution to RATS, share of GDP (0 until an
            upgrade with a contribution is adopted).
        insecurity: ``(R, N)`` perceived insecurity: an exponentially weighted average
            of :func:`insecurity_index` of observed incidents (weight
            ``params.insecurity_weight`` on the latest year), starting from the baseline
            rates. An indicator only: trade costs are priced on the rise of the
            *expected* rate's index above 2018-2022 (``insecurity_rise``), because the
            index is concave and noisy observed counts would bias the price.
        trust_change: ``(R, N, N)`` trust change of that year (zeros at the start).
        members: ``(R, N)`` bool, the SCO members of each run, or ``None`` for the
            calibration's members in every run. Members are RATS co-members (partners of
            one another, :meth:`SecuritySystem.partner_groups`); the security mechanism
            sets it from the model's statuses each year, so a state that accedes during a
            run becomes a partner of the members in that run from its accession on.
        haven_share: ``(R,)`` each run's ``haven_share``, or ``None`` for
            ``params.haven_share`` in every run (a sweep varies it across runs).
        transnational_share: ``(R,)`` each run's ``transnational_share``, or ``None`` for
            ``params.transnational_share``.
        haven_slope: ``(R,)`` each run's ``haven_slope``, or ``None`` for the parameter.
        haven_blowback: ``(R,)`` each run's ``haven_blowback``, or ``None`` for the
            parameter.
            None of the four enters the calibration (the 2018-2022 index; nothing is
            displaced at 2018-2022 protection), so a run at value ``v`` is the batch at
            ``v`` (tests/test_security_sweep_shares.py).
    """

    year: int
    efforts: np.ndarray
    rats: np.ndarray
    contribution: np.ndarray
    insecurity: np.ndarray
    trust_change: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0, 0)))
    members: np.ndarray | None = field(repr=False, default=None)
    haven_share: np.ndarray | None = field(repr=False, default=None)
    transnational_share: np.ndarray | None = field(repr=False, default=None)
    haven_slope: np.ndarray | None = field(repr=False, default=None)
    haven_blowback: np.ndarray | None = field(repr=False, default=None)

    @property
    def n_runs(self) -> int:
        """Number of runs ``R``."""
        return int(self.efforts.shape[0])
