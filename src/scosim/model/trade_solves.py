"""The model's trade baseline and its general-equilibrium solves.

Split from :mod:`scosim.model.model` (size): :class:`TradeSolves` holds the methods of
:class:`~scosim.model.model.SCOModel` that turn a year's tariffs and trade costs into a
GE counterfactual against that year's baseline: the statutory tariffs and the collected
ones the solver sees, the baseline trade pattern (re-based to the GDP path with a moving
baseline), and the solves of a tariff change or of a whole policy state. SCOModel
inherits them; they read the arrays its set-up fills.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from scosim.data.calibration import read_only
from scosim.mechanisms.baseline_path import RASConvergenceError, rebase_flows
from scosim.mechanisms.collection import collected
from scosim.mechanisms.deficit_purge import solver_closure
from scosim.mechanisms.short_run import solve_year
from scosim.mechanisms.trade import solve_ge

if TYPE_CHECKING:
    from scosim.model.policy import PolicyState


class TradeSolves:
    """The trade baseline and GE solves of :class:`~scosim.model.model.SCOModel`.

    A mixin: the methods read what the model's set-up fills (``R``, ``N``, ``codes``,
    ``cal``, ``scenario``, ``sigma``, ``tau_stat``, ``tau0``, ``flows0``, ``gdp``,
    ``gdp0``, ``collection``, ``cost_change``, ``run_ids``, ``year``).
    """

    def tariffs_base(self) -> np.ndarray:
        """The year's baseline statutory tariffs of every run, ``(R, N, N)`` (a fresh copy).

        The base year's, with the agreements in force since then
        (:mod:`scosim.model.dated_agreements`); before the collection rates, which
        :func:`scosim.model.policy.build_policy` applies once every arrangement has set
        its rates (``tau0`` is these times the rates).
        """
        return np.broadcast_to(self.tau_stat, (self.R, self.N, self.N)).copy()

    def collected(self, tariffs: np.ndarray) -> np.ndarray:
        """Statutory ``tariffs`` ``(..., N, N)`` times each importer's collection rate.

        Not a suspension imposed as a duty, whose cell is collected in full. ``tariffs``
        itself without ``parameters.trade.collection_rates``, read only otherwise
        (:func:`scosim.mechanisms.collection.collected`).
        """
        if self.collection is None:
            return tariffs
        return read_only(collected(tariffs, self.collection))

    def solve(self, new_tariffs: np.ndarray, *, revenue_sharing: np.ndarray | None = None) -> Any:
        """GE counterfactual of ``new_tariffs`` and this year's trade costs vs its baseline.

        Args:
            new_tariffs: ``(R, N, N)`` ad valorem tariffs.
            revenue_sharing: Optional ``(R, N, N)`` column-stochastic sharing matrix.

        Returns:
            The :class:`scosim.mechanisms.trade.GEResult` for every run.
        """
        trade = self.scenario.parameters.trade
        # (N, N) baselines broadcast inside solve_ge, which then computes the
        # baseline accounts once for the whole batch.
        return solve_ge(
            self.baseline_flows(),
            sigma=self.sigma,
            tariffs=self.tau0,
            new_tariffs=new_tariffs,
            cost_change=self.cost_change,
            deficits=solver_closure(trade.deficits),
            revenue_sharing=revenue_sharing,
        )

    def baseline_flows(self) -> np.ndarray:
        """This year's baseline trade pattern, ``(N, N)`` or ``(R, N, N)``.

        With ``parameters.trade.moving_baseline`` the base-year flows re-based by
        RAS to every economy's GDP on the current path
        (:func:`scosim.mechanisms.baseline_path.rebase_flows`); else the base year's.
        """
        if not self.scenario.parameters.trade.moving_baseline:
            return self.flows0
        # Previews and the trade solve ask for the same year's pattern: re-base once per GDP path.
        cached = getattr(self, "_rebased", None)
        if cached is not None and np.array_equal(cached[0], self.gdp):
            return cached[1]
        # Newton starts from the pattern the trade step solved with last year (set by
        # GETrade.step, once a year for every run): a year's growth moves the RAS
        # factors little, so it needs fewer steps, and whatever previews ran this year
        # the start is the same (the same matrix within rebase_flows' tolerance).
        growth = self.gdp / self.gdp0
        try:
            flows = rebase_flows(self.flows0, growth, start=getattr(self, "rebase_start", None))
        except RASConvergenceError as err:
            raise ValueError(self._rebase_failure(err, growth)) from err
        flows.flags.writeable = False
        self._rebased = (self.gdp.copy(), flows)
        return flows

    def _rebase_failure(self, err: RASConvergenceError, growth: np.ndarray) -> str:
        """What to tell the user when the moving baseline cannot be re-based."""
        k = int(err.runs[0])
        g = growth[k]
        lo, hi = int(np.argmin(g)), int(np.argmax(g))
        more = f" (and {err.runs.size - 1} more)" if err.runs.size > 1 else ""
        return (f"the moving baseline cannot re-base the {self.cal.base_year} trade pattern to "
                f"the GDP path of run {int(self.run_ids[k])}{more} in {self.year}: GDP "
                f"relative to {self.cal.base_year} runs from {g[lo]:.3g} ({self.codes[lo]}) to "
                f"{g[hi]:.3g} ({self.codes[hi]}), and RAS leaves a gap of {err.gap:.2g} "
                "(tolerance 1e-13); lower parameters.growth.volatility_scale, end the years "
                "earlier, or set parameters.trade.moving_baseline: false")

    def solve_policy(
        self,
        policy: PolicyState,
        tariffs: np.ndarray | None = None,
        sigma: np.ndarray | None = None,
    ) -> Any:
        """GE counterfactual of a policy state against this year's baseline.

        Args:
            policy: Tariffs, trade costs and revenue sharing of the year.
            tariffs: Tariffs to solve with instead of ``policy.tariffs`` (those of
                the trade mechanism's year, ``tariffs_solved``).
            sigma: Elasticity of the tariff change instead of ``self.sigma`` (the
                short-run one of the trade mechanism's year, ``sigma_solved``), and of
                the lifted bans (``policy.ban_change``); cost changes keep ``self.sigma``
                (:func:`scosim.mechanisms.short_run.solve_year`).
        """
        # At one elasticity solve_year is the one plain solve_ge, bit for bit: no run
        # differs between its two, so none is chained.
        return solve_year(
            self.baseline_flows(),
            sigma=self.sigma,
            sigma_short=self.sigma if sigma is None else sigma,
            tariffs=self.tau0,
            new_tariffs=policy.tariffs if tariffs is None else tariffs,
            cost_change=policy.cost_change,
            deficits=solver_closure(self.scenario.parameters.trade.deficits),
            revenue_sharing=policy.sharing,
            ban_change=policy.ban_change,
        )
