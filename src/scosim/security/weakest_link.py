"""Weakest link in the RATS pool: a CES aggregate of the poolers' enforcement.

Counter-terrorism protection against shared threats is, in part, a weakest-link public good:
a transnational group moves its base, money and recruits through the member that polices
least, so the bloc's protection is limited by that member's enforcement (Hirshleifer 1983,
*Public Choice* 41(3), "From weakest-link to best-shot"; Sandler 1997, *Global Challenges*;
Sandler and Enders 2004, "An economic perspective on transnational terrorism", *European
Journal of Political Economy* 20(2); Arce and Sandler 2001, "Transnational public goods:
strategies and institutions", *European Journal of Political Economy* 17(3), for the
aggregation technologies of transnational public goods). How strongly the
weakest member binds is the substitutability of members' contributions, which a CES
aggregate states in one number ``rho`` (Cornes 1993, *Quarterly Journal of Economics*
108(1), "Dyke maintenance and other stories"):

``A_rho(x) = (sum_j x_j^rho)^(1/rho)``: the sum at ``rho = 1`` (summation), the smallest
``x_j`` as ``rho -> -inf`` (weakest link), the largest as ``rho -> +inf`` (best shot);
the elasticity of substitution between contributions is ``1 / (1 - rho)``.

The pool uses the power-mean form ``n * M_rho(x)``, ``M_rho`` the CES mean over the ``n``
poolers, so equal contributions give the same pool at every ``rho`` and a joiner at the
others' level adds to it: with equal capacities it is the summed effort at ``rho = 1`` and
``n`` times the smallest effort as ``rho -> -inf`` (the identities the tests check).
Contributions are *effective enforcement* ``x_j = e_j * c_j``: effort times relative
enforcement capacity ``c_j = (kappa_j / kappa_members) ** weight``
(:func:`relative_capacity`; ``kappa`` from :func:`enforcement_capacity`), because an effort
of 0.5 by a state whose police and courts work poorly stops less than the same effort
elsewhere. Capacity is scaled, per ``rho`` and ``weight``, so that today's ten members at
today's efforts pool exactly what they pooled under summation (the level ``k_pool`` was
calibrated against): changing ``rho`` changes the technology, not the calibrated return.
``rho = 1`` with ``weight = 0`` is the summation pool exactly (the model before the weakest
link).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

__all__ = [
    "ENFORCEMENT_COLUMNS",
    "ces_aggregate",
    "enforcement_capacity",
    "enforcement_csv",
    "pooled_enforcement",
    "power_mean",
    "accession_rows",
    "free_rider_rows",
    "main",
    "relative_capacity",
]

#: Heritage Foundation 2019 Index of Economic Freedom, the three "Rule of Law" components
#: (0-100; data circa 2016-2017): what enforcement capacity is read from.
ENFORCEMENT_COLUMNS = ("Property Rights", "Judical Effectiveness", "Government Integrity")
#: Below this a power mean is treated as the geometric mean (rho = 0).
_RHO_ZERO = 1e-12


def power_mean(x: np.ndarray, mask: np.ndarray, rho: float) -> np.ndarray:
    """CES (power) mean of ``x`` over ``mask`` along the last axis, ``(R,)``.

    ``M_rho = (mean_j x_j^rho)^(1/rho)``; ``rho = 0`` the geometric mean, ``-inf`` the
    minimum. Zero where the mask is empty. For ``rho <= 0`` a zero contribution makes the
    mean zero (the weakest link is absent).

    Args:
        x: ``(R, N)`` non-negative contributions.
        mask: ``(N,)`` or ``(R, N)`` bool, who counts.
        rho: CES exponent (``<= 1`` in the model; any real number here).
    """
    x = np.asarray(x, dtype=float)
    m = np.broadcast_to(np.asarray(mask, dtype=bool), x.shape)
    n = m.sum(axis=-1)
    has = n > 0
    if math.isinf(rho):
        fill = np.inf if rho < 0 else -np.inf
        ext = (np.where(m, x, fill).min(axis=-1) if rho < 0
               else np.where(m, x, fill).max(axis=-1))
        return np.where(has, ext, 0.0)
    zero = (m & (x <= 0)).any(axis=-1)
    if abs(rho) < _RHO_ZERO:
        with np.errstate(divide="ignore"):
            lg = np.where(m & (x > 0), np.log(np.where(x > 0, x, 1.0)), 0.0)
        g = np.exp(lg.sum(axis=-1) / np.where(has, n, 1))
        return np.where(has & ~zero, g, 0.0)
    if rho < 0:
        safe = np.where(m & (x > 0), x, 1.0)
        s = np.where(m, safe**rho, 0.0).sum(axis=-1) / np.where(has, n, 1)
        return np.where(has & ~zero, np.where(has, s, 1.0) ** (1.0 / rho), 0.0)
    s = np.where(m, np.maximum(x, 0.0) ** rho, 0.0).sum(axis=-1) / np.where(has, n, 1)
    return np.where(has, s ** (1.0 / rho), 0.0)


def ces_aggregate(x: np.ndarray, mask: np.ndarray, rho: float) -> np.ndarray:
    """Hirshleifer-Cornes aggregate ``n * M_rho(x)`` over ``mask``, ``(R,)``.

    The sum of ``x`` at ``rho = 1``, ``n`` times its minimum as ``rho -> -inf``; equal
    contributions give their sum at every ``rho``.
    """
    m = np.broadcast_to(np.asarray(mask, dtype=bool), np.shape(x))
    return m.sum(axis=-1) * power_mean(x, m, rho)


def pooled_enforcement(efforts: np.ndarray, capacity: np.ndarray | None, mask: np.ndarray,
                       rho: float) -> np.ndarray:
    """The pool's aggregate ``n * M_rho(x)`` of the poolers' effective enforcement, ``(R,)``.

    ``x = effort * capacity``. At ``rho = 1`` with no capacity (or capacity 1) this is the
    poolers' summed effort, computed as that sum (so the summation model is reproduced bit
    for bit). It rises with every pooler's effort at every ``rho`` (a power mean is
    increasing in each argument), so raising an effort never lowers the pool.

    Args:
        efforts: ``(R, N)`` efforts in one channel.
        capacity: ``(N,)`` relative enforcement capacity (None: 1 everywhere).
        mask: ``(R, N)`` bool, the poolers.
        rho: CES exponent (1 = summation, ``-inf`` = weakest link).
    """
    e = np.asarray(efforts, dtype=float)
    x = e if capacity is None else e * np.asarray(capacity, dtype=float)
    if rho == 1.0:
        return (x * mask).sum(axis=-1)
    return ces_aggregate(x, mask, rho)


def relative_capacity(kappa: np.ndarray, members: np.ndarray, weight: float,
                      efforts: np.ndarray | None = None, rho: float = 1.0) -> np.ndarray:
    """Enforcement capacity ``kappa ** weight`` scaled so today's members pool as before, ``(N,)``.

    The scale ``s`` makes today's members at their reference ``efforts`` pool exactly their
    summed effort, the level ``k_pool`` was calibrated against, at every ``rho`` and
    ``weight``: ``n * M_rho(e * s * kappa ** weight) = sum(e)`` over today's members, so
    ``s = mean(e) / M_rho(e * kappa ** weight)`` (``M_rho`` is homogeneous of degree one).
    Scaling by the arithmetic mean of ``kappa`` alone, as before 2026-12-06, left today's
    pool at ``n * M_rho(kappa) / mean(kappa)`` times the calibrated level (0.969 at
    ``rho = -1``, 0.779 at ``-inf``): a silent cut of the pooled return in every ``rho``
    comparison. ``weight`` 0 ignores capacity (every state counts its effort as is).

    Args:
        kappa: ``(N,)`` enforcement capacity (:func:`enforcement_capacity`).
        members: ``(N,)`` bool, today's members (the yardstick).
        weight: Exponent on capacity (``SecurityParams.enforcement_weight``).
        efforts: ``(N,)`` reference efforts (None: equal efforts).
        rho: CES exponent of the pool (``SecurityParams.pool_rho``).

    Raises:
        ValueError: If today's members' reference pool is zero (a member at zero effort
            with ``rho <= 0``), so no scale can restore it.
    """
    k = np.asarray(kappa, dtype=float)
    m = np.asarray(members, dtype=bool)
    e = np.ones_like(k) if efforts is None else np.asarray(efforts, dtype=float)
    x = e * k**weight
    ref = float(power_mean(x[None, :], m, rho)[0])
    if not ref > 0:
        raise ValueError("baseline_effort: with pool_rho <= 0 every one of today's members "
                         "needs a positive effort (the pool is calibrated at it); got zero")
    return k**weight * (float(e[m].mean()) / ref)


def enforcement_capacity(rule_of_law: np.ndarray) -> np.ndarray:
    """Enforcement capacity ``kappa`` in (0, 1] from the Heritage Rule of Law score (0-100).

    The score over 100: a state's police, courts and integrity relative to a perfect one
    (a proxy, an assumption: no index measures counter-terrorism enforcement itself).
    """
    k = np.asarray(rule_of_law, dtype=float) / 100.0
    return np.clip(k, 0.01, 1.0)


def enforcement_csv(raw_dir: Path) -> str:
    """The ``enforcement`` table: each listed economy's Heritage 2019 Rule of Law score.

    The score is the mean of the three components (:data:`ENFORCEMENT_COLUMNS`), as
    Heritage forms its "Rule of Law" pillar; an economy Heritage does not grade gets the
    median of the graded ones (``scosim_rule``). Sums are :func:`math.fsum` in column order,
    so the file is the same on every machine.
    """
    # Deferred: the build helpers import pandas, which a run never needs.
    from scosim.data.constants import LISTED
    from scosim.data.raw import HERITAGE_NAMES, RAW_FILES, numeric, read
    from scosim.security.build import _csv

    fname = RAW_FILES["heritage"]
    h = read(raw_dir, "heritage", ["Country Name", *ENFORCEMENT_COLUMNS], encoding="latin-1")
    for c in ENFORCEMENT_COLUMNS:
        h[c] = numeric(h, c, fname)
    found: dict[str, tuple[float, ...]] = {}
    for _, row in h.iterrows():
        name = str(row["Country Name"]).strip()
        vals = tuple(float(row[c]) for c in ENFORCEMENT_COLUMNS)
        if all(not math.isnan(v) for v in vals):
            found.setdefault(name, vals)
    graded = {iso: found[HERITAGE_NAMES[iso]] for iso in LISTED
              if iso in HERITAGE_NAMES and HERITAGE_NAMES[iso] in found}
    scores = {iso: math.fsum(v) / len(v) for iso, v in graded.items()}
    known = sorted(scores.values())
    med = known[len(known) // 2] if len(known) % 2 else 0.5 * (
        known[len(known) // 2 - 1] + known[len(known) // 2])
    rows = []
    for iso in LISTED:
        if iso in scores:
            rows.append([iso, scores[iso], *graded[iso], "heritage_2019",
                         "mean of the three Rule of Law components (data c. 2016-2017)"])
        else:
            rows.append([iso, med, "", "", "", "scosim_rule",
                         "imputed: median of the graded listed economies"])
    return _csv(["iso3", "rule_of_law", "property_rights", "judicial_effectiveness",
                 "government_integrity", "source", "method"], rows)


#: ``(label, pool_rho, enforcement_weight)`` of :func:`accession_rows`.
ACCESSION_GRID = (("summation, capacity ignored", 1.0, 0.0), ("1", 1.0, 1.0), ("0", 0.0, 1.0),
                  ("-1 (default)", -1.0, 1.0), ("-4", -4.0, 1.0), ("-inf", -math.inf, 1.0))


def accession_rows(instability: float = 1.3,
                   size_exponent: float = 1.0) -> list[dict[str, str]]:
    """Afghanistan's accession at today's efforts and RATS, over :data:`ACCESSION_GRID`.

    Expected values (no draws) from :func:`scosim.security.proposal.accession_security_gain`,
    at ``pool_size_exponent = size_exponent``, every other parameter at its default (safe
    havens included).
    """
    from dataclasses import replace

    from scosim.security.model import SecuritySystem
    from scosim.security.params import SecurityParams
    from scosim.security.proposal import accession_security_gain

    rows = []
    for label, rho, weight in ACCESSION_GRID:
        sys_ = SecuritySystem(params=replace(SecurityParams(), pool_rho=rho,
                                             enforcement_weight=weight,
                                             pool_size_exponent=size_exponent))
        g = accession_security_gain(sys_, sys_.baseline_state(1), sys_.afg, instability)
        m = sys_.cal.members
        rows.append({
            "pool_rho": label,
            "members' index gain, mean": f"{g['gain'][0, m].mean():.4f}",
            "smallest member gain": f"{g['gain'][0, m].min():.4f}",
            "members' incidents avoided a year": f"{g['incidents_avoided'][0, m].sum():.2f}",
            "Afghanistan's incidents avoided": f"{g['incidents_avoided'][0, sys_.afg]:.1f}",
        })
    return rows


#: ``(label, pool_rho, enforcement_weight)`` of :func:`free_rider_rows`.
FREE_RIDER_GRID = (("summation, capacity ignored", 1.0, 0.0), ("1", 1.0, 1.0),
                   ("0", 0.0, 1.0), ("-1 (default)", -1.0, 1.0), ("-inf", -math.inf, 1.0))


def free_rider_rows(code: str = "KAZ") -> list[dict[str, str]]:
    """The other members' index loss when member ``code`` contributes nothing, by ``pool_rho``.

    Today's efforts, RATS and instability, one year, no draws: ``code`` sets every channel's
    effort to 0 (the ``free_riding`` rule) and keeps pooling; the loss is the others' security
    index with its customary effort minus without. At ``rho <= 0`` its zero empties the
    pool, so every pooler loses the whole pooled term.

    Raises:
        ValueError: If ``code`` is not one of today's members.
    """
    from dataclasses import replace

    from scosim.security.model import SecuritySystem
    from scosim.security.params import SecurityParams

    rows = []
    for label, rho, weight in FREE_RIDER_GRID:
        sys_ = SecuritySystem(params=replace(SecurityParams(), pool_rho=rho,
                                             enforcement_weight=weight))
        if code not in sys_.codes or not sys_.cal.members[sys_.codes.index(code)]:
            raise ValueError(f"--free-rider: {code!r} is not one of today's members")
        i = sys_.codes.index(code)
        state = sys_.baseline_state(1)
        e = state.efforts.copy()
        e[:, i, :] = 0.0
        loss = (sys_.security(state) - sys_.security(state, e))[0]
        others = sys_.cal.members.copy()
        others[i] = False
        rows.append({"pool_rho": label,
                     "other members' index loss, mean": f"{loss[others].mean():.3f}",
                     "smallest": f"{loss[others].min():.3f}",
                     "largest": f"{loss[others].max():.3f}"})
    return rows


def main(argv: list[str] | None = None) -> int:
    """Print :func:`accession_rows` (docs/security.md section 3) as a Markdown table.

    ``--free-rider CODE`` prints :func:`free_rider_rows` for that member instead;
    ``--size-exponent X`` the accession table at ``pool_size_exponent`` X (default 1).
    """
    import argparse

    from scosim.security.validation import markdown

    ap = argparse.ArgumentParser(prog="python -m scosim.security.weakest_link")
    ap.add_argument("--free-rider", metavar="CODE",
                    help="a member contributing nothing: the others' index loss by pool_rho")
    ap.add_argument("--size-exponent", type=float, default=1.0, metavar="X",
                    help="pool_size_exponent of the accession table, in [0, 1] (default 1)")
    args = ap.parse_args(argv)
    if not 0.0 <= args.size_exponent <= 1.0:
        print(f"--size-exponent: must be in [0, 1], got {args.size_exponent}", file=sys.stderr)
        return 2
    if args.free_rider:
        try:
            rows = free_rider_rows(args.free_rider.upper())
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return 2
    else:
        rows = accession_rows(size_exponent=args.size_exponent)
    print(markdown(rows, list(rows[0])))
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main, sys.argv[1:]))
