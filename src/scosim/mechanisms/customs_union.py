"""Customs union proposal: common external tariff, revenue pooling, indicators.

Pure array functions (no I/O, no globals) batched over a leading run axis ``R``
for ``N`` economies. Conventions follow :mod:`scosim.mechanisms.trade`:

* ``tariffs[..., i, j]`` is the ad valorem tariff (a fraction, 0.05 = 5 %)
  applied by importer ``j`` on goods from exporter ``i``; the diagonal is 0.
* ``flows[..., i, j]`` is the value of exporter ``i``'s sales to importer ``j``
  at the importer's tariff-inclusive prices; the diagonal is domestic sales.
* ``participants[r, k]`` is True when economy ``k`` is in the union in run ``r``.
* A revenue-sharing matrix ``S[..., j, k]`` is the share of the revenue
  collected by ``k`` that ``j`` receives; columns sum to 1.

The proposal follows Karagulov (seed 000): free movement of goods inside the
union (zero internal tariffs), a common external tariff (CET), and an agreed
distribution of the revenue the union collects. Exact definitions of every
indicator are in ``docs/customs_union.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.mechanisms._cu_checks import (
    _country,
    _participants,
    _require_nonempty,
    _runs_matrix,
    _runs_scalar,
    _runs_vector,
)
from scosim.mechanisms.blocs import (
    blocs_move_together,
    customs_union_blocs,
    preference_pairs,
)
from scosim.mechanisms.trade import GEResult, solve_ge
from scosim.mechanisms.union_accounts import (
    _cif,
    bloc_summary,
    union_indicators,
)

__all__ = [
    "CET_RULES",
    "SHARING_RULES",
    "bloc_summary",
    "blocs_move_together",
    "cet_rate",
    "customs_union_blocs",
    "preference_pairs",
    "fta_tariffs",
    "preview",
    "sharing_matrix",
    "union_indicators",
    "union_tariffs",
]

#: Named rules for the common external tariff; a float in [0, 1] is also allowed.
#: ``art_xxiv`` needs the union's whole schedule, not only the MFN rates:
#: :func:`scosim.mechanisms.art_xxiv.art_xxiv_cet`.
CET_RULES: tuple[str, ...] = ("mean", "weighted_mean", "min", "max", "art_xxiv")
#: Named rules for sharing the pooled tariff revenue.
SHARING_RULES: tuple[str, ...] = ("collected", "gdp", "imports", "population", "fixed")

# Fixed shares must sum to 1 within this tolerance (published shares are
# rounded, e.g. the EAEU's to 0.01 percentage point); they are then rescaled.
_SHARE_SUM_TOL = 1e-6

# The data tables store 15 significant digits (scosim.data.raw.FLOAT_DIGITS): a tariff
# recomputed from their formula differs from the stored one by up to 5e-15 of it.
_STORED_RTOL = 1e-13

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# --------------------------------------------------------------------------
# common external tariff
# --------------------------------------------------------------------------


def cet_rate(
    mfn: ArrayLike,
    imports: ArrayLike | None,
    participants: ArrayLike,
    rule: str | float | ArrayLike,
) -> FloatArray:
    """Common external tariff of the union in each run.

    Args:
        mfn: Each economy's MFN applied tariff (fraction), shape (N,) or (R, N).
        imports: Each economy's total imports excluding domestic sales, shape
            (N,) or (R, N); only read by ``"weighted_mean"`` (may be None otherwise).
            Total imports are used rather than imports from non-participants
            because they do not depend on who joins and are what tariff
            databases (WITS, WTO Tariff Profiles) weight with; pass
            extra-union imports here to weight by those instead.
        participants: (R, N) bool, True where the economy is in the union.
            A (N,) vector is treated as one run.
        rule: ``"mean"`` (simple mean of participants' MFN rates),
            ``"weighted_mean"`` (mean weighted by ``imports``), ``"min"``,
            ``"max"``, a number in [0, 1] used as the CET in every run, or an (R,)
            array of such numbers, one per run (a swept CET).

    Returns:
        (R,) CET rate per run, as a fraction.

    Raises:
        ValueError: Unknown rule, a number outside [0, 1], negative or
            non-finite tariffs or imports, missing imports for
            ``"weighted_mean"``, participants whose imports sum to zero, or an
            empty participant set in any run (there is no union, so no CET; the
            caller should skip those runs).
    """
    p = _participants(participants)
    n_runs, n = p.shape
    if isinstance(rule, str):
        if rule not in CET_RULES:
            raise ValueError(
                f"unknown CET rule {rule!r}; allowed: {', '.join(CET_RULES)} or a number in [0, 1]"
            )
    elif isinstance(rule, bool) or not (
            isinstance(rule, (int, float, np.integer, np.floating))
            or (isinstance(rule, np.ndarray) and rule.ndim == 1)):
        raise ValueError(
            f"CET rule must be one of {', '.join(CET_RULES)} or a number in [0, 1]; got {rule!r}"
        )
    else:
        # A number, or one per run (a sweep's values): the same checks either way.
        value = _runs_scalar(rule, "cet", n_runs)
        bad = ~((value >= 0.0) & (value <= 1.0))
        if bad.any():
            shown = float(rule) if np.ndim(rule) == 0 else value[bad].tolist()
            raise ValueError(f"a numeric CET must be a fraction in [0, 1]; got {shown}")
        _require_nonempty(p)
        return np.array(value, dtype=float)  # a copy: never the swept values themselves

    if rule == "art_xxiv":
        raise ValueError(
            "CET rule 'art_xxiv' depends on the union's tariff schedule and base-year "
            "trade, not only the MFN rates: use scosim.mechanisms.art_xxiv.art_xxiv_cet")
    _require_nonempty(p)
    rates = _runs_vector(mfn, "mfn", n_runs, n)
    if np.any(rates < 0):
        raise ValueError("mfn tariffs must be >= 0 (fractions, 0.05 = 5 %)")
    if rule == "mean":
        return np.sum(np.where(p, rates, 0.0), axis=1) / p.sum(axis=1)
    if rule == "min":
        return np.min(np.where(p, rates, np.inf), axis=1)
    if rule == "max":
        return np.max(np.where(p, rates, -np.inf), axis=1)
    # weighted_mean
    if imports is None:
        raise ValueError("CET rule 'weighted_mean' needs imports (N,) or (R, N)")
    w = _runs_vector(imports, "imports", n_runs, n)
    if np.any(w < 0):
        raise ValueError("imports must be >= 0")
    w = np.where(p, w, 0.0)
    total = w.sum(axis=1)
    bad = np.flatnonzero(total <= 0)
    if bad.size:
        raise ValueError(
            f"participants' imports sum to zero in run(s) {bad.tolist()}; "
            f"an import-weighted CET is undefined there"
        )
    return np.sum(w * rates, axis=1) / total


# --------------------------------------------------------------------------
# tariffs under the union
# --------------------------------------------------------------------------


def union_tariffs(
    base: ArrayLike,
    participants: ArrayLike,
    cet: ArrayLike,
    phase: ArrayLike = 1.0,
    keep: ArrayLike | None = None,
    factors: ArrayLike | None = None,
    pair_factors: ArrayLike | None = None,
) -> FloatArray:
    """Bilateral tariffs once a customs union is (partly) phased in.

    The phase-in is linear in the tariff *rate*: with phase ``p``,

    * between two participants: ``(1 - p) * base`` (never above ``base``);
    * participant ``j`` on non-participant ``i``: ``base + p * (cet k_i - base)``,
      with ``k_i`` the schedule's factor for exporter ``i`` (``factors``; 1 when not
      given, :mod:`scosim.mechanisms.cet_schedule`), times ``pair_factors[i, j]`` when
      given (the share of ``j``'s imports from ``i`` that pays the external tariff: the
      Rest of World's, :mod:`scosim.data.row_tariff`), except for pairs in ``keep``
      (a preference in force that the union does not replace), where it is
      ``min(base, base + p * (cet k_i - base))``: the
      union may lower that tariff but never raises it; a target ``cet k_i`` equal
      to ``base`` within the tables' stored precision (relative 1e-13) is ``base``;
    * tariffs imposed by non-participants: ``base`` (unchanged);
    * the diagonal stays 0.

    Args:
        base: Baseline tariffs (N, N) or (R, N, N), importer on the column.
        participants: (R, N) bool (a (N,) vector is one run).
        cet: Common external tariff, scalar or (R,), >= 0.
        phase: Share of the way from ``base`` to the full union, scalar or
            (R,), in [0, 1]; 0 = baseline, 1 = full union.
        keep: Optional (N, N) or (R, N, N) bool, exporter x importer: pairs whose
            existing preference a participating importer keeps (None: none).
        factors: Optional (N,) or (R, N) exporter factors of the CET schedule, >= 0:
            the union charges outside exporter ``i`` ``cet * factors[i]`` (None: the
            CET on every outsider); or (R, N, N) factors by pair, exporter x
            importer (:func:`scosim.mechanisms.cet_schedule.schedule_factors`).
        pair_factors: Optional (N, N) multiples of that target by pair, exporter x
            importer, in [0, 1] (None: 1 everywhere).

    Returns:
        (R, N, N) tariffs.

    Raises:
        ValueError: Wrong shapes, negative or non-finite tariffs, a non-zero
            diagonal in ``base``, or ``phase`` outside [0, 1].
    """
    p = _participants(participants)
    n_runs, n = p.shape
    tau = _runs_matrix(base, "base tariffs", n_runs, n)
    if np.any(tau < 0):
        raise ValueError("base tariffs must be >= 0 (fractions, 0.05 = 5 %)")
    diag = np.diagonal(tau, axis1=-2, axis2=-1)
    if np.any(diag != 0):
        raise ValueError("base tariffs must have a zero diagonal (no tariff on domestic sales)")
    c = _runs_scalar(cet, "cet", n_runs)
    if np.any(c < 0):
        raise ValueError(f"cet must be >= 0; got {c[c < 0].tolist()}")
    ph = _runs_scalar(phase, "phase", n_runs)
    if np.any((ph < 0) | (ph > 1)):
        raise ValueError(f"phase must be in [0, 1]; got {ph[(ph < 0) | (ph > 1)].tolist()}")

    target = c[:, np.newaxis, np.newaxis]
    if factors is not None:
        if np.ndim(factors) == 3:
            k = _runs_matrix(factors, "factors", n_runs, n)  # exporter x importer
        else:
            k = _runs_vector(factors, "factors", n_runs, n)[:, :, np.newaxis]  # exporter i
        if np.any(k < 0):
            raise ValueError("CET factors must be >= 0")
        target = target * k
    if pair_factors is not None:
        pf = np.asarray(pair_factors, dtype=np.float64)
        if pf.shape != (n, n) or not np.all((pf >= 0) & (pf <= 1)):
            what = (f"shape {pf.shape}" if pf.shape != (n, n) else
                    f"values from {np.nanmin(pf):g} to {np.nanmax(pf):g}")
            raise ValueError(f"pair_factors must be ({n}, {n}) in [0, 1]; got {what}")
        target = target * pf  # (R, N, N)
    # A target that is the base tariff to the precision the tables are stored with is the
    # base tariff: a union charging a member's own schedule at its own rate (the EAEU
    # alone) then changes nothing, not the 16th digit that would start the adjustment clock.
    target = np.where(np.abs(target - tau) <= _STORED_RTOL * tau, tau, target)
    # One formula for every pair, base + p (target - base), with the target 0 from a
    # participating exporter (internal free trade) and the step 0 into an importer outside
    # the union (its tariffs unchanged): three passes over the (R, N, N) stack, not ten.
    target = np.where(p[:, :, np.newaxis], 0.0, target)  # exporter on the row
    step = ph[:, np.newaxis] * p  # (R, N) over importers
    out = target - tau
    out *= step[:, np.newaxis, :]
    out += tau
    if keep is not None:
        # Between two participants and into an outside importer out <= base already, so
        # min(base, out) changes only the external pairs a kept preference protects.
        k = np.broadcast_to(np.asarray(keep, dtype=bool), (n_runs, n, n))
        out = np.where(k, np.minimum(tau, out), out)
    idx = np.arange(n)
    out[:, idx, idx] = 0.0
    return out


def fta_tariffs(base: ArrayLike, participants: ArrayLike, phase: ArrayLike = 1.0) -> FloatArray:
    """Bilateral tariffs of a free-trade area: internal tariffs phased out, external kept.

    Between two participants the tariff is ``(1 - p) * base``; every other
    tariff is unchanged (members keep their own tariffs on outsiders). Tariffs
    are levied by origin, so rules of origin are taken as perfectly enforced
    (no trade deflection through the member with the lowest external tariff).
    This is :func:`union_tariffs` without a common external tariff.

    Args:
        base: Baseline tariffs (N, N) or (R, N, N), importer on the column.
        participants: (R, N) bool (a (N,) vector is one run).
        phase: Scalar or (R,) in [0, 1].

    Returns:
        (R, N, N) tariffs.
    """
    p = _participants(participants)
    n_runs, n = p.shape
    tau = _runs_matrix(base, "base tariffs", n_runs, n)
    if np.any(tau < 0):
        raise ValueError("base tariffs must be >= 0 (fractions, 0.05 = 5 %)")
    ph = _runs_scalar(phase, "phase", n_runs)
    if np.any((ph < 0) | (ph > 1)):
        raise ValueError(f"phase must be in [0, 1]; got {ph[(ph < 0) | (ph > 1)].tolist()}")
    pair = p[:, :, np.newaxis] & p[:, np.newaxis, :]
    out = np.where(pair, (1.0 - ph[:, np.newaxis, np.newaxis]) * tau, tau)
    idx = np.arange(n)
    out[:, idx, idx] = 0.0
    return out


# --------------------------------------------------------------------------
# revenue sharing
# --------------------------------------------------------------------------


def _fixed_vector(
    fixed_shares: ArrayLike | Mapping[int | str, float],
    n: int,
    names: Sequence[str] | None,
) -> FloatArray:
    """Turn fixed shares given as an array or a {index or code: share} dict into (N,)."""
    if isinstance(fixed_shares, Mapping):
        v = np.zeros(n)
        for key, share in fixed_shares.items():
            if isinstance(key, str):
                if names is None or key not in names:
                    known = "" if names is None else f"; known codes: {', '.join(names)}"
                    raise ValueError(
                        f"fixed_shares key {key!r} is not a known economy{known} "
                        f"(pass names=... to use codes, or use integer indices)"
                    )
                k = list(names).index(key)
            elif isinstance(key, (int, np.integer)) and not isinstance(key, bool):
                k = int(key)
                if not 0 <= k < n:
                    raise ValueError(f"fixed_shares index {k} is out of range 0..{n - 1}")
            else:
                raise ValueError(f"fixed_shares keys must be integer indices or codes; got {key!r}")
            v[k] = float(share)
    else:
        v = np.asarray(fixed_shares, dtype=float)
        if v.shape != (n,):
            raise ValueError(f"fixed_shares must be a ({n},) array or a dict; got shape {v.shape}")
    if not np.all(np.isfinite(v)) or np.any(v < 0):
        raise ValueError("fixed_shares must be finite and >= 0")
    total = float(v.sum())
    if abs(total - 1.0) > _SHARE_SUM_TOL:
        hint = " (give fractions, not percent)" if abs(total - 100.0) < 1e-3 else ""
        raise ValueError(f"fixed_shares must sum to 1; got {total:.10g}{hint}")
    return v


def sharing_matrix(
    participants: ArrayLike,
    rule: str,
    *,
    gdp: ArrayLike | None = None,
    imports: ArrayLike | None = None,
    population: ArrayLike | None = None,
    fixed_shares: ArrayLike | Mapping[int | str, float] | None = None,
    allow_departed: bool = False,
    names: Sequence[str] | None = None,
) -> FloatArray:
    """Column-stochastic matrix sharing the union's pooled tariff revenue.

    ``S[r, j, k]`` is the share of the revenue collected by ``k`` that ``j``
    receives. Non-participants keep their own revenue (``S[k, k] = 1``).
    Revenue collected by any participant is pooled and split among the
    participants with the same shares ``s[j]`` (summing to 1 over
    participants), so ``S[j, k] = s[j]`` for participants ``j, k``.

    Args:
        participants: (R, N) bool (a (N,) vector is one run).
        rule: ``"collected"`` (each keeps what it collects: identity),
            ``"gdp"``, ``"imports"``, ``"population"`` (shares proportional to
            that variable among participants), or ``"fixed"`` (``fixed_shares``).
        gdp: (N,) or (R, N), for rule ``"gdp"``.
        imports: (N,) or (R, N), for rule ``"imports"``.
        population: (N,) or (R, N), for rule ``"population"``.
        fixed_shares: For rule ``"fixed"``: (N,) array or dict mapping an
            index (or a code, with ``names``) to a share; shares are
            fractions summing to 1, zero for economies not listed.
        allow_departed: For ``"fixed"``. False (default): a positive share on
            a non-participant is an error. True: such economies are taken to
            have left the union; their shares are dropped and the remaining
            participants' shares renormalised to sum to 1 (a participant
            with share 0 pools its revenue and receives none of the pool).
        names: Optional economy codes, used in error messages and as keys.

    Returns:
        (R, N, N) matrix whose columns sum to 1.

    Raises:
        ValueError: Unknown rule, a missing or invalid variable (negative,
            non-finite, summing to zero over participants), or invalid fixed
            shares (not summing to 1, on a non-participant without
            ``allow_departed``, none left on current participants).
    """
    p = _participants(participants)
    n_runs, n = p.shape
    if rule not in SHARING_RULES:
        raise ValueError(f"unknown sharing rule {rule!r}; allowed: {', '.join(SHARING_RULES)}")
    eye = np.broadcast_to(np.eye(n), (n_runs, n, n))
    if rule == "collected":
        return eye.copy()

    if rule == "fixed":
        if fixed_shares is None:
            raise ValueError("sharing rule 'fixed' needs fixed_shares")
        v = _fixed_vector(fixed_shares, n, names)
        outside = (v[np.newaxis, :] > 0) & ~p
        if outside.any() and not allow_departed:
            r, k = (int(a[0]) for a in np.nonzero(outside))
            raise ValueError(
                f"fixed_shares gives a positive share to {_country(k, names)}, which is not "
                f"a participant (run {r}); shares may only go to participants "
                f"(pass allow_departed=True to drop members that left and renormalise)"
            )
        weights = np.where(p, v[np.newaxis, :], 0.0)
        label = "fixed_shares"
    else:
        source = {"gdp": gdp, "imports": imports, "population": population}[rule]
        if source is None:
            raise ValueError(f"sharing rule {rule!r} needs {rule}= (N,) or (R, N)")
        x = _runs_vector(source, rule, n_runs, n)
        if np.any(x[p] < 0):
            raise ValueError(f"{rule} must be >= 0 for participants")
        weights = np.where(p, x, 0.0)
        label = rule

    total = weights.sum(axis=1)
    # Runs without participants have nothing to pool: identity there.
    bad = np.flatnonzero((total <= 0) & p.any(axis=1))
    if bad.size:
        raise ValueError(
            f"{label} sums to zero over the participants in run(s) {bad.tolist()}; "
            f"no participant would receive the pooled revenue"
        )
    shares = np.divide(
        weights, total[:, np.newaxis], out=np.zeros_like(weights), where=total[:, np.newaxis] > 0
    )
    pooled = shares[:, :, np.newaxis] * p[:, np.newaxis, :]  # S[j, k] = s[j] if k in union
    return np.where(p[:, np.newaxis, :], pooled, eye)


# --------------------------------------------------------------------------
# one-call preview for the Council
# --------------------------------------------------------------------------


def preview(
    base_flows: ArrayLike,
    base_tariffs: ArrayLike,
    mfn: ArrayLike,
    imports: ArrayLike | None,
    participants: ArrayLike,
    *,
    cet_rule: str | float,
    sharing_rule: str,
    sigma: float,
    deficits: str = "level",
    gdp: ArrayLike | None = None,
    population: ArrayLike | None = None,
    fixed_shares: ArrayLike | Mapping[int | str, float] | None = None,
    phase: ArrayLike = 1.0,
    allow_departed: bool = False,
    names: Sequence[str] | None = None,
    cet_factors: ArrayLike | None = None,
    pair_factors: ArrayLike | None = None,
    **solver_options: Any,
) -> tuple[GEResult, dict[str, FloatArray]]:
    """Build the union's tariffs and sharing matrix, solve the GE once, report.

    Every run in the batch is solved in a single ``solve_ge`` call, so the
    Council can score many candidate participant sets at once (a single
    baseline ``(N, N)`` is broadcast over the runs). Revenue pooling applies
    in full from the start; only the tariff rates are phased in.

    Args:
        base_flows: (N, N) or (R, N, N) baseline flows (tariff-inclusive).
        base_tariffs: (N, N) or (R, N, N) baseline tariffs.
        mfn: (N,) or (R, N) MFN tariffs, for the CET rule.
        imports: (N,) or (R, N) total imports used to weight the CET and to
            share revenue by imports; None derives them from ``base_flows``
            (imports before tariffs, excluding domestic sales).
        participants: (R, N) bool.
        cet_rule: See :func:`cet_rate`.
        sharing_rule: See :func:`sharing_matrix`.
        sigma: Elasticity of substitution (> 1), passed to ``solve_ge``.
        deficits: Deficit closure, passed to ``solve_ge``.
        gdp: For sharing rule ``"gdp"``.
        population: For sharing rule ``"population"``.
        fixed_shares: For sharing rule ``"fixed"``.
        phase: Phase-in of the tariff rates, scalar or (R,), see :func:`union_tariffs`.
        allow_departed: See :func:`sharing_matrix`.
        names: Optional economy codes for error messages.
        cet_factors: Exporter factors of the CET schedule, see :func:`union_tariffs`
            (None: the CET on every outsider).
        pair_factors: Share of each pair's imports paying the CET, see
            :func:`union_tariffs` (None: all of them).
        **solver_options: Further keyword arguments for ``solve_ge``.

    Returns:
        ``(result, indicators)``: the ``GEResult`` and :func:`union_indicators`.
    """
    p = _participants(participants)
    n_runs, n = p.shape
    x0 = np.ascontiguousarray(_runs_matrix(base_flows, "base_flows", n_runs, n))
    t0 = np.ascontiguousarray(_runs_matrix(base_tariffs, "base_tariffs", n_runs, n))
    if imports is None:
        imports = _cif(x0, t0).sum(axis=1)
    cet = cet_rate(mfn, imports, p, cet_rule)
    t1 = union_tariffs(t0, p, cet, phase, factors=cet_factors, pair_factors=pair_factors)
    share = sharing_matrix(
        p,
        sharing_rule,
        gdp=gdp,
        imports=imports,
        population=population,
        fixed_shares=fixed_shares,
        allow_departed=allow_departed,
        names=names,
    )
    result = solve_ge(
        x0,
        sigma=sigma,
        tariffs=t0,
        new_tariffs=t1,
        deficits=deficits,
        revenue_sharing=share,
        **solver_options,
    )
    return result, union_indicators(x0, result, p, t0, t1)
