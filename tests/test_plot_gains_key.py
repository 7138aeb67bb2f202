"""The gains figure keys only the bar colours a reader can see.

corridor_trans_afghan_high.yaml's ``network_gains.png`` keyed a green "gain" beside bars
that were all losses to the eye: Qatar's and Kuwait's medians (+0.0005 and +0.0003 %)
are a two-thousandth of Afghanistan's -1.0, under a pixel. Checked on the figure's own
key and bars.
"""

from __future__ import annotations

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np

from scosim.data.constants import ECONOMIES
from scosim.network import plot


def _keys(tmp_path, monkeypatch, mid: np.ndarray) -> list[str]:
    kept = []
    monkeypatch.setattr(plot.plt, "close", kept.append)
    bands = np.stack([mid - 0.01, mid, mid + 0.01])
    plot.plot_gains_bands(bands, 20, ECONOMIES, tmp_path / "g.png", title="t", stat="median")
    fig = kept[-1]
    try:
        return [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    finally:
        plt.close(fig)


def test_no_gain_swatch_when_the_only_gains_are_too_small_to_see(tmp_path, monkeypatch):
    mid = np.zeros(len(ECONOMIES))
    mid[:4] = [-1.0, -0.1, 0.0005, 0.0003]
    keys = _keys(tmp_path, monkeypatch, mid)
    assert "median of 20 runs: loss" in keys
    assert not any(k.endswith(": gain") for k in keys)
    # The 10 bars under 0.5 % of the longest (two gains, eight zeros) are counted, not hidden.
    assert "10 bars of at most 0.0005 % (gain or loss): too small to see" in keys


def test_a_visible_gain_keeps_its_swatch_in_its_colour(tmp_path, monkeypatch):
    kept = []
    monkeypatch.setattr(plot.plt, "close", kept.append)
    mid = np.linspace(-1.0, 0.5, len(ECONOMIES))
    plot.plot_gains_bands(np.stack([mid, mid, mid]), 20, ECONOMIES, tmp_path / "g.png",
                          title="t", stat="median")
    fig = kept[-1]
    try:
        legend = fig.axes[0].get_legend()
        keyed = {t.get_text(): mcolors.to_hex(h.get_facecolor())
                 for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)
                 if ": " in t.get_text()}
        assert keyed == {"median of 20 runs: gain": mcolors.to_hex("C2"),
                         "median of 20 runs: loss": mcolors.to_hex("C3")}
    finally:
        plt.close(fig)
