"""Each economy's welfare change while it was in an arrangement: the answer's "while in".

The run's answer and ``plots/welfare_final_year.png`` show welfare in one year over all
runs. A state that left the union before that year counts there after its exit, so its
figure is no longer its welfare as a member: in ``customs_union.yaml`` Iran leaves in
most runs and its 2035 median read as a small loss beside a member's loss three to five
times as large (README, "Who stays"). The figure beside it, without another simulation,
is read from what each run already records:

    for each run, economy and year ``Y``, the welfare change in the last year ``t <= Y``
    in which the economy was in the arrangement (its membership indicator above 0.5).

A state still in the arrangement in ``Y`` gets its welfare of ``Y``; one that left gets
its welfare in its year of exit (a state leaving in ``t`` is inside until the end of
``t``, docs/customs_union.md, "One year, one state"); one never in it by ``Y`` gets no
value. The values are one derived indicator per membership indicator,
``welfare_while_<membership>`` (e.g. ``welfare_while_in_customs_union``), gathered with
the others by :class:`scosim.runstats.RunStats` (so ``summary.csv`` holds their median
and 5-95 % range) from the rows of whole runs it is given
(:mod:`scosim.run_blocks`): no run's years are ever split.

What it is not: the welfare a leaver would have had in ``Y`` had it stayed (a paired
counterfactual, which would need a second simulation of every run). The year of exit is
earlier, with trade possibly still adjusting; the README's never-exit figure
(``--set parameters.rules.defect=never_defect``) is that counterfactual.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["WELFARE", "member_welfare_rows", "while_name", "while_unit"]

#: The indicator carried forward from the years inside.
WELFARE = "welfare_change_pct"
#: Prefix of the derived indicators' names.
PREFIX = "welfare_while_"
_KEYS = ["run", "year", "country"]


def while_name(membership: str) -> str:
    """The derived indicator of a membership indicator (``in_customs_union`` -> ...)."""
    return f"{PREFIX}{membership}"


def while_unit(name: str) -> str | None:
    """The unit ``summary.csv`` gives a derived indicator (None for any other name)."""
    if not name.startswith(PREFIX):
        return None
    return ("percent of real expenditure (welfare change) in the last year up to this one "
            f"in which the economy was in {name.removeprefix(PREFIX)}")


def member_welfare_rows(df: pd.DataFrame, memberships: Iterable[str]) -> pd.DataFrame:
    """Tidy rows of :func:`while_name` for each membership indicator in ``df``.

    Args:
        df: Tidy indicator rows (``run, year, country, indicator, value``) of whole runs:
            every year of each run it holds.
        memberships: Names of membership indicators (1 inside, 0 outside).

    Returns:
        Rows with the same columns, ordered by run, year and economy; empty when ``df``
        has no welfare change or none of the memberships.
    """
    # Compared as they are (categorical in a run's rows): a string copy of the column cost
    # about 110 MB and a second at 1,000 runs of customs_union.yaml.
    names = df["indicator"]
    welfare = df.loc[(names == WELFARE).to_numpy(), [*_KEYS, "value"]]
    parts = []
    for m in memberships:
        inside = df.loc[(names == m).to_numpy(), [*_KEYS, "value"]]
        if welfare.empty or inside.empty:
            continue
        parts.append(_carried(welfare, inside, while_name(m)))
    if not parts:
        return df.iloc[0:0]
    return pd.concat(parts, ignore_index=True)[[*_KEYS, "indicator", "value"]]


def _country_codes(col: pd.Series, levels: np.ndarray) -> np.ndarray:
    """Positions of ``col``'s economies in ``levels`` (-1 where absent)."""
    values = col.astype(object).to_numpy() if isinstance(col.dtype, pd.CategoricalDtype) \
        else col.to_numpy(dtype=object)
    pos = {c: i for i, c in enumerate(levels)}
    return np.fromiter((pos.get(v, -1) for v in values), dtype=np.int64, count=len(values))


def _carried(welfare: pd.DataFrame, inside: pd.DataFrame, name: str) -> pd.DataFrame:
    """Welfare of the last year inside, up to each year: arrays of run x year x economy.

    Rows are those of ``welfare`` with a value, ordered by run, year and economy (the
    country column's category order where it has one), as a sort by them would give.
    """
    runs, r_idx = np.unique(welfare["run"].to_numpy(), return_inverse=True)
    years, y_idx = np.unique(welfare["year"].to_numpy(), return_inverse=True)
    col = welfare["country"]
    levels = (np.asarray(col.cat.categories, dtype=object)
              if isinstance(col.dtype, pd.CategoricalDtype)
              else np.unique(col.to_numpy(dtype=object)))
    c_idx = _country_codes(col, levels)
    shape = (runs.size, years.size, levels.size)
    w = np.full(shape, np.nan)
    w[r_idx, y_idx, c_idx] = welfare["value"].to_numpy(dtype=float)
    # The membership rows of the same cells (others, if any, are not welfare's: ignored).
    ir = np.searchsorted(runs, inside["run"].to_numpy())
    iy = np.searchsorted(years, inside["year"].to_numpy())
    ic = _country_codes(inside["country"], levels)
    ok = ((ir < runs.size) & (iy < years.size) & (ic >= 0))
    ok[ok] &= (runs[ir[ok]] == inside["run"].to_numpy()[ok]) & (
        years[iy[ok]] == inside["year"].to_numpy()[ok])
    member = np.zeros(shape, bool)
    member[ir[ok], iy[ok], ic[ok]] = inside["value"].to_numpy(dtype=float)[ok] > 0.5
    kept = np.where(member, w, np.nan)
    # Carried forward along the years: the index of the last year inside, up to each year.
    last = np.where(np.isnan(kept), -1, np.arange(years.size)[None, :, None])
    np.maximum.accumulate(last, axis=1, out=last)
    carried = np.take_along_axis(kept, np.maximum(last, 0), axis=1)
    out = ~np.isnan(w) & (last >= 0)
    r, y, c = np.nonzero(out)  # C order: run, then year, then economy
    country = (pd.Categorical.from_codes(c, dtype=col.dtype)
               if isinstance(col.dtype, pd.CategoricalDtype) else levels[c])
    return pd.DataFrame({"run": runs[r], "year": years[y], "country": country,
                         "indicator": name, "value": carried[out]})
