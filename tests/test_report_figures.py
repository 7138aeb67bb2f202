"""A report's figures drawn in worker processes are the files drawn in this one."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from scosim.compare import compare_results
from scosim.compare_plots import draw_all
from scosim.report import write_report
from test_compare import synthetic_pair, write_run  # tests/ is on sys.path (rootdir)


@pytest.fixture
def comparison(tmp_path):
    """Three indicators (six figures: enough for the worker processes)."""
    pols, bases = [], []
    for k, (name, effect) in enumerate((("welfare", 0.5), ("exports", -0.1), ("gdp", 0.2))):
        pol, base = synthetic_pair(30, seed=10 + k, effect=effect)
        pols.append(pol.assign(indicator=name))
        bases.append(base.assign(indicator=name))
    return compare_results(
        write_run(tmp_path / "p", pd.concat(pols), scenario="customs_union"),
        write_run(tmp_path / "b", pd.concat(bases), scenario="baseline"),
    )


def test_figures_from_workers_equal_figures_drawn_here(comparison, tmp_path):
    seen: dict[int, list[tuple[int, int]]] = {}
    for workers in (1, 2):
        calls: list[tuple[int, int]] = []
        write_report(comparison, tmp_path / f"w{workers}", title="T", plot_workers=workers,
                     on_figure=lambda d, t, c=calls: c.append((d, t)))
        seen[workers] = calls
    one = sorted((tmp_path / "w1" / "plots").glob("*.png"))
    two = sorted((tmp_path / "w2" / "plots").glob("*.png"))
    assert [p.name for p in one] == [p.name for p in two] and len(one) == 6
    for a, b in zip(one, two, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    for calls in seen.values():
        # (0, 6) before the first figure: compare says the count off a terminal.
        assert calls == [(k, 6) for k in range(0, 7)]
    md = [(tmp_path / f"w{w}" / "report.md").read_text() for w in (1, 2)]
    assert md[0].split("_Generated")[0] == md[1].split("_Generated")[0]


def test_the_pool_draws_and_this_process_draws_too(comparison, tmp_path):
    s = comparison.summary
    jobs = [("plot_final_year", s[s["indicator"] == ind], ind,
             {"path": tmp_path / f"{ind}{k}.png"})
            for k in range(2) for ind in ("welfare", "exports", "gdp")]
    drawn_by = draw_all(jobs, workers=3)
    # This process drew, and so did the pool: each helper thread hands it a figure first
    # (which of the pool's processes draws it is the pool's choice).
    assert os.getpid() in drawn_by and len(set(drawn_by)) >= 2
    assert sum(pid != os.getpid() for pid in drawn_by) >= 2
    assert all((tmp_path / f"{ind}{k}.png").is_file()
               for k in range(2) for ind in ("welfare", "exports", "gdp"))
    assert set(draw_all(jobs[:3], workers=3)) == {os.getpid()}  # too few to start workers


def test_a_failing_figure_fails_the_report_with_its_own_error(comparison, tmp_path):
    s = comparison.summary
    good = s[s["indicator"] == "welfare"]
    jobs = [("plot_final_year", good, "welfare", {"path": tmp_path / f"f{k}.png"})
            for k in range(4)]
    jobs.insert(0, ("plot_final_year", good, "nope", {"path": tmp_path / "bad.png"}))
    with pytest.raises(ValueError, match="indicator 'nope' not in the summary"):
        draw_all(jobs, workers=2)
    with pytest.raises(ValueError, match="workers must be >= 1"):
        draw_all(jobs, workers=0)


def test_cli_refuses_zero_plot_workers_before_writing_anything(comparison, tmp_path, capsys):
    from scosim.cli import main

    out = tmp_path / "results"
    rc = main(["compare", str(tmp_path / "p"), str(tmp_path / "b"), "--out", str(out),
               "--plot-workers", "0", "--quiet"])
    assert rc == 2
    assert "--plot-workers must be at least 1, got 0" in capsys.readouterr().err
    assert not out.exists()
