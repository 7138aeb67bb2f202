"""A sweep over the RATS pool's ``pool_rho`` and ``enforcement_weight``, run by run.

Both settings enter the block's calibration: the pool's capacity weights and the
2018-2022 baseline security index ``S0`` every year's incidents are measured against. So a
run at value ``v`` needs the block built at ``v``, not the batch's block. A sweep groups its
runs by their pair of values and builds (or reuses, :func:`system_for`) the ordinary block
for each pair; :class:`RunGroupedSystem` computes each group's security index with its
group's block on that group's rows and carries each run's ``S0`` as a row. A swept run
therefore computes exactly what a batch at its value computes (the same functions on the
same numbers, row by row), including the summation at ``pool_rho = 1`` and the pure weakest
link at ``-inf``. Without a sweep of these two, the batch's block is used as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from scosim.security.model import SecuritySystem
from scosim.security.settings_system import system_for

__all__ = ["CALIBRATION_SWEEPABLE", "RunGroupedSystem", "system_for_runs"]

#: Settings of the block's calibration a sweep may vary run by run (one block per value).
CALIBRATION_SWEEPABLE: tuple[str, ...] = ("pool_rho", "enforcement_weight")


class RunGroupedSystem(SecuritySystem):
    """Blocks at different ``pool_rho`` / ``enforcement_weight``, one per group of runs.

    Everything that does not depend on the two settings (tables, efforts, partners,
    hazards, the other parameters) is the first block's, identical in every block. The
    security index is computed group by group with each group's own block, and ``S0`` and
    ``S0_domestic`` are ``(R, N)``: each run's baseline index at its own values.

    Args:
        blocks: One block per distinct pair of values.
        which: ``(R,)`` index into ``blocks`` of each run's block.
    """

    def __init__(self, blocks: Sequence[SecuritySystem], which: np.ndarray) -> None:  # noqa: D107
        # The shared parts of the first block, without recalibrating anything.
        self.__dict__.update(blocks[0].__dict__)
        self.groups: list[tuple[np.ndarray, SecuritySystem]] = [
            (np.flatnonzero(which == g), b) for g, b in enumerate(blocks)]
        self.S0 = np.stack([b.S0 for b in blocks])[which]
        self.S0_domestic = np.stack([b.S0_domestic for b in blocks])[which]

    def _security(self, efforts: np.ndarray, rats: np.ndarray,
                  members: np.ndarray | None = None) -> np.ndarray:
        e, k = np.asarray(efforts, dtype=float), np.asarray(rats, dtype=float)
        if e.shape[0] != self.S0.shape[0]:
            raise ValueError(f"a swept security block holds {self.S0.shape[0]} runs, "
                             f"got efforts for {e.shape[0]}")
        out = np.empty(e.shape[:2])
        for runs, b in self.groups:
            m = None if members is None else np.asarray(members, dtype=bool)[runs]
            out[runs] = b._security(e[runs], k[runs], m)
        return out


def system_for_runs(settings: Any, default: SecuritySystem, swept: dict[str, Any],
                    n_runs: int) -> SecuritySystem:
    """The block for a batch whose sweep may vary ``pool_rho`` or ``enforcement_weight``.

    Args:
        settings: The mechanism's validated ``SecuritySettings``.
        default: The shared default block (:func:`system_for`).
        swept: The mechanism's swept values, each ``(R,)``.
        n_runs: ``R``.

    Returns:
        :func:`system_for` of the settings when neither is swept (the batch as before);
        else a :class:`RunGroupedSystem`, each run's block that of the settings with its
        values.

    Raises:
        ValueError: A swept value the setting does not allow (naming it and the range).
    """
    fields = [f for f in CALIBRATION_SWEEPABLE if f in swept]
    if not fields:
        return system_for(settings, default)
    values = np.stack([np.asarray(swept[f], dtype=float).reshape(n_runs) for f in fields],
                      axis=1)
    # One block per distinct pair of values, built once (np.unique keeps -inf as a value).
    keys, which = np.unique(values, axis=0, return_inverse=True)
    blocks = []
    for key in keys:
        try:  # the settings' own checks (pool_rho in [-20, 1] or -inf, ...)
            s = type(settings).model_validate(
                {**settings.model_dump(), **dict(zip(fields, map(float, key), strict=True))})
        except ValueError as err:
            raise ValueError(f"parameters.mechanism_settings.security: swept value "
                             f"not allowed: {err}") from None
        blocks.append(system_for(s, default))
    return RunGroupedSystem(blocks, which.reshape(n_runs))
