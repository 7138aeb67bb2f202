"""Costs and income that are shares of GDP, as changes of the GE's real expenditure.

Security spending above its baseline, a RATS contribution, a corridor's payments and
the transit fees its hosts collect are shares of each economy's GDP; the GE's welfare
is real expenditure ``E' / P'``. A US$ amount ``C = s GDP`` out of (into) expenditure
moves real expenditure by ``C / E'``: ``s GDP / E'``, with ``GDP`` and ``E'`` in the
same dollars. The GE's flows are US$ (docs/data.md): the base year's with a fixed
baseline, re-based to the run's GDP path with ``parameters.trade.moving_baseline``.
Its output is not GDP where the data floor domestic sales at 10 % of GDP (the UAE's
re-exports: output 1.21 GDP) and for the Rest of the World, so GDP is the run's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from scosim.model.model import SCOModel

__all__ = ["WELFARE_LEVERS", "check_welfare_levers", "expenditure_usd", "gdp_in_ge_dollars",
           "gdp_over_expenditure", "income_factor", "year_gdp_over_expenditure"]

#: The levers the trade step takes out of (adds to) real expenditure, shares of GDP, each
#: ``(R, N)``: costs (security spending above its baseline; negative: a saving) and income
#: (transit fees; a plug-in's transfers or receipts; negative: a transfer paid out).
WELFARE_LEVERS: tuple[str, ...] = ("welfare_cost_share", "welfare_income_share")


def gdp_in_ge_dollars(model: SCOModel) -> np.ndarray:
    """Each economy's GDP ``(R, N)`` in the dollars of this year's GE baseline flows.

    The run's GDP path when the baseline moves (:meth:`SCOModel.baseline_flows` re-bases
    the flows to it); the base year's GDP, of the base year's flows, when it does not.
    """
    if model.scenario.parameters.trade.moving_baseline:
        return np.asarray(model.gdp, dtype=float)
    return np.broadcast_to(np.asarray(model.gdp0, dtype=float), (model.R, model.N))


def gdp_over_expenditure(model: SCOModel, ge: Any) -> np.ndarray:
    """``GDP / E'`` ``(R, N)``: a share of GDP as a share of ``ge``'s real expenditure.

    Args:
        model: The model whose GDP the shares are of, at the year of ``ge``'s solve.
        ge: A GE result of this year's baseline flows (the year's trade solve, a
            preview's :meth:`SCOModel.solve_policy`); its ``expenditure`` ``E'``.

    Returns:
        The factor a cost or income ``s`` (share of GDP) is multiplied by to give the
        change of real expenditure it makes, ``s GDP / E'``.
    """
    return gdp_in_ge_dollars(model) / np.asarray(ge.expenditure, dtype=float)


def expenditure_usd(model: SCOModel, ge: Any) -> np.ndarray:
    """``E'`` ``(R, N)``: ``ge``'s expenditure in the US$ of the run's GDP this year.

    What a US$ amount (a corridor's fees, its annualised payments) is divided by to give
    the share of real expenditure it moves (:func:`gdp_over_expenditure`); GDP floored at
    US$1 so an economy without GDP divides by no zero. The corridor preview and the
    run's net welfare both divide by it (scosim.network.corridor).
    """
    return np.maximum(model.gdp, 1.0) / gdp_over_expenditure(model, ge)


def year_gdp_over_expenditure(model: SCOModel, exclude: Any = None) -> np.ndarray:
    """:func:`gdp_over_expenditure` at the GE of this year's policy state (one solve).

    For a preview whose gain is a cost out of income alone (no GE solve of its own):
    the year's policy state with the levers and trade-cost factors the slots would write
    (:func:`scosim.model.policy.preview_policy`), without ``exclude``.
    """
    from scosim.model.policy import preview_policy

    ge = model.solve_policy(preview_policy(model, exclude=exclude, costs=True))
    return gdp_over_expenditure(model, ge)


def income_factor(model: SCOModel, ge: Any, net: np.ndarray | None) -> np.ndarray | float:
    """``1 + net x GDP / E'``: what welfare is multiplied by for a net income ``net``.

    Args:
        model: The model, at the year of ``ge``'s solve.
        ge: The GE result the income is added to (its expenditure ``E'``).
        net: Net income, share of GDP, ``(R, N)``; None: none (the factor is 1.0).
    """
    if net is None:
        return 1.0
    return 1.0 + net * gdp_over_expenditure(model, ge)


def check_welfare_levers(model: SCOModel, levers: dict[str, Any]) -> None:
    """The welfare levers a slot left, if any: finite ``(R, N)`` arrays.

    Raises:
        TypeError: Naming the lever and what it must be (the caller's blame names the
            mechanism): a lever of another shape broadcast into welfare unseen, and a
            NaN made every later year's welfare NaN.
    """
    for name in WELFARE_LEVERS:
        if name not in levers:
            continue
        value = np.asarray(levers[name])
        if value.shape != (model.R, model.N) or not np.issubdtype(value.dtype, np.number) \
                or not np.isfinite(value).all():
            raise TypeError(f"levers[{name!r}] must be a finite array of shape ({model.R}, "
                            f"{model.N}) (runs x economies, share of GDP; docs/mechanisms.md), "
                            f"got {value.dtype} of shape {value.shape}")
