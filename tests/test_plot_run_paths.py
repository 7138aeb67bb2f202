"""``scosim.plots.plot_run`` as docs/proposals.md tells plug-in authors to call it.

Before, a ``str`` run folder failed with ``unsupported operand type(s) for /: 'str' and
'str'``, and a plots folder that did not exist yet failed at the first figure.
"""

from __future__ import annotations

import shutil

from scosim.plots import plot_run


def test_plot_run_takes_str_paths_and_makes_the_plots_folder(geometry_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(geometry_run, run)  # plot_run writes summary.csv beside the tables
    plots = tmp_path / "not" / "yet" / "plots"
    written = plot_run(str(run), str(plots))
    assert written and all(p.parent == plots and p.is_file() for p in written)
    assert {"welfare_final_year.png", "vote_reasons.png"} <= {p.name for p in written}
