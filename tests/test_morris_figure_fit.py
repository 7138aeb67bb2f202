"""The Morris figure keeps every word on the canvas and each point's name in its panel.

The right panel's x label ("...per full range") and the largest point's name
("trade.sigma") ran past the right edge of the saved PNG of `scosim sweep --method
morris` on customs_union: the constrained layout sized the margins for labels that
fitted before it narrowed the panels, and the names sat right of their points.
"""

from __future__ import annotations

import pandas as pd
import pytest

from scosim.experiments.sensitivity_plots import plot_morris

GDP = "gdp_usd:CHN"
UNIT = "US$ (current, of the year on the model's GDP path)"  # the sweep's, as printed
BOUNDS = {"parameters.trade.sigma": (3, 8), "parameters.weights.econ": (0, 2)}
NOTE = ("parameters.trade.sigma is swept: each run uses the point's sigma exactly, without "
        "the scenario's per-run spread (sigma_spread 1, which draws each run's sigma within "
        "+-1 of it); scosim run at that sigma gives the same numbers only with --set "
        "parameters.trade.sigma_spread=0")


def _indices(mu_star: tuple[float, float], sigma: tuple[float, float],
             conf: tuple[float, float] = (0.0, 0.0)) -> pd.DataFrame:
    return pd.DataFrame({"parameter": list(BOUNDS), "output": GDP, "mu": mu_star,
                         "mu_star": mu_star, "mu_star_conf": conf, "sigma": sigma})


def _figure(ind: pd.DataFrame):
    return plot_morris(ind, output=GDP, runs=12, bounds=BOUNDS, replications=1,
                       context="customs_union (seed 20250101, the same at every point)",
                       labels={GDP: f"GDP (gdp_usd) of CHN in 2035, {UNIT}"}, note=NOTE,
                       units={GDP: UNIT})


CASES = {
    # the sweep's indices.csv (4 trajectories, 1 replication): one parameter moves GDP by
    # tens of billions, the other nothing
    "one effect, one none": _indices((1.8044e10, 0.0), (1.7277e10, 0.0), (1.5631e10, 0.0)),
    # two effects close together: margins around their span (not from 0) left no room
    "two close effects": _indices((3.9e10, 3.0e10), (1.7e10, 0.4e10)),
    "no effect at all": _indices((0.0, 0.0), (0.0, 0.0)),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("dpi", [100, 120])  # 120: savefig's, as the PNG is written
def test_morris_texts_stay_on_the_canvas_and_names_in_their_panel(case: str, dpi: int):
    import matplotlib.pyplot as plt

    fig = _figure(CASES[case])
    fig.set_dpi(dpi)
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    box = fig.bbox
    texts = [fig._suptitle, fig._supxlabel]
    for ax in fig.axes:
        texts += [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        for ticks, (lo, hi), at in ((ax.get_xticklabels(), ax.get_xlim(), 0),
                                    (ax.get_yticklabels(), ax.get_ylim(), 1)):
            texts += [t for t in ticks if lo <= t.get_position()[at] <= hi]  # drawn ones
    out = [t.get_text() for t in texts if t is not None and t.get_text().strip()
           and not (box.x0 - 1 <= t.get_window_extent(r).x0
                    and t.get_window_extent(r).x1 <= box.x1 + 1)]
    assert out == [], out
    scatter = fig.axes[1]
    panel = scatter.get_window_extent(r)
    names = {a.get_text(): a.get_window_extent(r) for a in scatter.texts}
    assert set(names) == {"trade.sigma", "weights.econ"} or case == "no effect at all"
    for name, ext in names.items():
        assert panel.x0 <= ext.x0 and ext.x1 <= panel.x1, name
        assert panel.y0 <= ext.y0 and ext.y1 <= panel.y1, name
    # mu* and sigma are never negative: both axes start at 0, and hold every point
    assert scatter.get_xlim()[0] == 0 and scatter.get_ylim()[0] == 0
    ind = CASES[case]
    assert scatter.get_xlim()[1] > ind["mu_star"].max() / 1e9
    assert scatter.get_ylim()[1] > ind["sigma"].max() / 1e9
    plt.close(fig)
