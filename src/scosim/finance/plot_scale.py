"""Where the banking figure's panels cut a value far beyond the rest, and its resolution.

Shared by the fiscal-cost panel (:mod:`scosim.finance.plots`) and the who-paid panel
(:mod:`scosim.finance.paid_panel`): one rule for what is drawn off the scale.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["DPI", "OFF_SCALE", "cost_axis_top"]

#: A k/n range or shaded band is cut at the fiscal-cost panel's top, its top written,
#: where it and every one above it are more than this many times the next largest: one
#: large system's failure in a few runs (China's US$2,048 bn in ``finance_crisis.yaml``,
#: 25 times Russia's 82) otherwise sets a scale on which every other year lies flat on
#: zero. A band too: at 10 runs the members' 2026 band, not rare (7 of 10 runs pay),
#: reached an interpolated 1,209 between Russia's 82 and one run's 2,130 and flattened
#: every other year. Means are not compared: a rare amount's mean is k/n of its runs'
#: values by construction.
OFF_SCALE = 5.0

#: The figure's resolution, dots per inch.
DPI = 110


def cost_axis_top(means: Sequence[float], bands: Sequence[float],
                  tops: Sequence[float]) -> float | None:
    """The fiscal-cost panel's top, or None where nothing is cut.

    Args:
        means: The means drawn, US$ bn.
        bands: The shaded bands' tops (95th percentile).
        tops: The k/n ranges' tops (the largest cost of the k runs with one).

    Returns:
        1.25 times the largest mean, band or range below the largest gap of more than
        :data:`OFF_SCALE` times between consecutive bands' and ranges' tops; else None.
    """
    marks = sorted(v for v in [*tops, *bands] if v > 0)
    if len(marks) < 2:
        return None
    ratios = [marks[i + 1] / marks[i] for i in range(len(marks) - 1)]
    i = int(np.argmax(ratios))
    if ratios[i] <= OFF_SCALE:
        return None
    return 1.25 * max([marks[i], *(m for m in means if math.isfinite(m))])
