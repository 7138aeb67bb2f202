"""Random streams keyed by (seed, run, mechanism).

Each mechanism draws from its own stream so that adding a mechanism, or a draw
inside one, leaves every other mechanism's numbers unchanged; a policy run and
its baseline with the same seed share their noise (common random numbers).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

#: Mechanisms that own a stream. New mechanisms append here; the key of a stream
#: is derived from the *name*, not the position, so order does not matter.
MECHANISMS: tuple[str, ...] = (
    "growth", "trade", "council", "events", "security", "finance",
    "network",  # the per-run value of time (scosim.network.vot)
)


@lru_cache(maxsize=64)
def _name_key(name: str) -> int:
    # A stable 32-bit integer from the name: Python's hash() is salted per process.
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "little")


def stream(seed: int, run: int, mechanism: str) -> np.random.Generator:
    """Return the generator of one mechanism in one run.

    Args:
        seed: Scenario seed (>= 0).
        run: Run index within the ensemble (>= 0); independent of batching.
        mechanism: Mechanism name, e.g. ``"growth"``.

    Returns:
        A PCG64 generator seeded from ``SeedSequence([seed, run, key(mechanism)])``.
    """
    if seed < 0 or run < 0:
        raise ValueError(f"seed and run must be >= 0, got seed={seed}, run={run}")
    ss = np.random.SeedSequence([int(seed), int(run), _name_key(mechanism)])
    return np.random.Generator(np.random.PCG64(ss))


class RunStreams:
    """Per-run generators of one mechanism for a batch of runs.

    Draws are made run by run so that run ``r`` gets the same numbers whatever
    batch it is in; the result is stacked on a leading run axis.
    """

    def __init__(self, seed: int, runs: Sequence[int], mechanism: str) -> None:
        self.mechanism = mechanism
        self.runs = tuple(int(r) for r in runs)
        self._gens = [stream(seed, r, mechanism) for r in self.runs]

    def normal(self, size: int | tuple[int, ...] = ()) -> np.ndarray:
        """Standard normal draws, shape ``(R, *size)``."""
        return np.stack([g.standard_normal(size) for g in self._gens])

    def uniform(self, size: int | tuple[int, ...] = ()) -> np.ndarray:
        """Uniform [0, 1) draws, shape ``(R, *size)``."""
        return np.stack([g.random(size) for g in self._gens])

    def poisson(self, lam: np.ndarray) -> np.ndarray:
        """Poisson draws with per-run rates ``lam`` of shape ``(R, ...)``."""
        return np.stack([g.poisson(lam[k]) for k, g in enumerate(self._gens)])

    @property
    def generators(self) -> list[np.random.Generator]:
        """The per-run generators, in run order (for kernels that take one per run)."""
        return list(self._gens)
