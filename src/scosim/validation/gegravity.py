"""The gegravity 0.3 published example, run by gegravity and by scosim.

Thirty countries in 2006 (gegravity's sample data set), trade costs from PPML,
sigma = 5, and a counterfactual in which Canada and Japan sign a PTA. The
tests compare the two solutions country by country and the benchmark times
them; both use this module so the example is written once.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from scosim.mechanisms.fitted import fitted_baseline
from scosim.mechanisms.gravity import cost_index
from scosim.mechanisms.trade import iceberg_from_cost_index, solve_ge

REGRESSORS = ["lndist", "contiguity", "common_language", "pta", "international"]
#: Published figures (gegravity 0.3 documentation; tests/fixtures/gegravity/README.md).
PUBLISHED: dict[str, Any] = {
    "beta": {
        "lndist": -0.3898623,
        "contiguity": 0.891577,
        "common_language": 0.0326249,
        "pta": 0.4711383,
        "international": -3.412584,
    },
    "constant": 16.32434,
    "gdp_pct": {"CAN": 0.418261, "JPN": 0.053755, "AUS": -0.007106, "USA": -0.007411},
    "can_welfare_stat": 0.995835,
    "aus_can_trade_pct": -2.350013,
}
SIGMA = 5.0
REFERENCE = "DEU"


def canada_japan_pta(data: pd.DataFrame) -> pd.DataFrame:
    """The counterfactual data: ``pta`` set to 1 for CAN->JPN and JPN->CAN."""
    exp = data.copy()
    pair = ((exp.exporter == "CAN") & (exp.importer == "JPN")) | (
        (exp.exporter == "JPN") & (exp.importer == "CAN")
    )
    exp.loc[pair, "pta"] = 1
    return exp


def run_gegravity(
    data: pd.DataFrame,
    beta: Mapping[str, float] | None = None,
    constant: float | None = None,
    sigma: float = SIGMA,
) -> Any:
    """Solve the example with gegravity itself (``pip install gegravity``).

    Args:
        data: gegravity's sample data set.
        beta: Cost coefficients (default: the published PPML estimates).
        constant: PPML constant (default: the published one).
        sigma: Elasticity of substitution.

    Returns:
        The simulated ``gegravity.OneSectorGE`` model.
    """
    import gegravity as ge

    beta = dict(PUBLISHED["beta"] if beta is None else beta)
    constant = PUBLISHED["constant"] if constant is None else constant
    grav = data.copy()
    grav["constant"] = 1
    ests = pd.DataFrame(
        [(k, v, 0.0) for k, v in beta.items()] + [("constant", constant, 0.0)],
        columns=["var", "beta", "stderr"],
    )
    with warnings.catch_warnings():
        # gegravity 0.3 uses inplace= pandas calls that pandas 3 deprecates; they still work
        warnings.simplefilter("ignore")
        baseline = ge.BaselineData(
            grav,
            imp_var_name="importer",
            exp_var_name="exporter",
            year_var_name="year",
            trade_var_name="trade",
            expend_var_name="E",
            output_var_name="Y",
        )
        coeffs = ge.CostCoeffs(
            estimates=ests, identifier_col="var", coeff_col="beta", stderr_col="stderr"
        )
        model = ge.OneSectorGE(
            baseline=baseline,
            cost_coeff_values=coeffs,
            cost_variables=[*beta, "constant"],
            year="2006",
            reference_importer=REFERENCE,
            sigma=sigma,
            quiet=True,
        )
        model.build_baseline(omr_rescale=1)
        model.define_experiment(canada_japan_pta(model.baseline_data))
        model.simulate()
    return model


def run_scosim(
    data: pd.DataFrame, beta: Mapping[str, float] | None = None, sigma: float = SIGMA
) -> dict[str, Any]:
    """Solve the example with scosim: costs, fitted baseline, exact counterfactual.

    Args:
        data: gegravity's sample data set.
        beta: Cost coefficients (default: the published PPML estimates).
        sigma: Elasticity of substitution.

    Returns:
        ``names`` (economies in order), ``fb`` (fitted baseline), ``res`` (GE result)
        and ``d_hat`` (iceberg cost changes).
    """
    beta = dict(PUBLISHED["beta"] if beta is None else beta)
    names = sorted(data.exporter.unique())
    costs = cost_index(data, beta, order=names).to_numpy()
    # Positions of each row's exporter and importer in ``names``, found once.
    idx = pd.Index(names)
    ei, ii = idx.get_indexer(data.exporter), idx.get_indexer(data.importer)
    # The counterfactual changes a few cells: its cost ratio is exp(dX b) on the
    # rows it changes and 1 elsewhere, with no second cost matrix built.
    regs = list(beta)
    x0 = data[regs].to_numpy(float)
    x1 = canada_japan_pta(data)[regs].to_numpy(float)
    changed = (x1 != x0).any(axis=1)
    dxb = (x1[changed] - x0[changed]) @ np.array(
        [beta[r] for r in regs], dtype=float
    )
    ratio = np.ones_like(costs)
    ratio[ei[changed], ii[changed]] = np.exp(dxb)
    # Output and expenditure: each economy's first row as exporter and as importer.
    y, e = np.full(len(names), np.nan), np.full(len(names), np.nan)
    for vec, codes, col in ((y, ei, "Y"), (e, ii, "E")):
        found, first = np.unique(codes, return_index=True)
        vec[found[found >= 0]] = data[col].to_numpy(float)[first[found >= 0]]
    fb = fitted_baseline(costs, y, e, reference=names.index(REFERENCE))
    d_hat = iceberg_from_cost_index(ratio, sigma)
    res = solve_ge(fb.flows, sigma=sigma, cost_change=d_hat, deficits="ratio")
    return {"names": names, "fb": fb, "res": res, "d_hat": d_hat, "costs": costs}
