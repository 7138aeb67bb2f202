"""Yearly shocks to banks' asset values and the dollar channel of sanctions.

Pure functions; random draws come from a ``numpy.random.Generator`` passed in, or from a
sequence of generators, one per run (then run ``r`` gets the same numbers in any batch, as
with :class:`scosim.model.rng.RunStreams`).

Asset shock of economy ``i`` in a year (a fraction of external assets, negative = loss):

    x_i = gdp_beta * g_i + commodity_beta * f_i * c + idio_sd * z_i

with ``g`` the deviation of log GDP growth from trend (the model's GDP shocks), ``c`` the
log change of the oil price (common to all economies, sd from the Energy Institute series),
``f_i`` fuel exports as a share of GDP (WDI) and ``z`` independent standard normal draws.

Sanctions on the dollar channel (``docs/finance.md``): sanctions by ``b`` on ``t`` with
severity ``s`` freeze interbank payments between ``t`` and ``b`` (share ``s``) and the
dollar-settled part of ``t``'s payments with third economies ``j`` (share
``s * secondary * (1 - n[t, j])``, ``n`` the national-currency settlement share of the pair);
they raise the cost of ``t``'s dollar-settled trade with third economies by
``s * dollar_trade_cost * (1 - n[t, j])``. Trade settled in national currencies does not pass
through correspondent accounts in the sanctioning currency, so it is not exposed, except for
the share ``settlement_leakage`` of it that third-country banks still refuse or delay for
fear of secondary sanctions (as Chinese banks did with yuan payments from Russia in 2024):
the exposed share of a pair's trade is ``1 - (1 - settlement_leakage) * n[t, j]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scosim.finance.rows import repeat_row, same_rows

__all__ = [
    "Drawn",
    "asset_shock_sd",
    "asset_shocks",
    "dollar_channel",
    "draw_normals",
    "sanctions_matrix",
    "settlement_shares",
]

FloatArray = NDArray[np.float64]
Rng = np.random.Generator | Sequence[np.random.Generator]


class Drawn:
    """Normal draws made in advance, one ``(T, *shape)`` block per run, handed out in turn.

    Each run's generator gives the same numbers drawn a year at a time or all at once, so
    a block drawn ahead (and shared by the calls that use the same streams, as a vote's
    ensembles do: :mod:`scosim.finance.ensemble`) gives what the generators would.
    """

    def __init__(self, draws: FloatArray) -> None:
        """Hand out ``draws`` ``(R, T, *shape)``, ``draws[:, t]`` at the ``t``-th call."""
        self.draws = draws
        self.t = 0

    def take(self, R: int, shape: tuple[int, ...]) -> FloatArray:
        """The next year's draws ``(R, *shape)``; a different shape or too many calls raise."""
        if (R, *shape) != (self.draws.shape[0], *self.draws.shape[2:]) \
                or self.t >= self.draws.shape[1]:
            raise ValueError(f"draws made ahead are {self.draws.shape} (runs, years, ...), "
                             f"asked for {(R, *shape)} in year {self.t}")
        self.t += 1
        return self.draws[:, self.t - 1].copy()


def draw_normals(rng: Rng | Drawn, R: int, shape: tuple[int, ...] = ()) -> FloatArray:
    """Standard normal draws of shape ``(R, *shape)``.

    Args:
        rng: One generator for the batch, one generator per run, or draws made ahead.
        R: Number of runs.
        shape: Shape of each run's draw.

    Returns:
        The draws.
    """
    if isinstance(rng, Drawn):
        return rng.take(R, shape)
    if isinstance(rng, np.random.Generator):
        return rng.standard_normal((R, *shape))
    gens = list(rng)
    if len(gens) != R:
        raise ValueError(f"{len(gens)} generators given for {R} runs")
    return np.stack([g.standard_normal(shape) for g in gens])


