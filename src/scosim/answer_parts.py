"""An "of which" table that would repeat its whole's: one line in the answer instead.

A mechanism may declare, in ``headline_parts``, headline indicators that are part of
another, run by run: ``{part: (whole, all_of_it)}`` (the finance slot's equity bought,
``fiscal_recap_usd``, is part of its gross fiscal cost, ``fiscal_cost_usd``, by
construction: finance/levers.py, ``equity_bought``, in ``[0, injection]``). In
``finance_crisis.yaml`` the two tables of the run's answer came out identical, line for
line, with nothing saying why: no run's treasury backed insured deposits (they lost nothing
in default) or filled a resolution's hole, so all of it bought equity.

Since a part is at most its whole in every run, the two means are equal in a year and
economy only if the two are equal in every run of it: equal means in every cell mean the
part's table would repeat the whole's, and the answer says so in one line, with the
declared ``all_of_it`` (what that means). Where they differ the part's table is printed as
before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from scosim.runstats import ZERO, RunStats
from scosim.tty_lines import answer_lines

__all__ = ["all_of_whole", "declared_parts", "part_lines", "run_parts"]

#: Relative difference of two means still read as equal (compensated sums of the same
#: values agree to about 1e-15; a part that differs in one run of 10,000 by 0.1 % of the
#: whole differs by 1e-7).
SAME = 1e-12


def declared_parts(mechanism: str) -> Mapping[str, tuple[str, str]]:
    """The ``headline_parts`` of the mechanism registered as ``mechanism`` (empty if none).

    Read from the class: the fallback for a run made before its manifest recorded them
    (:func:`run_parts`). A mechanism this process cannot import declares none, and its
    answer prints every table as before.
    """
    from scosim.model.slots import get_mechanism
    from scosim.plugins import PluginError

    try:
        cls = get_mechanism(mechanism)
    except (PluginError, ImportError, KeyError, ValueError):
        return {}
    parts = getattr(cls, "headline_parts", None)
    return parts if isinstance(parts, Mapping) else {}


def run_parts(h: Any) -> Mapping[str, tuple[str, str]]:
    """The ``headline_parts`` of a headline indicator's mechanism, as its run recorded them.

    Recorded with the run (``plugins.declared.mechanisms.<slot>.headline_parts`` in its
    manifest), so a replot answers as the run did even if the class has changed since;
    a run made before they were recorded falls back to the class (:func:`declared_parts`).

    Args:
        h: A :class:`scosim.mechanism_answer.HeadlineIndicator`.
    """
    if h.parts is None:
        return declared_parts(h.mechanism)
    return {part: (whole, what) for part, whole, what in h.parts}


def all_of_whole(st: RunStats, part: str, whole: str) -> bool:
    """Whether ``part`` equals ``whole`` in every year and economy recorded (its means).

    Args:
        st: The run's statistics.
        part: An indicator declared part of ``whole`` in every run.
        whole: The indicator it is part of.
    """
    if not (st.has(part) and st.has(whole)):
        return False
    p, w = st.mean(part).fillna(0.0), st.mean(whole).fillna(0.0)
    # Cells recorded for one and not the other (an economy whose part is never recorded)
    # count as 0: a whole above 0 there is a difference.
    p, w = p.align(w, join="outer", fill_value=0.0)
    pa, wa = p.to_numpy(float), w.to_numpy(float)
    return bool(np.any(np.abs(wa) > ZERO)) and bool(
        np.all(np.abs(pa - wa) <= SAME * np.abs(wa) + ZERO))


def part_lines(st: RunStats, name: str, declared: Mapping[str, Any], title: str
               ) -> list[str] | None:
    """The answer's line for ``name`` in place of its table, or None to print the table.

    Args:
        st: The run's statistics.
        name: A headline indicator.
        declared: The run's headline indicators, in the answer's order
            (:func:`scosim.mechanism_answer.declared_headline`).
        title: ``name`` as the answer names it.

    Returns:
        The wrapped line where ``name`` is declared part of an indicator whose table is
        printed above it and equals it in every run; else None.
    """
    parts = run_parts(declared[name])
    if name not in parts:
        return None
    whole, all_of_it = parts[name]
    order = list(declared)
    if whole not in declared or order.index(whole) > order.index(name):
        return None
    if not all_of_whole(st, name, whole):
        return None
    # The whole by its code: its table's heading above ends with it.
    text = (f"{title}: equal to {whole} above in every run, year and economy: "
            f"{all_of_it}; one table for both")
    return answer_lines(text, indent="  ", subsequent="    ")
