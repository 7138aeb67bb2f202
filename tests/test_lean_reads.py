"""The explorer and the mechanism figures read only the indicators and columns they draw."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.data.constants import ECONOMIES
from scosim.result_tables import open_result


def write_run(path, *, runs: int = 6, batch: int = 4):
    """A finished security run: the security figure's indicators, plus one it does not draw."""
    rng = np.random.default_rng(0)
    for d in ("indicators", "events"):
        (path / d).mkdir(parents=True)
    names = ("incidents", "inflow_t", "seizures_t", "security_index", "gdp_usd")
    for b, start in enumerate(range(0, runs, batch)):
        rr = range(start, min(start + batch, runs))
        rows = [(r, y, c, i, float(rng.poisson(3)))
                for r in rr for y in (2025, 2026, 2027) for c in ECONOMIES for i in names]
        pd.DataFrame(rows, columns=["run", "year", "country", "indicator", "value"]).astype(
            {"country": "category", "indicator": "category"}
        ).to_parquet(path / "indicators" / f"batch-{b:05d}.parquet", index=False)
        ev = pd.DataFrame({
            "run": [r for r in rr for _ in range(3)],
            "year": [y for _ in rr for y in (2025, 2026, 2026)],
            "type": [t for _ in rr for t in ("incident", "incident", "vote")],
            "country": "TJK", "proposal": "p",
            "detail": "{}",
        })
        ev.to_parquet(path / "events" / f"batch-{b:05d}.parquet", index=False)
    (path / "manifest.json").write_text(json.dumps(
        {"scenario": "sec", "seed": 1, "replications": runs, "status": "complete"}))
    return path


def test_mechanism_figures_read_only_their_indicators_and_key_columns(tmp_path, monkeypatch):
    import scosim.batch_rows as batch_rows
    import scosim.plots as plots

    run = write_run(tmp_path / "run")
    calls = []
    real = batch_rows.read_rows

    def spy(path, columns, keep=None, by="indicator"):
        calls.append((str(path), columns, keep, by))
        return real(path, columns, keep, by)

    # The batch files' rows are read by scosim.batch_rows (not pyarrow.dataset's filters).
    monkeypatch.setattr(batch_rows, "read_rows", spy)
    (tmp_path / "plots").mkdir()
    drawn = plots.plot_mechanism_figures(run, "sec (seed 1)", tmp_path / "plots")
    assert [p.name for p in drawn] == ["security_incidents_routes.png"]
    # one read of values per batch file, one at a time (the others read the names of
    # the indicators recorded); of the events, each batch file once, for the votes and
    # adoptions of the title's rejected proposals (every column: event files are small)
    events = [c for c in calls if "/events/" in c[0]]
    assert [c[0].rsplit("/", 2)[-2:] for c in events] == [
        ["events", "batch-00000.parquet"], ["events", "batch-00001.parquet"]]
    assert all(c[3] == "type" for c in events)
    values = [c for c in calls if "/indicators/" in c[0]]
    assert [c[0].rsplit("/", 2)[-2:] for c in values] == [
        ["indicators", "batch-00000.parquet"], ["indicators", "batch-00001.parquet"]]
    for _, columns, keep, by in values:
        assert columns == ["run", "year", "country", "indicator", "value"]
        assert by == "indicator"
        assert set(keep) == {"incidents", "inflow_t", "seizures_t"}


def test_mechanism_figures_use_the_run_statistics_they_are_given(tmp_path, monkeypatch):
    """With every indicator summarised (outputs.summary: all) the run's statistics hold
    the figures' indicators: nothing is read again, and the figure is the same."""
    import matplotlib.image as mpimg

    import scosim.batch_rows as batch_rows
    import scosim.plots as plots
    from scosim.runstats import RunStats

    run = write_run(tmp_path / "run")
    (tmp_path / "read").mkdir()
    (tmp_path / "given").mkdir()
    plots.plot_mechanism_figures(run, "sec (seed 1)", tmp_path / "read")
    st = RunStats.from_run(run, event_types=["adopted"])
    calls = []
    real = batch_rows.read_rows

    def spy(path, *args, **kw):
        calls.append(str(path))
        return real(path, *args, **kw)

    monkeypatch.setattr(batch_rows, "read_rows", spy)
    drawn = plots.plot_mechanism_figures(run, "sec (seed 1)", tmp_path / "given", st)
    assert [p.name for p in drawn] == ["security_incidents_routes.png"]
    assert not [p for p in calls if "/indicators/" in p]  # no batch file read for values
    name = "security_incidents_routes.png"
    assert (mpimg.imread(tmp_path / "read" / name) == mpimg.imread(tmp_path / "given" / name)
            ).all()


