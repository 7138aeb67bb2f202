"""When a step of a phase-in applies: the schedule runs from entry into force.

A proposal's ``phase_in`` is written in calendar years, for the entry into force the
scenario plans: tabled in ``year``, adopted then, in force ``ratification_lag`` years
later. A proposal adopted later (tabled again by a chair after a rejection) enters later,
and its schedule moves with it, so that the step written for ``k`` years after the start
of the schedule applies ``k`` years after the actual entry into force: a union always
passes through every step of its phase-in, in order, from the first. (Until 2026-12-05
the schedule was read at the calendar year: a union re-tabled and adopted two years late
entered at the step dated for its third year in force, the earlier steps skipped.)

The start of the schedule is the planned entry into force, ``year + ratification_lag``,
or the schedule's first dated step if that comes earlier (a step dated in the year of
tabling, before a union can be in force): so a schedule never loses a step, and one whose
first step is dated after the planned entry keeps that delay. A union that enters on time
with a schedule starting at its planned entry (every shipped scenario) is read at the
calendar year, as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scosim.model.model import SCOModel
    from scosim.proposals.base import ProposalType

__all__ = ["phase_in_year", "ratification_lag", "schedule_start"]


def ratification_lag(model: SCOModel, arr: ProposalType) -> int:
    """Years from adoption to entry into force: the type's own, else the Council's."""
    council = model.scenario.parameters.council
    return int(council.ratification_lag if arr.ratification_lag is None
               else arr.ratification_lag)


def schedule_start(model: SCOModel, arr: ProposalType) -> int:
    """Calendar year the written schedule starts in (see the module docstring).

    The planned entry into force (tabling year plus :func:`ratification_lag`), or the
    first year of the spec's ``phase_in`` if that is earlier.
    """
    start = int(arr.proposal.year) + ratification_lag(model, arr)
    years = getattr(getattr(arr.proposal, "phase_in", None), "years", ())
    return min(start, int(years[0])) if years else start


def phase_in_year(
    model: SCOModel, arr: ProposalType, year: int, active: np.ndarray
) -> np.ndarray:
    """Phase-in fraction of ``arr`` in ``year``, per run, ``(R,)`` (0 outside ``active``).

    In a run where it enters into force (or entered) in ``entry_year``, the schedule is
    read ``entry_year - schedule_start`` years earlier than the calendar year, through
    :meth:`ProposalType.phase_at` (the schedule as written); a run without an entry
    year (not adopted) reads it at the calendar year.

    Args:
        model: The model.
        arr: The arrangement.
        year: The calendar year.
        active: ``(R,)`` runs where it applies (in force, or due to be).

    Returns:
        ``(R,)`` fractions in [0, 1].
    """
    out = np.zeros(model.R)
    if not active.any():
        return out
    shift = np.where(arr.entry_year >= 0, arr.entry_year - schedule_start(model, arr), 0)
    # One call per distinct delay (one in most batches): phase_at stays the type's scalar hook.
    for s in np.unique(shift[active]):
        runs = active & (shift == s)
        out[runs] = arr.phase_at(year - int(s))
    return out
