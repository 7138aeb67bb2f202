"""``scosim compare`` off a terminal says how many figures it is drawing before it draws.

The progress bar is drawn on a terminal only; in a log or a pipe a full comparison was
silent for about 70 s while it drew its figures.
"""

from __future__ import annotations

import pandas as pd

from scosim.cli import main
from test_compare import synthetic_pair, write_run  # tests/ is on sys.path


def _runs(tmp_path):
    pairs = [synthetic_pair(4, seed=5), synthetic_pair(4, seed=6)]
    sides = [pd.concat([p[k].assign(indicator=i) for p, i in
                        zip(pairs, ("welfare_change_pct", "real_gdp_change_pct"), strict=True)])
             for k in (0, 1)]
    pol = write_run(tmp_path / "club" / "a", sides[0], scenario="club")
    base = write_run(tmp_path / "baseline" / "b", sides[1], scenario="baseline")
    return str(pol), str(base)


def test_the_figure_count_is_said_on_stderr_before_drawing(tmp_path, capsys):
    pol, base = _runs(tmp_path)
    assert main(["compare", pol, base, "--out", str(tmp_path / "c"),
                 "--plot-workers", "1"]) == 0
    err = capsys.readouterr().err
    drawn = sorted((tmp_path / "c" / "compare").glob("*/plots/*.png"))
    assert len(drawn) == 4
    assert "drawing 4 report figures (use --indicator to draw fewer)\n" in err
    # One indicator: two figures, and no advice to draw fewer.
    assert main(["compare", pol, base, "--out", str(tmp_path / "d"), "--plot-workers", "1",
                 "--indicator", "welfare_change_pct"]) == 0
    assert "drawing 2 report figures\n" in capsys.readouterr().err
    # Two indicators chosen with --indicator: four figures, and no advice to use it.
    assert main(["compare", pol, base, "--out", str(tmp_path / "f"), "--plot-workers", "1",
                 "--indicator", "welfare_change_pct", "--indicator",
                 "real_gdp_change_pct"]) == 0
    err = capsys.readouterr().err
    assert "drawing 4 report figures\n" in err and "use --indicator" not in err
    # --quiet is quiet.
    assert main(["compare", pol, base, "--out", str(tmp_path / "e"), "--plot-workers", "1",
                 "--quiet"]) == 0
    assert "report figures" not in capsys.readouterr().err