def asset_shocks(
    gdp_shocks: ArrayLike,
    fuel_exports_gdp: ArrayLike,
    rng: Rng | Drawn,
    *,
    oil_sd: float,
    gdp_beta: float = 1.0,
    commodity_beta: float = 0.5,
    idio_sd: float = 0.16,
) -> tuple[FloatArray, FloatArray]:
    """Draw one year's asset shocks.

    Args:
        gdp_shocks: Deviation of log GDP growth from trend (R, N).
        fuel_exports_gdp: Fuel exports / GDP (N,) or (R, N).
        rng: Generator(s); draws one oil shock per run, then N idiosyncratic shocks.
        oil_sd: Standard deviation of the yearly log change of the oil price.
        gdp_beta: Asset return per unit of GDP shock.
        commodity_beta: Asset return per unit of (fuel exports / GDP x oil log change).
        idio_sd: Standard deviation of the banking system's own shock.

    Returns:
        ``(x, c)``: asset shocks (R, N) and the oil price log change (R,).
    """
    g = np.asarray(gdp_shocks, float)
    if g.ndim != 2:
        raise ValueError(f"gdp_shocks must be (R, N), got shape {g.shape}")
    R, N = g.shape
    draws = draw_normals(rng, R, (N + 1,))
    c = oil_sd * draws[:, 0]
    z = draws[:, 1:]
    f = np.broadcast_to(np.asarray(fuel_exports_gdp, float), (R, N))
    x = gdp_beta * g + commodity_beta * f * c[:, None] + idio_sd * z
    return x, c


def asset_shock_sd(
    gdp_sd: ArrayLike,
    fuel_exports_gdp: ArrayLike,
    *,
    oil_sd: float,
    gdp_beta: float = 1.0,
    commodity_beta: float = 0.5,
    idio_sd: float = 0.16,
) -> FloatArray:
    """Standard deviation of the asset shock ``x`` of :func:`asset_shocks`.

    The three terms are independent normals, so their variances add:
    ``sd_x**2 = (gdp_beta * gdp_sd)**2 + (commodity_beta * f * oil_sd)**2 + idio_sd**2``.

    Args:
        gdp_sd: Standard deviation of the yearly GDP shock ``g``, (N,) or (R, N).
        fuel_exports_gdp: Fuel exports / GDP (N,).
        oil_sd: Standard deviation of the yearly log change of the oil price.
        gdp_beta: Asset return per unit of GDP shock.
        commodity_beta: Asset return per unit of (fuel exports / GDP x oil log change).
        idio_sd: Standard deviation of the banking system's own shock.

    Returns:
        ``sd_x``, broadcast to the shape of ``gdp_sd`` and ``fuel_exports_gdp`` together.
    """
    g = gdp_beta * np.asarray(gdp_sd, float)
    f = commodity_beta * np.asarray(fuel_exports_gdp, float) * oil_sd
    return np.sqrt(g * g + f * f + idio_sd * idio_sd)


def sanctions_matrix(
    events: Iterable[tuple[str, str, float]], codes: Sequence[str], R: int
) -> FloatArray:
    """Severity ``S[r, b, t]`` of sanctions imposed by ``b`` on ``t`` this year.

    Args:
        events: ``(target, by, severity)`` triples, severity in [0, 1].
        codes: Economy codes in model order.
        R: Number of runs.

    Returns:
        (R, N, N) severities; several events on one pair combine as independent freezes.
    """
    pos = {c: k for k, c in enumerate(codes)}
    N = len(codes)
    keep = np.ones((N, N))
    for target, by, sev in events:
        for name, c in (("target", target), ("by", by)):
            if c not in pos:
                raise ValueError(f"sanctions {name} {c!r} is not an economy of the model")
        if not 0.0 <= sev <= 1.0:
            raise ValueError(f"sanctions severity {sev} must lie in [0, 1]")
        keep[pos[by], pos[target]] *= 1.0 - sev
    return np.broadcast_to(1.0 - keep, (R, N, N)).copy()


