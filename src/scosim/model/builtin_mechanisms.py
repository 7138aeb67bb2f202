"""Built-in mechanisms: the GDP path (slot ``growth``) and the GE trade solve (``trade``).

Registered by name when the mechanism registry is first used, with the other
built-in mechanisms (``security``: :mod:`scosim.security.mechanism`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from typing_extensions import override

from scosim.mechanisms import customs_union as cu
from scosim.model.ge_cache import solve_cached
from scosim.model.slots import Mechanism, register_mechanism

if TYPE_CHECKING:
    from scosim.model.model import SCOModel
    from scosim.model.policy import PolicyState


@register_mechanism
class CalibratedGrowth(Mechanism):
    """Baseline GDP path: log growth = trend + volatility * shock (nominal US$).

    Shocks are the model's ``growth`` stream, drawn for every year at set-up;
    the year's draw ``vol * scale * z`` is added to ``model.gdp_shock`` (read by
    the finance slot).
    """

    name = "calibrated_growth"
    slot = "growth"
    indicators = {"gdp_baseline_path_usd": "US$"}

    @override
    def step(self, model: SCOModel, policy: PolicyState, year: int) -> None:
        z = model.growth_z[:, model.year_index(year), :]
        trend, scale = model.growth_parameters(year)
        shock = model.vol * scale[:, None] * z
        model.gdp_shock = model.gdp_shock + shock
        model.gdp *= np.exp(trend + shock)

    @override
    def record(self, model: SCOModel, policy: PolicyState) -> dict[str, np.ndarray]:
        return {"gdp_baseline_path_usd": model.gdp.copy()}


#: Indicators taken from the union accounting (docs/customs_union.md), renamed so
#: that money values say their unit (US$, base-year prices).
REPORTED_TRADE_INDICATORS: dict[str, str] = {
    "exports": "exports_usd",
    "imports": "imports_usd",
    "exports_change_pct": "exports_change_pct",
    "imports_change_pct": "imports_change_pct",
    "intra_union_imports": "intra_union_imports_usd",
    "intra_union_share": "intra_union_share",
    "trade_creation": "trade_creation_usd",
    "trade_diversion": "trade_diversion_usd",
    "tariff_revenue_before": "tariff_revenue_before_usd",
    "tariff_revenue_collected": "tariff_revenue_collected_usd",
    "tariff_revenue_after_sharing": "tariff_revenue_after_sharing_usd",
    "terms_of_trade_change_pct": "terms_of_trade_change_pct",
}


@register_mechanism
class GETrade(Mechanism):
    """Structural gravity GE counterfactual of the year's policy state against the base year.

    Reads ``policy.tariffs``, ``policy.cost_change`` and ``policy.sharing``; the
    union accounting follows ``policy.bloc``.
    """

    name = "ge_trade"
    slot = "trade"
    indicators = {
        "gdp_usd": "US$",
        "welfare_change_pct": "percent",
        "real_gdp_change_pct": "percent",
        **{v: "see docs/customs_union.md" for v in REPORTED_TRADE_INDICATORS.values()},
    }

    #: Reuse the previous year's solve for runs whose inputs did not change
    #: (bit-identical results; see scosim.model.ge_cache). Off only to test that.
    cache_solves: bool = True

    @override
    def step(self, model: SCOModel, policy: PolicyState, year: int) -> None:
        model.tariffs = policy.tariffs
        model.ge = solve_cached(model, policy) if self.cache_solves else model.solve_policy(policy)
        # Costs out of income written by earlier slots (e.g. security spending above
        # its baseline, share of GDP): real income left for other uses falls by them.
        cost = policy.levers.get("welfare_cost_share")
        model.welfare = model.ge.welfare_change * (1.0 - cost if cost is not None else 1.0)
        model.real_gdp_change = model.ge.real_gdp_change

    @override
    def record(self, model: SCOModel, policy: PolicyState) -> dict[str, np.ndarray]:
        out = {
            "gdp_usd": model.gdp * model.real_gdp_change,
            "welfare_change_pct": (model.welfare - 1.0) * 100.0,
            "real_gdp_change_pct": (model.real_gdp_change - 1.0) * 100.0,
        }
        extra = cu.union_indicators(
            np.broadcast_to(model.flows0, (model.R, model.N, model.N)),
            model.ge,
            policy.bloc_or_none(),
            np.broadcast_to(model.tau0, (model.R, model.N, model.N)),
            model.tariffs,
        )
        for name, reported in REPORTED_TRADE_INDICATORS.items():
            out[reported] = np.asarray(extra[name], dtype=float)
        return out


# Registered with the built-ins (imported last: it subclasses Mechanism).
# The corridor network (slot ``network``) lives with its kernels in scosim.network.
import scosim.network.mechanism  # noqa: E402, F401
import scosim.security.mechanism  # noqa: E402, F401

# Mechanisms shipped in their own packages register on import.
from scosim.finance import mechanism as _finance_mechanism  # noqa: E402, F401
