"""Bilateral trade suspensions inside a customs union or free-trade area.

The 2023 base tariffs carry India's and Pakistan's suspension of their bilateral trade
(India's 200 % duty of February 2019, Pakistan's suspension of August 2019) as a
tariff equivalent that overrides SAFTA, the free-trade agreement in force
between them (docs/data.md). Whether a new arrangement between the two would end the
suspension is a political question the data cannot answer, so a proposal says which it
assumes (``suspensions`` on ``customs_union`` and ``free_trade_area``):

* ``lifted`` (the default): the arrangement's zero internal tariff replaces the
  suspension, as for any other tariff between participants;
* ``kept``: the tariff between two suspended participants stays what it was, as SAFTA
  left it (a security measure under GATT Art. XXI, which a regional agreement does not
  override).

A participant's suspension of trade with an economy outside the arrangement is kept in
both cases: a common external tariff harmonises duties, not a ban (a union of China and
Pakistan does not open Pakistan to Indian goods at the CET).

A suspended pair is read from the calibration's provenance (the tariff cells whose
method names a trade suspension), so a data version that records none (2019) has none.

The packaged tariff of a suspended pair is the equivalent of the trade the suspension cut,
stated at sigma 5 (:mod:`scosim.data.suspension`); a model re-states it at each run's own
sigma (:func:`restate_per_run`: the scenario's, a run's draw around it, or a sweep's value),
so that lifting it restores the same trade in every run.

The two measures are of different kinds, which the provenance names: India's duty stays a
tariff (its importer collects revenue on what crosses), while Pakistan's ban earns no
revenue, so a model prices it as an iceberg trade cost of the same fall (:func:`split_bans`):
its tariff cell is the rate the pair would pay without it, which the exempted goods pay
(the data's ``rate_without_measure``, read from the agreement in force: SAFTA's zero), and
the base year's flows are the data's. Lifting a ban removes the barrier in the policy's
``ban_change`` (:meth:`scosim.model.policy.PolicyState.lift_ban`, :func:`lift_bans`), along the same
phase-in as the arrangement's tariffs, and the year's GE solves it with the tariffs, at
their short-run elasticity while trade adjusts (unlike ``cost_change``: sanctions,
corridors, insecurity).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scosim.data.suspension import BAN_METHOD, SUSPENSION_SIGMA, at_sigma, ban_factor

if TYPE_CHECKING:
    from scosim.model.policy import PolicyState

__all__ = ["SUSPENSION_METHOD", "banned_pairs", "duty_pairs", "hold_suspended", "lift_bans",
           "restate_per_run", "split_bans", "suspended_pairs", "suspension_at_sigma"]

#: Text in the provenance ``method`` of a tariff cell set by a trade suspension
#: (written by :func:`scosim.data.tariffs.tariffs_2023`).
SUSPENSION_METHOD = "(trade suspension)"


def suspended_pairs(provenance: pd.DataFrame, codes: Sequence[str],
                    marker: str = SUSPENSION_METHOD) -> NDArray[np.bool_]:
    """Exporter x importer pairs whose base tariff is a trade suspension.

    Args:
        provenance: The calibration's long provenance table (``table, key, field,
            source_id, method, year``); tariff cells have ``table == "tariffs"`` and key
            ``"EXPORTER-IMPORTER"``.
        codes: The model's economies, in order.
        marker: Text the cell's method must contain (default: any suspension).

    Returns:
        (N, N) bool, exporter on the row, importer on the column.
    """
    idx = {c: k for k, c in enumerate(codes)}
    out = np.zeros((len(codes), len(codes)), dtype=bool)
    method = provenance["method"].astype(str)
    rows = provenance[(provenance["table"] == "tariffs")
                      & method.str.contains(SUSPENSION_METHOD, regex=False)
                      & method.str.contains(marker, regex=False)]
    for key in rows["key"].astype(str):
        exporter, _, importer = key.partition("-")
        if exporter in idx and importer in idx:
            out[idx[exporter], idx[importer]] = True
    return out


def banned_pairs(provenance: pd.DataFrame, codes: Sequence[str]) -> NDArray[np.bool_]:
    """The suspended pairs whose measure is a ban (no revenue), ``(N, N)`` bool.

    A suspended cell whose provenance names no kind (tables built before the kinds were
    recorded) counts as a duty, as every suspended cell did then.
    """
    return suspended_pairs(provenance, codes, BAN_METHOD)


def duty_pairs(provenance: pd.DataFrame, codes: Sequence[str]) -> NDArray[np.bool_]:
    """The suspended pairs whose measure is a duty (India's on Pakistan), ``(N, N)`` bool.

    Their cell holds the tariff equivalent of the trade the suspension cut, which no
    collection rate scales (:mod:`scosim.mechanisms.collection`).
    """
    return suspended_pairs(provenance, codes) & ~banned_pairs(provenance, codes)


def hold_suspended(
    new: NDArray[np.float64],
    old: NDArray[np.float64],
    participants: NDArray[np.bool_],
    suspended: NDArray[np.bool_],
    *,
    internal: bool,
) -> NDArray[np.float64]:
    """``new`` tariffs with the suspended pairs the arrangement does not end set back to ``old``.

    Args:
        new: (R, N, N) tariffs the arrangement would set, exporter x importer.
        old: (R, N, N) tariffs before it (the year's policy state).
        participants: (R, N) bool.
        suspended: (N, N) bool pairs (:func:`suspended_pairs`).
        internal: Also keep suspensions between two participants (``suspensions:
            kept``); a participating importer's suspension of an outsider is always kept.

    Returns:
        (R, N, N) tariffs: ``old`` on every suspended pair whose importer participates
        (and whose exporter does not, unless ``internal``), ``new`` elsewhere.
    """
    p = np.asarray(participants, dtype=bool)
    if p.ndim == 1:
        p = p[None, :]
    out = new
    # A few pairs (two in the 2023 data): cell by cell, not an (R, N, N) mask every year.
    for exporter, importer in np.argwhere(suspended):
        hold = p[:, importer] if internal else p[:, importer] & ~p[:, exporter]
        if hold.any():
            if out is new:
                out = np.array(new, dtype=float, copy=True)
            rows = np.flatnonzero(hold)
            out[rows, exporter, importer] = np.broadcast_to(
                old, out.shape)[rows, exporter, importer]
    return out


def suspension_at_sigma(
    tau: NDArray[np.float64],
    provenance: pd.DataFrame,
    codes: Sequence[str],
    sigma: float,
) -> NDArray[np.float64]:
    """Base tariffs with each suspended pair's equivalent re-stated at ``sigma``.

    The packaged equivalent ``t5`` stands for the fall ``F = (1 + t5)^5`` of the pair's
    trade; at ``sigma`` the same fall is ``F^(1/sigma) - 1``
    (:func:`scosim.data.suspension.at_sigma`). One elasticity; a batch whose runs differ
    in sigma goes through :func:`restate_per_run`.

    Args:
        tau: (N, N) base tariffs, exporter x importer (modified in place and returned).
        provenance: The calibration's provenance (:func:`suspended_pairs`).
        codes: The model's economies, in order.
        sigma: The elasticity of substitution.

    Returns:
        ``tau`` (unchanged at :data:`scosim.data.suspension.SUSPENSION_SIGMA`).
    """
    if float(sigma) == SUSPENSION_SIGMA:
        return tau
    cells = suspended_pairs(provenance, codes) & ~banned_pairs(provenance, codes)
    if cells.any():
        tau[cells] = at_sigma(tau[cells], sigma)
    return tau


def split_bans(
    tau: NDArray[np.float64],
    provenance: pd.DataFrame,
    codes: Sequence[str],
    sigma: float,
    rates: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Take the bans out of the base tariffs: their tariff cells and iceberg factors.

    A ban cell holds the tariff equivalent ``t5`` of the fall ``F = (1 + t5)^5``; as an
    iceberg cost the same fall is ``b = F^(1/(sigma - 1))``
    (:func:`scosim.data.suspension.ban_factor`). The cell's tariff becomes the rate the
    pair would pay without the ban, which the exempted goods pay: the data's
    ``rate_without_measure`` (:mod:`scosim.data.tariff_kinds`, from the agreement in
    force in the WTO RTA file; SAFTA's zero for Pakistan's ban on India, the only ban in
    the data), so the base flows are the data's CIF flows and carry that rate's revenue.
    Which cells are bans is read from the provenance (:func:`banned_pairs`).

    Args:
        tau: (N, N) base tariffs, exporter x importer (modified in place and returned).
        provenance: The calibration's provenance.
        codes: The model's economies, in order.
        sigma: The elasticity of substitution (> 1).
        rates: (N, N) the rate each cell would have without its measure
            (:func:`scosim.data.tariff_kinds.rates_without_measure`); needed where the
            data record a ban.

    Returns:
        ``(tau, factor)``: the tariffs with each ban's cell at its rate without the ban,
        and the (N, N) iceberg factors of the bans in the base year (1 elsewhere), which
        lifting a ban removes.

    Raises:
        ValueError: If a ban's cell has no rate without the ban.
    """
    factor = np.ones_like(tau, dtype=float)
    cells = banned_pairs(provenance, codes)
    if cells.any():
        factor[cells] = ban_factor(tau[cells], sigma)
        tau[cells] = _without_ban(cells, rates, codes)
    return tau, factor


def _without_ban(cells: NDArray[np.bool_], rates: NDArray[np.float64] | None,
                 codes: Sequence[str]) -> NDArray[np.float64]:
    """The rates of the ban cells ``cells`` without the ban, refused where the data lack one."""
    got = (np.full(int(cells.sum()), np.nan) if rates is None
           else np.asarray(rates, dtype=float)[cells])
    if np.isnan(got).any():
        lacking = [f"{codes[i]}-{codes[j]}" for i, j in np.argwhere(cells)]
        raise ValueError(f"tariff_kinds.csv: no rate_without_measure for the ban cell(s) "
                         f"{', '.join(lacking)}; the data record a ban there, so its rate "
                         "without the ban must be in the table (rebuild the tables with "
                         "tools/build_calibration.py)")
    return got


def restate_per_run(
    tau: NDArray[np.float64],
    provenance: pd.DataFrame,
    codes: Sequence[str],
    sigma: NDArray[np.float64],
    rates: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Base tariffs and ban factors with the suspension re-stated at each run's own sigma.

    :func:`suspension_at_sigma` and :func:`split_bans` at each run's elasticity, so that
    lifting the suspension restores the same trade in every run, whether its sigma is the
    scenario's, drawn around it (``sigma_spread``) or a sweep's value. Only the suspended
    cells depend on sigma: when every run has the same sigma, or the data record no
    suspension (data version 2019, the hindcasts' eras), the results are the shared
    ``(N, N)`` matrices; otherwise ``(R, N, N)`` copies of them, equal off the
    suspended cells. Each distinct sigma is re-stated by the same scalar call, so a run's
    cells are the same bits as in a batch whose runs all have its sigma.

    Args:
        tau: (N, N) packaged base tariffs (suspended cells at sigma 5); not modified.
        provenance: The calibration's provenance (:func:`suspended_pairs`).
        codes: The model's economies, in order.
        sigma: (R,) each run's elasticity of substitution (> 1).
        rates: (N, N) the rate each ban's cell has without the ban (:func:`split_bans`).

    Returns:
        ``(tau, factor)``: the base tariffs (bans at their rate without the ban) and the
        bans' iceberg factors (1: no ban), each ``(N, N)`` or ``(R, N, N)``.
    """
    s = np.asarray(sigma, dtype=float).reshape(-1)
    values = np.unique(s)
    cells = suspended_pairs(provenance, codes)
    if values.size == 1 or not cells.any():
        one = float(values[0]) if values.size else SUSPENSION_SIGMA
        return split_bans(suspension_at_sigma(tau.copy(), provenance, codes, one),
                          provenance, codes, one, rates)
    ban = banned_pairs(provenance, codes)
    duty = cells & ~ban
    out = np.broadcast_to(tau, (s.size, *tau.shape)).copy()
    out[:, ban] = _without_ban(ban, rates, codes)
    factor = np.ones_like(out)
    # One distinct sigma per run when drawn, a few in a sweep: the few cells alone, per
    # value, by the scalar path's own operations (suspension_at_sigma, split_bans).
    for value in values:
        rows = np.flatnonzero(s == value)[:, None]
        if duty.any() and float(value) != SUSPENSION_SIGMA:
            out[(rows, *np.nonzero(duty))] = at_sigma(tau[duty], float(value))
        if ban.any():
            factor[(rows, *np.nonzero(ban))] = ban_factor(tau[ban], float(value))
    return out, factor


def lift_bans(
    policy: PolicyState,
    factor: NDArray[np.float64],
    participants: NDArray[np.bool_],
    phase: NDArray[np.float64],
    active: NDArray[np.bool_],
) -> None:
    """Lift, in ``policy``, the bans between two participants of an arrangement.

    A ban's barrier falls along the arrangement's phase-in, as its tariffs do; a ban on
    an outsider stays (as :func:`hold_suspended` keeps a suspension's tariff). Call it only
    for an arrangement that lifts suspensions (``suspensions: lifted``).

    Args:
        policy: The policy state (its ``ban_change`` is multiplied).
        factor: (N, N) the bans' iceberg factors (:func:`split_bans`; 1: no ban), or
            (R, N, N) each run's (:func:`restate_per_run`).
        participants: (R, N) bool.
        phase: Scalar or (R,) share of the way to the arrangement's full terms.
        active: (R,) bool runs where the arrangement is applied.
    """
    p = np.asarray(participants, dtype=bool)
    ph = np.broadcast_to(np.asarray(phase, dtype=float), active.shape)
    f = np.asarray(factor, dtype=float)
    banned = f != 1.0 if f.ndim == 2 else (f != 1.0).any(axis=0)
    # One cell in the 2023 data: cell by cell, no (R, N, N) mask.
    for exporter, importer in np.argwhere(banned):
        on = active & p[:, exporter] & p[:, importer]
        if on.any():
            cell = f[..., exporter, importer]
            policy.lift_ban(int(exporter), int(importer), np.where(on, ph, 0.0),
                            float(cell) if cell.ndim == 0 else cell)
