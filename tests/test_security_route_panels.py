"""The opiate route panels draw the routes' branches, not one chain of economies.

A reviewer of ``afghan_corridor``'s ``security_incidents_routes.png``: the Northern panel
drew one line TJK->UZB->TKM->KGZ->KAZ->RUS and the Southern/Balkan one put Azerbaijan after
Turkey, although Iran feeds it (IRN->AZE 0.15 in ``routes.EDGES``).
"""

from __future__ import annotations

import numpy as np
import pytest

from scosim.security import SecuritySystem, simulate
from scosim.security.plots import ROUTE_PATHS, feeders, plot_security
from scosim.security.routes import EDGES, NODE_ORDER


@pytest.fixture(scope="module")
def results():
    years = [2025, 2026, 2027]
    return years, simulate(SecuritySystem(), years, {}, 1.0, 5, seed=1)


def _route_axes(fig):
    return {ax.get_title().rsplit(",", 1)[0]: ax for ax in fig.axes
            if ax.get_title().rsplit(",", 1)[0] in ROUTE_PATHS}


def test_no_line_joins_economies_in_the_route_panels(tmp_path, monkeypatch, results):
    import matplotlib.pyplot as plt

    from scosim.security import plots

    years, res = results
    kept = []
    monkeypatch.setattr(plots.plt, "close", kept.append)
    other = {k: np.asarray(v, float) * 0.9 for k, v in res.items()}
    plot_security({"today": res, "other": other}, years, tmp_path / "s.png")
    fig = kept[-1]
    try:
        axes = _route_axes(fig)
        assert set(axes) == set(ROUTE_PATHS)
        for route, ax in axes.items():
            for line in ax.lines:
                xs = np.unique(np.round(np.asarray(line.get_xdata(), float), 9))
                joined = line.get_linestyle() not in ("None", "", " ") and len(xs) > 1
                assert not joined, f"{route}: a line joins economies at x = {xs}"
            # Each economy's tick names the economies that feed it, from the routes table.
            ticks = [t.get_text() for t in ax.get_xticklabels()]
            assert [t.split("\n")[0] for t in ticks] == list(ROUTE_PATHS[route])
            for code, tick in zip(ROUTE_PATHS[route], ticks, strict=True):
                named = tick.split("\n", 1)[1].removeprefix("from").replace("\n", " ")
                assert {c.strip() for c in named.split(",")} == set(feeders(code))
        south = [t.get_text() for t in axes["Southern and Balkan routes"].get_xticklabels()]
        aze = next(t for t in south if t.startswith("AZE"))
        assert "IRN" in aze and "TUR" not in aze
    finally:
        plt.close(fig)


def test_feeders_are_the_routes_tables_upstream_economies():
    assert feeders("AZE") == ("IRN",)
    assert feeders("KAZ") == ("KGZ", "UZB", "TKM")
    assert feeders("UZB") == ("AFG", "TJK")
    for route, nodes in ROUTE_PATHS.items():
        # Drawn upstream first, as the flows run (routes.NODE_ORDER).
        assert list(nodes) == sorted(nodes, key=NODE_ORDER.index), route
        for code in nodes:
            assert all((a, code) in {(e[0], e[1]) for e in EDGES} for a in feeders(code))


def test_incident_panels_show_the_gti_record_of_2022_2024(tmp_path, monkeypatch, results):
    """The incident panels set the GTI's recent counts beside the runs (an outside referee,
    2026-12-07): Pakistan 298 in 2022 (GTI 2023), 517 in 2023 and 1,099 in 2024 (GTI 2025),
    Afghanistan 225 in 2022."""
    import matplotlib.pyplot as plt

    from scosim.security import plots

    years, res = results
    kept = []
    monkeypatch.setattr(plots.plt, "close", kept.append)
    plot_security({"today": res}, years, tmp_path / "s.png")
    fig = kept[-1]
    try:
        panels = {ax.get_title(): ax for ax in fig.axes}

        def diamonds(name):
            (line,) = [ln for ln in panels[name].lines if ln.get_marker() == "D"]
            return list(zip(line.get_xdata(), line.get_ydata(), strict=True))

        assert diamonds("Pakistan") == [(2022, 298.0), (2023, 517.0), (2024, 1099.0)]
        assert diamonds("Afghanistan") == [(2022, 225.0)]
    finally:
        plt.close(fig)


def _tick_gaps(fig) -> dict[str, list[float]]:
    """Pixels between neighbouring tick labels of each route panel, as saved (dpi 100)."""
    fig.set_dpi(100)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    gaps = {}
    for route, ax in _route_axes(fig).items():
        boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels()]
        gaps[route] = [b.x0 - a.x1 for a, b in zip(boxes, boxes[1:], strict=False)]
    return gaps


@pytest.mark.parametrize("n_variants", [1, 2])
def test_route_tick_labels_leave_room_between_them(tmp_path, monkeypatch, results,
                                                   n_variants):
    """The Northern panel's "from AFG, TJK" (Uzbekistan) and "TKM from AFG" overlapped
    slightly (an outside review, 2026-12-07): every label clears its neighbour."""
    import matplotlib.pyplot as plt

    from scosim.security import plots

    years, res = results
    kept = []
    monkeypatch.setattr(plots.plt, "close", kept.append)
    variants = {"today": res, "other": res}
    plot_security(dict(list(variants.items())[:n_variants]), years, tmp_path / "s.png")
    fig = kept[-1]
    try:
        for route, gaps in _tick_gaps(fig).items():
            assert min(gaps) >= 8, f"{route}: tick labels {gaps} px apart"
        ticks = [t.get_text() for t in _route_axes(fig)["Northern route"].get_xticklabels()]
        assert "UZB\nfrom\nAFG, TJK" in ticks and "TKM\nfrom AFG" in ticks
    finally:
        plt.close(fig)
