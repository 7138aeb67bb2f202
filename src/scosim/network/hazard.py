"""The corridor failure hazard and recovery: default values and the published figures behind them.

A corridor *fails* when it stops for good: its benefits end and what is sunk in it is lost,
less a recovery (docs/network.md, "The SCO Development Bank"). That is the loss-making end
of a project-finance default, not a default as lenders count it: most defaulted project
loans are restructured, the project runs on and the lenders recover all they lent (almost
two thirds of Moody's defaults), so a failure here is rarer than a default and recovers
less. The yearly failure probability is ``FAILURE_BASE + FAILURE_SENSITIVITY x route
instability``, where route instability 0 is the route's economies at their base-year
(2018-2022) risk, not a riskless project (docs/security.md, section 11).

The constants below are the defaults of the scenario's ``parameters.network.failure_base``,
``failure_sensitivity`` and ``recovery`` (:class:`scosim.network.params.NetworkParams`),
which a sweep may vary per run (:data:`SWEPT_HAZARD`, :func:`run_hazard`).

Sources (figures in :data:`SOURCES`):

* Moody's Investors Service, *Default and Recovery Rates for Project Finance Bank Loans,
  1983-2015* (March 2017; 1983-2014 edition, March 2016): 10-year cumulative default rate
  of project-finance bank loans 6.7 percent; average ultimate recovery 80 percent, and
  100 percent (no economic loss) in almost two thirds of defaults.
* S&P Global Ratings, *1995-2016 Global Bank Loan Unrated Project Finance Default and
  Recovery Report* (November 2018): 10-year cumulative default rate 6.3 percent (core
  infrastructure 5.85); average annual default rate 1.5 percent (OECD 1.4, emerging and
  developing economies 1.5 and 1.6).
* World Bank PPI database, as summarised in *PPP Online* (2016): 6.1 percent of 12,549
  infrastructure contracts in low- and middle-income countries, 1991-2015, cancelled
  (the private party exited or operation or construction stopped) or distressed.
* SIGAR, *Capital Assets: U.S. Agencies Spent More Than $2.4 Billion on Assets in
  Afghanistan that Were Unused, Abandoned, Not Used as Intended, Deteriorated, or
  Destroyed* (SIGAR-21-19-SP, February 2021): US$2.4 bn of the US$7.8 bn of capital assets
  SIGAR reviewed from 2008 to 2020 (31 percent).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy only for the annotations: the scenario schema imports this module
    import numpy as np
    from numpy.typing import NDArray

    from scosim.model.model import SCOModel

#: Published figures the defaults are checked against (docs/network.md, "Where the failure
#: hazard and the recovery come from"; a test derives the ranges below from them).
SOURCES: dict[str, float] = {
    # Moody's 1983-2015: cumulative default rate of project-finance bank loans, 10 years.
    "moodys_pf_cdr_10y": 0.067,
    # S&P 1995-2016: the same for unrated project-finance bank loans.
    "sp_pf_cdr_10y": 0.063,
    # Moody's: average ultimate recovery of defaulted project-finance loans.
    "moodys_pf_mean_recovery": 0.80,
    # Moody's: share of defaults recovering 100 percent, "almost two thirds" (bounds).
    "moodys_pf_full_recovery_share_low": 0.60,
    "moodys_pf_full_recovery_share_high": 2.0 / 3.0,
    # SIGAR-21-19-SP: share of US-funded capital assets in Afghanistan reviewed since 2008
    # found unused, abandoned, not used as intended, deteriorated or destroyed by 2020.
    "sigar_afg_lost_share": 2.4 / 7.8,
    "sigar_afg_years": 12.0,
}

#: Yearly failure probability of a corridor whose route's economies are at their base-year
#: risk (route instability 0). Sourced range 0.002-0.03 (docs/network.md): the loss-making
#: defaults of commercial project finance (a third of 6.3-6.7 percent in 10 years) to
#: Afghanistan's donor-built assets of 2008-2020 (31 percent in about 12 years). At 0.01 the
#: 10-year failure probability is 9.6 percent.
FAILURE_BASE = 0.01
#: Extra yearly failure probability at route instability 1 (insecurity at its maximum above
#: base-year risk). No published study puts a number on this index: the bounds are the
#: Afghan rate at base-year risk (about 0.03 a year, so at least that much at 1) and an
#: outright stop within a year (the World Bank paused its whole Afghan portfolio in August
#: 2021). A modelling choice inside that range.
FAILURE_SENSITIVITY = 0.1
#: Share of what a failure sinks that is recovered (the bank's loan, the hosts' stake).
#: Moody's 80 percent is the mean over every default, two thirds of which lose nothing and
#: are not failures here; the defaults with a loss recover ``(0.80 - s) / (1 - s)`` for the
#: share ``s`` of full recoveries: 0.40 at two thirds, 0.50 at 0.6
#: (:func:`loss_recovery`). The lower end: a line abandoned in conflict is a poorer
#: workout than a commercial one.
RECOVERY = 0.4


def cumulative_failure(annual: float, years: float) -> float:
    """Probability of at least one failure in ``years`` at a constant yearly ``annual``."""
    return 1.0 - (1.0 - annual) ** years


def annual_from_cumulative(cumulative: float, years: float) -> float:
    """The constant yearly probability that gives ``cumulative`` over ``years``."""
    return 1.0 - (1.0 - cumulative) ** (1.0 / years)


def loss_recovery(mean_recovery: float, full_share: float) -> float:
    """Mean recovery of the defaults that lose money.

    Args:
        mean_recovery: Mean recovery over all defaults.
        full_share: Share of defaults that recover everything (``< 1``).

    Returns:
        ``(mean_recovery - full_share) / (1 - full_share)``.
    """
    return (mean_recovery - full_share) / (1.0 - full_share)


#: The sweep's names of the three parameters (``scosim sweep --param NAME=LOW:HIGH``).
SWEPT_HAZARD: tuple[str, ...] = ("parameters.network.failure_base",
                                 "parameters.network.failure_sensitivity",
                                 "parameters.network.recovery")


@dataclass(frozen=True)
class RunHazard:
    """The failure hazard and the recovery of each run, ``(R,)`` each.

    Attributes:
        base: Yearly failure probability at route instability 0.
        sensitivity: Extra yearly failure probability at route instability 1.
        recovery: Share of what a failure sinks that is recovered.
    """

    base: NDArray[np.float64]
    sensitivity: NDArray[np.float64]
    recovery: NDArray[np.float64]


def run_hazard(model: SCOModel) -> RunHazard:
    """Each run's hazard: the sweep's value where it varies one, else the scenario's."""
    from scosim.network.mechanism import network_params

    p = network_params(model)
    base, sensitivity, recovery = (model._param(name, getattr(p, name.rsplit(".", 1)[1]))
                                   for name in SWEPT_HAZARD)
    return RunHazard(base=base, sensitivity=sensitivity, recovery=recovery)
