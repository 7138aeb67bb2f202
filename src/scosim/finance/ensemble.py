"""Stand-alone ensembles of the banking systems (until the step is wired into the model).

:func:`simulate` runs :func:`scosim.finance.system.step` for several years over ``R`` runs,
drawing GDP shocks as the model's growth phase does (calibrated volatility times standard
normal draws) and taking sanctions events and levers per year. Every run has its own
generators (``scosim.model.rng.stream``), so run ``r`` gives the same numbers in any batch,
and a policy and its baseline with the same seed share their shocks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from scosim.data.calibration import load_calibration
from scosim.finance.contagion import ExternalAssetsShortfall
from scosim.finance.shocks import Drawn, sanctions_matrix
from scosim.finance.system import INDICATORS, FinanceState, FinanceSystem, Levers
from scosim.model.rng import stream

__all__ = ["simulate", "simulate_from"]

FloatArray = NDArray[np.float64]


#: Ensembles up to this many run-years keep their draws for the next call with the same
#: seed and shape: a vote's preview runs its ensemble with and without the union, and
#: again for every run tabled on other balance sheets, all on the same draws.
_KEEP_DRAWS = 10_000


def _draws(seed: int, R: int, T: int, N: int) -> tuple[FloatArray, FloatArray]:
    """The ensemble's GDP draws ``(R, T, N)`` and finance draws ``(R, T, N + 1)``, read-only.

    Run ``r``'s own streams (``finance_gdp`` and ``finance``), each drawn for all ``T``
    years at once: the same numbers as drawn a year at a time (the finance step draws
    ``N + 1`` normals a run each year, :func:`scosim.finance.shocks.asset_shocks`).
    """
    if R * T > _KEEP_DRAWS:
        return _make_draws(seed, R, T, N)
    return _kept_draws(seed, R, T, N)


def _make_draws(seed: int, R: int, T: int, N: int) -> tuple[FloatArray, FloatArray]:
    """:func:`_draws`, made afresh (read-only: the kept ones are shared by later calls)."""
    z = np.stack([stream(seed, r, "finance_gdp").standard_normal((T, N)) for r in range(R)])
    fin = np.stack([stream(seed, r, "finance").standard_normal((T, N + 1))
                    for r in range(R)])
    z.flags.writeable = fin.flags.writeable = False
    return z, fin


_kept_draws = lru_cache(maxsize=8)(_make_draws)


def simulate(
    fs: FinanceSystem,
    years: Sequence[int],
    runs: int,
    *,
    seed: int = 0,
    levers: Callable[[int, int], Levers] | None = None,
    sanctions: Mapping[int, Sequence[tuple[str, str, float]]] | None = None,
    gdp_shocks: Mapping[int, Mapping[str, float]] | None = None,
    volatility_scale: float = 1.0,
) -> dict[str, FloatArray]:
    """Run the banking systems over ``years``.

    Args:
        fs: The system (tables and parameters).
        years: Simulated years, in order.
        runs: Number of runs ``R``.
        seed: Scenario seed.
        levers: ``levers(year, R)``; no union and baseline settlement if omitted.
        sanctions: ``{year: [(target, by, severity), ...]}``.
        gdp_shocks: ``{year: {code: log shock}}`` added to the drawn GDP shocks (a crisis).
        volatility_scale: Multiplies the calibrated GDP volatility.

    Returns:
        Indicator name -> array (R, T, N), plus ``"rounds"`` (R, T): the deepest contagion
        round of each run and year.

    The banks' risk-based margin prices the drawn shocks (``volatility_scale`` times the
    calibrated volatility), whatever ``fs`` was set up with.
    """
    out, _ = simulate_from(fs, years, runs, seed=seed, levers=levers, sanctions=sanctions,
                           gdp_shocks=gdp_shocks, volatility_scale=volatility_scale)
    return out


def simulate_from(
    fs: FinanceSystem,
    years: Sequence[int],
    runs: int,
    *,
    seed: int = 0,
    levers: Callable[[int, int], Levers] | None = None,
    sanctions: Mapping[int, Sequence[tuple[str, str, float]]] | None = None,
    gdp_shocks: Mapping[int, Mapping[str, float]] | None = None,
    volatility_scale: float = 1.0,
    state: FinanceState | None = None,
    drawn: bool = True,
) -> tuple[dict[str, FloatArray], FinanceState]:
    """:func:`simulate` from a given state, returning the state at the end as well.

    Args:
        fs: The system (tables and parameters).
        years: Simulated years, in order.
        runs: Number of runs ``R``.
        seed: Scenario seed.
        levers: ``levers(year, R)``; no union and baseline settlement if omitted.
        sanctions: ``{year: [(target, by, severity), ...]}``.
        gdp_shocks: ``{year: {code: log shock}}`` added to the drawn GDP shocks.
        volatility_scale: Multiplies the calibrated GDP volatility.
        state: The state at the start (``R`` runs); the calibrated one if omitted.
        drawn: False: no GDP, oil or own shock is drawn, only ``gdp_shocks`` act (a
            record of known events); the margin still prices the shocks the banks face.

    Returns:
        ``(indicators, state)``: :func:`simulate`'s arrays and the state after the last year.
    """
    cal = load_calibration()
    vol = cal.countries.loc[list(fs.codes), "gdp_growth_sd"].to_numpy(dtype=float)
    fs = fs.with_gdp_sd(volatility_scale * vol)
    if not drawn:
        # Banks charged for the risk they faced; the year turned out as recorded.
        priced = fs.premium
        fs = fs.with_params(oil_sd=0.0, idio_sd=0.0)
        fs.premium = priced
    R, T, N = runs, len(years), fs.N
    z, fin = _draws(int(seed), R, T, N)
    fin_gens = Drawn(fin)
    state = fs.initial_state(R) if state is None else state
    out = {k: np.zeros((R, T, N)) for k in INDICATORS}
    rounds = np.zeros((R, T))
    for t, year in enumerate(years):
        g = volatility_scale * vol[None, :] * z[:, t, :] * float(drawn)
        for code, size in (gdp_shocks or {}).get(year, {}).items():
            g[:, fs.codes.index(code)] += size
        S = sanctions_matrix((sanctions or {}).get(year, ()), fs.codes, R)
        lev = levers(year, R) if levers is not None else fs.levers(R)
        try:
            state, ind = fs.step(state, g, S, lev, fin_gens)
        except ExternalAssetsShortfall as exc:
            exc.year = int(year)  # the caller names the run; the year is known only here
            raise
        for k in INDICATORS:
            out[k][:, t, :] = ind[k]
        rounds[:, t] = ind["contagion_round"].max(axis=1)
    out["rounds"] = rounds
    return out, state
