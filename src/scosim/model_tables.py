"""The tidy tables of a stepped model: its indicators, and its bilateral trade flows.

Split from :mod:`scosim.runner` (which still exports both names) for size: what a batch
turns its model into before the tables are written or returned.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scosim.model.model import SCOModel

__all__ = ["BILATERAL_INDICATORS", "bilateral_flows", "tidy_indicators"]


def tidy_indicators(model: SCOModel) -> pd.DataFrame:
    """Turn a finished model's records into the tidy table.

    Args:
        model: A model that has been stepped.

    Returns:
        Columns ``run`` (int32), ``year`` (int16), ``country`` (category),
        ``indicator`` (category), ``value`` (float64), sorted by run, year.
    """
    wanted = model.scenario.outputs.indicators
    names = [n for n in model.records if wanted == "all" or n in wanted]
    if not names:
        raise ValueError("no indicator selected: outputs.indicators names none the model records")
    T = len(model.records[names[0]])
    R, N, n_ind = model.R, model.N, len(names)
    # Shape (run, year, indicator, country), filled year by year in place: stacking every
    # indicator and then flattening the transposed stack held three copies of the values
    # and two int64 code columns at once (152 MiB for a 43 MiB table of 250 runs of
    # customs_union.yaml), the default run's peak memory. Copies only: the same values.
    data = np.empty((R, T, n_ind, N))
    for i, n in enumerate(names):
        for t, values in enumerate(model.records[n]):
            data[:, t, i, :] = values
    years = np.asarray(model.years[:T], dtype=np.int16)
    run = np.repeat(np.asarray(model.run_ids, dtype=np.int32), T * n_ind * N)
    year = np.tile(np.repeat(years, n_ind * N), R)
    # Codes in the width pandas keeps them in (int8 below 128 categories): no int64 copy.
    ind = np.tile(np.repeat(np.arange(n_ind, dtype=_code_dtype(n_ind)), N), R * T)
    cty = np.tile(np.arange(N, dtype=_code_dtype(N)), R * T * n_ind)
    return pd.DataFrame(
        {
            "run": run,
            "year": year,
            "country": pd.Categorical.from_codes(cty, categories=list(model.codes)),
            "indicator": pd.Categorical.from_codes(ind, categories=names),
            "value": data.reshape(-1),
        },
        copy=False,  # the columns are this function's own: no second copy of each
    )


def _code_dtype(n: int) -> type[np.signedinteger]:
    """The narrowest signed integer pandas stores ``n`` categories' codes in."""
    for dt in (np.int8, np.int16, np.int32):
        if n < np.iinfo(dt).max:
            return dt
    return np.int64


#: Indicators of the bilateral table (``outputs.bilateral: true``).
BILATERAL_INDICATORS: tuple[str, ...] = ("trade_flow_usd", "trade_flow_change_pct")


def bilateral_flows(model: SCOModel, year: int) -> pd.DataFrame:
    """The year's bilateral trade flows of every run, as a tidy table.

    ``trade_flow_usd`` is the flow from exporter to importer in the year's GE
    counterfactual, valued before the importer's tariff (CIF), in US$ of the
    base year: the same basis as ``imports_usd``, so an importer's flows add up
    to its ``imports_usd``. The tariff taken off is the one the year was solved
    with (``model.tariffs_solved``: the legal tariffs once an arrangement is in
    force, the base ones before), else the legal ``model.tariffs``.
    ``trade_flow_change_pct`` is the change from the base-year flow. Domestic
    sales (the diagonal) are left out.

    Args:
        model: A model just stepped through ``year``.
        year: The year stepped.

    Returns:
        Columns ``run, year, exporter, importer, indicator, value``.
    """
    shape = (model.R, model.N, model.N)
    solved = getattr(model, "tariffs_solved", None)
    tariffs = model.tariffs if solved is None else solved
    cif = np.broadcast_to(np.asarray(model.ge.flows, dtype=float), shape) / (
        1.0 + np.broadcast_to(np.asarray(tariffs, dtype=float), shape)
    )
    base = np.asarray(model.flows0, dtype=float) / (1.0 + np.asarray(model.tau0, dtype=float))
    base = np.broadcast_to(base, shape)
    ex, im = np.nonzero(~np.eye(model.N, dtype=bool))
    level = cif[:, ex, im]  # (R, pairs)
    before = base[:, ex, im]
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(before > 0, (level / before - 1.0) * 100.0, np.nan)
    values = np.stack([level, change], axis=1)  # (R, I, pairs)
    R, n_ind, n_pairs = values.shape
    codes = list(model.codes)
    return pd.DataFrame(
        {
            "run": np.repeat(np.asarray(model.run_ids, dtype=np.int32), n_ind * n_pairs),
            "year": np.full(R * n_ind * n_pairs, year, dtype=np.int16),
            "exporter": pd.Categorical.from_codes(np.tile(ex, R * n_ind), categories=codes),
            "importer": pd.Categorical.from_codes(np.tile(im, R * n_ind), categories=codes),
            "indicator": pd.Categorical.from_codes(
                np.tile(np.repeat(np.arange(n_ind), n_pairs), R),
                categories=list(BILATERAL_INDICATORS),
            ),
            "value": values.reshape(-1),
        }
    )