def settlement_shares(
    base: ArrayLike, participants: ArrayLike, share: float | ArrayLike
) -> FloatArray:
    """National-currency settlement share of each pair's trade under a settlement lever.

    Pairs of participants settle at least ``share`` of their mutual trade in national
    currencies; other pairs keep ``base``.

    Args:
        base: Baseline shares (N, N) or (R, N, N), symmetric, in [0, 1].
        participants: (R, N) booleans.
        share: Target share for participant pairs, scalar or (R,).

    Returns:
        (R, N, N) shares.
    """
    p = np.asarray(participants, bool)
    R, N = p.shape
    b = np.broadcast_to(np.asarray(base, float), (R, N, N))
    s = np.broadcast_to(np.asarray(share, float), (R,))
    if (s < 0).any() or (s > 1).any():
        raise ValueError("settlement share must lie in [0, 1]")
    pair = p[:, :, None] & p[:, None, :]
    out = np.where(pair, np.maximum(b, s[:, None, None]), b)
    idx = np.arange(N)
    out[:, idx, idx] = 1.0  # domestic trade is in the national currency
    return out


def dollar_channel(
    severity: ArrayLike,
    settlement: ArrayLike,
    *,
    secondary: float = 0.5,
    dollar_trade_cost: float = 0.05,
    settlement_leakage: float = 0.0,
) -> tuple[FloatArray, FloatArray]:
    """Frozen payments and trade-cost factors caused by sanctions this year.

    Args:
        severity: ``S[r, b, t]`` from :func:`sanctions_matrix` (R, N, N).
        settlement: National-currency settlement shares ``n[r, i, j]`` (R, N, N) or (N, N).
        secondary: Share of a sanctioned economy's dollar payments with third economies
            that correspondent banks block (secondary-sanctions compliance).
        dollar_trade_cost: Iceberg cost added to the target's dollar-settled trade with
            third economies at severity 1.
        settlement_leakage: Share of national-currency settlement still exposed to
            secondary sanctions, in [0, 1]: 0 shields it fully, 1 not at all.

    Returns:
        ``(haircut, trade_cost_factor)``: ``haircut[r, i, j]`` is the share of ``i``'s payment
        to ``j`` that is frozen (R, N, N); ``trade_cost_factor[r, i, j] >= 1`` multiplies the
        trade cost between ``i`` and ``j`` (R, N, N), symmetric.
    """
    if not 0.0 <= settlement_leakage <= 1.0:
        raise ValueError(f"settlement_leakage {settlement_leakage} must lie in [0, 1]")
    S = np.asarray(severity, float)
    R, N, _ = S.shape
    n = np.broadcast_to(np.asarray(settlement, float), (R, N, N))
    if same_rows(S, n):
        # Every run under the same sanctions and settlement (a vote's preview, every
        # year of an ensemble): one row's result, row-wise arithmetic, repeated.
        one = dollar_channel(S[:1], n[:1], secondary=secondary,
                             dollar_trade_cost=dollar_trade_cost,
                             settlement_leakage=settlement_leakage)
        return repeat_row(one[0], R), repeat_row(one[1], R)
    s_t = 1.0 - np.prod(1.0 - S, axis=1)  # overall severity on each target (R, N)
    direct = 1.0 - (1.0 - S) * (1.0 - np.swapaxes(S, 1, 2))  # both directions of b <-> t
    # Settlement in national currencies shields all but its leaked share.
    exposed = 1.0 - (1.0 - settlement_leakage) * n
    # Third-party payments to and from a target t, over its dollar-settled share.
    to_t = secondary * s_t[:, None, :] * exposed
    from_t = secondary * s_t[:, :, None] * exposed
    haircut = 1.0 - (1.0 - direct) * (1.0 - to_t) * (1.0 - from_t)
    idx = np.arange(N)
    haircut[:, idx, idx] = 0.0
    # Trade: the target's dollar-settled trade with anyone other than its sanctioners.
    third = 1.0 - (S + np.swapaxes(S, 1, 2) > 0)
    extra = dollar_trade_cost * (s_t[:, :, None] + s_t[:, None, :]) * exposed * third
    factor = 1.0 + extra
    factor[:, idx, idx] = 1.0
    return np.clip(haircut, 0.0, 1.0), factor
