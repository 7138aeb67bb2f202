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
    names = df["indicator"].astype(str)
    welfare = df.loc[names == WELFARE, [*_KEYS, "value"]]
    parts = []
    for m in memberships:
        inside = df.loc[names == m, [*_KEYS, "value"]]
        if welfare.empty or inside.empty:
            continue
        rows = welfare.merge(inside.rename(columns={"value": "inside"}), on=_KEYS, how="left")
        rows = rows.sort_values(["run", "country", "year"], kind="stable")
        kept = rows["value"].where(rows["inside"] > 0.5)
        # Carried forward within each run and economy: the last year inside, up to each year.
        rows["value"] = kept.groupby([rows["run"], rows["country"]], observed=True,
                                     sort=False).ffill()
        rows = rows.dropna(subset=["value"]).sort_values(_KEYS, kind="stable")
        parts.append(rows[_KEYS].assign(indicator=while_name(m), value=rows["value"]))
    if not parts:
        return df.iloc[0:0]
    return pd.concat(parts, ignore_index=True)[[*_KEYS, "indicator", "value"]]
