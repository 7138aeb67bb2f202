"""Stand-alone ensembles of the banking systems (until the step is wired into the model).

:func:`simulate` runs :func:`scosim.finance.system.step` for several years over ``R`` runs,
drawing GDP shocks as the model's growth phase does (calibrated volatility times standard
normal draws) and taking sanctions events and levers per year. Every run has its own
generators (``scosim.model.rng.stream``), so run ``r`` gives the same numbers in any batch,
and a policy and its baseline with the same seed share their shocks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from scosim.data.calibration import load_calibration
from scosim.finance.contagion import ExternalAssetsShortfall
from scosim.finance.shocks import sanctions_matrix
from scosim.finance.system import INDICATORS, FinanceState, FinanceSystem, Levers
from scosim.model.rng import stream

__all__ = ["simulate", "simulate_from"]

FloatArray = NDArray[np.float64]


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
    gdp_gens = [stream(seed, r, "finance_gdp") for r in range(R)]
    fin_gens = [stream(seed, r, "finance") for r in range(R)]
    z = np.stack([g.standard_normal((T, N)) for g in gdp_gens])
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
