"""The Development Bank's lending limit: its corridor loans outstanding, run by run.

A multilateral development bank's charter caps what it may have outstanding at a
multiple of its capital: the Asian Infrastructure Investment Bank's Articles of
Agreement (2015), art. 12.1, forbid raising the total outstanding of its ordinary
operations above its unimpaired subscribed capital, reserves and retained earnings
(1:1; its Board of Governors may raise the ratio to 250 percent by a super majority);
the IBRD's Articles, art. III section 3, set the same 100 percent. A ``development_bank``
proposal's ``leverage`` is that multiple, on its subscribed capital (the model has no
reserves or retained earnings): docs/network.md, "The bank's lending limit".

:class:`LoanBook` holds the principal of the bank's corridor loans outstanding at the
start of each model year, ``(R, Y)``. A loan counts from the year it is approved (the
year the corridor enters into force) at its whole principal until construction starts,
when it is disbursed, then as :func:`scosim.network.finance.loan_schedule` repays it:
repayments free room. A non-recourse loan counts on its contractual schedule until
the run's drawn failure of its corridor, when it is written off
(:func:`scosim.network.failure_draw.written_off`; until 2026-12-07 no failure was drawn
and every loan counted on its schedule). Outstanding principal only falls after a loan
is approved, so a loan that fits the limit in the year it is approved fits it in every
later year.
"""

from __future__ import annotations

import numpy as np

#: Slack of the limit test, a fraction of the limit: sums of repayment schedules are
#: floating point, and a loan that exactly fills the limit should fit.
_SLACK = 1e-12


class LoanBook:
    """Principal of a bank's corridor loans outstanding at the start of each model year.

    Attributes:
        first_year: The model's first year (column 0).
        exposure: ``(R, Y)`` US$ outstanding at the start of each model year.
        limit: ``(R,)`` US$ the bank may have outstanding (``leverage`` x capital).
    """

    def __init__(self, runs: int, years: list[int], limit: np.ndarray) -> None:
        """An empty book over ``runs`` runs and the model's ``years`` (consecutive)."""
        self.first_year = int(years[0])
        self.exposure = np.zeros((runs, len(years)))
        self.limit = np.broadcast_to(np.asarray(limit, float), (runs,)).copy()

    def outstanding(self, year: int) -> np.ndarray:
        """US$ outstanding at the start of ``year``, ``(R,)`` (0 outside the model's years)."""
        col = year - self.first_year
        if not 0 <= col < self.exposure.shape[1]:
            return np.zeros(self.exposure.shape[0])
        return self.exposure[:, col].copy()

    def fits(self, loan: np.ndarray, year: int) -> np.ndarray:
        """Runs where approving ``loan`` (US$, ``(R,)``) in ``year`` keeps within the limit."""
        return self.outstanding(year) + np.asarray(loan, float) <= self.limit * (1.0 + _SLACK)

    def book(self, runs: np.ndarray, year: int, begin: np.ndarray,
             schedule: np.ndarray) -> None:
        """Add a loan approved in ``year`` in ``runs``.

        Args:
            runs: ``(R,)`` bool, the runs it is approved in.
            year: The year it is approved (it counts from then on).
            begin: ``(R,)`` year it is disbursed (construction starts); before it the
                whole principal is committed.
            schedule: ``(R, T)`` principal outstanding at the start of each year from
                ``begin`` (:func:`scosim.network.finance.loan_schedule`); 0 after ``T``.
        """
        sched = np.asarray(schedule, float)
        years = self.first_year + np.arange(self.exposure.shape[1])
        offset = years[None, :] - np.asarray(begin, np.int64)[:, None]  # (R, Y)
        idx = np.clip(offset, 0, sched.shape[1] - 1)
        repaying = np.take_along_axis(sched, idx, axis=1)
        due = np.where(offset < 0, sched[:, :1], np.where(offset < sched.shape[1], repaying,
                                                           0.0))
        counted = np.asarray(runs, bool)[:, None] & (years >= year)[None, :]
        self.exposure += np.where(counted, due, 0.0)
