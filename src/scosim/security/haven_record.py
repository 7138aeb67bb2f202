"""The run's record of the safe-haven channel: expected incidents arriving through it.

``incidents_haven_arrivals`` is what the channel adds to each economy's expected incidents
in the year (docs/security.md section 4): groups its land neighbours' enforcement above
2018-2022 displaced into it, and their onward spill from a neighbouring haven, after its
own protection and hardening. It is computed as the year's expected incidents minus the
same without the channel (``haven_share`` 0 in every run, all else equal), so it is by
construction what the channel adds, 0 exactly where nothing arrives; the threat process
adds the arrivals last, so the two share every other step, bit for bit.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scosim.security.model import SecurityState, SecuritySystem

__all__ = ["HAVEN_INDICATOR", "haven_incidents"]

#: The indicator's name in a run's records.
HAVEN_INDICATOR = "incidents_haven_arrivals"


def haven_incidents(system: SecuritySystem, state: SecurityState, efforts: np.ndarray,
                    instability: np.ndarray | float, hardening: np.ndarray | None,
                    expected: np.ndarray) -> np.ndarray:
    """Expected incidents a year ``(R, N)`` arriving through the safe-haven channel.

    Args:
        system: The calibrated block.
        state: The state the year's expected incidents were computed at (before the step).
        efforts: ``(R, N, C)`` the year's efforts.
        instability: The year's Afghan instability, scalar or ``(R,)``.
        hardening: ``(R, N)`` the year's hardening, or None without a rule.
        expected: ``(R, N)`` the year's expected incidents, channel on.
    """
    share = system.params.haven_share if state.haven_share is None else state.haven_share
    if not np.any(np.asarray(share) > 0):  # the channel off in every run: nothing arrives
        return np.zeros(np.shape(expected))
    off = replace(state, haven_share=np.zeros(state.n_runs))
    without = system.expected_incidents(off, efforts, instability, hardening=hardening)
    # Arrivals are >= 0 and added last, so this is >= 0 up to one rounding (clipped).
    return np.maximum(np.asarray(expected, dtype=float) - without, 0.0)
