"""Backtest of the NPL response to a fall of US$ GDP against the devaluations of 2014-2016.

The model turns a fall of an economy's US$ GDP into new non-performing loans one for one
(``gdp_beta`` 1) times ``npl_sensitivity`` (:mod:`scosim.finance.shocks`,
:func:`scosim.finance.levers.npl_flow`). In 2014-2016 the US$ GDP of Russia, Kazakhstan
and Belarus fell by a third or more, mostly through devaluation (no real-GDP series is in
the raw data, ``SOURCES.md``), and the World Bank records their NPL ratios
(FB.AST.NPER.ZS). :func:`npl_path` runs the model's NPL equation on the recorded US$ GDP
changes from the recorded NPL ratio of the year before the fall, with no other shock: the
oil and own shocks of the model average out, and this is what the shipped scenario's
``gdp_shock`` event adds to them. ``tools/finance_backtest.py`` prints the comparison
(docs/finance.md, section 8).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from scosim.finance.levers import npl_flow
from scosim.finance.system import FinanceParams

__all__ = [
    "EPISODES",
    "Episode",
    "EpisodeResult",
    "backtest",
    "fit_gdp_beta",
    "npl_path",
    "reproducing_beta",
]


@dataclass(frozen=True)
class Episode:
    """A fall of US$ GDP: the economy, the last year before it and the last year shown."""

    code: str
    start: int
    end: int


#: Russia (rouble floated in November 2014), Kazakhstan (tenge floated in August 2015) and
#: Belarus (devaluations of 2014-2015): each from the last year before the fall.
EPISODES: tuple[Episode, ...] = (
    Episode("RUS", 2014, 2017),
    Episode("KAZ", 2014, 2017),
    Episode("BLR", 2014, 2017),
)


@dataclass(frozen=True)
class EpisodeResult:
    """The model's NPL path beside the recorded one.

    Attributes:
        episode: The episode.
        years: The years after ``episode.start``.
        gdp_log_change: Log change of US$ GDP in each year (the model's shock).
        model_npl: The model's NPL ratio at the end of each year (fraction).
        wdi_npl: The recorded NPL ratio (fraction; NaN where missing).
        npl_start: The recorded NPL ratio of ``episode.start`` (fraction).
    """

    episode: Episode
    years: tuple[int, ...]
    gdp_log_change: np.ndarray
    model_npl: np.ndarray
    wdi_npl: np.ndarray
    npl_start: float

    @property
    def first_year_ratio(self) -> float:
        """The model's NPL rise in the first year over the recorded one (NaN if <= 0)."""
        recorded = self.wdi_npl[0] - self.npl_start
        model = self.model_npl[0] - self.npl_start
        return model / recorded if recorded > 0 else math.nan

    @property
    def peak_ratio(self) -> float:
        """The model's largest rise over the years shown over the recorded largest one."""
        recorded = float(np.nanmax(self.wdi_npl)) - self.npl_start
        model = float(self.model_npl.max()) - self.npl_start
        return model / recorded if recorded > 0 else math.nan


def npl_path(npl_start: float, gdp_log_change: np.ndarray, params: FinanceParams) -> np.ndarray:
    """The model's NPL ratio year by year after ``npl_start``, driven by US$ GDP alone.

    The model's equation (docs/finance.md, section 3) with the asset shock
    ``x = gdp_beta * g``, no supervision, and the calibrated NPL ratio taken as the ratio
    before the fall (so without a shock the path stays there).

    Args:
        npl_start: NPL ratio of the year before the first change (fraction).
        gdp_log_change: Log change of US$ GDP in each following year.
        params: ``npl_sensitivity``, ``gdp_beta`` and ``cure_rate`` are used.

    Returns:
        The NPL ratio at the end of each year.
    """
    g = np.asarray(gdp_log_change, dtype=float)
    base = np.array([[params.cure_rate * npl_start]])
    npl, out = npl_start, []
    for gt in g:
        new = npl_flow(base, np.array([[params.gdp_beta * gt]]),
                       sensitivity=params.npl_sensitivity, supervised=[[False]],
                       supervision_effect=0.0)[0, 0]
        npl = min(max((1.0 - params.cure_rate) * npl + new, 0.0), 1.0)
        out.append(npl)
    return np.array(out)


def backtest(
    gdp: Mapping[str, Mapping[int, float]],
    npl_pct: Mapping[str, Mapping[int, float]],
    params: FinanceParams,
    episodes: tuple[Episode, ...] = EPISODES,
) -> list[EpisodeResult]:
    """Run :func:`npl_path` on each episode's recorded US$ GDP.

    Args:
        gdp: ``{code: {year: GDP, current US$}}`` (WDI NY.GDP.MKTP.CD).
        npl_pct: ``{code: {year: NPLs to gross loans, percent}}`` (WDI FB.AST.NPER.ZS).
        params: The model's parameters.
        episodes: The episodes.

    Returns:
        One result per episode.

    Raises:
        KeyError: A GDP figure of an episode, or its starting NPL ratio, is missing.
    """
    out = []
    for ep in episodes:
        years = tuple(range(ep.start + 1, ep.end + 1))
        series = gdp[ep.code]
        for y in (ep.start, *years):
            if y not in series:
                raise KeyError(f"GDP of {ep.code} in {y} is missing")
        if ep.start not in npl_pct.get(ep.code, {}):
            raise KeyError(f"NPL ratio of {ep.code} in {ep.start} is missing")
        g = np.array([math.log(series[y] / series[y - 1]) for y in years])
        start = npl_pct[ep.code][ep.start] / 100.0
        wdi = np.array([npl_pct[ep.code].get(y, math.nan) / 100.0 for y in years])
        out.append(EpisodeResult(ep, years, g, npl_path(start, g, params), wdi, start))
    return out


def reproducing_beta(result: EpisodeResult, params: FinanceParams) -> float:
    """The ``gdp_beta`` with which the model's first-year NPL rise is the recorded one.

    The first year's rise is ``npl_sensitivity * gdp_beta * max(0, -g)``, linear in
    ``gdp_beta``. NaN if US$ GDP did not fall in the first year; 0 if NPLs did not rise.
    """
    fall = max(0.0, -float(result.gdp_log_change[0]))
    if fall == 0.0 or params.npl_sensitivity == 0.0:
        return math.nan
    rise = float(result.wdi_npl[0]) - result.npl_start
    return max(rise, 0.0) / (params.npl_sensitivity * fall)


def fit_gdp_beta(
    gdp: Mapping[str, Mapping[int, float]],
    npl_pct: Mapping[str, Mapping[int, float]],
    params: FinanceParams,
    episodes: tuple[Episode, ...] = EPISODES,
) -> tuple[float, int]:
    """The ``gdp_beta`` that fits the recorded NPL ratios best, by least squares.

    Over every year of every episode with a recorded NPL ratio, the squared gap between the
    model's ratio (:func:`npl_path`) and the recorded one. For ``gdp_beta >= 0`` the path
    is linear in it (``max(0, -beta * g) = beta * max(0, -g)``; the clip to [0, 1] is not
    reached in these episodes), so the minimum is in closed form; the record fixes only
    ``npl_sensitivity * gdp_beta`` (docs/finance.md, section 6).

    Args:
        gdp: ``{code: {year: GDP, current US$}}``.
        npl_pct: ``{code: {year: NPLs to gross loans, percent}}``.
        params: ``npl_sensitivity`` and ``cure_rate`` are used.
        episodes: The episodes fitted.

    Returns:
        ``(gdp_beta, country_years)``: the fit (0 if the record asks for a negative one)
        and the number of country-years it used.
    """
    at0 = backtest(gdp, npl_pct, replace(params, gdp_beta=0.0), episodes)
    at1 = backtest(gdp, npl_pct, replace(params, gdp_beta=1.0), episodes)
    num, den, n = 0.0, 0.0, 0
    for r0, r1 in zip(at0, at1, strict=True):
        ok = ~np.isnan(r0.wdi_npl)
        slope = (r1.model_npl - r0.model_npl)[ok]
        num += float(np.sum(slope * (r0.wdi_npl[ok] - r0.model_npl[ok])))
        den += float(np.sum(slope * slope))
        n += int(ok.sum())
    return (max(num / den, 0.0) if den > 0 else math.nan), n
