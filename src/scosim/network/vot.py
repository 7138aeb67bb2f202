"""The value of shipping time, drawn per run across Hummels and Schaur's range.

A route's generalised cost is ``money / value_per_teu + days x vot_per_day``
(:mod:`scosim.network.routing`), and time is most of it: on India-Russia 0.36 of the
baseline 0.417 is days (docs/network.md, "How sure: the value of time"). Hummels and Schaur
(2013, *Time as a Trade Barrier*, American Economic Review 103(7)) put the value of a day
in transit at 0.6 to 2.1 percent of the goods' value; ``params.csv`` holds the midpoint,
0.0135. Since 2026-12-07 each run draws its own value across that range (the way
``parameters.trade.sigma_spread`` draws sigma), so the answer's "how sure" band covers it:
one of :data:`VOT_LEVELS` equally likely values, the midpoints of as many equal parts of
the range (a uniform draw made discrete). Each value needs its own route search each year,
so a continuous draw cost a search per run (4 times the model's time at 30 runs); eight
values cost eight whatever the number of runs, and move a quantile of the gains by at most
a sixteenth of the range's effect (about 0.02 points of Iran's INSTC net, whose range is 0.27).

Scenario settings (``parameters.network``, :class:`~scosim.network.params.NetworkParams`):

* ``vot_per_day``: one value for every run (the rule before 2026-12-07, at 0.0135).
* ``vot_range``: ``[low, high]`` of the per-run draw (default :data:`HUMMELS_SCHAUR_RANGE`);
  ``[x, x]`` fixes it at ``x``.

The draw comes from the run's own ``"network"`` stream (:mod:`scosim.model.rng`), so a run
gets the same value in any batch and on any executor, and a scenario without the network
slot draws nothing: its numbers are unchanged.

``value_per_teu`` (US$54,500, the average value of containerised trade per TEU in 2020, from
UNCTAD's Review of Maritime Transport 2021 via Notteboom, Pallis and Rodrigue) is not drawn:
its source gives one figure, not a range, and it scales only the money part of a route's
cost (0.053 of India-Russia's 0.417), so a quarter more or less moves that cost by about 3
percent (an assumption; docs/network.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy only for the annotations: the scenario schema imports this module
    import numpy as np

    from scosim.model.model import SCOModel

#: Hummels and Schaur (2013): a day in transit is worth 0.6 to 2.1 percent of the goods'
#: value (ad valorem per day); the default range of the per-run draw.
HUMMELS_SCHAUR_RANGE: tuple[float, float] = (0.006, 0.021)
#: How many values of time the runs share: the midpoints of equal parts of the range.
VOT_LEVELS = 8
#: Largest value of time a scenario may set (10 percent of the cargo a day).
VOT_MAX = 0.1
#: The random stream of the draw (:func:`scosim.model.rng.stream`): the network's own.
STREAM = "network"


def vot_range_problem(low: float, high: float) -> str | None:
    """What is wrong with ``vot_range = [low, high]`` (None: nothing).

    Args:
        low: Lowest value of time drawn, ad valorem per day.
        high: Highest.

    Returns:
        A message naming what is allowed, or None.
    """
    if not 0.0 < low <= high <= VOT_MAX:
        return (f"vot_range [{low:g}, {high:g}] must satisfy 0 < low <= high <= {VOT_MAX:g} "
                "(ad valorem per day; Hummels and Schaur 2013: [0.006, 0.021]; [x, x] fixes "
                "it at x)")
    return None


def vot_bounds(params: Any) -> tuple[float, float] | None:
    """``(low, high)`` of the per-run draw, or None when one value serves every run.

    Args:
        params: The scenario's :class:`~scosim.network.params.NetworkParams`.
    """
    if params.vot_per_day is not None:
        return None
    low, high = params.vot_range if params.vot_range is not None else HUMMELS_SCHAUR_RANGE
    return None if low == high else (float(low), float(high))


def fixed_vot(params: Any) -> float | None:
    """The one value of time of every run, None where it is drawn or ``params.csv``'s.

    ``vot_per_day`` where set, the value of a ``vot_range`` ``[x, x]``; None otherwise.
    """
    if params.vot_per_day is not None:
        return float(params.vot_per_day)
    if params.vot_range is not None and params.vot_range[0] == params.vot_range[1]:
        return float(params.vot_range[0])
    return None


def run_vot(model: SCOModel, params: Any) -> np.ndarray | None:
    """Each run's value of time ``(R,)``, or None where every run has the same one.

    One of :data:`VOT_LEVELS` midpoints of equal parts of :func:`vot_bounds`, each as
    likely, from the run's ``"network"`` stream: run ``r`` of a seed draws the same value
    whatever its batch.
    """
    bounds = vot_bounds(params)
    if bounds is None:
        return None
    from scosim.model.rng import RunStreams

    u = RunStreams(model.scenario.seed, model.run_ids, STREAM).uniform()
    low, high = bounds
    import numpy as np

    part = np.minimum(np.floor(u * VOT_LEVELS), VOT_LEVELS - 1)
    return low + (high - low) * (part + 0.5) / VOT_LEVELS
