"""gdp_paths.png says its GDP is nominal (prices included), not the policy's effect on output.

The reviewer's case: under the customs union India's 2035 GDP on the figure is 4.2 %
below the baseline run's while its real GDP change is +0.65 %; the title said only
"current US$ billion", so the price effect read as a loss of output.
"""

import matplotlib.figure
import pandas as pd

from scosim.plots import plot_gdp_paths


def test_the_gdp_figure_says_its_lines_are_nominal_and_where_the_real_change_is(tmp_path,
                                                                                 monkeypatch):
    rows = [(r, y, "IND", "gdp_usd", 4e12 * (1 + 0.05 * (y - 2025)) * (1 + 0.01 * r))
            for r in range(3) for y in (2025, 2026)]
    ind = pd.DataFrame(rows, columns=["run", "year", "country", "indicator", "value"])
    said: list[str] = []
    save = matplotlib.figure.Figure.savefig

    def keep(fig, *args, **kwargs):
        said.append(fig.get_suptitle())
        return save(fig, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", keep)
    plot_gdp_paths(ind, "customs_union (seed 1)", tmp_path / "gdp_paths.png")
    title = " ".join(said[0].split())
    assert "nominal" in title and "prices included" in title
    assert "not the policy's effect on output" in title and "real_gdp_change_pct" in title
    assert "median of 3 runs" in title
