"""The highest common external tariff GATT Art. XXIV:5(a) allows, on base-year weights.

GATT Art. XXIV:5(a): the duties a customs union applies to outsiders "shall not on the
whole be higher or more restrictive than the general incidence" of its members' duties
before it. The Understanding on the Interpretation of Article XXIV of the GATT 1994,
paragraph 2, says how that is assessed: "based upon an overall assessment of weighted
average tariff rates and of customs duties collected", with "import statistics for a
previous representative period". So the weights are the imports before the union: here
the calibration's base-year imports (CIF, before duties), the same before and after.

The measure is the members' import-weighted average tariff on imports from outsiders,
``M(c) = sum_ij w_ij t_ij(c) / sum_ij w_ij`` over outside exporters ``i`` and member
importers ``j`` (:func:`scosim.mechanisms.welfare_terms.average_external_tariff`, the
same function the run's Art. XXIV check uses). Under a uniform CET ``c`` each pair pays
``c`` times its schedule factor (the composition factors, the Rest of World's MFN share),
except pairs whose tariff the union holds (a suspension, a member's own schedule) and
pairs with a preference the union keeps, which pay ``min(base, c k)``. So ``M`` is
linear in ``c`` when the union replaces every preference, and piecewise linear, never
decreasing, when it keeps them. :func:`art_xxiv_cet` returns the highest ``c`` in [0, 1]
with ``M(c) <= M(base)``: in closed form when linear, else by bisection.

What this does not promise: the run's own Art. XXIV check weights by the year's
baseline imports, which move away from the base year's (each run's growth path, the
agreements entering into force since), so it can still find the union's average above
the one before in some runs. Trade diverted by the union would move the weights too;
the Understanding's "previous representative period" is there to keep both out.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.mechanisms._cu_checks import _participants, _require_nonempty, _runs_matrix
from scosim.mechanisms.welfare_terms import average_external_tariffs

__all__ = ["art_xxiv_cet", "external_incidence"]

FloatArray = NDArray[np.float64]

#: Halvings of [0, 1]: past 2**-60 the interval is below a double's spacing at any CET
#: above 1e-3, so the result is the last representable CET that does not raise ``M``.
_HALVINGS = 64


def external_incidence(tariffs: ArrayLike, weights: ArrayLike,
                       participants: ArrayLike) -> FloatArray:
    """The members' average tariff on outsiders' goods, per run (Art. XXIV:5(a)'s measure).

    Args:
        tariffs: ``(N, N)`` or ``(R, N, N)`` tariffs, exporter x importer.
        weights: ``(N, N)`` or ``(R, N, N)`` imports before duties, exporter x importer.
        participants: ``(R, N)`` bool (a ``(N,)`` vector is one run).

    Returns:
        ``(R,)`` fractions; NaN where no member imports from outside.
    """
    return average_external_tariffs([tariffs], weights, _participants(participants))[0]


def art_xxiv_cet(
    schedule: Callable[[FloatArray], FloatArray],
    base: ArrayLike,
    weights: ArrayLike,
    participants: ArrayLike,
    *,
    linear: bool = False,
) -> FloatArray:
    """The highest uniform CET that leaves the members' external incidence where it was.

    Args:
        schedule: ``cet (R,) -> (R, N, N)`` tariffs the union applies at that CET, fully
            phased in (the proposal's own schedule, preferences and suspensions included).
        base: ``(N, N)`` or ``(R, N, N)`` tariffs before the union.
        weights: ``(N, N)`` or ``(R, N, N)`` imports of a previous representative period
            (the base year's, before duties), exporter x importer.
        participants: ``(R, N)`` bool.
        linear: True when ``schedule`` is affine in the CET (no preference kept below
            it): solved in closed form, ``(M(base) - M(0)) / (M(1) - M(0))``.

    Returns:
        ``(R,)`` CET per run, a fraction in [0, 1]; 1 where even a CET of 100 % does not
        raise the measure (every external pair held or kept).

    Raises:
        ValueError: An empty union in some run, or runs where no member imports from
            outside the union (the measure, and so the rule, is undefined there).
    """
    p = _participants(participants)
    _require_nonempty(p)
    n_runs, n = p.shape
    w = _runs_matrix(weights, "weights", n_runs, n)
    if np.any(w < 0):
        raise ValueError("the Art. XXIV weights (imports) must be >= 0")
    before = external_incidence(_runs_matrix(base, "base tariffs", n_runs, n), w, p)
    bad = np.flatnonzero(np.isnan(before))
    if bad.size:
        raise ValueError(
            f"CET rule 'art_xxiv': the members import nothing from outside the union in "
            f"run(s) {bad.tolist()}, so their average tariff on outsiders (GATT Art. "
            f"XXIV:5(a)) is undefined; use another rule (mean, weighted_mean, min, max) "
            f"or a rate")

    def measure(c: FloatArray) -> FloatArray:
        return external_incidence(schedule(c), w, p)

    lo, hi = np.zeros(n_runs), np.ones(n_runs)
    m0, m1 = measure(lo), measure(hi)
    if np.any(m0 > before):  # only a held tariff above the base could do this
        raise ValueError("CET rule 'art_xxiv': the union's tariffs at a CET of 0 are "
                         "above the members' tariffs before it")
    if linear:
        slope = m1 - m0
        with np.errstate(invalid="ignore", divide="ignore"):
            c = np.where(slope > 0, (before - m0) / np.where(slope > 0, slope, 1.0), 1.0)
        return np.clip(c, 0.0, 1.0)
    # M never decreases in c: keep lo where M(lo) <= before, hi where it is above.
    done = m1 <= before
    lo = np.where(done, 1.0, lo)
    for _ in range(_HALVINGS):
        mid = 0.5 * (lo + hi)
        ok = measure(mid) <= before
        lo = np.where(ok & ~done, mid, lo)
        hi = np.where(~ok & ~done, mid, hi)
    return lo