def test_mechanism_figures_say_a_proposal_rejected_in_every_run_as_the_run_does(
        tmp_path, monkeypatch):
    """Drawn without the run's statistics (the explorer's mechanism_figures), the security
    figure read no votes and lost its title's "proposal p rejected in 6 of 6 runs" line,
    which ``scosim run``'s figure (plot_run, the statistics with their events) has."""
    from matplotlib.figure import Figure

    import scosim.plots as plots

    run = write_run(tmp_path / "run")
    titles: dict[str, str] = {}
    save = Figure.savefig

    def record(fig, path, *args, **kwargs):
        if Path(path).name == "security_incidents_routes.png":
            titles[Path(path).parent.name] = " ".join(
                [fig._suptitle.get_text() if fig._suptitle else "",
                 *(ax.get_title() for ax in fig.axes)])
        return save(fig, path, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", record)
    plots.plot_run(run, tmp_path / "cli")
    assert [p.name for p in plots.mechanism_figures(run)] == ["security_incidents_routes.png"]
    said = "proposal p rejected in 6 of 6 runs: not in force in any run"
    assert said in titles["cli"], titles
    assert titles["plots"] == titles["cli"]  # the explorer's figure, in the run's plots/
    # Adopted in some run: no such line on either path.
    ev = tmp_path / "run" / "events" / "batch-00000.parquet"
    df = pd.read_parquet(ev)
    pd.concat([df, df.iloc[[2]].assign(type="adopted")]).to_parquet(ev, index=False)
    titles.clear()
    plots.mechanism_figures(run)
    assert "rejected" not in titles["plots"], titles


def test_explorer_events_table_counts_as_the_whole_log(tmp_path):
    pytest.importorskip("plotly")
    from scosim.explore.figures import events_table

    res = open_result(write_run(tmp_path / "run"))
    got = events_table(res)
    ev = res.events  # the whole log, as the table was computed before
    ref = ev.groupby(["year", "type"], observed=True).size().unstack("type", fill_value=0) / 6
    ref.columns = ref.columns.astype(str)
    ref.columns.name = "type"
    pd.testing.assert_frame_equal(got, ref.round(3), check_index_type=False)
    assert got.loc[2026, "incident"] == 1.0 and got.loc[2026, "vote"] == 1.0
    assert got.loc[2025, "vote"] == 0.0


def test_corridors_drawn_are_those_adopted_in_half_of_all_runs():
    # The figures read only the adoptions, so the share must count every run of the
    # run directory, not just those that adopted something.
    from types import SimpleNamespace

    from scosim.network.runplots import _corridors
    from scosim.runstats import RunStats

    sc = SimpleNamespace(proposals=[SimpleNamespace(type="corridor", id="a"),
                                    SimpleNamespace(type="corridor", id="b"),
                                    SimpleNamespace(type="customs_union", id="c")])
    adopted = pd.DataFrame({"run": [0, 1, 0, 2, 3], "year": 2026, "type": "adopted",
                            "country": "IND", "proposal": ["a", "a", "b", "c", "c"]})

    def stats(runs: int) -> RunStats:
        ind = pd.DataFrame({"run": range(runs), "year": 2026, "country": "IND",
                            "indicator": "x", "value": 1.0})
        return RunStats.from_frames(ind, adopted)

    assert [p.id for p in _corridors(sc, stats(4))] == ["a"]   # a: 2 of 4, b: 1 of 4
    assert [p.id for p in _corridors(sc, stats(5))] == []      # a: 2 of 5
    assert [p.id for p in _corridors(sc, stats(2))] == ["a", "b"]
