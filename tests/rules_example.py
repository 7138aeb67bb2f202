"""A user's rule module, loaded by dotted path in tests (not registered by name)."""

import numpy as np


def kazakhstan_says_no(ctx):
    """Oppose everything: used to show that a dotted-path rule changes the outcome."""
    return np.zeros(ctx.n_runs, dtype=bool)


def dominance_cap(ctx):
    """The docs' worked example: no union where the largest economy takes over half the gains."""
    return (ctx.utility + ctx.noise >= 0) & (ctx.terms["dominance"] <= 0.5)


def no_until_2026(ctx):
    """Oppose at the 2025 summit, support from 2026 on (a change of government)."""
    return np.full(ctx.n_runs, ctx.year >= 2026)
