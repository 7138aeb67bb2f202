"""Corridor failures drawn in each run, and the finance of what has happened by each year.

The Council votes on a corridor in expectation: the failure hazard lowers the share of its
benefits it expects and its expected payments (:func:`scosim.network.finance.finance_project`,
:func:`~scosim.network.finance.operating_share`); the voters do not know whether it will
fail. A run then draws whether and when it does (docs/network.md, "A failure drawn in each
run"): one uniform number per run from the run's own stream (:func:`failure_stream`),
turned into the first failure year by the inverse of the survival curve the vote used,
so ``P(failed by year t) = 1 - S_t`` exactly as in expectation. From the failure year on
the project's link is gone (its trade costs, fees and deliveries are those of the
network without it) and its hosts pay no O&M.

The money follows what happened. In year ``Y`` of a run the payments, the losses and the
recovery are the present values known at the end of ``Y``: a project that has failed
(year ``f <= k``, ``k = Y - start of construction``) has the outcome of a failure in
year ``f`` (the lender's loss, the hosts' lost stake and what they recover); one still
standing has the expected values given that it stood through year ``k`` (no failure in
the years behind it, the hazard ahead). At the start of construction that is the vote's
expected value, and averaged over runs it stays the expected value in every year (the
law of total expectation): :func:`known_table` only conditions the failure
probabilities, which :func:`~scosim.network.finance.finance_project` takes linearly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.model.rng import RunStreams

if TYPE_CHECKING:
    from scosim.model.model import SCOModel

FloatArray = NDArray[np.float64]


def failure_stream(project: str) -> str:
    """The random stream of a project's failure draw, one per project.

    Keyed by the project, not the proposal, so two scenarios tabling the same project
    (the Trans-Afghan railway at low and high instability) draw the same number in a run:
    a paired comparison then sees the earlier failure of a riskier route, not noise. A
    scenario without corridors opens no such stream, so its numbers do not move.
    """
    return f"corridor_failure:{project}"


def construction_start(start_year: int | None, entry: ArrayLike) -> NDArray[np.int64]:
    """The year construction starts, per run: the later of ``start_year`` and entry.

    Nothing is built before the corridor enters into force, and a spec's ``start_year``
    may be the proposal's year while the ratification lag moves entry a year later: until
    2026-12-07 the failure draw, the finance and the loan then counted from a year in
    which the corridor was not yet in force, so a run could fail a year before entry (an
    outside review, 2026-12-07). ``None`` starts in the entry year.

    Args:
        start_year: The spec's ``start_year``, or None.
        entry: ``(R,)`` or scalar year of entry into force.
    """
    e = np.asarray(entry, np.int64)
    return e.copy() if start_year is None else np.maximum(e, int(start_year))


def extend(prob: ArrayLike, length: int) -> FloatArray:
    """Yearly failure probabilities ``(R, length)``, the last year's hazard carried on.

    :func:`~scosim.network.finance.finance_project` and
    :func:`~scosim.network.finance.operating_share` follow a table past its end at its
    last year's hazard; extending it the same way changes none of their values.
    """
    p = np.atleast_2d(np.asarray(prob, float))
    if length <= p.shape[1]:
        return p.copy()
    return np.pad(p, ((0, 0), (0, length - p.shape[1])), mode="edge")


def draw_failure(u: ArrayLike, prob: ArrayLike) -> NDArray[np.int64]:
    """First failure year from the start of construction per run ``(R,)``, -1 if none.

    The year ``t`` the survival curve ``S_t = prod_{s <= t} (1 - p_s)`` first falls below
    the run's uniform ``u``: ``P(t <= T) = P(u > S_T) = 1 - S_T``, the probability the
    vote's expected values give a failure by year ``T``. One number per run, so a riskier
    route with the same number fails no later (a monotone coupling).

    Args:
        u: ``(R,)`` uniform draws in [0, 1).
        prob: ``(R, T)`` yearly failure probabilities (:func:`extend` them to the years
            the run needs).
    """
    p = np.atleast_2d(np.asarray(prob, float))
    standing = np.cumprod(1.0 - p, axis=1)
    fails = standing < np.asarray(u, float)[:, None]
    return np.where(fails.any(axis=1), np.argmax(fails, axis=1), -1).astype(np.int64)


def known_table(prob: ArrayLike, fail: ArrayLike, k: ArrayLike) -> FloatArray:
    """The failure probabilities as known at the end of year ``k`` of each run ``(R, T)``.

    A run whose project failed in year ``fail <= k`` has probability 1 in that year and 0
    in every other (then ``finance_project`` gives that failure's outcome, nothing
    expected after it); one still standing has 0 up to year ``k`` (it stood through them)
    and the hazard after it. ``k < 0`` (before construction) leaves the table as it is.

    Args:
        prob: ``(R, T)`` yearly probabilities, long enough that ``k < T - 1`` (the hazard
            after the table is its last year's).
        fail: ``(R,)`` first failure year (:func:`draw_failure`), -1 for none.
        k: ``(R,)`` years since the start of construction.
    """
    p = np.atleast_2d(np.asarray(prob, float))
    f = np.asarray(fail, np.int64)[:, None]
    kk = np.asarray(k, np.int64)[:, None]
    t = np.arange(p.shape[1])[None, :]
    failed = (f >= 0) & (f <= kk)
    if np.any(~failed & (kk >= p.shape[1] - 1)):
        raise ValueError("the failure table must run past the year known")
    return np.where(failed, (t == f).astype(float), np.where(t <= kk, 0.0, p))


class RealisedFinance:
    """A corridor's payments, losses and recovery as known in each model year, per run.

    ``(R, Y, N)`` present values (US$) for the model's ``Y`` years, filled when the
    corridor enters into force in a run; :meth:`at` gives a year's column.
    """

    def __init__(self, runs: int, years: list[int], economies: int) -> None:
        """Zeros for ``runs`` runs, the model's ``years`` and ``economies``."""
        self.first = int(years[0])
        shape = (runs, len(years), economies)
        self.paid, self.risk = np.zeros(shape), np.zeros(shape)
        self.recovered, self.owners_risk = np.zeros(shape), np.zeros(shape)

    def put(self, runs: NDArray[np.bool_], year: int, paid: FloatArray, risk: FloatArray,
            recovered: FloatArray, owners_risk: FloatArray) -> None:
        """Set ``year``'s values in ``runs`` (each ``(R, N)``)."""
        col, on = year - self.first, np.asarray(runs, bool)[:, None]
        for arr, new in ((self.paid, paid), (self.risk, risk), (self.recovered, recovered),
                         (self.owners_risk, owners_risk)):
            arr[:, col] = np.where(on, new, arr[:, col])

    def at(self, year: int) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """``(paid, risk, recovered, owners_risk)`` known in ``year``, ``(R, N)`` each."""
        col = year - self.first
        return (self.paid[:, col], self.risk[:, col], self.recovered[:, col],
                self.owners_risk[:, col])


def realise(corridor: Any, model: SCOModel, starting: NDArray[np.bool_], year: int,
            prob: FloatArray, found: list[Any]) -> NDArray[np.int64]:
    """Draw the corridor's failure in the runs it enters into force in; fill its finance.

    Args:
        corridor: The :class:`~scosim.network.corridor.Corridor` entering into force.
        model: The model.
        starting: ``(R,)`` the runs it enters into force in this ``year``.
        year: The year of entry into force.
        prob: ``(R, T)`` the yearly failure probabilities its finance was priced at.
        found: The lenders its finance is on (their terms, fixed at entry).

    Returns:
        ``(R,)`` the calendar year the project fails in each starting run, -1 where it
        stands through the model's last year (and in the other runs).
    """
    begin = np.full(model.R, construction_start(corridor.proposal.start_year, year))
    last = int(model.years[-1])
    # Long enough to know every model year, the hazard after them the table's last.
    length = max(prob.shape[1], last - int(begin.min()) + 2)
    table = extend(prob, length)
    u = RunStreams(model.scenario.seed, model.run_ids,
                   failure_stream(corridor.proposal.project)).uniform()
    fail = draw_failure(u, table)
    # Only failures within the model's years are events of the run; later ones stay in
    # the expected values of a project still standing.
    fail = np.where(begin + fail <= last, fail, -1)
    for y in range(year, last + 1):
        fin = corridor._finance(model, known_table(table, fail, y - begin), found)
        corridor.known.put(starting, y, fin.paid, fin.risk, fin.recovered, fin.owners_risk)
    return np.where(starting & (fail >= 0), begin + fail, -1)


def written_off(schedule: ArrayLike, fail_year: ArrayLike, begin: ArrayLike) -> FloatArray:
    """A non-recourse loan's outstanding principal ``(R, T)`` with a failure written off.

    The bank writes the loan off at the end of the failure year (its loss, in the finance),
    so nothing of it is outstanding from the next year on: the room it took under the
    bank's lending limit is free again (:mod:`scosim.network.bank_book`).

    Args:
        schedule: ``(R, T)`` principal outstanding at the start of each year from ``begin``.
        fail_year: ``(R,)`` calendar year of the failure, -1 for none.
        begin: ``(R,)`` calendar year the loan is disbursed.
    """
    s = np.atleast_2d(np.asarray(schedule, float))
    f = np.asarray(fail_year, np.int64)
    rel = np.where(f >= 0, f - np.asarray(begin, np.int64), s.shape[1])[:, None]
    return np.where(np.arange(s.shape[1])[None, :] > rel, 0.0, s)
