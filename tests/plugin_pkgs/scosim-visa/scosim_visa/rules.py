"""``reciprocal_visa``: a vote rule for visa regimes (docs/rules.md)."""

from __future__ import annotations

import numpy as np


def reciprocal_visa(ctx) -> np.ndarray:
    """Vote as ``utility_vote``, but no to a regime in which another participant loses.

    Opening a border is reciprocal: a state expects its partners to keep their side
    only if they gain too, so it says no where any participant's expected gain is
    negative (``ctx.gains``, ``ctx.participants``: ``(R, N)``). The sponsors say yes.
    """
    partners_gain = ((ctx.gains >= 0.0) | ~ctx.participants).all(axis=1)    # (R,)
    return ctx.is_sponsor | ((ctx.utility + ctx.noise >= 0.0) & partners_gain)
